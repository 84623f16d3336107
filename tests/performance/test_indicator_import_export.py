"""The back office's import and export of indicators, and export of their values.

Indicators go out as the change list shows them and come in as the directory's rows do: into the
officer's own partnership, in a strategy of it the file names, matched by reference among the
indicators the officer may see, previewed then confirmed, recorded in the audit trail, and a file
with any problem saves nothing. Values go out only: the rules a figure obeys live in the value form
and the value import, not in the model the library would save.
"""

import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile

from performance.indicators import Period
from performance.models import Indicator, IndicatorValue
from strategy.models import Marking, Membership, Strategy
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

INDICATORS = "/admin/performance/indicator/"
VALUES = "/admin/performance/indicatorvalue/"
CSV, XLSX = "0", "1"
D = Decimal

INDICATOR_COLUMNS = [
    "ref",
    "name",
    "strategy",
    "definition",
    "description",
    "kind",
    "unit",
    "decimal_places",
    "polarity",
    "frequency",
    "period_basis",
    "data_source",
    "owning_organisation",
    "baseline_value",
    "baseline_period",
    "target_kind",
    "target_value",
    "amber_tolerance",
    "comparator_name",
    "marking",
    "partnership",
]
VALUE_COLUMNS = [
    "strategy",
    "indicator",
    "period",
    "value",
    "data_to",
    "numerator",
    "denominator",
    "comparator",
    "note",
    "data_quality",
    "source",
    "entered_by",
    "entered_at",
    "correction_reason",
    "superseded_at",
]
COLUMNS = {INDICATORS: INDICATOR_COLUMNS, VALUES: VALUE_COLUMNS}


