"""Importing indicator values from CSV and XLSX: preview, confirm, all or nothing, and every refusal
naming its row and column, as the action-plan import does."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from performance.indicators import Period
from performance.models import Indicator, IndicatorValue, IndicatorValueImport
from performance.value_imports import read_rows, values_check
from strategy.formulas import escape_formula
from strategy.models import Marking, Membership
from tests.conftest import make_user

D = Decimal
State = IndicatorValueImport.State


@pytest.fixture
def kpis(plan):
    repeat = Indicator.objects.create(
        strategy=plan["strategy"],
        ref="KPI-V1",
        name="Repeat victims",
        unit="percentage",
        decimal_places=1,
        polarity="lower",
        frequency="quarterly",
        target_kind="absolute",
        target_value=D(12),
    )
    repeat.owners.add(plan["lena"])
    repeat.record_value(period=Period.of_quarter_text("2024/25 Q1"), value=D(14), commentary="From the police")
    referrals = Indicator.objects.create(
        strategy=plan["strategy"],
        ref="KPI-V2",
        name="MARAC referrals",
        unit="count",
        polarity="neither",
        kind="contextual",
        frequency="monthly",
    )
    sensitive = Indicator.objects.create(
        strategy=plan["strategy"],
        ref="KPI-C1",
        name="CT training",
        frequency="annual",
        marking=Marking.OFFICIAL_SENSITIVE,
    )
    return {"repeat": repeat, "referrals": referrals, "sensitive": sensitive}


def csv_file(*rows, header="Indicator,Period,Value,Note"):
    return ("\n".join([header, *rows]) + "\n").encode()


def upload(client, content, name="values.csv", strategy="test-2024-2027"):
    from strategy.models import Strategy

    chosen = Strategy.objects.get(slug=strategy)
    return client.post("/indicators/imports/new/", {"strategy": chosen.pk, "file": SimpleUploadedFile(name, content)})


def test_a_file_is_previewed_then_imported_all_at_once(client, officer, kpis):
    client.force_login(officer)
    content = csv_file(
        "KPI-V1,2024/25 Q1,14,",  # the same figure: left alone
        "KPI-V1,2024/25 Q2,13.5,Fewer repeats",
        "kpi-v1,2024/25 Q3,15%,",
        "MARAC referrals,Sep 2024,62,",
        "KPI-V2,2024-10,70,",
    )
    response = upload(client, content)
    record = IndicatorValueImport.objects.get()
    assert response.status_code == 302 and response.url == f"/indicators/imports/{record.pk}/"
    assert record.state == State.READY
    assert record.preview["totals"] == {"new": 4, "corrected": 0, "unchanged": 1}
    assert IndicatorValue.objects.count() == 1  # nothing saved by the preview
    page = client.get(response.url).content.decode()
    assert "What this import will do" in page and "4 new values" in page and "Import these values" in page
    assert "Fewer repeats" in page

    assert client.post(response.url).status_code == 302
    record.refresh_from_db()
    assert (record.state, bytes(record.file_content)) == (State.IMPORTED, b"")
    values = {(v.indicator.ref, str(v.period)): v for v in IndicatorValue.objects.current().select_related("indicator")}
    assert values["KPI-V1", "2024/25 Q2"].value == D("13.5")
    assert values["KPI-V1", "2024/25 Q2"].commentary == "Fewer repeats"
    assert values["KPI-V1", "2024/25 Q3"].value == D(15)
    assert values["KPI-V2", "Sep 2024"].value == D(62)
    assert values["KPI-V2", "Oct 2024"].source == "import"
    assert values["KPI-V2", "Oct 2024"].value_import == record
    assert values["KPI-V2", "Oct 2024"].entered_by == officer
    assert "Imported" in client.get(response.url).content.decode()


def test_a_different_figure_for_a_period_corrects_it_and_keeps_the_old_one(client, officer, kpis):
    client.force_login(officer)
    upload(client, csv_file("KPI-V1,2024/25 Q1,14.5,Late-recorded crimes added"))
    record = IndicatorValueImport.objects.get()
    assert record.preview["totals"] == {"new": 0, "corrected": 1, "unchanged": 0}
    assert "14.0%" in client.get(f"/indicators/imports/{record.pk}/").content.decode()  # shown beside the new
    client.post(f"/indicators/imports/{record.pk}/")
    old, new = kpis["repeat"].values.order_by("entered_at", "pk")
    assert old.superseded_at is not None and new.replaces == old
    assert new.value == D("14.5") and new.correction_reason == "Corrected by the import of values.csv"
    assert new.commentary == "Late-recorded crimes added"


def test_the_same_file_twice_changes_nothing(client, officer, kpis):
    client.force_login(officer)
    content = csv_file("KPI-V1,2024/25 Q2,13.5,")
    upload(client, content)
    client.post(f"/indicators/imports/{IndicatorValueImport.objects.get().pk}/")
    upload(client, content)
    again = IndicatorValueImport.objects.order_by("-pk").first()
    assert again.preview["totals"] == {"new": 0, "corrected": 0, "unchanged": 1}
    assert "Confirm: nothing to change" in client.get(f"/indicators/imports/{again.pk}/").content.decode()


def refused(client, content, name="values.csv"):
    upload(client, content, name=name)
    record = IndicatorValueImport.objects.order_by("-pk").first()
    assert record.state == State.REFUSED
    page = client.get(f"/indicators/imports/{record.pk}/").content.decode()
    assert "The file was not imported" in page and "Nothing was saved" in page
    return [problem["text"] for problem in record.problems]


NOT_AN_INDICATOR = "is not an indicator of this strategy: use its reference, like KPI-V1, or its exact name"
PERIODS = 'write a month like "Sep 2019" or "2019-09", a quarter like "2019/20 Q2", or a financial year like "2019/20"'


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("KPI-ZZ,2024/25 Q2,13,", f'Row 2, Indicator: "KPI-ZZ" {NOT_AN_INDICATOR}'),
        ("KPI-C1,2024/25,13,", f'Row 2, Indicator: "KPI-C1" {NOT_AN_INDICATOR}'),  # hidden: no leak
        (",2024/25 Q2,13,", "Row 2, Indicator: the indicator is blank: give its reference, like KPI-V1"),
        ("KPI-V1,Q2,13,", f'Row 2, Period: "Q2" is not a period: {PERIODS}'),
        (
            "KPI-V1,2024/26 Q2,13,",
            'Row 2, Period: "2024/26 Q2" is not a quarter: the second year must follow the first, as in "2019/20 Q2"',
        ),
        (
            "KPI-V1,Sep 2024,13,",
            'Row 2, Period: Sep 2024 is a month but KPI-V1 is reported quarterly: give a quarter like "2019/20 Q2"',
        ),
        (
            "KPI-V1,2099/00 Q1,13,",
            "Row 2, Period: 2099/00 Q1 has not started yet: figures can only be entered for periods that have begun",
        ),
        ("KPI-V1,2024/25 Q2,150,", "Row 2, Value: 150 is not a percentage: enter a number from 0 to 100"),
        ("KPI-V1,2024/25 Q2,,note", "Row 2, Value: the value is blank: enter a number, like 14"),
        ("KPI-V1,2024/25 Q2,about 13,", 'Row 2, Value: "about 13" is not a number: enter a number, like 14 or 14.5'),
        ("KPI-V2,Sep 2024,-4,", "Row 2, Value: -4 is below zero: a count cannot be negative"),
    ],
)
def test_refusals_name_the_row_and_column_and_save_nothing(client, viewer, officer, kpis, row, problem):
    client.force_login(officer if "KPI-C1" not in row else _cleared_out(kpis, officer))
    before = IndicatorValue.objects.count()
    problems = refused(client, csv_file(row))
    assert problems == [problem]
    assert IndicatorValue.objects.count() == before


def _cleared_out(kpis, officer):
    """The officer at OFFICIAL only, so the OFFICIAL-SENSITIVE indicator is hidden from them."""
    officer.membership.clearance = Marking.OFFICIAL
    officer.membership.save()
    return officer


def test_one_bad_row_stops_the_whole_file_and_every_problem_is_listed(client, officer, kpis):
    client.force_login(officer)
    problems = refused(
        client,
        csv_file(
            "KPI-V1,2024/25 Q2,13,",
            "KPI-V1,2024/25 Q3,101,",
            "KPI-V2,Sep 2024,62,",
            "KPI-V1,2024/25 Q2,12,",
            "KPI-V2,2024-10,lots,",
        ),
    )
    assert problems == [
        "Row 3, Value: 101 is not a percentage: enter a number from 0 to 100",
        "Row 5, Period: KPI-V1 2024/25 Q2 is also on row 2: give each period once",
        'Row 6, Value: "lots" is not a number: enter a number, like 14 or 14.5',
    ]
    assert IndicatorValue.objects.count() == 1


def test_an_owner_may_import_only_their_indicators(client, lead, kpis):
    client.force_login(lead)
    problems = refused(client, csv_file("KPI-V1,2024/25 Q2,13,", "KPI-V2,Sep 2024,62,"))
    assert problems == ["Row 3, Indicator: you cannot enter values for KPI-V2: only its owners and officers can"]
    upload(client, csv_file("KPI-V1,2024/25 Q2,13,"))
    record = IndicatorValueImport.objects.order_by("-pk").first()
    client.post(f"/indicators/imports/{record.pk}/")
    record.refresh_from_db()
    assert record.state == State.IMPORTED


@pytest.mark.parametrize(
    ("content", "name", "problem"),
    [
        (b"Indicator,Period,Note\nKPI-V1,2024/25 Q2,x\n", "values.csv", "Row 1: no Value column was found; the header"),
        (b"KPI-V1,2024/25 Q2,13\n", "values.csv", "No header row was found: the first rows should name the columns"),
        (b"Indicator,Period,Value\n", "values.csv", "values.csv has a header row but no values below it."),
        (b"%PDF-1.7 binary", "values.pdf", "values.pdf is not a spreadsheet: upload an Excel workbook (.xlsx)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls", "old.xls is an old-style Excel 97-2003 (.xls)"),
    ],
)
def test_files_that_cannot_be_read_are_refused_with_the_action_plan_imports_messages(
    client, officer, kpis, content, name, problem
):
    client.force_login(officer)
    problems = refused(client, content, name=name)
    assert problems[0].startswith(problem), problems


def test_an_empty_upload_and_a_file_too_large_are_refused_on_the_form(client, officer, kpis, settings):
    client.force_login(officer)
    response = upload(client, b"")
    assert "The selected file is empty" in response.content.decode()
    big = SimpleUploadedFile("big.csv", b"0" * (10 * 1024 * 1024 + 1))
    response = client.post("/indicators/imports/new/", {"strategy": kpis["repeat"].strategy_id, "file": big})
    assert "it must be smaller than 10 MB" in response.content.decode()
    assert not IndicatorValueImport.objects.exists()


def xlsx(*sheets):
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_excel_workbook_with_date_cells_and_several_sheets(client, officer, kpis):
    client.force_login(officer)
    content = xlsx(
        (
            "Victim",
            [
                ["Quarterly returns"],
                ["Indicator", "Period", "Value", "Note", "Owner"],
                ["KPI-V1", "2024/25 Q2", 13.25, "Checked", "Lena"],
            ],
        ),
        ("Demand", [["Ref", "Month", "Figure"], ["KPI-V2", datetime.datetime(2024, 9, 30), 62]]),
        ("Notes", [["Anything else"]]),
    )
    upload(client, content, name="values.xlsx")
    record = IndicatorValueImport.objects.get()
    assert record.state == State.READY, record.problems
    notes = [note["text"] for note in record.preview["notes"]]
    assert notes == [
        "Sheet 'Victim', row 2, Owner: this column is not one the importer knows, so it was not read",
        "Sheet 'Notes': no header row naming the columns Indicator, Period, Value and Note was found, so the sheet "
        "was not read",
    ]
    client.post(f"/indicators/imports/{record.pk}/")
    assert kpis["referrals"].values.get().period == Period.month(2024, 9)
    assert kpis["repeat"].values.current().get(period_start=datetime.date(2024, 7, 1)).value == D("13.25")


def test_refusals_in_a_workbook_name_the_sheet(client, officer, kpis):
    client.force_login(officer)
    content = xlsx(("Victim", [["Indicator", "Period", "Value"], ["KPI-V1", "2024/25 Q2", 200]]))
    problems = refused(client, content, name="values.xlsx")
    assert problems == ["Sheet 'Victim', row 2, Value: 200 is not a percentage: enter a number from 0 to 100"]


def test_figures_changed_since_the_preview_are_shown_again_before_anything_is_saved(client, officer, kpis):
    client.force_login(officer)
    upload(client, csv_file("KPI-V1,2024/25 Q2,13,"))
    record = IndicatorValueImport.objects.get()
    kpis["repeat"].record_value(period=Period.of_quarter_text("2024/25 Q2"), value=D(12))  # someone else, meanwhile
    client.post(f"/indicators/imports/{record.pk}/")
    record.refresh_from_db()
    assert record.state == State.READY and record.preview["stale"]
    assert record.preview["totals"] == {"new": 0, "corrected": 1, "unchanged": 0}
    assert (
        "The figures changed after you saw the preview"
        in client.get(f"/indicators/imports/{record.pk}/").content.decode()
    )
    assert kpis["repeat"].values.current().get(period_start=datetime.date(2024, 7, 1)).value == D(12)
    client.post(f"/indicators/imports/{record.pk}/")
    record.refresh_from_db()
    assert record.state == State.IMPORTED
    assert kpis["repeat"].values.current().get(period_start=datetime.date(2024, 7, 1)).value == D(13)


def test_a_cancelled_import_saves_nothing_and_erases_the_file(client, officer, kpis):
    client.force_login(officer)
    upload(client, csv_file("KPI-V1,2024/25 Q2,13,"))
    record = IndicatorValueImport.objects.get()
    response = client.post(f"/indicators/imports/{record.pk}/cancel/")
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.state == State.CANCELLED and bytes(record.file_content) == b""
    assert client.post(f"/indicators/imports/{record.pk}/").status_code == 302  # nothing to confirm
    record.refresh_from_db()
    assert record.state == State.CANCELLED
    assert IndicatorValue.objects.count() == 1


def test_names_that_several_indicators_share_must_be_references(plan, officer, kpis):
    Indicator.objects.create(strategy=plan["strategy"], ref="KPI-V3", name="Repeat victims", frequency="quarterly")
    outcome = values_check(strategy=plan["strategy"], content=csv_file("Repeat victims,2024/25 Q2,13,"), by=officer)
    assert [str(p) for p in outcome.problems] == [
        'Row 2, Indicator: "Repeat victims" is the name of several indicators (KPI-V1, KPI-V3): use the reference '
        "instead"
    ]


def test_checking_runs_a_fixed_number_of_queries_whatever_the_rows(plan, officer, kpis):
    def queries(rows):
        content = csv_file(*(f"KPI-V2,{Period.month(2000, 1).shifted(n)},{n}," for n in range(rows)))
        with CaptureQueriesContext(connection) as captured:
            outcome = values_check(strategy=plan["strategy"], content=content, by=officer)
        assert outcome.ok and len(outcome.plan) == rows
        return len(captured.captured_queries)

    queries(1)  # the user's membership is looked up once, then cached on the user
    assert queries(5) == queries(300) == 3  # the indicators, those the user may enter, their current values


def test_rows_are_read_with_their_places():
    rows, notes = read_rows(csv_file("KPI-V1,2024/25 Q2,13,ok", "", "KPI-V1,2024/25 Q3,12,"))
    assert [(row.number, row.cells["period"]) for row in rows] == [(2, "2024/25 Q2"), (4, "2024/25 Q3")]
    assert notes == []


# "Today" is the point: the clock is set in the middle of a month.
@time_machine.travel(datetime.datetime(2026, 11, 16, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_a_period_still_running_has_data_only_to_today(plan, officer, kpis):
    this_month = Period.containing("month", datetime.date(2026, 11, 16))
    outcome = values_check(strategy=plan["strategy"], content=csv_file(f"KPI-V2,{this_month},5,"), by=officer)
    assert outcome.plan[0][4]["data_to"] == datetime.date(2026, 11, 16)


def test_a_file_with_too_many_rows_is_refused_in_the_values_words():
    from actions.imports import MAX_ROWS
    from actions.imports.problems import ImportRefused

    content = csv_file(*(["KPI-V2,2019-01,1,"] * (MAX_ROWS + 100)))
    with pytest.raises(ImportRefused) as refused:
        read_rows(content, "big.csv")
    assert str(refused.value).startswith(f"The file has more than {MAX_ROWS:,} rows")
    assert "Split the values into several files." in str(refused.value)


# A stalled import (its worker died) -----------------------------------------------------------------


def confirmed_then_worker_died(client, officer, *, silent_for=datetime.timedelta(minutes=11)):
    """A value import confirmed, whose worker was killed before it finished: left "importing"."""
    from django.utils import timezone

    from actions.imports import lifecycle

    client.force_login(officer)
    upload(client, csv_file("KPI-V1,2024/25 Q2,13,"))
    record = IndicatorValueImport.objects.get(state=State.READY)
    lifecycle.confirm(IndicatorValueImport, record, busy_message="")
    IndicatorValueImport.objects.filter(pk=record.pk).update(updated_at=timezone.now() - silent_for)
    record.refresh_from_db()
    return record


def test_a_stalled_value_import_is_shown_as_such_and_an_officer_cancels_it(client, officer, kpis, settings):
    record = confirmed_then_worker_died(client, officer)
    assert record.stalled
    page = client.get(f"/indicators/imports/{record.pk}/").content.decode()
    assert "This import stopped without finishing (the worker may have been restarted). Nothing was saved." in page
    assert "http-equiv" not in page
    assert f'action="/indicators/imports/{record.pk}/cancel/"' in page
    assert client.post(f"/indicators/imports/{record.pk}/cancel/").status_code == 302
    record.refresh_from_db()
    assert record.state == State.CANCELLED and bytes(record.file_content) == b""
    # The worker, had it only been slow, finds the import cancelled and saves nothing.
    from performance.value_imports import value_import_apply_run

    assert value_import_apply_run(record.pk) == State.CANCELLED
    assert not kpis["repeat"].values.filter(period_start=datetime.date(2024, 7, 1)).exists()
    # The file imports on a second try.
    upload(client, csv_file("KPI-V1,2024/25 Q2,13,"))
    again = IndicatorValueImport.objects.get(state=State.READY)
    client.post(f"/indicators/imports/{again.pk}/")
    again.refresh_from_db()
    assert again.state == State.IMPORTED
    assert kpis["repeat"].values.current().get(period_start=datetime.date(2024, 7, 1)).value == D(13)


def test_a_value_import_still_running_cannot_be_cancelled(client, officer, kpis):
    record = confirmed_then_worker_died(client, officer, silent_for=datetime.timedelta(seconds=20))
    assert not record.stalled
    page = client.get(f"/indicators/imports/{record.pk}/").content.decode()
    assert "stopped without finishing" not in page and 'http-equiv="refresh"' in page
    response = client.post(f"/indicators/imports/{record.pk}/cancel/", follow=True)
    assert "This import is still running, so it cannot be cancelled" in response.content.decode()
    record.refresh_from_db()
    assert record.state == State.IMPORTING


@pytest.mark.parametrize("role", ["viewer", "chair", "lead"])
def test_only_officers_and_its_uploader_may_cancel_a_stalled_value_import(client, officer, users, kpis, role):
    record = confirmed_then_worker_died(client, officer)
    client.force_login(users[role])  # the lead owns KPI-V1, but did not upload this file
    assert client.post(f"/indicators/imports/{record.pk}/cancel/").status_code == 403
    record.refresh_from_db()
    assert record.state == State.IMPORTING


def test_the_back_office_cancels_a_stalled_value_import(client, officer, users, kpis):
    record = confirmed_then_worker_died(client, officer)
    changelist = "/admin/performance/indicatorvalueimport/"
    client.force_login(users["viewer"])
    client.post(changelist, {"action": "cancel_stalled", "_selected_action": [record.pk]})
    record.refresh_from_db()
    assert record.state == State.IMPORTING
    client.force_login(officer)
    response = client.post(changelist, {"action": "cancel_stalled", "_selected_action": [record.pk]})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.state == State.CANCELLED


# Who may read an import: its preview and result hold the figures of every indicator it names -----


@pytest.fixture
def sensitive_import(client, officer, kpis):
    client.force_login(officer)
    upload(client, csv_file("KPI-C1,2024/25,87,Training delivered", header="Indicator,Period,Value,Note"))
    client.logout()
    record = IndicatorValueImport.objects.get()
    assert record.state == State.READY and "87" in str(record.preview)
    return record


@pytest.fixture
def official_officer(plan):
    return make_user(
        "official-officer", partnership=plan["partnership"], role=Membership.Role.OFFICER, clearance=Marking.OFFICIAL
    )


def test_an_officer_not_cleared_for_every_indicator_cannot_read_anothers_import(
    client, official_officer, sensitive_import
):
    client.force_login(official_officer)
    assert client.get(f"/indicators/imports/{sensitive_import.pk}/").status_code == 403
    assert client.post(f"/indicators/imports/{sensitive_import.pk}/cancel/").status_code == 403
    listing = client.get("/indicators/imports/")
    assert listing.status_code == 200 and sensitive_import.file_name not in listing.content.decode()
    admin = client.get(f"/admin/performance/indicatorvalueimport/{sensitive_import.pk}/change/")
    assert admin.status_code == 302  # the back office's "does not exist" redirect: it is not there for them
    # Not listed in the back office either: no row links to it (its figures are no test: "87" can turn
    # up in a CSRF token).
    back_office = client.get("/admin/performance/indicatorvalueimport/").content.decode()
    assert f"/admin/performance/indicatorvalueimport/{sensitive_import.pk}/change/" not in back_office


def test_a_cleared_officer_and_the_uploader_read_it(client, officer, lead, kpis, sensitive_import):
    client.force_login(officer)
    assert client.get(f"/indicators/imports/{sensitive_import.pk}/").status_code == 200
    client.force_login(lead)  # an owner's own import: they could name only their indicators
    upload(client, csv_file("KPI-V1,2024/25 Q2,13,"))
    own = IndicatorValueImport.objects.exclude(pk=sensitive_import.pk).get()
    assert client.get(f"/indicators/imports/{own.pk}/").status_code == 200
    assert client.get(f"/indicators/imports/{sensitive_import.pk}/").status_code == 403


def test_notes_escaped_as_the_sites_downloads_escape_formulas_are_imported_as_written(client, officer, kpis):
    """Each note starts the way a spreadsheet would run as a formula (after blanks, a tab, a line break):
    written escaped, as every download writes it, it is read back without the escaping apostrophe. The
    apostrophes must not be taken for the file's quotes either."""
    notes = {"Sep 2024": " =1+1 counted twice", "Oct 2024": "\n=SUM(A1)", "Nov 2024": "\tTab first", "Dec 2024": "-5"}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["Indicator", "Period", "Value", "Note"])
    for period, note in notes.items():
        assert escape_formula(note) == "'" + note
        writer.writerow(["KPI-V2", period, "60", escape_formula(note)])
    client.force_login(officer)
    upload(client, buffer.getvalue().encode())
    record = IndicatorValueImport.objects.get()
    assert record.state == State.READY, record.problems
    client.post(f"/indicators/imports/{record.pk}/")
    stored = {str(v.period): v.commentary for v in kpis["referrals"].values.all()}
    # The apostrophe comes off; the blanks around a cell are trimmed as on any note imported.
    assert stored == {
        "Sep 2024": "=1+1 counted twice",
        "Oct 2024": "=SUM(A1)",
        "Nov 2024": "Tab first",
        "Dec 2024": "-5",
    }


@pytest.mark.parametrize("written", ["30/09/2024", "30/9/24", "30.09.2024", "30 Sept 2024", "30th September 2024"])
def test_data_to_is_read_as_action_plan_deadlines_are(plan, officer, kpis, written):
    content = csv_file(f"KPI-V1,2024/25 Q2,13,,{written}", header="Indicator,Period,Value,Note,Data to")
    outcome = values_check(strategy=plan["strategy"], content=content, by=officer)
    assert outcome.problems == []
    assert outcome.plan[0][4]["data_to"] == datetime.date(2024, 9, 30)


@pytest.mark.parametrize("written", ["31/09/2024", "09/30/2024", "Sept 2024", "end of September"])
def test_data_to_that_names_no_day_is_refused(plan, officer, kpis, written):
    content = csv_file(f"KPI-V1,2024/25 Q2,13,,{written}", header="Indicator,Period,Value,Note,Data to")
    outcome = values_check(strategy=plan["strategy"], content=content, by=officer)
    assert [str(p) for p in outcome.problems] == [
        f'Row 2, Data to: "{written}" is not a date: write it like 30/09/2019'
    ]
