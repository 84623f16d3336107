"""Indicators computed from crime data through the test client: officers define and change them (and
no one else), bad input refused in words, the values read-only wherever values are typed or imported,
and the figures (incomplete ones saying so) on the indicator page, in the review and in the pack, at a
cost that does not grow with the number of computed indicators."""

import datetime
import io

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from evidence import police
from evidence.models import CrimeIndicator, PoliceDataImport, Ward
from performance.models import Indicator, IndicatorValue, Meeting, MeetingPack
from performance.value_imports import values_check
from strategy.models import Marking, Membership
from tests.conftest import make_user
from tests.evidence.files import street_csv

pytestmark = pytest.mark.django_db

VIOLENCE = "Violence and sexual offences"
CREATE = reverse("evidence:crime_indicator_create")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(datetime.datetime(2025, 2, 15, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


def import_month(partnership, month, rows):
    outcome = police.check_content(
        partnership=partnership, content=street_csv(month, rows), file_name=f"{month}-metropolitan-street.csv"
    )
    return police.police_apply(partnership=partnership, preview=outcome.as_dict(partnership))


@pytest.fixture
def months(plan, area):
    """October and November 2024: 2024/25 Q3 held for 2 of its 3 months."""
    partnership = plan["partnership"]
    import_month(partnership, "2024-10", [("E01000001", VIOLENCE), ("E01000002", VIOLENCE), ("E01000003", VIOLENCE)])
    import_month(partnership, "2024-11", [("E01000001", VIOLENCE), ("E01000003", "Shoplifting")])
    return partnership


def west_end_violence(plan, **changes):
    west_end = Ward.objects.get(partnership=plan["partnership"], code="E05000001")
    data = {
        "strategy": plan["strategy"].pk,
        "ref": "KPI-C1",
        "name": "Violence against the person, West End ward",
        "crimes": "types",
        "crime_types": [VIOLENCE],
        "wards": [west_end.pk],
        "period_kind": "quarterly",
        "kind": "performance",
        "polarity": "lower",
        "target_value": "2",
        "amber_tolerance": "50",
        "comparator_name": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def defined(client, officer, plan, months):
    client.force_login(officer)
    response = client.post(CREATE, west_end_violence(plan))
    indicator = Indicator.objects.get(ref="KPI-C1")
    assert response.status_code == 302
    assert response.url == reverse("performance:indicator_detail", args=[indicator.pk])
    client.logout()
    return indicator


# Who may define them -----------------------------------------------------------------------------------


def test_anonymous_users_are_asked_to_sign_in(client, plan):
    response = client.get(CREATE)
    assert (response.status_code, response.url.split("?")[0]) == (302, "/accounts/login/")


@pytest.mark.parametrize("role", ["chair", "lead", "executive", "viewer"])
def test_only_officers_define_and_change_them(client, users, plan, defined, role):
    client.force_login(users[role])
    edit = reverse("evidence:crime_indicator_edit", args=[defined.pk])
    recompute = reverse("evidence:crime_indicator_recompute", args=[defined.pk])
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, west_end_violence(plan, ref="KPI-C2")).status_code == 403
    assert client.get(edit).status_code == 403
    assert client.post(edit, west_end_violence(plan, period_kind="monthly")).status_code == 403
    assert client.post(recompute).status_code == 403
    assert Indicator.objects.count() == 1
    assert CrimeIndicator.objects.get().period_kind == "quarterly"
    page = client.get(reverse("performance:indicator_detail", args=[defined.pk]))
    assert page.status_code == 200
    assert "Change what it counts" not in page.content.decode()


def test_an_officer_of_another_partnership_cannot_reach_ours(client, outsider, plan, defined, elsewhere):
    client.force_login(outsider)
    assert client.get(reverse("evidence:crime_indicator_edit", args=[defined.pk])).status_code == 404
    assert client.post(reverse("evidence:crime_indicator_recompute", args=[defined.pk])).status_code == 404
    # Their own form offers their strategies and wards only (they have no area yet).
    response = client.post(CREATE, west_end_violence(plan, strategy=elsewhere["strategy"].pk, wards=[]))
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.fields["strategy"].queryset) == [elsewhere["strategy"]]
    assert form.non_field_errors() == [
        "The partnership has no area yet: load the ONS lookup on the evidence page first, so crime can be "
        "counted by ward"
    ]
    response = client.post(CREATE, west_end_violence(plan))
    assert response.context["form"].errors["strategy"] == ["Select one of the strategies listed"]
    assert Indicator.objects.count() == 1


def test_one_marked_above_an_officers_clearance_is_not_theirs(client, plan, defined):
    official_officer = make_user(
        "official", partnership=plan["partnership"], role=Membership.Role.OFFICER, clearance=Marking.OFFICIAL
    )
    Indicator.objects.filter(pk=defined.pk).update(marking=Marking.OFFICIAL_SENSITIVE)
    client.force_login(official_officer)
    assert client.get(reverse("evidence:crime_indicator_edit", args=[defined.pk])).status_code == 404
    assert client.post(reverse("evidence:crime_indicator_recompute", args=[defined.pk])).status_code == 404
    page = client.get(reverse("evidence:home"))
    assert list(page.context["crime_indicators"]) == []
    assert "KPI-C1" not in page.content.decode()


# Defining one ------------------------------------------------------------------------------------------


def test_an_officer_defines_west_end_quarterly_violence(client, officer, defined):
    client.force_login(officer)
    page = client.get(reverse("performance:indicator_detail", args=[defined.pk])).content.decode()
    assert "KPI-C1 Violence against the person, West End ward is computed from the crime data" not in page
    assert "Latest: <strong>3</strong> for 2024/25 Q3" in page
    assert "computed from 2 of 3 months of data" in page
    assert "<strong>Incomplete:</strong> 2 of 3 months" in page
    assert "values are computed from police.uk crime data, so they cannot be typed in or corrected" in page
    assert "Enter a value" not in page and "Correct<span" not in page
    definition = CrimeIndicator.objects.get()
    assert (definition.crimes, definition.crime_types, definition.period_kind) == ("types", [VIOLENCE], "quarterly")
    assert [ward.code for ward in definition.wards.all()] == ["E05000001"]
    assert (defined.target_kind, defined.target_value, defined.amber_tolerance) == ("absolute", 2, 50)
    evidence = client.get(reverse("evidence:home")).content.decode()
    assert "Violence against the person, West End ward</th>" in evidence
    assert "Quarterly (financial-year quarters)" in evidence


def test_the_success_message_says_how_many_figures(client, officer, plan, months):
    client.force_login(officer)
    response = client.post(CREATE, west_end_violence(plan, period_kind="monthly"), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "KPI-C1 Violence against the person, West End ward is computed from the crime data: 2 figures from the "
        "months held."
    ]


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"ref": "", "name": ""}, "ref", "Enter a reference, e.g. KPI-C1"),
        ({"name": "  "}, "name", "Enter the indicator's name"),
        ({"crime_types": []}, "crime_types", 'Select at least one crime type, or select "All crime"'),
        (
            {"crimes": "asb"},
            "crime_types",
            'Crime types are counted only with "The crime types chosen": select it, or clear them',
        ),
        ({"crime_types": ["Jaywalking"]}, "crime_types", "Select crime types from the list"),
        ({"wards": ["999999"]}, "wards", "Select wards from the list"),
        ({"period_kind": None}, "period_kind", "Select the period of each figure"),
        ({"period_kind": "fortnightly"}, "period_kind", "Select the period of each figure from the list"),
        ({"target_value": "2.5"}, "target_value", "Enter the target as a whole number, e.g. 40"),
        ({"target_value": "-1"}, "target_value", "The target cannot be below zero"),
        (
            {"kind": "contextual"},
            "target_value",
            "A contextual indicator is never rated, so it has no target: clear it",
        ),
        (
            {"polarity": "neither"},
            "polarity",
            "A performance indicator is rated: select whether higher or lower is better",
        ),
        ({"amber_tolerance": "150"}, "amber_tolerance", "The amber tolerance must be between 0 and 100"),
        ({"amber_tolerance": "lots"}, "amber_tolerance", "Enter the amber tolerance as a number, e.g. 5"),
    ],
)
def test_bad_input_is_refused_in_words_and_nothing_is_saved(client, officer, plan, months, changes, field, error):
    client.force_login(officer)
    response = client.post(CREATE, west_end_violence(plan, **changes))
    assert response.status_code == 400
    assert response.context["form"].errors[field][0] == error
    assert error.replace('"', "&quot;").replace("'", "&#x27;") in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()
    assert not Indicator.objects.exists()
    assert not IndicatorValue.objects.exists()