@pytest.fixture(autouse=True)
def on_a_fixed_day():
    """Export file names carry the day; values are entered for periods begun by then."""
    with time_machine.travel(datetime.datetime(2026, 5, 6, 10, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def kpis(plan, elsewhere, officer):
    """Test CSP's indicators: one OFFICIAL with a corrected figure, one OFFICIAL-SENSITIVE, one in an
    OFFICIAL-SENSITIVE strategy, one computed from crime data; the other partnership's, under the
    same reference."""
    strategy = plan["strategy"]
    prevent = Strategy.objects.create(
        partnership=plan["partnership"],
        title="Prevent strategy",
        slug="prevent",
        start_date=datetime.date(2024, 4, 1),
        end_date=datetime.date(2027, 3, 31),
        marking=Marking.OFFICIAL_SENSITIVE,
    )
    repeat = Indicator.objects.create(
        strategy=strategy,
        ref="KPI-V1",
        name="Repeat victims",
        unit="percentage",
        decimal_places=1,
        polarity="lower",
        target_kind="absolute",
        target_value=D(12),
        owning_organisation=plan["police"],
    )
    first = repeat.record_value(period=Period.of_quarter_text("2024/25 Q1"), value=D(14), commentary="=SUM(A1)")
    repeat.record_value(
        period=Period.of_quarter_text("2024/25 Q1"),
        value=D("13.5"),
        by=officer,
        replaces=first,
        correction_reason="Late returns",
    )
    sensitive = Indicator.objects.create(
        strategy=strategy, ref="KPI-C1", name="CT training", frequency="annual", marking=Marking.OFFICIAL_SENSITIVE
    )
    sensitive.record_value(period=Period.parse("2024/25"), value=D(40))
    referrals = Indicator.objects.create(
        strategy=prevent, ref="KPI-P1", name="Prevent referrals", kind="contextual", polarity="neither"
    )
    referrals.record_value(period=Period.of_quarter_text("2024/25 Q2"), value=D(7))
    burglary = Indicator.objects.create(
        strategy=strategy, ref="KPI-B1", name="Burglaries", frequency="monthly", computed_from="crime_data"
    )
    theirs = Indicator.objects.create(strategy=elsewhere["strategy"], ref="KPI-V1", name="Elsewhere victims")
    theirs.record_value(period=Period.of_quarter_text("2024/25 Q1"), value=D(99))
    return {"repeat": repeat, "sensitive": sensitive, "referrals": referrals, "burglary": burglary, "theirs": theirs}


@pytest.fixture
def official_officer(plan):
    """An officer of Test CSP cleared for OFFICIAL only."""
    return make_user("official", partnership=plan["partnership"], role=Membership.Role.OFFICER)


def export(client, changelist, file_format, query=""):
    """Post the export form as the browser sends it: every column ticked."""
    form = client.get(f"{changelist}export/{query}").context["form"]
    data = {"format": file_format, "resource": "0"}
    data.update({name: "on" for name in form.fields if name.endswith(tuple(f"_{c}" for c in COLUMNS[changelist]))})
    return client.post(f"{changelist}export/{query}", data)


def upload(client, text, name="indicators.csv"):
    return client.post(
        f"{INDICATORS}import/",
        {"format": CSV, "resource": "0", "import_file": SimpleUploadedFile(name, text.encode(), "text/csv")},
    )


def confirm(client, preview):
    return client.post(f"{INDICATORS}process_import/", preview.context["confirm_form"].initial)


def object_tools(response):
    """The addresses of the buttons above a change list."""
    tools = response.content.decode().split('<ul class="object-tools">', 1)[1].split("</ul>", 1)[0]
    return re.findall(r"href=[\"']([^\"']+)", tools)


def snapshot():
    return sorted(
        Indicator.objects.values_list(
            "strategy__slug",
            "ref",
            "name",
            "unit",
            "kind",
            "target_kind",
            "target_value",
            "marking",
            "owning_organisation__name",
        )
    )


def history():
    return sorted(
        (row.history_type, row.ref, row.name, row.history_user.username if row.history_user else None)
        for row in Indicator.history.all()
    )


INDICATORS_HEADER = ",".join(INDICATOR_COLUMNS) + "\r\n"
BURGLARIES = (
    "KPI-B1,Burglaries,Test strategy 2024-2027,,,Performance (rated against its target),Count,0,Higher is better,"
    "Monthly,The period itself,,,,,,,5,,OFFICIAL,Test Community Safety Partnership\r\n"
)
CT_TRAINING = (
    "KPI-C1,CT training,Test strategy 2024-2027,,,Performance (rated against its target),Count,0,Higher is better,"
    "Annual (financial year),The period itself,,,,,,,5,,OFFICIAL-SENSITIVE,Test Community Safety Partnership\r\n"
)
PREVENT_REFERRALS = (
    'KPI-P1,Prevent referrals,Prevent strategy,,,"Contextual or demand (shown, never rated)",Count,0,'
    "Neither (a rise or fall is not judged),Quarterly,The period itself,,,,,,,5,,OFFICIAL,"
    "Test Community Safety Partnership\r\n"
)
REPEAT_VICTIMS = (
    "KPI-V1,Repeat victims,Test strategy 2024-2027,,,Performance (rated against its target),Percentage,1,"
    "Lower is better,Quarterly,The period itself,,Test Police,,,A value to reach,12,5,,OFFICIAL,"
    "Test Community Safety Partnership\r\n"
)

VALUES_HEADER = ",".join(VALUE_COLUMNS) + "\r\n"
CT_FIGURE = "Test strategy 2024-2027,KPI-C1,2024/25,40,31/03/2025,,,,,,Value form,,06/05/2026 11:00,,\r\n"
PREVENT_FIGURE = "Prevent strategy,KPI-P1,2024/25 Q2,7,30/09/2024,,,,,,Value form,,06/05/2026 11:00,,\r\n"
REPEAT_CORRECTED = (
    "Test strategy 2024-2027,KPI-V1,2024/25 Q1,14,30/06/2024,,,,'=SUM(A1),,Value form,,06/05/2026 11:00,,"
    "06/05/2026 11:00\r\n"
)
REPEAT_FIGURE = (
    "Test strategy 2024-2027,KPI-V1,2024/25 Q1,13.5,30/06/2024,,,,,,Value form,officer,06/05/2026 11:00,"
    "Late returns,\r\n"
)


# Export --------------------------------------------------------------------------------------------


def test_an_officer_exports_their_partnerships_indicators_as_csv(client, kpis, officer):
    client.force_login(officer)
    response = export(client, INDICATORS, CSV)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="Indicator-2026-05-06.csv"'
    assert response.content.decode() == (
        INDICATORS_HEADER + BURGLARIES + CT_TRAINING + PREVENT_REFERRALS + REPEAT_VICTIMS
    )


def test_an_officer_cleared_for_official_exports_no_indicator_marked_above_it(client, kpis, official_officer):
    """Neither the OFFICIAL-SENSITIVE indicator nor the OFFICIAL one in an OFFICIAL-SENSITIVE strategy."""
    client.force_login(official_officer)
    assert export(client, INDICATORS, CSV).content.decode() == INDICATORS_HEADER + BURGLARIES + REPEAT_VICTIMS


def test_the_other_partnerships_officer_exports_only_theirs(client, kpis, outsider):
    client.force_login(outsider)
    assert export(client, INDICATORS, CSV).content.decode() == INDICATORS_HEADER + (
        "KPI-V1,Elsewhere victims,Elsewhere strategy,,,Performance (rated against its target),Count,0,"
        "Higher is better,Quarterly,The period itself,,,,,,,5,,OFFICIAL,Elsewhere Safety Partnership\r\n"
    )
    assert export(client, VALUES, CSV).content.decode() == VALUES_HEADER + (
        "Elsewhere strategy,KPI-V1,2024/25 Q1,99,30/06/2024,,,,,,Value form,,06/05/2026 11:00,,\r\n"
    )


def test_an_officer_exports_every_figure_they_may_see_with_its_corrections(client, kpis, officer):
    client.force_login(officer)
    response = export(client, VALUES, CSV)
    assert response["Content-Disposition"] == 'attachment; filename="IndicatorValue-2026-05-06.csv"'
    assert response.content.decode() == (VALUES_HEADER + CT_FIGURE + PREVENT_FIGURE + REPEAT_CORRECTED + REPEAT_FIGURE)


def test_an_officer_cleared_for_official_exports_no_figure_marked_above_it(client, kpis, official_officer):
    client.force_login(official_officer)
    assert export(client, VALUES, CSV).content.decode() == VALUES_HEADER + REPEAT_CORRECTED + REPEAT_FIGURE


def test_a_values_export_follows_the_change_lists_filters(client, kpis, officer):
    """Filtered to the figures not superseded, it is a file the value import reads."""
    client.force_login(officer)
    response = export(client, VALUES, CSV, "?superseded_at__isempty=1")
    assert response.content.decode() == VALUES_HEADER + CT_FIGURE + PREVENT_FIGURE + REPEAT_FIGURE


def test_values_export_as_xlsx_with_numbers_as_numbers(client, kpis, official_officer):
    client.force_login(official_officer)
    response = export(client, VALUES, XLSX, "?superseded_at__isempty=1")
    assert response["Content-Disposition"] == 'attachment; filename="IndicatorValue-2026-05-06.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        VALUE_COLUMNS,
        [
            "Test strategy 2024-2027",
            "KPI-V1",
            "2024/25 Q1",
            13.5,
            datetime.datetime(2024, 6, 30),
            None,
            None,
            None,
            None,
            None,
            "Value form",
            "officer",
            datetime.datetime(2026, 5, 6, 11, 0),  # in the UK's time, as the site shows it
            "Late returns",
            None,
        ],
    ]


def test_the_administrator_exports_every_partnerships_figures(client, kpis):
    client.force_login(User.objects.create_superuser("admin", "admin@example.org", "pw"))
    assert export(client, VALUES, CSV).content.decode() == (
        VALUES_HEADER
        + "Elsewhere strategy,KPI-V1,2024/25 Q1,99,30/06/2024,,,,,,Value form,,06/05/2026 11:00,,\r\n"
        + CT_FIGURE
        + PREVENT_FIGURE
        + REPEAT_CORRECTED
        + REPEAT_FIGURE
    )


def _ticked(client, changelist):
    form = client.get(f"{changelist}export/").context["form"]
    return {
        "format": CSV,
        "resource": "0",
        **{name: "on" for name in form.fields if name.endswith("_ref") or "resource_" in name},
    }


def test_an_indicator_export_takes_the_same_queries_however_many_rows(
    client, kpis, plan, officer, django_assert_num_queries
):
    for number in range(20):
        Indicator.objects.create(
            strategy=plan["strategy"], ref=f"KPI-N{number}", name=f"New {number}", owning_organisation=plan["council"]
        )
    client.force_login(officer)
    data = _ticked(client, INDICATORS)
    # The session, the user, their membership; the strategies and the delivery groups the list's
    # filters offer; the indicators with their strategies, partnerships and owning agencies.
    with django_assert_num_queries(6):
        response = client.post(f"{INDICATORS}export/", data)
    assert len(response.content.decode().splitlines()) == 25


def test_a_values_export_takes_the_same_queries_however_many_rows(client, kpis, officer, django_assert_num_queries):
    for year in range(2000, 2020):
        kpis["repeat"].record_value(period=Period.parse(f"{year}/{(year + 1) % 100:02d} Q1"), value=D(year), by=officer)
    client.force_login(officer)
    data = _ticked(client, VALUES)
    # The session, the user, their membership; the strategies the list's filter offers; the values with
    # their indicators, strategies and who entered them.
    with django_assert_num_queries(5):
        response = client.post(f"{VALUES}export/", data)
    assert len(response.content.decode().splitlines()) == 25


# Import --------------------------------------------------------------------------------------------


def test_an_import_is_previewed_then_confirmed_and_recorded(client, kpis, officer):
    client.force_login(officer)
    before, recorded = snapshot(), history()
    preview = upload(
        client,
        "Ref,Name,Strategy,Unit,Kind,Polarity,Target kind,Target value,Owning organisation,Marking\n"
        "kpi-v1,Repeat victims of DA,Test strategy 2024-2027,percentage,Performance,lower,absolute,11,Test Council,\n"
        "KPI-V9,=Referrals,test-2024-2027,Count,Contextual,Neither,,,,OFFICIAL-SENSITIVE\n"
        "KPI-B1,Burglaries,Test strategy 2024-2027,Count,Performance,Higher is better,,,,OFFICIAL\n",
    )
    assert preview.status_code == 200
    assert [row.import_type for row in preview.context["result"].rows] == ["update", "new", "skip"]
    assert (snapshot(), history()) == (before, recorded)

    response = confirm(client, preview)
    assert response.status_code == 302
    assert response.url == INDICATORS
    assert snapshot() == sorted(
        [
            ("elsewhere-2024", "KPI-V1", "Elsewhere victims", "count", "performance", "", None, "official", None),
            ("prevent", "KPI-P1", "Prevent referrals", "count", "contextual", "", None, "official", None),
            ("test-2024-2027", "KPI-B1", "Burglaries", "count", "performance", "", None, "official", None),
            ("test-2024-2027", "KPI-C1", "CT training", "count", "performance", "", None, "official_sensitive", None),
            (
                "test-2024-2027",
                "kpi-v1",
                "Repeat victims of DA",
                "percentage",
                "performance",
                "absolute",
                D(11),
                "official",
                "Test Council",
            ),
            ("test-2024-2027", "KPI-V9", "=Referrals", "count", "contextual", "", None, "official_sensitive", None),
        ]
    )
    # Matched by reference whatever its case; the file's spelling is kept.
    assert Indicator.objects.get(pk=kpis["repeat"].pk).ref == "kpi-v1"
    assert sorted(set(history()) - set(recorded)) == [
        ("+", "KPI-V9", "=Referrals", "officer"),
        ("~", "kpi-v1", "Repeat victims of DA", "officer"),
    ]


def test_a_row_naming_another_partnerships_strategy_is_refused_and_nothing_changes(client, kpis, officer):
    client.force_login(officer)
    before, recorded = snapshot(), history()
    preview = upload(
        client,
        "ref,name,strategy\n"
        "KPI-V1,Repeat victims (all),Test strategy 2024-2027\n"
        "KPI-V1,Taken over,Elsewhere strategy\n",
    )
    assert "confirm_form" not in preview.context
    [invalid] = preview.context["result"].invalid_rows
    assert (invalid.number, invalid.field_specific_errors) == (
        2,
        {
            "strategy": [
                "Test Community Safety Partnership has no strategy called “Elsewhere strategy”: name one of its "
                "strategies (“Prevent strategy”, “Test strategy 2024-2027”)."
            ]
        },
    )
    page = preview.content.decode()
    assert "Nothing has been imported: correct the rows below and upload the file again." in page
    assert (snapshot(), history()) == (before, recorded)


def test_the_administrator_imports_into_the_partnership_each_row_names(client, kpis):
    """The administrator belongs to no partnership: each row names its partnership, and its strategy there."""
    client.force_login(User.objects.create_superuser("admin", "admin@example.org", "pw"))
    preview = upload(
        client,
        "ref,name,strategy,partnership\n"
        "KPI-E2,Elsewhere referrals,Elsewhere strategy,Elsewhere Safety Partnership\n"
        "KPI-V1,Repeat victims (all),Test strategy 2024-2027,Test Community Safety Partnership\n",
    )
    assert [row.import_type for row in preview.context["result"].rows] == ["new", "update"]
    confirm(client, preview)
    assert sorted(Indicator.objects.values_list("strategy__slug", "ref", "name")) == [
        ("elsewhere-2024", "KPI-E2", "Elsewhere referrals"),
        ("elsewhere-2024", "KPI-V1", "Elsewhere victims"),
        ("prevent", "KPI-P1", "Prevent referrals"),
        ("test-2024-2027", "KPI-B1", "Burglaries"),
        ("test-2024-2027", "KPI-C1", "CT training"),
        ("test-2024-2027", "KPI-V1", "Repeat victims (all)"),
    ]


def test_a_row_naming_another_partnership_is_refused(client, kpis, officer):
    client.force_login(officer)
    before = snapshot()
    preview = upload(
        client, "ref,name,strategy,partnership\nKPI-V1,Taken over,Elsewhere strategy,Elsewhere Safety Partnership\n"
    )
    assert "confirm_form" not in preview.context
    assert (
        "This row names the partnership “Elsewhere Safety Partnership”: "
        "rows are imported into Test Community Safety Partnership only." in preview.content.decode()
    )
    assert snapshot() == before


def test_an_officer_cleared_for_official_imports_nothing_above_it(client, kpis, official_officer):
    """A strategy marked above their clearance is not theirs to name; a reference taken by an indicator
    they may not see is not matched to it; they mark nothing above OFFICIAL."""
    client.force_login(official_officer)
    before, recorded = snapshot(), history()
    preview = upload(
        client,
        "ref,name,strategy,marking\n"
        "KPI-P2,Prevent training,Prevent strategy,\n"
        "KPI-C1,CT training (all),Test strategy 2024-2027,\n"
        "KPI-V9,New,Test strategy 2024-2027,OFFICIAL-SENSITIVE\n"
        "KPI-V1,Repeat victims,Test strategy 2024-2027,OFFICIAL\n",
    )
    assert "confirm_form" not in preview.context
    assert [(row.number, row.field_specific_errors) for row in preview.context["result"].invalid_rows] == [
        (
            1,
            {
                "strategy": [
                    "Test Community Safety Partnership has no strategy called “Prevent strategy”: name one of its "
                    "strategies (“Test strategy 2024-2027”)."
                ]
            },
        ),
        (
            2,
            {
                "ref": [
                    "Test strategy 2024-2027 has an indicator KPI-C1 that you are not cleared to see: give this one "
                    "another reference, or ask an officer cleared for it."
                ]
            },
        ),
        (3, {"marking": ["You are cleared for OFFICIAL only: mark the indicator so."]}),
    ]
    assert (snapshot(), history()) == (before, recorded)


def test_what_a_computed_indicators_definition_sets_is_not_imported(client, kpis, officer):
    client.force_login(officer)
    before = snapshot()
    preview = upload(
        client,
        "ref,name,strategy,unit,frequency\nKPI-B1,Burglaries (all),Test strategy 2024-2027,Percentage,Monthly\n",
    )
    [invalid] = preview.context["result"].invalid_rows
    assert invalid.field_specific_errors == {
        "unit": [
            "KPI-B1's values are computed from police.uk crime data, so its unit is set by its definition on "
            "the evidence pages: leave it as it is."
        ]
    }
    assert snapshot() == before
    # Its name is the officer's to change.
    preview = upload(client, "ref,name,strategy,unit\nKPI-B1,Burglaries (all),Test strategy 2024-2027,Count\n")
    confirm(client, preview)
    assert Indicator.objects.get(pk=kpis["burglary"].pk).name == "Burglaries (all)"


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("ref,strategy,unit\nKPI-V9,test-2024-2027,miles\n", "unit", "“miles” is not one of: Count, Percentage"),
        ("ref,strategy,target_value\nKPI-V9,test-2024-2027,lots\n", "target_value", '"lots" is not a number: write'),
        ("ref,strategy,decimal_places\nKPI-V9,test-2024-2027,1.5\n", "decimal_places", "“1.5” is not a whole number"),
        ("ref,strategy,marking\nKPI-V9,test-2024-2027,SECRET\n", "marking", "SECRET is not a handling marking"),
        ("ref,strategy\nKPI-V9,\n", "strategy", "Name the strategy the indicator belongs to: one of “Prevent"),
        ("ref,name,strategy\n,Unnamed,test-2024-2027\n", None, "This row has no ref."),
        ("ref,strategy\nKPI-V9,test-2024-2027\n", "name", "This field cannot be blank."),
        (
            "ref,name,strategy,kind,target_kind,target_value\nKPI-V9,New,test-2024-2027,Contextual,absolute,10\n",
            None,
            "A contextual indicator is never rated, so it has no target: leave the target kind blank, or make its "
            "kind Performance.",
        ),
        (
            "ref,name,strategy,unit\nKPI-V9,New,test-2024-2027,count\nKPI-V8,Newer,Test strategy 2024-2027,pints\n",
            "unit",
            "“pints” is not one of",
        ),
    ],
)
def test_a_file_with_a_bad_row_says_which_row_and_column_and_saves_nothing(
    client, kpis, officer, text, column, message
):
    client.force_login(officer)
    before, recorded = snapshot(), history()
    preview = upload(client, text)
    assert preview.status_code == 200
    assert "confirm_form" not in preview.context
    [invalid] = preview.context["result"].invalid_rows
    assert invalid.number == len(text.splitlines()) - 1
    errors = invalid.field_specific_errors.get(column) if column else invalid.non_field_specific_errors
    assert [error[: len(message)] for error in errors] == [message], errors
    page = preview.content.decode()
    assert "Traceback" not in page
    assert "Nothing has been imported: correct the rows below and upload the file again." in page
    assert (snapshot(), history()) == (before, recorded)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,strategy\nNew,test-2024-2027\n", "The file has no ref column. Its first row names the columns: ref, "),
        ("ref,name\nKPI-V9,New\n", "The file has no strategy column. Its first row names the columns: ref, "),
    ],
)
def test_a_file_without_a_column_every_row_needs_says_so(client, kpis, officer, text, message):
    client.force_login(officer)
    before = snapshot()
    preview = upload(client, text)
    page = preview.content.decode()
    assert preview.status_code == 200
    assert message in page
    assert "Traceback" not in page
    assert "Nothing has been imported: correct the file and upload it again." in page
    assert snapshot() == before


