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


def assessment_xlsx(found, *, created=None):
    """The strategic assessment as a workbook: a cover with the headline, then a sheet per table.
    Text a spreadsheet would run as a formula is escaped (ward and crime type names come from files);
    the marking heads and foots every printed page, and is the cover's first line."""
    label = Marking(found.marking).label
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    properties = {"author": found.partnership.name, "title": f"Strategic assessment: {found.window}"}
    if created is not None:
        properties["created"] = created
    workbook.set_properties(properties)
    bold = workbook.add_format({"bold": True})
    share = workbook.add_format({"num_format": "0%"})
    printed = label.replace("&", "&&")  # & starts a header code in a page header

    def sheet(title, header):
        worksheet = workbook.add_worksheet(title)
        worksheet.set_header(f"&C{printed}")
        worksheet.set_footer(f"&C{printed}&RPage &P of &N")
        for column, text in enumerate(header):
            worksheet.write_string(0, column, text, bold)
        worksheet.next_row = 1 if header else 0
        return worksheet

    def row(worksheet, values):
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

    def ratio(change):
        return (change.change / change.previous, share) if change.previous else None

    cover = sheet("Assessment", [])
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
        row(cover, [key, value])
    row(cover, [])
    for sentence in found.headline():
        row(cover, [sentence])

    change_header = ["Count", "12 months before", "Change", "Change (%)"]

    def change_row(worksheet, first, change):
        row(worksheet, [*first, change.current, change.previous, change.change, ratio(change)])

    types = sheet("By crime type", ["Crime type", *change_header])
    for change in found.by_type:
        change_row(types, [change.label], change)
    change_row(types, [found.total.label], found.total)
    if found.anti_social is not None:
        change_row(types, [f"{found.anti_social.label} (not in all crime)"], found.anti_social)

    wards = sheet("By ward", ["Ward code", "Ward", *change_header])
    for change in found.by_ward:
        change_row(wards, [change.code, change.label], change)

    table = found.ward_by_type
    crossed = sheet("Ward by crime type", ["Ward", *table.types, "Total"])
    for ward, counts, total in table.rows:
        row(crossed, [ward, *counts, total])
    row(crossed, ["Total", *table.column_totals, table.total])

    concentration = sheet("Concentration", ["Ward", "Count", "Share"])
    if found.concentration:
        for name, count in found.concentration.wards:
            row(concentration, [name, count, (count / found.concentration.total, share)])
        row(concentration, ["All wards", found.concentration.total, (1, share)])
        row(concentration, [])
        row(concentration, [found.concentration.sentence])
    else:
        row(concentration, ["The area needs more wards than the number asked for, and some crime counted."])

    for index, trend in enumerate(found.trends):
        title = "Monthly" if index == 0 else f"Monthly {trend.name.lower()}"[:31]
        monthly = sheet(title, ["Month", trend.name, "Same month a year before"])
        for month, current, previous in zip(trend.months, trend.current, trend.previous, strict=True):
            row(monthly, [f"{month:%Y-%m}", current, previous])

    if found.missing or found.previous_missing:
        row(cover, [])
        row(cover, ["Months with no data", ", ".join(f"{m:%Y-%m}" for m in [*found.previous_missing, *found.missing])])
    workbook.close()
    return buffer.getvalue()