def test_a_reference_already_used_in_the_strategy_is_refused(client, officer, plan, defined):
    client.force_login(officer)
    response = client.post(CREATE, west_end_violence(plan))
    assert response.status_code == 400
    assert response.context["form"].errors["ref"] == [
        "KPI-C1 is already the reference of another indicator of Test strategy 2024-2027"
    ]
    assert Indicator.objects.count() == 1


def test_changing_the_definition_computes_its_values_again(client, officer, plan, defined):
    client.force_login(officer)
    edit = reverse("evidence:crime_indicator_edit", args=[defined.pk])
    form = client.get(edit).context["form"]
    assert "strategy" not in form.fields
    assert form.initial["period_kind"] == "quarterly" and form.initial["target_value"] == 2
    response = client.post(edit, west_end_violence(plan, period_kind="monthly", wards=[], strategy=None))
    assert response.status_code == 302
    values = [(str(v.period), v.value) for v in defined.values.current().order_by("period_start")]
    assert values == [("Oct 2024", 3), ("Nov 2024", 1)]
    defined.refresh_from_db()
    assert defined.frequency == "monthly"
    assert "in the whole area, counted over each month" in defined.definition


def test_compute_again_says_what_changed(client, officer, defined):
    client.force_login(officer)
    response = client.post(reverse("evidence:crime_indicator_recompute", args=[defined.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "KPI-C1 was computed again from the crime data held: no figures changed."
    ]


# Recomputed when months arrive --------------------------------------------------------------------------


def test_confirming_an_upload_recomputes_the_figures_and_says_so(client, officer, defined):
    client.force_login(officer)
    december = street_csv("2024-12", [("E01000001", VIOLENCE)] * 4)
    upload = SimpleUploadedFile("2024-12-metropolitan-street.csv", december, content_type="text/csv")
    client.post(reverse("evidence:police_upload"), {"files": [upload]})
    record = PoliceDataImport.objects.get()
    response = client.post(reverse("evidence:police_import_detail", args=[record.pk]), follow=True)
    assert "<li>1 figure of the indicators computed from crime data recomputed</li>" in response.content.decode()
    latest = defined.values.current().get()
    assert (latest.value, latest.months_held, latest.months_expected, latest.coverage) == (7, 3, 3, "")
    assert latest.replaces.value == 3


def test_the_import_command_recomputes_the_figures(defined, tmp_path, capsys):
    path = tmp_path / "2024-12-metropolitan-street.csv"
    path.write_bytes(street_csv("2024-12", [("E01000002", VIOLENCE)]))
    call_command("import_police_data", str(path), "--partnership", "tcsp")
    assert "Recomputed 1 figure(s) of the indicators computed from crime data." in capsys.readouterr().out
    assert defined.values.current().get().value == 4


# Nobody types over a computed value ---------------------------------------------------------------------


def test_the_value_forms_refuse_a_computed_indicator(client, officer, defined):
    client.force_login(officer)
    value = defined.values.get()
    for url in (
        reverse("performance:value_add", args=[defined.pk]),
        reverse("performance:value_correct", args=[defined.pk, value.pk]),
    ):
        response = client.post(url, {"period": "2024/25 Q3", "value": "99", "correction_reason": "typed"}, follow=True)
        assert response.redirect_chain == [(reverse("performance:indicator_detail", args=[defined.pk]), 302)]
        assert [str(m) for m in response.context["messages"]] == [
            "KPI-C1's values are computed from police.uk crime data, so they cannot be typed in or corrected: they "
            "change when the crime data is imported again, or when its definition changes."
        ]
    assert list(defined.values.values_list("value", flat=True)) == [3]


def test_the_back_office_shows_what_it_counts_read_only(client, officer, defined):
    client.force_login(officer)
    response = client.get(reverse("admin:performance_indicator_change", args=[defined.pk]))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "target_value" in form.fields and "polarity" in form.fields
    for name in ("frequency", "period_basis", "unit", "definition", "strategy", "data_source"):
        assert name not in form.fields, name
    ordinary = Indicator.objects.create(strategy=defined.strategy, ref="KPI-1", name="Typed in")
    form = client.get(reverse("admin:performance_indicator_change", args=[ordinary.pk])).context["adminform"].form
    assert "frequency" in form.fields and "definition" in form.fields


def test_a_value_import_refuses_rows_for_a_computed_indicator(officer, plan, defined):
    workbook = openpyxl.Workbook()
    workbook.active.append(["Indicator", "Period", "Value"])
    workbook.active.append(["KPI-C1", "2024/25 Q3", 99])
    buffer = io.BytesIO()
    workbook.save(buffer)
    outcome = values_check(strategy=plan["strategy"], content=buffer.getvalue(), file_name="values.xlsx", by=officer)
    assert [problem.message for problem in outcome.problems] == [
        "KPI-C1's values are computed from police.uk crime data: they cannot be imported"
    ]


@pytest.mark.parametrize("count", [1, 3])
def test_the_evidence_page_lists_them_at_the_same_cost(
    client, officer, plan, defined, count, django_assert_num_queries
):
    client.force_login(officer)
    define_more(client, plan, count)
    client.get(reverse("evidence:home"))
    # The session, the user, the membership; the lookup, wards, local authorities, retired wards, the
    # months held, their first and last; the computed indicators and their wards; recent imports.
    with django_assert_num_queries(12):
        response = client.get(reverse("evidence:home"))
    assert [d.indicator.ref for d in response.context["crime_indicators"]] == [f"KPI-C{n}" for n in range(1, count + 1)]
    assert response.content.decode().count('<td class="govuk-table__cell" data-label="Where">West End</td>') == count


# The review and the pack ---------------------------------------------------------------------------------


def define_more(client, plan, count):
    for number in range(2, count + 1):
        response = client.post(CREATE, west_end_violence(plan, ref=f"KPI-C{number}", name=f"Crime {number}"))
        assert response.status_code == 302


@pytest.mark.parametrize("count", [1, 3])
def test_the_review_shows_incomplete_figures_at_the_same_cost(
    client, officer, plan, defined, count, django_assert_num_queries
):
    client.force_login(officer)
    define_more(client, plan, count)
    # session, user, membership, the review (actions with their states, round, updates on time, agencies,
    # groups, objectives, meetings, challenges, indicators, their values: one query whatever their
    # number), the quarter's packs, the strategies for the switcher (the review's among them)
    with django_assert_num_queries(REVIEW_QUERIES):
        response = client.get(reverse("performance:review", args=["test-2024-2027", "2024-Q3"]))
    page = response.content.decode()
    assert page.count("<strong>Incomplete:</strong> 2 of 3 months") == count
    rows = {row.indicator.ref: row for row in response.context["review"].kpis}
    assert (rows["KPI-C1"].value, rows["KPI-C1"].coverage, rows["KPI-C1"].rag) == (
        3,
        "2 of 3 months",
        ("amber", "Amber"),
    )


REVIEW_QUERIES = 14


@pytest.mark.parametrize("count", [1, 3])
def test_the_pack_shows_incomplete_figures_at_the_same_cost(
    client, officer, plan, defined, count, django_assert_num_queries
):
    client.force_login(officer)
    define_more(client, plan, count)
    meeting = Meeting.objects.create(
        strategy=plan["strategy"], kind=Meeting.Kind.EXECUTIVE, date=datetime.date(2025, 1, 28), year=2024, number=3
    )
    # The request (session, user, membership, meeting, the pack recorded and its task) and the pack made
    # with it (the review's queries, the indicators and their values in one, the files saved): the same
    # for one computed indicator as for three.
    with django_assert_num_queries(PACK_QUERIES):
        client.post(reverse("performance:pack_generate", args=[meeting.pk]))
    pack = MeetingPack.objects.get()
    assert pack.state == MeetingPack.State.ISSUED
    text = " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(bytes(pack.pdf_content))).pages).split()
    )
    assert "KPI-C1 Violence against the person, West End ward" in text
    assert text.count("(incomplete: 2 of 3 months)") == count
    sheet = openpyxl.load_workbook(io.BytesIO(bytes(pack.xlsx_content)))["KPIs"]
    header = [cell.value for cell in sheet[1]]
    row = dict(
        zip(header, next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "KPI-C1"), strict=True)
    )
    assert (row["Latest value"], row["Incomplete data"], row["RAG"]) == (3, "2 of 3 months", "Amber")


PACK_QUERIES = 26
