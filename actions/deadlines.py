"""Deadlines as action plans write them, and the due date each one names (if any).

A plan's deadline cell is kept exactly as written. Where it names a day ("31/03/2018", day first)
that day is the due date; where it names a month ("Mar-18", "Sep 2017") the month's last day is.
Cadences and conditions ("Quarterly reporting", "Ongoing", "Before school summer holidays",
"July / November", "On Exception", "TBD") name no date. A day that cannot exist ("31/02/2018") is an
error, never a guess.
"""

import calendar
import datetime
import re
from dataclasses import dataclass

MONTHS = {
    name: number
    for number in range(1, 13)
    for name in {calendar.month_name[number].lower(), calendar.month_abbr[number].lower()}
}
MONTHS["sept"] = 9

_MONTH = r"(?P<month>[a-z]+)\.?"
_YEAR = r"(?P<year>\d{4}|\d{2})"
MONTH_YEAR = re.compile(rf"^{_MONTH}[\s\-/']*{_YEAR}$")
DAY_MONTH_YEAR_NUMERIC = re.compile(r"^(?P<day>\d{1,2})[/.\-](?P<month>\d{1,2})[/.\-](?P<year>\d{4}|\d{2})$")
ISO_DATE = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})$")
DAY_MONTHNAME_YEAR = re.compile(rf"^(?P<day>\d{{1,2}})(?:st|nd|rd|th)?[\s\-]+{_MONTH}[\s\-,]+{_YEAR}$")
EXCEL_DATETIME_TEXT = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})[ T]00:00(:00)?$")


class InvalidDeadline(ValueError):
    """The deadline names a day that does not exist."""


@dataclass(frozen=True)
class Deadline:
    text: str
    due_date: datetime.date | None


def _year(text):
    year = int(text)
    return 2000 + year if year < 100 else year


def _day(text, year, month, day):
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise InvalidDeadline(f"{text} is not a date (there is no such day)") from None


def _last_day_of_month(year, month):
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def due_date_from_text(text):
    """The due date the deadline text names, or None. Raises InvalidDeadline for impossible days."""
    cleaned = re.sub(r"\s+", " ", (text or "")).strip().lower()
    if not cleaned:
        return None
    if match := DAY_MONTH_YEAR_NUMERIC.match(cleaned):
        month, day = int(match["month"]), int(match["day"])
        if month > 12:
            raise InvalidDeadline(f"{text} is not a date (dates are day first: dd/mm/yyyy)")
        return _day(text, _year(match["year"]), month, day)
    if match := (ISO_DATE.match(cleaned) or EXCEL_DATETIME_TEXT.match(cleaned)):
        return _day(text, int(match["year"]), int(match["month"]), int(match["day"]))
    if match := DAY_MONTHNAME_YEAR.match(cleaned):
        if match["month"] in MONTHS:
            return _day(text, _year(match["year"]), MONTHS[match["month"]], int(match["day"]))
        return None
    if (match := MONTH_YEAR.match(cleaned)) and match["month"] in MONTHS:
        return _last_day_of_month(_year(match["year"]), MONTHS[match["month"]])
    return None


def format_date(value):
    return value.strftime("%d/%m/%Y")


def parse_deadline(value):
    """A Deadline from a cell: text (as written) or a real date from a spreadsheet."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return Deadline(text=format_date(value), due_date=value)
    text = re.sub(r"[ \t]+", " ", "" if value is None else str(value)).strip()
    return Deadline(text=text, due_date=due_date_from_text(text))
