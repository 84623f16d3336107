"""One pipeline for the spreadsheet imports (an action plan, indicator values): read, plan, apply.

- **Read**: `read_tables` opens the file through `actions.imports.tables` (size limit, kind told
  from the content, bounded memory, row and cell limits) and hands each sheet's rows to the
  import's own sheet reader, which finds its header row with `header_columns` (header synonyms)
  and `header_notes` (columns it does not read). A file that cannot be imported raises
  `ImportRefused`, each `Problem` naming its sheet, row and column.
- **Plan**: the import's own function turns what was read into an `ImportResult`: problems,
  notes, what would change (the preview) and a digest of it. Nothing is saved.
- **Apply**: `apply` reads and plans again inside one transaction and writes only if there
  is no problem and the plan is still the one the officer saw (the same digest); otherwise
  nothing is saved.
"""

import csv
import re
from dataclasses import dataclass, field

from django.db import transaction

from actions.imports import tables
from actions.imports.problems import ImportRefused, Problem


@dataclass
class ImportResult:
    """What a check (the preview) or an import found and did."""

    problems: list = field(default_factory=list)  # Problems: any one means nothing is (or was) saved
    notes: list = field(default_factory=list)  # Problems that did not stop the import
    rows: int = 0
    digest: str = ""  # a fingerprint of what would be saved; a confirm must find the same one
    applied: dict | None = None  # what was saved, for an import that ran
    stale: bool = False  # the data changed since the preview the user confirmed

    @property
    def ok(self):
        return not self.problems


# Read ---------------------------------------------------------------------------------------------


def is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def read_tables(content, name, read_sheet):
    """Read every sheet of the file with `read_sheet(sheet name, rows)`, which returns whether the
    sheet held anything and raises ImportRefused (or gathers problems) as it finds them.

    Returns the file's kind; refuses a file that cannot be read or holds nothing at all.
    """
    kind, sheets = tables.sheets(content, name)
    any_content = False
    while True:
        try:
            sheet_name, rows = next(sheets)
            any_content = read_sheet(sheet_name, rows) or any_content
        except StopIteration:
            break
        except csv.Error as error:
            raise ImportRefused(Problem(f"{name or 'The file'} could not be read as a CSV file: {error}.")) from None
    if not any_content:
        raise ImportRefused(Problem(f"{name or 'The file'} is empty: there is nothing to import."))
    return kind


def header_key(text):
    """A header as compared with the names an import knows: case, spacing and punctuation ignored,
    "%" read as "percent" and "&" as "and"."""
    text = str(text or "").casefold().replace("%", " percent ").replace("&", " and ")
    return re.sub(r"[^0-9a-z]+", "", text)


def synonym_keys(synonyms):
    """{header_key(name): field} of {field: [the names a header may give it, best first]}."""
    return {header_key(name): key for key, names in synonyms.items() for name in names}


def header_columns(values, meaning_of):
    """{column index: meaning} of a candidate header row's text cells that `meaning_of` (a header's
    synonyms) recognises."""
    found = {}
    for index, value in enumerate(values):
        if is_blank(value) or not isinstance(value, str):
            continue
        meaning = meaning_of(value)
        if meaning is not None:
            found[index] = meaning
    return found


def second_column(label, *, sheet, row, written):
    """The note for a header that repeats one already read."""
    return Problem(f"a second {label} column, so it was not read", sheet=sheet, row=row, column=written)


def unknown_columns(values, known, *, sheet, row, clean):
    """A note for each header cell outside `known` (column indexes): those columns are not read."""
    return [
        Problem(
            "this column is not one the importer knows, so it was not read", sheet=sheet, row=row, column=clean(value)
        )
        for index, value in enumerate(values)
        if index not in known and not is_blank(value)
    ]


# Plan and apply -----------------------------------------------------------------------------------


def _read_and_plan(read, plan, refused):
    try:
        table = read()
    except ImportRefused as error:
        return refused(error.problems)
    return plan(table)


def preview(*, read, plan, refused):
    """The preview: `plan(read())`, or `refused(problems)` for a file that cannot be imported.

    Saves nothing: planning only reads the database.
    """
    return _read_and_plan(read, plan, refused)


@transaction.atomic
def apply(*, read, plan, refused, write, expected_digest=None, stale_problem=None):
    """Read, plan and `write(result)` in one transaction: everything or, on any problem, nothing.

    With `expected_digest` (the preview's), nothing is written if the plan differs from it; `write`
    returns None when it finds the data changed under it. Either way the result is `stale`, with
    `stale_problem` among its problems where given.
    """
    result = _read_and_plan(read, plan, refused)
    if result.ok and expected_digest is not None and result.digest != expected_digest:
        result.stale = True
    if result.ok and not result.stale:
        result.applied = write(result)
        result.stale = result.applied is None
    if result.stale and stale_problem:
        result.problems.append(Problem(stale_problem))
    if result.problems or result.stale:
        transaction.set_rollback(True)
        result.applied = None
    return result
