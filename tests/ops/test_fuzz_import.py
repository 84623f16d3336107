"""Fuzzing the importer: random workbooks and CSV files must never raise and never half-save.

Hypothesis throws files at `action_plan_check`, `action_plan_apply` and `manage.py
import_action_plan`: random cells of every type (text, numbers, dates, booleans, formula-looking
text, huge strings, control characters), header rows of known and unknown names, several encodings
and delimiters, empty sheets and many sheets, and bytes that are no spreadsheet at all. Each must
end in an outcome (problems listed, or an import), never an unhandled exception; and whenever
problems are reported, every count in the plan is exactly as before.

    .venv/bin/pytest tests/ops/test_fuzz_import.py                              # ~60 examples each
    .venv/bin/pytest tests/ops/test_fuzz_import.py --hypothesis-profile=thorough  # 2,000 each
"""

import datetime
import io
import tempfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import example, given
from hypothesis import strategies as st
from openpyxl import Workbook

from actions.imports import action_plan_apply, action_plan_check
from actions.imports.vocabulary import HEADER_SYNONYMS, LABELS
from actions.models import Action, ActionLead, DeliveryGroup, Objective, Update
from strategy.models import Organisation, Person, Strategy
from tests.actions.importing import csv_bytes

pytestmark = pytest.mark.django_db

PLAN_MODELS = [Strategy, DeliveryGroup, Objective, Action, ActionLead, Update, Person, Organisation]

HEADER_WORDS = [name for names in HEADER_SYNONYMS.values() for name in names] + [
    name for names in LABELS.values() for name in names
]
WORDS = [
    "Victim",
    "Offender",
    "Green",
    "Amber",
    "Red",
    "Blue",
    "Complete",
    "Not started",
    "Ongoing",
    "Mar-18",
    "31/03/2018",
    "TBD",
    "50%",
    "Lena Lead",
    "Lena Lead / Omar Other",
    "1 Identify repeat victims",
    "OFFICIAL-SENSITIVE",
    "Y",
    "N",
    "Q1 2017/18",
]
FORMULA_LIKE = ["=1+1", '=HYPERLINK("http://x","y")', "+SUM(A1:A9)", "-2+3", "@cmd", "=cmd|' /C calc'!A0", "\t=1"]


def counts():
    return {model.__name__: model.objects.count() for model in PLAN_MODELS}


# Cells -------------------------------------------------------------------------------------------

text = st.text(max_size=60)
huge_text = st.integers(min_value=1_000, max_value=40_000).map(lambda n: "x" * n)
cell = st.one_of(
    st.none(),
    st.sampled_from(WORDS),
    st.sampled_from(HEADER_WORDS),
    st.sampled_from(FORMULA_LIKE),
    text,
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(min_value=datetime.date(1900, 3, 1), max_value=datetime.date(2200, 1, 1)),
    st.datetimes(min_value=datetime.datetime(1900, 3, 1), max_value=datetime.datetime(2200, 1, 1)),
    huge_text,
)
header = st.lists(st.one_of(st.sampled_from(HEADER_WORDS), text, st.none()), min_size=0, max_size=12)
rows = st.lists(st.lists(cell, max_size=12), max_size=25)


@st.composite
def table(draw):
    """Label rows (Chair, Aim), a header row of some shape, then rows of random cells."""
    labels = draw(st.lists(st.tuples(st.sampled_from(["Chair", "Aim", "Group", "Note"]), cell), max_size=3))
    return [list(label) for label in labels] + [draw(header)] + draw(rows)


# Files -------------------------------------------------------------------------------------------


def _csv_text(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return "" if value is None else str(value)


@st.composite
def csv_files(draw):
    data = [[_csv_text(value) for value in row] for row in draw(table())]
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    try:
        content = csv_bytes(data, encoding=encoding, delimiter=delimiter)
    except UnicodeEncodeError:
        content = csv_bytes(data, encoding="utf-8", delimiter=delimiter)
    if draw(st.booleans()):  # cut short, as a failed upload might be
        content = content[: draw(st.integers(min_value=0, max_value=len(content)))]
    return "plan.csv", content


def _xlsx_value(value):
    # openpyxl refuses control characters in cells (Excel cannot hold them either).
    if isinstance(value, str):
        return "".join(ch for ch in value if ch >= " " or ch in "\t\n\r")
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return str(value)
    return value


@st.composite
def xlsx_files(draw):
    workbook = Workbook()
    workbook.remove(workbook.active)
    sheet_names = draw(st.lists(st.text(min_size=1, max_size=20), min_size=1, max_size=12, unique_by=str.casefold))
    for number, name in enumerate(sheet_names):
        safe = "".join(ch for ch in name if ch not in "[]:*?/\\'" and ch >= " ")[:31].strip() or f"Sheet {number}"
        if safe.casefold() in {sheet.title.casefold() for sheet in workbook.worksheets}:
            safe = f"Sheet {number}"
        sheet = workbook.create_sheet(safe)
        for row in draw(st.one_of(st.just([]), table())):  # some sheets empty
            sheet.append([_xlsx_value(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = buffer.getvalue()
    if draw(st.integers(min_value=0, max_value=9)) == 0:  # a damaged zip
        # Cut at a drawn share of the length, not a drawn length: the file's size varies with the
        # clock (openpyxl stamps the save time), and Hypothesis needs the same draws on a replay.
        content = content[: len(content) * draw(st.integers(min_value=0, max_value=1000)) // 1000]
    return draw(st.sampled_from(["plan.xlsx", "plan.csv", "plan", "plan.ods"])), content


raw_files = st.tuples(st.sampled_from(["plan.xlsx", "plan.csv", "plan.ods", "x"]), st.binary(max_size=4096))
any_file = st.one_of(csv_files(), xlsx_files(), raw_files)


# The tests ---------------------------------------------------------------------------------------


@given(upload=any_file)
@example(upload=("plan.csv", b""))
@example(upload=("plan.xlsx", b"PK\x03\x04"))
@example(upload=("plan.csv", b"Objective,Action\r\n1 A,=cmd|' /C calc'!A0\r\n"))
def test_the_preview_never_raises_and_saves_nothing(plan, upload):
    file_name, content = upload
    before = counts()
    outcome = action_plan_check(strategy=plan["strategy"], content=content, file_name=file_name)
    assert isinstance(outcome.problems, list)
    assert all(str(problem) for problem in outcome.problems)
    assert counts() == before


@given(upload=any_file)
@example(upload=("plan.csv", csv_bytes([["Objective", "Action"], ["1 Identify repeat victims", ""]])))
def test_an_import_never_raises_and_never_half_saves(plan, upload):
    file_name, content = upload
    before = counts()
    outcome = action_plan_apply(strategy=plan["strategy"], content=content, file_name=file_name)
    if outcome.problems:
        assert outcome.applied is None
        assert counts() == before


@given(upload=any_file)
def test_the_command_never_raises_anything_but_command_error(plan, upload):
    file_name, content = upload
    before = counts()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / file_name
        path.write_bytes(content)
        try:
            call_command(
                "import_action_plan",
                str(path),
                strategy=plan["strategy"].slug,
                stdout=io.StringIO(),
                stderr=io.StringIO(),
            )
        except CommandError as error:
            assert "unexpected error" not in str(error), error
            assert counts() == before
