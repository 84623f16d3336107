"""The review pages: which strategy and quarter they show, the Amber switch, refusals, and recording
a challenge or decision (who may, what is checked, and where it then appears)."""

import datetime

import pytest
from django.http import Http404
from django.urls import reverse

from performance.annual_report import FinancialYear
from performance.models import Challenge, Meeting, MeetingPack
from performance.review_views import period_of
from strategy.periods import Quarter
from tests.performance.review_history import make_history
from tests.performance.test_indicator_views import kpis  # noqa: F401 (a fixture)

URL = "/review/test-2024-2027/2024-Q3/"


@pytest.fixture
def history(plan, officer):
    return make_history(plan, officer)


@pytest.fixture
def meeting(history):
    return Meeting.objects.create(
        strategy=history["strategy"], kind=Meeting.Kind.EXECUTIVE, date=datetime.date(2025, 1, 28), year=2024, number=3
    )


def test_review_picks_the_default_strategy_and_its_latest_ended_quarter(client, viewer, plan):
    client.force_login(viewer)
    assert client.get("/review/").url == "/review/test-2024-2027/"
    latest = client.get("/review/test-2024-2027/").url
    assert latest.startswith("/review/test-2024-2027/") and latest.endswith("/")
    assert client.get(latest).status_code == 200
    assert client.get("/review/test-2024-2027/?quarter=2024-Q2").url == "/review/test-2024-2027/2024-Q2/"


@pytest.mark.parametrize("quarter", ["2030-Q1", "2023-Q4", "2024-Q5", "nonsense"])
def test_a_quarter_that_has_not_ended_or_is_outside_the_strategy_is_not_found(quarter, client, viewer, plan):
    client.force_login(viewer)
    assert client.get(f"/review/test-2024-2027/{quarter}/").status_code == 404


def test_the_dashboard_shows_each_section_and_the_amber_switch(client, executive, history):
    client.force_login(executive)
    content = client.get(URL).content.decode()
    for text in (
        "At a glance",
        "Compared with 2024/25 Q2",
        "Exceptions",
        "Changes this quarter",
        "Overdue",
        "No update this quarter",
        "Due next quarter",
        "Key performance indicators",
        "By partner agency",
        "Challenges and decisions",
        "OFFICIAL-SENSITIVE",
        'role="img"',
        '<title id="status-chart-title">',
    ):
        assert text in content, text
    assert "Housing providers have not signed up" in content
    assert "Include Amber actions" in content
    amber = client.get(URL + "?amber=on").content.decode()
    assert "Show Red only" in amber


def test_nothing_above_the_viewers_clearance_shows(client, viewer, history):
    client.force_login(viewer)
    content = client.get(URL).content.decode()
    assert "CONTEST" not in content
    assert "Venue withdrawn" not in content
    assert "OFFICIAL-SENSITIVE" not in content


def test_a_challenge_is_recorded_for_the_meeting_and_shows_on_the_action(client, executive, history, meeting):
    client.force_login(executive)
    response = client.post(
        URL + "challenges/",
        {
            "meeting": meeting.pk,
            "kind": "challenge",
            "action": "v1.1",
            "text": "  Why has no provider signed up?  ",
            "owner_text": "Victim group chair",
        },
    )
    assert response.status_code == 302
    assert response.url.endswith("#challenges")
    challenge = Challenge.objects.get()
    assert (challenge.text, challenge.created_by, challenge.action) == (
        "Why has no provider signed up?",
        executive,
        history["v1_1"],
    )
    assert "Why has no provider signed up?" in client.get(URL).content.decode()
    page = client.get(reverse("actions:action_detail", args=[history["v1_1"].pk])).content.decode()
    assert "Why has no provider signed up?" in page and "Executive Group, 28 January 2025" in page


