"""From an uploaded file to rows the importer understands: sheets, label rows, header, cells.

The file is read by `actions.imports.tables` (.xlsx, .csv and .ods, streamed in bounded memory, its
kind told from its content, rows counted and refused past the limit as they stream) through the
imports' shared pipeline (`actions.imports.pipeline`); here each sheet's label rows, header row and
columns are found and its rows become the rows the import plans. A merged cell reads as blank below
its first row, so the rule "a blank Objective continues the one above" covers merged cells too.
"""

from dataclasses import dataclass, field

from actions.imports import tables
from actions.imports.pipeline import header_columns, is_blank, read_tables, second_column, unknown_columns
from actions.imports.problems import ImportRefused, Problem, capped
from actions.imports.tables import MAX_BYTES, MAX_ROWS, column_letter
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

# How far down a sheet the header row may be (label rows such as Chair and Aim sit above it).
HEADER_SEARCH_ROWS = tables.HEADER_ROWS

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
    rows: list  # {field or meta key: value} per data row, in the file's order
    quarters: dict  # quarter key ("q1:" / "q1:2018") -> QuarterColumn
    notes: list  # Problems that do not stop the import (columns not read, rows skipped)

    def header_for(self, sheet_name, field_name):
        for sheet in self.sheets:
            if sheet.name == sheet_name:
                return sheet.headers.get(field_name, FIELD_LABELS.get(field_name, field_name))
        return FIELD_LABELS.get(field_name, field_name)


def quarter_key(column):
    return f"q{column.quarter}:{column.year or ''}"


# Layout: label rows, header row, columns ------------------------------------------------------


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


def read_file(content, name="", progress=None):
    """The file's tables as rows (one per spreadsheet row), or ImportRefused.

    Each row carries its sheet, row number, delivery group and objective (blank cells and merged
    cells below an objective continue it), then the cells by field name.
    """
    sheets = []
    notes = []
    problems = []
    quarters = {}
    data_rows = []

    def read_sheet(sheet_name, rows):
        sheet = Sheet(name=sheet_name)
        found = _read_sheet(sheet, rows, data_rows, quarters, problems, notes, progress)
        if sheet.header_row:
            sheets.append(sheet)
        if len(data_rows) > tables.MAX_ROWS:
            raise tables.too_many_rows(sheet_name)
        return found

    kind = read_tables(content, name, read_sheet)
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
    return ReadFile(kind=kind, sheets=sheets, rows=data_rows, quarters=quarters, notes=capped(notes, "notes"))


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
            header = header_columns(values, header_field)
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
        cells = _row_cells(sheet, number, values, columns, notes)
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
        if len(data_rows) > tables.MAX_ROWS:
            raise tables.too_many_rows(where)
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


def _row_cells(sheet, number, values, columns, notes):
    """{key: value} of a data row's cells under a header; a note, once a sheet, for a column without one."""
    cells = {}
    for index, value in enumerate(values):
        if is_blank(value):
            continue
        if index in columns:
            key = columns[index]
            cells[key] = value if key in RAW_FIELDS else unescape_formula(clean_text(value))
        elif index not in sheet.unknown:
            sheet.unknown.add(index)
            why = f"column {column_letter(index)} has no header, so it was not read"
            notes.append(Problem(why, sheet=sheet.name, row=number))
    return cells


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
                    second_column(FIELD_LABELS.get(key, written), sheet=sheet.name, row=number, written=written)
                )
            continue
        derived = DERIVED_HEADERS.get(header_key(written))
        if derived and any(meaning == derived and i != index for i, meaning in header.items()):
            sheet.unknown.add(index)
            continue  # "Due date" beside "Deadline" is worked out from it
        sheet.headers[key] = written
        columns[index] = key
    notes.extend(unknown_columns(values, header, sheet=sheet.name, row=number, clean=clean_text))
    sheet.unknown.update(index for index in range(len(values)) if index not in header and not is_blank(values[index]))
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


__all__ = ["MAX_BYTES", "MAX_ROWS", "ReadFile", "Sheet", "is_blank", "read_file", "HEADER_KEYS"]
