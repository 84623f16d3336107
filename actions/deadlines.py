"""Deadlines as action plans write them, and the due date each one names (if any).

A plan's deadline cell is kept exactly as written. Where it names a day ("31/03/2018", day first)
that day is the due date; where it names a month ("Mar-18", "Sep 2017") the month's last day is.
Cadences and conditions ("Quarterly reporting", "Ongoing", "Before school summer holidays",
"July / November", "On Exception", "TBD") name no date. A day that cannot exist ("31/02/2018") is an
error, never a guess.
"""

import datetime
import re
from dataclasses import dataclass

from strategy.dates import InvalidDate, last_day_of_month, read_day, read_month


class InvalidDeadline(InvalidDate):
    """The deadline names a day that does not exist."""


@dataclass(frozen=True)
class Deadline:
    text: str
    due_date: datetime.date | None


def due_date_from_text(text):
    """The due date the deadline text names, or None. Raises InvalidDeadline for impossible days."""
    try:
        day = read_day(text)
    except InvalidDate as error:
        raise InvalidDeadline(str(error)) from None
    if day:
        return day
    month = read_month(text)
    return last_day_of_month(*month) if month else None


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