def test_a_decision_about_a_whole_group(client, officer, history, meeting):
    client.force_login(officer)
    client.post(
        URL + "challenges/",
        {
            "meeting": meeting.pk,
            "kind": "decision",
            "group": history["offender"].pk,
            "text": "Close the group.",
            "owner": f"organisation:{history['police'].pk}",
            "due_date": "31/3/2025",
        },
    )
    decision = Challenge.objects.get()
    assert (decision.delivery_group, decision.owner_organisation, decision.due_date, decision.state) == (
        history["offender"],
        history["police"],
        datetime.date(2025, 3, 31),
        Challenge.State.OPEN,
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "challenge", "action": "", "group": "", "text": "Why?"}, "Enter the reference of one action"),
        ({"kind": "challenge", "action": "Z9.9", "text": "Why?"}, "There is no action Z9.9 in this review"),
        ({"kind": "challenge", "action": "V1.1", "group": "999999", "text": "Why?"}, "Choose one of the delivery"),
        ({"kind": "challenge", "action": "V1.1", "text": "   "}, "Enter what was challenged or decided"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(data, message, client, executive, history, meeting):
    client.force_login(executive)
    response = client.post(URL + "challenges/", {"meeting": meeting.pk, **data})
    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content and message in content
    assert not Challenge.objects.exists()


def test_a_hidden_action_cannot_be_challenged(client, chair, history, meeting):
    client.force_login(chair)  # cleared for OFFICIAL only: C1.1 is not among the choices
    response = client.post(
        URL + "challenges/",
        {"meeting": meeting.pk, "kind": "challenge", "action": "C1.1", "text": "Why?"},
    )
    assert response.status_code == 200
    assert not Challenge.objects.exists()


def test_no_meeting_means_no_challenge(client, executive, history):
    client.force_login(executive)
    content = client.get(URL).content.decode()
    assert "no meeting reviews 2024/25 Q3 yet" in content
    response = client.post(URL + "challenges/", {"kind": "challenge", "action": "V1.1", "text": "Why?"})
    assert "No meeting reviews 2024/25 Q3 yet" in response.content.decode()
    assert not Challenge.objects.exists()


def test_leads_and_viewers_may_not_record_challenges(client, lead, viewer, history, meeting):
    for user in (lead, viewer):
        client.force_login(user)
        assert "Record a challenge or decision" not in client.get(URL).content.decode()
        response = client.post(
            URL + "challenges/",
            {"meeting": meeting.pk, "kind": "challenge", "group": history["victim"].pk, "text": "Why?"},
        )
        assert response.status_code == 403
    assert not Challenge.objects.exists()


def test_a_plan_with_many_objectives_gets_their_counts_on_a_page_of_their_own(client, viewer, history, monkeypatch):
    monkeypatch.setattr("performance.review_views.OBJECTIVE_ROWS_ON_DASHBOARD", 1)
    client.force_login(viewer)
    content = client.get(URL).content.decode()
    assert "/review/test-2024-2027/2024-Q3/objectives/" in content
    page = client.get(URL + "objectives/")
    assert page.status_code == 200
    rows = {row.label: row.total for row in page.context["review"].objective_rows}
    assert rows == {"Victim 1: Identify repeat victims": 2, "Offender 1: Reduce re-offending": 2}


# The KPI table ------------------------------------------------------------------------------------


def test_the_kpi_table_shows_each_indicator_as_at_the_quarter_with_contextual_ones_apart(client, viewer, kpis):  # noqa: F811
    client.force_login(viewer)
    html = client.get(reverse("performance:review", args=["test-2024-2027", "2024-Q2"])).content.decode()
    section = html[html.index('id="kpis"') :]
    rated, contextual = section.split("Contextual and demand indicators (not rated)")
    # KPI-V1 as at 30 September 2024: 13% (not Q3's 12.5%), against a target of 12 with 10% tolerance.
    assert "KPI-V1" in rated and "KPI-V2" not in rated
    for text in ["13.0%", "30/09/2024", "Amber", "Met-wide figure"]:
        assert text in rated, text
    assert "12.5%" not in rated
    # Both directions of travel: down from 15% (better), and no figure for 2023/24 Q2.
    assert "Improving" in rated and "No figure a year earlier" in rated
    # The contextual indicator is apart and never rated; the sensitive one is above the viewer.
    assert "KPI-V2" in contextual and "62" in contextual and "30/09/2024" in contextual
    assert "Not rated" not in contextual and "Amber" not in contextual
    assert "KPI-C1" not in html


def test_the_packs_kpi_sheet_has_the_same_figures(officer, kpis):  # noqa: F811
    import io
    from decimal import Decimal

    import openpyxl
    from pypdf import PdfReader

    from performance.pack import pack_create

    meeting = Meeting.objects.create(
        strategy=kpis["repeat"].strategy, date=datetime.date(2025, 1, 28), year=2024, number=3
    )
    issued = MeetingPack.objects.get(pk=pack_create(meeting=meeting, by=officer).pk)
    sheet = openpyxl.load_workbook(io.BytesIO(bytes(issued.xlsx_content)))["KPIs"]
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True) if row[0] in ("KPI-V1", "KPI-V2", "KPI-C1")}
    data_to = datetime.datetime(2024, 12, 31)
    # Figures are numbers (shown in their unit by the cell's format); the target's words stay text.
    assert rows["KPI-V1"][2:] == (
        "Performance",
        Decimal("12.5"),
        "Percentage",
        data_to,
        None,  # entered, not computed from incomplete months
        "12.0% or lower",
        12,
        "Amber",  # 12.5 against 12, within the 10% tolerance
        "Improving",
        None,  # no figure for 2023/24 Q3
        15,
        "Met-wide figure",
    )
    assert rows["KPI-V2"][2:] == (
        "Contextual (not rated)",
        70,
        "Count",
        data_to,
        None,
        None,
        None,
        None,
        "Up",
        None,
        None,
        None,
    )
    assert rows["KPI-C1"][2:10] == ("Performance", 150, "Count", data_to, None, "300 or higher", 300, "Red")
    # And the PDF's one-page summary (after the cover and contents) has the same table.
    summary = " ".join(PdfReader(io.BytesIO(bytes(issued.pdf_content))).pages[2].extract_text().split())
    assert summary.startswith("Summary")
    for text in ["KPI-V1", "12.5%", "31/12/2024", "12.0% or lower", "Amber", "KPI-V2", "70", "KPI-C1"]:
        assert text in summary, text


