"""The words of council spreadsheets, cell by cell: headers, objectives, leads, status, progress, quarters."""

import pytest

from actions.imports.vocabulary import (
    HEADER_SYNONYMS,
    BlueMeans,
    QuarterColumn,
    combine_status,
    header_field,
    quarter_column,
    read_chair,
    read_complete_flag,
    read_leads,
    read_objective,
    read_progress,
    read_status_word,
)
from actions.models import RAG, Status

ALL_SYNONYMS = [(field, name) for field, names in HEADER_SYNONYMS.items() for name in names]


@pytest.mark.parametrize(("field", "header"), ALL_SYNONYMS)
def test_every_header_synonym_is_recognised_whatever_its_case_spacing_and_punctuation(field, header):
    assert header_field(header) == field
    assert header_field(f"  {header.upper()}  ") == field
    assert header_field(header.lower().replace(" ", "")) == field
    assert header_field(header.replace(" ", "_") + ":") == field


@pytest.mark.parametrize("header", ["Budget", "RAG colour code", "Lead officer phone", "", None])
def test_other_headers_are_unknown(header):
    assert header_field(header) is None


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("Q1 update", QuarterColumn(1, None)),
        ("Q2 Update", QuarterColumn(2, None)),
        ("q3 progress", QuarterColumn(3, None)),
        ("Q4", QuarterColumn(4, None)),
        ("Quarter 2 update", QuarterColumn(2, None)),
        ("Q1 2018/19 update", QuarterColumn(1, 2018)),
        ("Q3 2018-2019 update", QuarterColumn(3, 2018)),
        ("Q2 18/19", QuarterColumn(2, 2018)),
        ("2019/20 Q4 update", QuarterColumn(4, 2019)),
        ("Q5 update", None),
        ("Quarterly update", None),
    ],
)
def test_quarterly_update_columns(header, column):
    assert quarter_column(header) == column


@pytest.mark.parametrize(
    ("cell", "number", "title"),
    [
        ("1 Improving co-ordination", 1, "Improving co-ordination"),
        ("2. Provide bespoke support", 2, "Provide bespoke support"),
        ("3) Review compliance", 3, "Review compliance"),
        ("4: Early intervention", 4, "Early intervention"),
        ("Objective 5 - Reduce harm", 5, "- Reduce harm"),
        ("12 Twelve", 12, "Twelve"),
        ("2.", 2, ""),
        ("Reduce re-offending", None, "Reduce re-offending"),
        ("24/7 cover for victims", None, "24/7 cover for victims"),
        (" 6  Early\nintervention ", 6, "Early\nintervention"),
    ],
)
def test_objective_numbers(cell, number, title):
    assert read_objective(cell) == (number, title)


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("Serena Simon", ["Serena Simon"]),
        ("Serena Simon / Adam Taylor", ["Serena Simon", "Adam Taylor"]),
        ("Serena Simon/Adam Taylor/Richard Stanley", ["Serena Simon", "Adam Taylor", "Richard Stanley"]),
        ("Serena Simon; Adam Taylor", ["Serena Simon", "Adam Taylor"]),
        ("Serena Simon\nAdam Taylor", ["Serena Simon", "Adam Taylor"]),
        ("Serena Simon\r\nAdam Taylor", ["Serena Simon", "Adam Taylor"]),
        ("  serena   simon  ", ["serena simon"]),
        ("IGU", ["IGU"]),
        ("YOS / IGU / Early Help", ["YOS", "IGU", "Early Help"]),
        ("Serena Simon / serena simon", ["Serena Simon"]),
        ("?", []),
        ("", []),
        (None, []),
        ("TBC", []),
        ("Adam Taylor / ?", ["Adam Taylor"]),
    ],
)
def test_lead_cells(cell, names):
    assert read_leads(cell) == names


