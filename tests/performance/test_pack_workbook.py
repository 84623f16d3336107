"""The pack's workbook for a fixed history, every cell of every sheet with its format, against the copy
in pack_workbook.jsonl (a line a row): a change to how the workbook is written cannot change what it holds unnoticed.

After a deliberate change to the workbook, write the copy again and read its diff:
SWP_WRITE_PACK_WORKBOOK=1 pytest tests/performance/test_pack_workbook.py
"""

import datetime
import io
import json
import os
from pathlib import Path

import openpyxl
import pytest
import time_machine

from performance.models import Attendance, Challenge, Meeting, MeetingPack
from performance.pack import pack_create
from tests.performance.review_history import make_history
from tests.performance.test_indicator_views import kpis  # noqa: F401 (a fixture)

EXPECTED = Path(__file__).with_name("pack_workbook.jsonl")
UTC = datetime.UTC


def cell_text(cell):
    """A cell as comparable text: its value with its type, and its format where it has one."""
    value = cell.value
    if value is None:
        return None
    text = value.isoformat() if isinstance(value, datetime.datetime) else value
    if not isinstance(value, str):
        text = f"{type(value).__name__}:{text}"
    if cell.number_format != "General":
        text = f"{text} [{cell.number_format}]"
    return f"{text} (bold)" if cell.font.b else text


def row_texts(row):
    texts = [cell_text(cell) for cell in row]
    while texts and texts[-1] is None:
        texts.pop()
    return texts


def workbook_cells(content):
    """Each sheet's printed header and footer and its rows, a line of JSON a row."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    lines = []
    for sheet in book:
        lines.append(json.dumps([sheet.title, sheet.oddHeader.center.text, sheet.oddFooter.right.text]))
        lines += [json.dumps(row_texts(row), ensure_ascii=False) for row in sheet.iter_rows()]
    return lines


@pytest.fixture
def clock():
    """The morning after the meeting, set before the plan and its figures are made (first argument)."""
    with time_machine.travel(datetime.datetime(2025, 1, 29, 9, 30, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def pack(clock, officer, plan, kpis):  # noqa: F811
    make_history(plan, officer)
    october = Meeting.objects.create(strategy=plan["strategy"], date=datetime.date(2024, 10, 29), year=2024, number=2)
    january = Meeting.objects.create(strategy=plan["strategy"], date=datetime.date(2025, 1, 28), year=2024, number=3)
    Challenge.objects.create(
        meeting=october,
        text='=HYPERLINK("http://x") Bring a recovery plan & a date.',
        kind=Challenge.Kind.DECISION,
        state=Challenge.State.OPEN,
        action=plan["v1_1"],
        owner_person=plan["lena"],
        due_date=datetime.date(2025, 1, 3),
        created_at=datetime.datetime(2024, 10, 29, 11, tzinfo=UTC),
        created_by=officer,
    )
    Challenge.objects.create(
        meeting=january,
        text="Why so slow?",
        kind=Challenge.Kind.CHALLENGE,
        state="",
        action=plan["v1_2"],
        created_at=datetime.datetime(2025, 1, 28, 11, tzinfo=UTC),
        created_by=officer,
    )
    Attendance.objects.create(meeting=january, person=plan["lena"], state=Attendance.State.ATTENDED)
    with time_machine.travel(datetime.datetime(2025, 1, 29, 12, tzinfo=UTC), tick=False):
        return MeetingPack.objects.get(pk=pack_create(meeting=january, by=officer, include_amber=True).pk)


def test_the_workbook_holds_exactly_what_it_held(pack):
    found = workbook_cells(bytes(pack.xlsx_content))
    if os.environ.get("SWP_WRITE_PACK_WORKBOOK"):
        EXPECTED.write_text("".join(f"{line}\n" for line in found))
    assert found == EXPECTED.read_text().splitlines()