def test_a_file_that_no_longer_imports_cleanly_at_confirm_saves_nothing(client, kpis, officer):
    client.force_login(officer)
    preview = upload(
        client,
        "ref,name,strategy,owning_organisation\n"
        "KPI-V9,New,test-2024-2027,\n"
        "KPI-V1,Renamed,test-2024-2027,Test Police\n",
    )
    Indicator.objects.filter(owning_organisation=kpis["repeat"].owning_organisation).update(owning_organisation=None)
    kpis["repeat"].owning_organisation.delete()
    before, recorded = snapshot(), history()
    response = confirm(client, preview)
    assert response.status_code == 302
    assert response.url == f"{INDICATORS}import/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Nothing was imported: the file no longer imports cleanly. Upload it again."
    ]
    assert (snapshot(), history()) == (before, recorded)


def test_an_exported_file_imports_back_unchanged(client, kpis, officer):
    client.force_login(officer)
    exported = export(client, INDICATORS, CSV).content.decode()
    before, recorded = snapshot(), history()
    preview = upload(client, exported)
    assert [row.import_type for row in preview.context["result"].rows] == ["skip", "skip", "skip", "skip"]
    confirm(client, preview)
    assert (snapshot(), history()) == (before, recorded)


# Who may -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["chair", "lead", "executive", "viewer"])
def test_only_officers_import_and_export(client, kpis, users, role):
    client.force_login(users[role])
    before, values = snapshot(), list(IndicatorValue.objects.values_list("pk", "value", "superseded_at"))
    assert [
        client.get(f"{INDICATORS}import/").status_code,
        upload(client, "ref,name,strategy\nKPI-V9,New,test-2024-2027\n").status_code,
        client.post(f"{INDICATORS}process_import/", {}).status_code,
        client.get(f"{INDICATORS}export/").status_code,
        client.post(f"{INDICATORS}export/", {"format": CSV, "resource": "0"}).status_code,
        client.get(f"{VALUES}export/").status_code,
        client.post(f"{VALUES}export/", {"format": CSV, "resource": "0"}).status_code,
    ] == [403, 403, 403, 403, 403, 403, 403]
    assert (snapshot(), list(IndicatorValue.objects.values_list("pk", "value", "superseded_at"))) == (before, values)
    for changelist in (INDICATORS, VALUES):
        assert object_tools(client.get(changelist)) == []


def test_values_have_an_export_button_and_no_import(client, kpis, officer):
    client.force_login(officer)
    response = client.get(VALUES)
    assert object_tools(response) == [f"{VALUES}export/?"]
    page = response.content.decode()
    assert "Values are exported here, never imported" in page
    assert '<a href="/indicators/imports/new/">the value import</a>' in page
    assert object_tools(client.get(INDICATORS)) == [
        f"{INDICATORS}import/",
        f"{INDICATORS}export/?",
        f"{INDICATORS}add/",
    ]
