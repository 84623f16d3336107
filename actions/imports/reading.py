"""From an uploaded file to rows the importer understands: sheets, label rows, header, cells.

Reads .xlsx (openpyxl in read-only, streaming mode), .csv (UTF-8 with or without a byte-order
mark, UTF-16, or Windows-1252 as Excel writes it) and .ods. The file's kind is told from its
content, never from its name. Limits are checked before rows are read: size first, then the row
count each sheet declares (or a cheap count where the declaration is missing or implausible).

Read-only openpyxl does not expose merged ranges: a merged cell reads as blank below its first
row, so the rule "a blank Objective continues the one above" covers merged cells too.
"""

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass, field

import tablib

from actions.imports.problems import ImportRefused, Problem
from actions.imports.vocabulary import (
    DERIVED_HEADERS,
    EXPECTED_HEADERS,
    FIELD_LABELS,
    HEADER_KEYS,
    LABEL_KEYS,
    QuarterColumn,
    clean_text,
    header_field,
    header_key,
)
from actions.spreadsheets import unescape_formula

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
# An .xlsx or .ods is a zip: what it unpacks to is limited too, so a small file cannot expand into
# gigabytes of XML (a "zip bomb").
MAX_UNPACKED_BYTES = 250 * 1024 * 1024
# How far down a sheet the header row may be (label rows such as Chair and Aim sit above it).
HEADER_SEARCH_ROWS = 30
# Row slack per sheet for label and header rows when checking a sheet's declared size.
HEADER_SLACK = HEADER_SEARCH_ROWS

FIELDS = list(FIELD_LABELS)
META = ["_sheet", "_row", "_group", "_objective", "_objective_row", "_columns"]
RAW_FIELDS = {"deadline", "progress", "complete"}  # kept as the cell holds them (dates, numbers)


@dataclass
class Sheet:
    """One table found in the file: where its header is and what each column holds."""

    name: str | None
    header_row: int = 0
    columns: dict = field(default_factory=dict)  # column index -> field name or quarter key
    headers: dict = field(default_factory=dict)  # field name or quarter key -> header as written
    labels: dict = field(default_factory=dict)  # "chair", "aim", "delivery_group" -> value
    label_rows: dict = field(default_factory=dict)  # label -> row number
    unknown: set = field(default_factory=set)  # indexes of columns not read
    rows: int = 0
    above_header: list = field(default_factory=list)  # (row number, cells) of the rows above the header


@dataclass
class ReadFile:
    kind: str
    sheets: list
    dataset: tablib.Dataset
    quarters: dict  # quarter key ("q1:" / "q1:2018") -> QuarterColumn
    notes: list  # Problems that do not stop the import (columns not read, rows skipped)

    def header_for(self, sheet_name, field_name):
        for sheet in self.sheets:
            if sheet.name == sheet_name:
                return sheet.headers.get(field_name, FIELD_LABELS.get(field_name, field_name))
        return FIELD_LABELS.get(field_name, field_name)


def quarter_key(column):
    return f"q{column.quarter}:{column.year or ''}"


# The file's kind -----------------------------------------------------------------------------


