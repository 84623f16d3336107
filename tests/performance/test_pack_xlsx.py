"""The pack's workbook holds numbers as numbers and dates as dates, read back with openpyxl."""

import datetime
import io
import zoneinfo
from decimal import Decimal

import openpyxl
import pytest
import time_machine

from performance.models import Meeting, MeetingPack
from tests.performance.review_history import make_history
from tests.performance.test_indicator_views import kpis  # noqa: F401 (a fixture)


@pytest.fixture
def clock():
    """The day after the meeting, set before the plan and its figures are made (first argument)."""
    with time_machine.travel(
        datetime.datetime(2025, 1, 29, 9, 30, tzinfo=zoneinfo.ZoneInfo("Europe/London")), tick=False
    ):
        yield


def test_counts_progress_and_kpi_values_are_numbers_and_dates_are_dates(clock, officer, plan, kpis):  # noqa: F811
    from performance.pack import pack_create

    make_history(plan, officer)
    meeting = Meeting.objects.create(strategy=plan["strategy"], date=datetime.date(2025, 1, 28), year=2024, number=3)
    pack = MeetingPack.objects.get(pk=pack_create(meeting=meeting, by=officer).pk)
    book = openpyxl.load_workbook(io.BytesIO(bytes(pack.xlsx_content)))

    cover = {row[0].value: row[1] for row in book["Cover"].iter_rows()}
    assert (cover["Date"].value, cover["Date"].number_format) == (datetime.datetime(2025, 1, 28), "dd/mm/yyyy")
    assert cover["Status as at"].value == datetime.datetime(2024, 12, 31)
    assert (cover["Issued"].value, cover["Issued"].number_format) == (
        datetime.datetime(2025, 1, 29, 9, 30),
        "dd/mm/yyyy hh:mm",
    )

    summary = {row[0]: row for row in book["Summary"].iter_rows(values_only=True)}
    assert summary["Victim"][:4] == ("Victim", 2, 0, 2)  # actions, Not started, In progress: numbers

    actions = book["Actions"]
    header = [cell.value for cell in actions[1]]
    v1_1 = next(row for row in actions.iter_rows(min_row=2) if row[2].value == "V1.1")
    cell = dict(zip(header, v1_1, strict=True))
    assert (cell["Progress"].value, cell["Progress"].data_type) == (25, "n")
    assert (cell["Due date"].value, cell["Due date"].is_date) == (datetime.datetime(2025, 3, 31), True)
    assert cell["Revised due date"].value == datetime.datetime(2025, 6, 30)
    assert cell["Last update"].value == datetime.datetime(2024, 12, 31)

    agencies = {row[0].value: row for row in book["By agency"].iter_rows(min_row=2) if row[0].value}
    assert [c.value for c in agencies["Test Council"][13:]] == [1, 1, 100]

    kpi_sheet = book["KPIs"]
    header = [cell.value for cell in kpi_sheet[1]]
    repeat = dict(zip(header, next(r for r in kpi_sheet.iter_rows(min_row=2) if r[0].value == "KPI-V1"), strict=True))
    assert (repeat["Latest value"].value, repeat["Latest value"].data_type) == (Decimal("12.5"), "n")
    assert repeat["Latest value"].number_format == '#,##0.0"%"'  # shown as 12.5%, as on the dashboard
    assert repeat["Target value"].value == 12
    assert repeat["Comparator"].value == 15
    assert repeat["Comparator is"].value == "Met-wide figure"
    assert repeat["Data to"].value == datetime.datetime(2024, 12, 31)
    demand = dict(zip(header, next(r for r in kpi_sheet.iter_rows(min_row=2) if r[0].value == "KPI-V2"), strict=True))
    assert (demand["Latest value"].value, demand["Latest value"].number_format) == (70, "#,##0")