@pytest.mark.parametrize(
    ("slug", "periods", "parse", "kind", "state", "found"),
    [
        ("2024-Q3", [Quarter(2024, 4), Quarter(2024, 3)], Quarter.from_slug, "a quarter", "ended", Quarter(2024, 3)),
        (
            "2024-25",
            [FinancialYear(2025), FinancialYear(2024)],
            FinancialYear.from_slug,
            "a financial year",
            "begun",
            FinancialYear(2024),
        ),
    ],
)
def test_a_period_named_in_the_address_is_found_among_the_strategys(slug, periods, parse, kind, state, found):
    assert period_of("Test strategy", slug, periods=periods, parse=parse, kind=kind, state=state) == found


@pytest.mark.parametrize(
    ("slug", "periods", "parse", "kind", "state", "message"),
    [
        (
            "2025-Q1",
            [Quarter(2024, 4), Quarter(2024, 3)],
            Quarter.from_slug,
            "a quarter",
            "ended",
            "2025-Q1 is not a quarter of Test strategy that has ended (from 2024/25 Q3 to 2024/25 Q4).",
        ),
        (
            "soon",
            [],
            Quarter.from_slug,
            "a quarter",
            "ended",
            "soon is not a quarter of Test strategy that has ended (none has ended yet).",
        ),
        (
            "2026-27",
            [FinancialYear(2025), FinancialYear(2024)],
            FinancialYear.from_slug,
            "a financial year",
            "begun",
            "2026-27 is not a financial year of Test strategy that has begun (from 2024/25 to 2025/26).",
        ),
        (
            "2024",
            [],
            FinancialYear.from_slug,
            "a financial year",
            "begun",
            "2024 is not a financial year of Test strategy that has begun (none has begun yet).",
        ),
    ],
)
def test_a_period_not_among_the_strategys_is_not_found_saying_which_are(slug, periods, parse, kind, state, message):
    with pytest.raises(Http404) as refused:
        period_of("Test strategy", slug, periods=periods, parse=parse, kind=kind, state=state)
    assert str(refused.value) == message