def file_kind(content, name=""):
    """ "xlsx", "ods" or "csv", judged from the bytes; refuses anything else."""
    if not content or not content.strip():
        raise ImportRefused(Problem(f"{name or 'The file'} is empty: there is nothing to import."))
    if content[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
                if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                    raise ImportRefused(
                        Problem(
                            f"{name or 'The file'} unpacks to more than {MAX_UNPACKED_BYTES // 1024 // 1024} MB, "
                            "which is more than any action plan needs: save the plan again as a new workbook."
                        )
                    )
                if "xl/workbook.xml" in names:
                    return "xlsx"
                if "mimetype" in names and archive.read("mimetype").startswith(
                    b"application/vnd.oasis.opendocument.spreadsheet"
                ):
                    return "ods"
        except zipfile.BadZipFile:
            pass
        raise not_a_spreadsheet(name)
    if content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportRefused(
            Problem(
                f"{name or 'The file'} is an old-style Excel 97-2003 (.xls) workbook, which cannot be read: "
                "open it in Excel and save it as an Excel Workbook (.xlsx), then upload that."
            )
        )
    if content[:5] == b"%PDF-" or (b"\x00" in content[:4096] and not content.startswith((b"\xff\xfe", b"\xfe\xff"))):
        raise not_a_spreadsheet(name)
    return "csv"


def unreadable_xml(error):
    """ImportRefused if `error` (or what caused it) is defusedxml refusing the file's XML, else None.

    openpyxl parses with defusedxml when it is installed (requirements.txt pins it): entity and DTD
    declarations, which Excel never writes and which "billion laughs" files rely on, are refused.
    """
    from defusedxml import DefusedXmlException

    seen = error
    while seen is not None:
        if isinstance(seen, DefusedXmlException):
            return ImportRefused(
                Problem(
                    "The file contains XML declarations (entities or a DTD) that spreadsheets saved by Excel or "
                    "LibreOffice never have, so it was refused for safety: open it, save it as a new workbook "
                    "(.xlsx), and upload that."
                )
            )
        seen = seen.__cause__ or seen.__context__
    return None


def not_a_spreadsheet(name):
    return ImportRefused(
        Problem(f"{name or 'The file'} is not a spreadsheet: upload an Excel workbook (.xlsx), a .csv or an .ods file.")
    )


def decode_text(content):
    """CSV bytes as text: UTF-8 (with or without a byte-order mark), UTF-16, else Windows-1252."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:  # found by tests/ops/test_fuzz_import.py: a cut-off UTF-16 file
            raise ImportRefused(
                Problem(
                    "The file starts as UTF-16 text but is damaged or cut short: save it again from Excel as "
                    '"CSV UTF-8" and upload that.'
                )
            ) from None
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        return content.decode("latin-1")


# Sheets as rows of cells -------------------------------------------------------------------------


def check_size(content, name=""):
    if len(content) > MAX_BYTES:
        raise ImportRefused(
            Problem(
                f"{name or 'The file'} is {len(content) / 1024 / 1024:.1f} MB; the largest file that can be "
                f"imported is {MAX_BYTES // 1024 // 1024} MB. Split the plan into several files."
            )
        )


def too_many_rows(sheet=None):
    return ImportRefused(
        Problem(
            f"The file has more than {MAX_ROWS:,} rows; the most that can be imported at once is {MAX_ROWS:,}. "
            "Split the plan into several files.",
            sheet=sheet,
        )
    )


def xlsx_sheets(content):
    """(sheet name, rows) for each worksheet, streamed; raises ImportRefused for too many rows."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise unreadable_xml(error) or ImportRefused(
            Problem(f"The file could not be read as an Excel workbook ({type(error).__name__}): is it damaged?")
        ) from None
    worksheets = [ws for ws in workbook.worksheets if hasattr(ws, "iter_rows")]
    declared = 0
    for worksheet in worksheets:
        declared += max((worksheet.max_row or 0) - HEADER_SLACK, 0)
    if declared > MAX_ROWS:
        # The declared size counts formatted empty rows too: count the rows that hold something.
        counted = 0
        for worksheet in worksheets:
            worksheet.reset_dimensions()
            for values in worksheet.iter_rows(values_only=True):
                counted += any(value not in (None, "") for value in values)
                if counted > MAX_ROWS + HEADER_SLACK * len(worksheets):
                    workbook.close()
                    raise too_many_rows()
    for worksheet in worksheets:
        worksheet.reset_dimensions()  # some writers declare a wrong size, which would cut columns off
        yield worksheet.title, enumerate(worksheet.iter_rows(values_only=True), start=1)
    workbook.close()


