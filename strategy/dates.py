"""Dates and months as people write them in plans and spreadsheets, read one way for every parser.

- `month_number("Sept")`: 9; full names, three-letter abbreviations and "Sept", in any case.
- `full_year("18")`: 2018; two-digit years are this century's.
- `read_day("31/03/2018")`: a day written day first ("31/03/18", "31.3.2018"), in ISO form ("2018-03-31",
  or "2018-03-31 00:00" as a spreadsheet's date becomes text), or with the month named ("31st March 2018").
- `read_month("Mar-18")`: a month named with its year ("Sep 2017", "September 2017", "sept-17").
- `read_iso_month("2019-09")`: a month as ISO 8601 writes it, with or without its day.

Each returns None for text that is not written that way, and raises InvalidDate for text that is but
names a day that does not exist ("31/02/2018"): an error, never a guess.
"""

import calendar
import datetime
import re

MONTHS = {name.casefold(): number for number, name in enumerate(calendar.month_abbr) if name}
MONTHS.update({name.casefold(): number for number, name in enumerate(calendar.month_name) if name})
MONTHS["sept"] = 9

_MONTH = r"(?P<month>[a-z]+)\.?"
_YEAR = r"(?P<year>\d{4}|\d{2})"
DAY_MONTH_YEAR = re.compile(r"^(?P<day>\d{1,2})[/.\-](?P<month>\d{1,2})[/.\-](?P<year>\d{4}|\d{2})$")
ISO_DAY = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})$")
EXCEL_DATETIME_TEXT = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2}) 00:00(:00)?$")
DAY_MONTHNAME_YEAR = re.compile(rf"^(?P<day>\d{{1,2}})(?:st|nd|rd|th)?[\s\-]+{_MONTH}[\s\-,]+{_YEAR}$")
MONTH_YEAR = re.compile(rf"^{_MONTH}[\s\-/.']*{_YEAR}$")
ISO_MONTH = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})(?:-(?P<day>\d{1,2}))?$")


class InvalidDate(ValueError):
    """Text written as a date that names a day that does not exist."""


def month_number(name):
    """1-12 for a month's name or abbreviation ("Sep", "Sept", "september"), else None."""
    return MONTHS.get(str(name).casefold())


def full_year(text):
    """The year `text` names: two digits are this century's ("18" is 2018)."""
    year = int(text)
    return 2000 + year if year < 100 else year


def last_day_of_month(year, month):
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _day(text, year, month, day):
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise InvalidDate(f"{text} is not a date (there is no such day)") from None


def tidy(text):
    """`text` in lower case, runs of spaces made one and the ends trimmed, for matching."""
    return re.sub(r"\s+", " ", str(text or "")).strip().lower()


def read_day(text):
    """The day `text` names (see the module's forms), None if it is not written as a day."""
    cleaned = tidy(text)
    if match := DAY_MONTH_YEAR.match(cleaned):
        month, day = int(match["month"]), int(match["day"])
        if month > 12:
            raise InvalidDate(f"{text} is not a date (dates are day first: dd/mm/yyyy)")
        return _day(text, full_year(match["year"]), month, day)
    if match := (ISO_DAY.match(cleaned) or EXCEL_DATETIME_TEXT.match(cleaned)):
        return _day(text, int(match["year"]), int(match["month"]), int(match["day"]))
    if (match := DAY_MONTHNAME_YEAR.match(cleaned)) and (month := month_number(match["month"])):
        return _day(text, full_year(match["year"]), month, int(match["day"]))
    return None


def read_month(text):
    """(year, month) for a named month and its year ("Sep 2017", "Mar-18"), else None."""
    if (match := MONTH_YEAR.match(tidy(text))) and (month := month_number(match["month"])):
        return full_year(match["year"]), month
    return None


def read_iso_month(text):
    """(year, month) for "2019-09" or "2019-09-30", else None ("2019-20" is not a month)."""
    match = ISO_MONTH.match(tidy(text))
    if not match or not 1 <= int(match["month"]) <= 12:
        return None
    year, month = int(match["year"]), int(match["month"])
    if match["day"]:
        _day(text, year, month, int(match["day"]))
    return year, month
