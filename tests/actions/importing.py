"""Helpers for the import tests: workbooks and CSV files built in memory, as councils lay them out."""

import csv
import io

from openpyxl import Workbook

SEED_HEADER = ["Objectives", "Actions", "Lead", "KPI", "Deadline"]


def xlsx(sheets, *, merges=None):
    """An .xlsx file's bytes: `sheets` maps a sheet name to its rows (lists of cell values)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
        for cell_range in (merges or {}).get(name, []):
            sheet.merge_cells(cell_range)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def seed_sheet(rows, *, chair="Carla Chair", aim="Support repeat victims", header=SEED_HEADER):
    """A sheet in the layout of the seed plans: Chair and Aim label rows, then the table."""
    top = []
    if chair is not None:
        top.append(["Chair", chair])
    if aim is not None:
        top.append(["Aim", aim])
    return [*top, header, *rows]


def csv_bytes(rows, *, encoding="utf-8-sig", delimiter=","):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue().encode(encoding)