def csv_sheets(content):
    text = decode_text(content)
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    records = sum(1 for _ in csv.reader(io.StringIO(text), dialect))
    if records > MAX_ROWS + HEADER_SLACK:
        raise too_many_rows()
    yield None, enumerate(csv.reader(io.StringIO(text), dialect), start=1)


def ods_sheets(content):
    """(sheet name, rows) for each table of an OpenDocument spreadsheet (odfpy)."""
    try:
        from odf import opendocument
        from odf.namespaces import TABLENS
        from odf.table import Table, TableRow
    except ImportError:  # pragma: no cover - odfpy is in requirements.txt
        raise ImportRefused(Problem("OpenDocument (.ods) files cannot be read here: save the file as .xlsx.")) from None
    try:
        document = opendocument.load(io.BytesIO(content))
    except Exception as error:
        raise ImportRefused(
            Problem(f"The file could not be read as an .ods spreadsheet ({type(error).__name__}).")
        ) from None
    tables = document.spreadsheet.getElementsByType(Table)
    total = 0
    sheets = []
    for table in tables:
        rows = list(_ods_rows(table.getElementsByType(TableRow), TABLENS))
        total += sum(1 for _, values in rows if any(v not in (None, "") for v in values))
        if total > MAX_ROWS + HEADER_SLACK * len(tables):
            raise too_many_rows()
        sheets.append((table.getAttribute("name"), rows))
    yield from sheets


def _ods_rows(table_rows, ns):
    number = 0
    for row in table_rows:
        repeat = int(row.attributes.get((ns, "number-rows-repeated"), 1) or 1)
        values = []
        for cell in row.childNodes:
            if cell.qname[1] not in ("table-cell", "covered-table-cell"):
                continue
            times = min(int(cell.attributes.get((ns, "number-columns-repeated"), 1) or 1), 1024)
            values.extend([_ods_value(cell, ns)] * times)
        while values and values[-1] in (None, ""):
            values.pop()
        if not values:
            number += repeat
            continue
        for _ in range(min(repeat, MAX_ROWS)):
            number += 1
            yield number, values


def _ods_value(cell, ns):
    from odf.namespaces import OFFICENS

    kind = cell.attributes.get((OFFICENS, "value-type"))
    if kind == "float" or kind == "percentage":
        value = float(cell.attributes.get((OFFICENS, "value")))
        return int(value) if value.is_integer() and kind == "float" else value
    if kind == "date":
        text = cell.attributes.get((OFFICENS, "date-value"))
        return datetime.datetime.fromisoformat(text) if "T" in text else datetime.date.fromisoformat(text)
    paragraphs = []
    for node in cell.childNodes:
        if node.qname[1] == "p":
            paragraphs.append(_ods_text(node))
    return "\n".join(paragraphs)


def _ods_text(node):
    parts = []
    for child in node.childNodes:
        if child.nodeType == child.TEXT_NODE:
            parts.append(str(child.data))
        elif child.qname[1] == "s":
            parts.append(" " * int(child.attributes.get((child.qname[0], "c"), 1) or 1))
        elif child.qname[1] == "line-break":
            parts.append("\n")
        elif child.qname[1] == "tab":
            parts.append("\t")
        else:
            parts.append(_ods_text(child))
    return "".join(parts)


def spreadsheet_sheets(content, name=""):
    """(kind, [(sheet name, rows)]) of any spreadsheet upload, after the size and kind checks.

    For other importers (e.g. indicator values) that read their own layout from the same files with
    the same refusals: too large, empty, not a spreadsheet, old .xls, too many rows.
    """
    check_size(content, name)
    kind = file_kind(content, name)
    return kind, {"xlsx": xlsx_sheets, "csv": csv_sheets, "ods": ods_sheets}[kind](content)


# Layout: label rows, header row, columns ------------------------------------------------------


