"""Downloads of the evidence: the kept crime counts as CSV (`Month, Ward code, Ward name, Crime type,
Count`, one row per non-zero count), and the strategic assessment as XLSX."""

import csv
import io
from datetime import date

import xlsxwriter

from evidence.models import CrimeCount
from strategy.formulas import escape_formula
from strategy.models import Marking

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


class _Workbook:
    """An assessment workbook being written: its formats, and sheets that carry the marking on every
    printed page and write each row below the last."""

    def __init__(self, buffer, *, label, properties):
        self.workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
        self.workbook.set_properties(properties)
        self.bold = self.workbook.add_format({"bold": True})
        self.share = self.workbook.add_format({"num_format": "0%"})
        self.printed = label.replace("&", "&&")  # & starts a header code in a page header

    def sheet(self, title, header):
        worksheet = self.workbook.add_worksheet(title)
        worksheet.set_header(f"&C{self.printed}")
        worksheet.set_footer(f"&C{self.printed}&RPage &P of &N")
        for column, text in enumerate(header):
            worksheet.write_string(0, column, text, self.bold)
        worksheet.next_row = 1 if header else 0
        return worksheet

    def row(self, worksheet, values):
        for column, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                worksheet.write_string(worksheet.next_row, column, escape_formula(value))
            elif isinstance(value, tuple):  # (ratio, format)
                worksheet.write_number(worksheet.next_row, column, value[0], value[1])
            else:
                worksheet.write_number(worksheet.next_row, column, value)
        worksheet.next_row += 1

    def change_row(self, worksheet, first, change):
        ratio = (change.change / change.previous, self.share) if change.previous else None
        self.row(worksheet, [*first, change.current, change.previous, change.change, ratio])

    def close(self):
        self.workbook.close()


CHANGE_HEADER = ["Count", "12 months before", "Change", "Change (%)"]


def assessment_xlsx(found, *, created=None):
    """The strategic assessment as a workbook: a cover with the headline, then a sheet per table.
    Text a spreadsheet would run as a formula is escaped (ward and crime type names come from files);
    the marking heads and foots every printed page, and is the cover's first line."""
    label = Marking(found.marking).label
    buffer = io.BytesIO()
    properties = {"author": found.partnership.name, "title": f"Strategic assessment: {found.window}"}
    if created is not None:
        properties["created"] = created
    book = _Workbook(buffer, label=label, properties=properties)
    cover = _write_cover(book, found, label)
    _write_by_type(book, found)
    _write_by_ward(book, found)
    _write_ward_by_type(book, found.ward_by_type)
    _write_concentration(book, found.concentration)
    _write_trends(book, found.trends)
    if found.missing or found.previous_missing:
        book.row(cover, [])
        book.row(
            cover, ["Months with no data", ", ".join(f"{m:%Y-%m}" for m in [*found.previous_missing, *found.missing])]
        )
    book.close()
    return buffer.getvalue()


def _write_cover(book, found, label):
    """The cover: what was counted, where and when, then the headline; returned for the closing note."""
    cover = book.sheet("Assessment", [])
    for key, value in [
        ("Handling marking", label),
        ("Partnership", found.partnership.name),
        ("Area", found.area_name),
        ("Period", str(found.window)),
        ("Compared with", str(found.previous_window)),
        ("Counted", found.measure),
        ("Wards", ", ".join(change.label for change in found.by_ward) if found.chosen_wards else "The whole area"),
        ("Source", "police.uk street-level crime data, counted by month, ward and crime type"),
    ]:
        book.row(cover, [key, value])
    book.row(cover, [])
    for sentence in found.headline():
        book.row(cover, [sentence])
    return cover


def _write_by_type(book, found):
    types = book.sheet("By crime type", ["Crime type", *CHANGE_HEADER])
    for change in found.by_type:
        book.change_row(types, [change.label], change)
    book.change_row(types, [found.total.label], found.total)
    if found.anti_social is not None:
        book.change_row(types, [f"{found.anti_social.label} (not in all crime)"], found.anti_social)


def _write_by_ward(book, found):
    wards = book.sheet("By ward", ["Ward code", "Ward", *CHANGE_HEADER])
    for change in found.by_ward:
        book.change_row(wards, [change.code, change.label], change)


def _write_ward_by_type(book, table):
    crossed = book.sheet("Ward by crime type", ["Ward", *table.types, "Total"])
    for ward, counts, total in table.rows:
        book.row(crossed, [ward, *counts, total])
    book.row(crossed, ["Total", *table.column_totals, table.total])


def _write_concentration(book, concentration):
    worksheet = book.sheet("Concentration", ["Ward", "Count", "Share"])
    if concentration:
        for name, count in concentration.wards:
            book.row(worksheet, [name, count, (count / concentration.total, book.share)])
        book.row(worksheet, ["All wards", concentration.total, (1, book.share)])
        book.row(worksheet, [])
        book.row(worksheet, [concentration.sentence])
    else:
        book.row(worksheet, ["The area needs more wards than the number asked for, and some crime counted."])


def _write_trends(book, trends):
    for index, trend in enumerate(trends):
        title = "Monthly" if index == 0 else f"Monthly {trend.name.lower()}"[:31]
        monthly = book.sheet(title, ["Month", trend.name, "Same month a year before"])
        for month, current, previous in zip(trend.months, trend.current, trend.previous, strict=True):
            book.row(monthly, [f"{month:%Y-%m}", current, previous])
