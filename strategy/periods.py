"""UK financial-year quarters: 2020/21 Q1 is April to June 2020, Q4 is January to March 2021.

Pure date arithmetic, used by every app that asks "this quarter", "as at the end of a quarter" or
"the same period a year earlier".
"""

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone

QUARTER_TEXT = re.compile(r"^\s*(?P<start>\d{4})\s*/\s*(?P<end>\d{2}|\d{4})\s*Q(?P<n>[1-4])\s*$", re.IGNORECASE)
QUARTER_SLUG = re.compile(r"^(?P<start>\d{4})-Q(?P<n>[1-4])$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Quarter:
    """A financial-year quarter, named by the year its financial year starts and its number."""

    year: int  # 2020 for the financial year 2020/21
    number: int  # 1 to 4

    def __post_init__(self):
        if self.number not in (1, 2, 3, 4):
            raise ValueError(f"A quarter is numbered 1 to 4, not {self.number}.")

    @classmethod
    def containing(cls, day):
        if day.month >= 4:
            return cls(day.year, (day.month - 4) // 3 + 1)
        return cls(day.year - 1, 4)

    @classmethod
    def current(cls):
        return cls.containing(timezone.localdate())

    @classmethod
    def from_slug(cls, slug):
        """From the form used in web addresses: 2020-Q1."""
        match = QUARTER_SLUG.match(slug or "")
        if not match:
            raise ValueError(f"{slug} is not a quarter (write it like 2020-Q1).")
        return cls(int(match["start"]), int(match["n"]))

    @classmethod
    def from_text(cls, text):
        """From the form written in reports: 2020/21 Q1."""
        match = QUARTER_TEXT.match(text or "")
        if not match:
            raise ValueError(f"{text} is not a quarter (write it like 2020/21 Q1).")
        start, end = int(match["start"]), int(match["end"])
        if end % 100 != (start + 1) % 100:
            raise ValueError(f"{text} is not a financial year: the second year must follow the first.")
        return cls(start, int(match["n"]))

    @property
    def start(self):
        month = 4 + (self.number - 1) * 3
        return datetime.date(self.year + (month > 12), (month - 1) % 12 + 1, 1)

    @property
    def end(self):
        return self.next().start - datetime.timedelta(days=1)

    @property
    def end_moment(self):
        """The last instant of the quarter, in the site's time zone."""
        start_of_next = datetime.datetime.combine(self.next().start, datetime.time.min)
        return timezone.make_aware(start_of_next) - datetime.timedelta(microseconds=1)

    @property
    def start_moment(self):
        return timezone.make_aware(datetime.datetime.combine(self.start, datetime.time.min))

    @property
    def financial_year(self):
        return f"{self.year}/{(self.year + 1) % 100:02d}"

    @property
    def slug(self):
        return f"{self.year}-Q{self.number}"

    @property
    def months(self):
        return f"{self.start:%B} to {self.end:%B %Y}"

    def next(self):
        return Quarter(self.year + (self.number == 4), self.number % 4 + 1)

    def previous(self):
        return Quarter(self.year - (self.number == 1), (self.number - 2) % 4 + 1)

    def year_earlier(self):
        return Quarter(self.year - 1, self.number)

    def __str__(self):
        return f"{self.financial_year} Q{self.number}"