def is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _label(values):
    """("chair" | "aim" | ..., value) for a label row above the header, or None."""
    cells = [value for value in values if not is_blank(value)]
    if not cells:
        return None
    first = clean_text(cells[0])
    key = header_key(first)
    if key in LABEL_KEYS:
        return LABEL_KEYS[key], " ".join(clean_text(cell) for cell in cells[1:])
    # "Chair Jess Ruddell" in one cell, as some plans are typed.
    for word in ("Chair", "Aim"):
        if first.casefold().startswith(word.casefold() + " ") and len(cells) == 1:
            return LABEL_KEYS[header_key(word)], first[len(word) :].strip()
    return None


def _header_columns(values):
    """{column index: field or QuarterColumn} for the recognised cells of a candidate header row."""
    found = {}
    for index, value in enumerate(values):
        if is_blank(value) or not isinstance(value, str):
            continue
        meaning = header_field(value)
        if meaning is not None:
            found[index] = meaning
    return found


def _column_letter(index):
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def read_file(content, name="", progress=None):
    """The file's tables as one dataset (one row per spreadsheet row), or ImportRefused.

    Each dataset row carries its sheet, row number, delivery group and objective (blank cells
    and merged cells below an objective continue it), then the cells by field name.
    """
    check_size(content, name)
    kind = file_kind(content, name)
    sheets_of = {"xlsx": xlsx_sheets, "csv": csv_sheets, "ods": ods_sheets}[kind]
    sheets = []
    notes = []
    problems = []
    quarters = {}
    data_rows = []
    any_content = False
    sheets_read = sheets_of(content)
    while True:
        try:
            sheet_name, rows = next(sheets_read)
            sheet = Sheet(name=sheet_name)
            found = _read_sheet(sheet, rows, data_rows, quarters, problems, notes, progress)
        except StopIteration:
            break
        except csv.Error as error:
            raise ImportRefused(Problem(f"{name or 'The file'} could not be read as a CSV file: {error}.")) from None
        except Exception as error:
            # A worksheet is parsed as its rows are read: XML that defusedxml refuses shows up here too.
            if refused := unreadable_xml(error):
                raise refused from None
            raise
        any_content = any_content or found
        if sheet.header_row:
            sheets.append(sheet)
        if len(data_rows) > MAX_ROWS:
            raise too_many_rows(sheet_name)
    if not any_content:
        raise ImportRefused(Problem(f"{name or 'The file'} is empty: there is nothing to import."))
    if not sheets and not problems:
        problems.append(
            Problem(
                f"No header row was found: no column for Actions was found; the header row should contain "
                f"{EXPECTED_HEADERS}."
            )
        )
    if problems:
        raise ImportRefused(problems)
    if not data_rows:
        raise ImportRefused(Problem(f"{name or 'The file'} has a header row but no objectives or actions below it."))
    headers = META + FIELDS + sorted(quarters)
    # Rows go in through the constructor, which skips the width check `append` makes per row.
    dataset = tablib.Dataset(*([row.get(header, "") for header in headers] for row in data_rows), headers=headers)
    return ReadFile(kind=kind, sheets=sheets, dataset=dataset, quarters=quarters, notes=notes)