@pytest.mark.parametrize(
    ("cell", "chair"),
    [
        ("Interim, Sara Sutton", ("Sara Sutton", "Interim")),
        ("Sara Sutton (Interim)", ("Sara Sutton", "Interim")),
        ("Jess Ruddell", ("Jess Ruddell", "")),
    ],
)
def test_chair_cells(cell, chair):
    assert read_chair(cell) == chair


@pytest.mark.parametrize(
    ("cell", "reading"),
    [
        ("R", (None, RAG.RED)),
        ("Red", (None, RAG.RED)),
        ("Off track", (None, RAG.RED)),
        ("A", (None, RAG.AMBER)),
        ("amber", (None, RAG.AMBER)),
        ("G", (None, RAG.GREEN)),
        ("On track", (None, RAG.GREEN)),
        ("Green", (None, RAG.GREEN)),
        ("Completed", (Status.COMPLETE, "")),
        ("Complete", (Status.COMPLETE, "")),
        ("Done", (Status.COMPLETE, "")),
        ("Ongoing", (Status.ONGOING, "")),
        ("On going", (Status.ONGOING, "")),
        ("In progress", (Status.IN_PROGRESS, "")),
        ("Not started", (Status.NOT_STARTED, "")),
        ("Deferred", (Status.DEFERRED, "")),
        ("Withdrawn", (Status.WITHDRAWN, "")),
        ("Blue", (Status.COMPLETE, "")),
        ("In progress - Amber", (Status.IN_PROGRESS, RAG.AMBER)),
        ("", None),
        (None, None),
    ],
)
def test_status_and_rag_words(cell, reading):
    assert read_status_word(cell) == reading


def test_blue_can_be_read_as_within_target():
    assert read_status_word("Blue", blue_means=BlueMeans.GREEN) == (None, RAG.GREEN)
    assert read_status_word("B", blue_means=BlueMeans.GREEN) == (None, RAG.GREEN)


def test_an_unknown_status_word_is_an_error():
    with pytest.raises(ValueError, match="Purple is not a status or RAG rating"):
        read_status_word("Purple")


@pytest.mark.parametrize(
    ("status", "rag", "complete", "current", "expected"),
    [
        ((Status.IN_PROGRESS, ""), (None, RAG.AMBER), False, Status.NOT_STARTED, (Status.IN_PROGRESS, RAG.AMBER)),
        (None, (None, RAG.RED), False, Status.NOT_STARTED, (Status.IN_PROGRESS, RAG.RED)),
        (None, (None, RAG.GREEN), False, Status.ONGOING, (Status.ONGOING, RAG.GREEN)),
        (None, (Status.COMPLETE, ""), False, Status.IN_PROGRESS, (Status.COMPLETE, "")),  # a combined column
        (None, (Status.NOT_STARTED, ""), False, Status.IN_PROGRESS, (Status.NOT_STARTED, "")),
        ((Status.COMPLETE, ""), (None, RAG.GREEN), False, Status.IN_PROGRESS, (Status.COMPLETE, "")),
        (None, None, True, Status.IN_PROGRESS, (Status.COMPLETE, "")),  # Complete: Y
        (None, None, False, Status.IN_PROGRESS, None),
    ],
)
def test_status_rag_and_complete_combine(status, rag, complete, current, expected):
    assert combine_status(current_status=current, status_cell=status, rag_cell=rag, complete=complete) == expected


@pytest.mark.parametrize(
    ("cell", "flag"), [("Y", True), ("yes", True), ("N", False), ("No", False), ("", False), (None, False), ("✓", True)]
)
def test_complete_flags(cell, flag):
    assert read_complete_flag(cell) is flag


@pytest.mark.parametrize(
    ("cell", "percent"),
    [("50", 50), ("50%", 50), (50, 50), (0.5, 50), (1, 1), (100, 100), ("", None), (None, None), ("0", 0)],
)
def test_progress(cell, percent):
    assert read_progress(cell) == percent


@pytest.mark.parametrize("cell", ["150", "-5", "half", True])
def test_impossible_progress_is_an_error(cell):
    with pytest.raises(ValueError):
        read_progress(cell)
