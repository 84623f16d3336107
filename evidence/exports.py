"""The kept crime counts as CSV: `Month, Ward code, Ward name, Crime type, Count`, one row per non-zero count."""

import csv
from datetime import date

from evidence.models import CrimeCount
from strategy.formulas import escape_formula

HEADER = ["Month", "Ward code", "Ward name", "Crime type", "Count"]


def month_start(text):
    """The first day of a "YYYY-MM" month."""
    year, month = text.split("-")
    return date(int(year), int(month), 1)


def write_crime_counts(stream, *, partnership, start, end):
    """Write the counts of months `start` to `end` ("YYYY-MM", both included); returns the rows written."""
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(HEADER)
    rows = 0
    counts = CrimeCount.objects.for_partnership(partnership).between(month_start(start), month_start(end))
    for row in counts.by_month_ward_type().iterator():
        writer.writerow(
            [
                f"{row['month']:%Y-%m}",
                row["ward__code"],
                escape_formula(row["ward__name"]),
                escape_formula(row["crime_type"]),
                row["total"],
            ]
        )
        rows += 1
    return rows
