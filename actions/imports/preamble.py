"""The rows above a sheet's table: what the importer reads from them, and what it lists as not read.

Councils put a few rows above each group's table: Chair, Aim, and the strategy's cross-cutting
principles, one per row with the label only on the first (or in a merged cell). Chair, Aim and
Delivery group are read with the sheet; the principles are read into the strategy here; any other
row above the table is listed in the preview as not read, so nothing is dropped in silence.
"""

from actions.imports.problems import Problem
from actions.imports.vocabulary import LABEL_KEYS, clean_text, header_key


def _cells(values):
    return [clean_text(value) for value in values if clean_text(value)]


def read_preamble(sheet):
    """(principles, notes) of a sheet's rows above its header: the principles' texts in order, and a
    Problem for each row not read."""
    principles, notes = [], []
    in_principles = False
    for number, values in sheet.above_header:
        cells = _cells(values)
        if not cells:
            continue
        label = LABEL_KEYS.get(header_key(cells[0]))
        first_blank = not clean_text(values[0]) if values else True
        if label == "principles":
            in_principles = True
            texts = cells[1:]
        elif label is None and in_principles and first_blank:
            texts = cells  # the next principle, under a blank or merged label cell
        else:
            in_principles = False
            if not _read_as_label(sheet, number):
                notes.append(
                    Problem(
                        "this row above the table was not read: only a Chair, an Aim, a Delivery group and the Cross "
                        "Cutting Principles rows are",
                        sheet=sheet.name,
                        row=number,
                    )
                )
            continue
        for text in texts:
            principles.extend(line.strip() for line in text.split("\n") if line.strip())
    return principles, notes


def _read_as_label(sheet, number):
    """Whether the sheet read row `number` as a label ("Chair Jess Ruddell" typed in one cell)."""
    return number in sheet.label_rows.values()