def _read_sheet(sheet, rows, data_rows, quarters, problems, notes, progress=None):
    """Read one sheet into `data_rows`; returns whether the sheet holds anything at all."""
    any_content = False
    before_header = sheet.above_header
    columns = None
    group = objective = None
    objective_row = None
    where = sheet.name
    present = frozenset()
    for number, values in rows:
        if all(is_blank(value) for value in values):
            continue
        any_content = True
        if columns is None:
            header = _header_columns(values)
            fields = [meaning for meaning in header.values() if isinstance(meaning, str)]
            if len(fields) >= 2:
                columns = _use_header(sheet, number, values, header, quarters, problems, notes)
                if columns is None:
                    return True
                present = frozenset(columns.values())
                continue
            before_header.append((number, values))
            if label := _label(values):
                sheet.labels.setdefault(label[0], label[1])
                sheet.label_rows.setdefault(label[0], number)
            if len(before_header) >= HEADER_SEARCH_ROWS:
                break
            continue
        cells = {}
        for index, value in enumerate(values):
            if index in columns and not is_blank(value):
                key = columns[index]
                cells[key] = value if key in RAW_FIELDS else unescape_formula(clean_text(value))
            elif index not in columns and not is_blank(value) and index not in sheet.unknown:
                sheet.unknown.add(index)
                notes.append(
                    Problem(
                        f"column {_column_letter(index)} has no header, so it was not read",
                        sheet=where,
                        row=number,
                    )
                )
        if not cells:
            continue
        row_group = cells.get("delivery_group") or group or sheet.labels.get("delivery_group") or where
        if row_group != group:
            objective = None
        group = row_group
        if cells.get("objective"):
            objective, objective_row = cells["objective"], number
        if not cells.get("action") and not cells.get("objective"):
            if any(key not in ("delivery_group",) for key in cells):
                notes.append(Problem("this row has no action, so it was not read", sheet=where, row=number))
            continue
        sheet.rows += 1
        data_rows.append(
            {
                **cells,
                "_sheet": where or "",
                "_row": number,
                "_group": group or "",
                "_objective": objective or "",
                "_objective_row": objective_row or "",
                "objective": cells.get("objective", ""),
                "_columns": present,
            }
        )
        if len(data_rows) > MAX_ROWS:
            raise too_many_rows(where)
        if progress and len(data_rows) % 2000 == 0:
            progress(len(data_rows))
    if columns is None and any_content:
        place = f"Sheet '{where}'" if where else "The file"
        problems.append(
            Problem(
                f"{place} has no header row: no column for Actions was found; the header row should contain "
                f"{EXPECTED_HEADERS}."
            )
        )
    return any_content


def _use_header(sheet, number, values, header, quarters, problems, notes):
    """Record the sheet's header row; returns {column index: key} or None if it is unusable."""
    sheet.header_row = number
    columns = {}
    for index, meaning in sorted(header.items()):
        written = clean_text(values[index])
        if isinstance(meaning, QuarterColumn):
            key = quarter_key(meaning)
            quarters[key] = meaning
        else:
            key = meaning
        if key in sheet.headers:
            sheet.unknown.add(index)
            derived = DERIVED_HEADERS.get(header_key(written))
            if derived != key:
                notes.append(
                    Problem(
                        f"a second {FIELD_LABELS.get(key, written)} column, so it was not read",
                        sheet=sheet.name,
                        row=number,
                        column=written,
                    )
                )
            continue
        derived = DERIVED_HEADERS.get(header_key(written))
        if derived and any(meaning == derived and i != index for i, meaning in header.items()):
            sheet.unknown.add(index)
            continue  # "Due date" beside "Deadline" is worked out from it
        sheet.headers[key] = written
        columns[index] = key
    for index, value in enumerate(values):
        if index not in header and not is_blank(value):
            notes.append(
                Problem(
                    "this column is not one the importer knows, so it was not read",
                    sheet=sheet.name,
                    row=number,
                    column=clean_text(value),
                )
            )
            sheet.unknown.add(index)
    missing = [field for field in ("action", "objective") if field not in sheet.headers]
    if missing:
        names = " or ".join({"action": "Actions", "objective": "Objectives"}[field] for field in missing)
        problems.append(
            Problem(
                f"no column for {names} was found; the header row should contain {EXPECTED_HEADERS}",
                sheet=sheet.name,
                row=number,
            )
        )
        return None
    if not sheet.name and "delivery_group" not in sheet.headers:
        problems.append(
            Problem(
                "no column for Delivery group was found: a CSV holds one table, so it needs a Delivery group column "
                "naming each row's group",
                row=number,
            )
        )
        return None
    sheet.labels = {key: value for key, value in sheet.labels.items() if value}
    return columns


__all__ = ["MAX_BYTES", "MAX_ROWS", "ReadFile", "Sheet", "read_file", "file_kind", "HEADER_KEYS"]
