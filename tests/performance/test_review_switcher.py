"""The review opens on the most recent ended quarter with updates, switches strategy and quarter with
a plain GET form, lists the quarter's packs (truthfully, whatever the reader's clearance) and lets an
officer issue one there."""

import datetime
import io
import re
import zoneinfo

import pytest
import time_machine

from actions.models import Status
from performance.models import Meeting, MeetingPack
from strategy.models import Marking, Strategy
from strategy.periods import Quarter
from tests.conftest import make_action
from tests.performance.review_history import at, make_history, record

LONDON = zoneinfo.ZoneInfo("Europe/London")
URL = "/review/test-2024-2027/2024-Q3/"


def on(year, month, day):
    return time_machine.travel(datetime.datetime(year, month, day, 10, tzinfo=LONDON), tick=False)


@pytest.fixture
def history(plan, officer):
    return make_history(plan, officer)


@pytest.fixture
def meeting(history):
    return Meeting.objects.create(
        strategy=history["strategy"], kind=Meeting.Kind.EXECUTIVE, date=datetime.date(2025, 1, 28), year=2024, number=3
    )


@pytest.fixture
def older(plan, officer):
    """A second strategy of the partnership, whose updates stop in 2024/25 Q1."""
    from actions.models import DeliveryGroup, Objective

    strategy = Strategy.objects.create(
        partnership=plan["partnership"],
        title="Older strategy",
        slug="older",
        start_date=datetime.date(2023, 4, 1),
        end_date=datetime.date(2026, 3, 31),
        status=Strategy.Status.ACTIVE,
    )
    group = DeliveryGroup.objects.create(strategy=strategy, name="Location", code="L")
    action = make_action(Objective.objects.create(delivery_group=group, number=1, title="Hotspots"), "L1.1")
    record(action, officer, at(2024, 5, 10), Status.IN_PROGRESS, "green")
    return strategy


def test_the_review_opens_on_the_most_recent_ended_quarter_with_updates(client, viewer, history, older):
    with on(2025, 2, 15):  # 2024/25 Q4: Q3 has ended, and holds the newest updates
        client.force_login(viewer)
        assert client.get("/review/").url == URL
    with on(2025, 12, 1):  # Q4 2024/25 has the last update; the quarters since have none
        client.force_login(viewer)  # signed in again: the session timed out while time went by
        assert client.get("/review/").url == "/review/test-2024-2027/2024-Q4/"
        assert client.get("/review/test-2024-2027/").url == "/review/test-2024-2027/2024-Q4/"
        assert client.get("/review/older/").url == "/review/older/2024-Q1/"


def test_a_newer_strategy_without_updates_does_not_hide_the_review_that_has_them(client, viewer, older):
    with on(2025, 2, 15):
        client.force_login(viewer)
        # The plan's strategy starts later and has no update; the older one's Q1 has.
        assert client.get("/review/").url == "/review/older/2024-Q1/"


def test_the_switcher_is_a_get_form_to_the_review(client, viewer, history, older, django_assert_num_queries):
    with on(2025, 2, 15):
        client.force_login(viewer)
        content = client.get(URL).content.decode()
        assert '<form method="get" action="/review/"' in content
        assert '<option value="older">Older strategy</option>' in content
        assert '<option value="test-2024-2027" selected>Test strategy 2024-2027</option>' in content
        assert '<option value="2024-Q3" selected>2024/25 Q3</option>' in content

        assert client.get("/review/?strategy=older&quarter=2023-Q4").url == "/review/older/2023-Q4/"
        # A quarter the other strategy does not have: its latest review, saying so.
        response = client.get("/review/?strategy=test-2024-2027&quarter=2023-Q2", follow=True)
        assert response.redirect_chain[-1][0] == "/review/test-2024-2027/2024-Q3/"
        assert "Test strategy 2024-2027 has no ended quarter 2023-Q2: here is its latest review." in (
            response.content.decode()
        )
        assert client.get("/review/?strategy=elsewhere-2024").status_code == 404
        # The session, the user, the membership, the strategies, the updates' latest per strategy.
        with django_assert_num_queries(5):
            assert client.get("/review/").url == URL


def test_the_dashboard_counts_its_queries_with_the_switcher_the_packs_and_the_decisions(
    client, officer, history, meeting, django_assert_num_queries
):
    with on(2025, 2, 15):
        client.force_login(officer)
        client.get(URL)
        # The session, user, membership; the strategies for the switcher (the one shown among them);
        # the review's 12 (groups, objectives, round, counts, listed actions, agencies, meetings,
        # challenges, indicators, texts, leads, updates); the decision form's owners (people,
        # organisations) and the open and overdue decisions; the quarter's packs.
        with django_assert_num_queries(20):
            assert client.get(URL).status_code == 200


def issue(officer, meeting, marking):
    from performance.pack import pack_create

    pack = pack_create(meeting=meeting, by=officer)
    MeetingPack.objects.filter(pk=pack.pk).update(marking=marking)
    return MeetingPack.objects.get(pk=pack.pk)


def test_the_review_lists_the_quarters_packs_within_the_readers_clearance(
    client, officer, viewer, executive, history, meeting
):
    with on(2025, 2, 15):
        sensitive = issue(officer, meeting, Marking.OFFICIAL_SENSITIVE)

        client.force_login(viewer)
        content = client.get(URL).content.decode()
        assert "No pack that you may open has been issued for 2024/25 Q3." in content
        assert "No pack has been issued" not in content
        assert f"/packs/{sensitive.pk}.pdf" not in content
        meeting_page = client.get(f"/meetings/{meeting.pk}/").content.decode()
        assert "No pack that you may open has been issued for this meeting." in meeting_page
        assert "No pack has been issued" not in meeting_page

        client.force_login(executive)
        content = client.get(URL).content.decode()
        assert f'href="/meetings/{meeting.pk}/packs/{sensitive.pk}.pdf"' in content
        assert f'href="/meetings/{meeting.pk}/packs/{sensitive.pk}.xlsx"' in content
        assert "marked OFFICIAL-SENSITIVE" in content


def test_a_reader_cleared_for_everything_is_told_plainly_when_there_is_no_pack(client, executive, history, meeting):
    with on(2025, 2, 15):
        client.force_login(executive)
        assert "No pack has been issued for 2024/25 Q3 yet." in client.get(URL).content.decode()


def test_an_officer_issues_the_pack_from_the_review(client, officer, history, meeting):
    with on(2025, 2, 15):
        client.force_login(officer)
        form = client.get(URL).content.decode()
        assert 'action="/review/test-2024-2027/2024-Q3/packs/"' in form

        response = client.post(f"{URL}packs/", {"meeting": meeting.pk, "amber": "on"})

        pack = MeetingPack.objects.get()
        assert response.url == f"{URL}#packs"
        assert (pack.meeting, pack.quarter, pack.include_amber, pack.state) == (
            meeting,
            meeting.quarter,
            True,
            MeetingPack.State.ISSUED,
        )
        assert f'href="/meetings/{meeting.pk}/packs/{pack.pk}.pdf"' in client.get(URL).content.decode()


def test_issuing_with_no_choice_says_what_to_choose(client, officer, history, meeting):
    with on(2025, 2, 15):
        client.force_login(officer)
        response = client.post(f"{URL}packs/", {})
        content = response.content.decode()
        assert response.status_code == 200
        assert "<title>Error: Quarterly review" in content
        assert "Choose the meeting the pack is for, or no meeting" in content
        assert not MeetingPack.objects.exists()


def test_an_officer_issues_the_quarters_pack_without_a_meeting(client, officer, viewer, executive, history):
    import openpyxl

    with on(2025, 2, 15):
        client.force_login(officer)
        form = client.get(URL).content.decode()
        # No meeting reviews the quarter: the form is offered all the same, "no meeting" chosen.
        assert re.search(r'<input[^>]* name="meeting" value="none"[^>]* checked', form)

        response = client.post(f"{URL}packs/", {"meeting": "none"})

        pack = MeetingPack.objects.get()
        assert response.url == f"{URL}#packs"
        assert (pack.strategy, pack.meeting, pack.quarter, pack.state) == (
            history["strategy"],
            None,
            Quarter(2024, 3),
            MeetingPack.State.ISSUED,
        )
        content = client.get(URL).content.decode()
        assert f'href="/packs/{pack.pk}.pdf"' in content
        assert f'href="/packs/{pack.pk}.xlsx"' in content
        assert "Without a meeting: issued" in content

        download = client.get(f"/packs/{pack.pk}.xlsx")
        name = "test-2024-2027-2024-q3-pack-official-sensitive.xlsx"
        assert download["Content-Disposition"] == f'attachment; filename="{name}"'
        cover = openpyxl.load_workbook(io.BytesIO(download.content))["Cover"]
        rows = {r[0]: r[1] for r in cover.iter_rows(values_only=True)}
        assert rows["Meeting"] == "None: the quarter's pack"
        assert rows["Quarter reviewed"] == "2024/25 Q3 (October to December 2024)"
        assert client.get(f"/packs/{pack.pk}.pdf").content.startswith(b"%PDF")

        # The officer saw the OFFICIAL-SENSITIVE group, so the pack is marked so.
        assert pack.marking == Marking.OFFICIAL_SENSITIVE
        client.force_login(viewer)
        content = client.get(URL).content.decode()
        assert f"/packs/{pack.pk}." not in content
        assert "No pack that you may open has been issued for 2024/25 Q3." in content
        assert client.get(f"/packs/{pack.pk}.pdf").status_code == 404
        client.force_login(executive)
        assert client.get(f"/packs/{pack.pk}.pdf").status_code == 200
        MeetingPack.objects.filter(pk=pack.pk).update(marking=Marking.OFFICIAL)
        client.force_login(viewer)
        assert f'href="/packs/{pack.pk}.pdf"' in client.get(URL).content.decode()
        assert client.get(f"/packs/{pack.pk}.pdf").status_code == 200


@pytest.mark.parametrize("role", ["chair", "lead", "executive", "viewer"])
def test_only_officers_issue_packs_from_the_review(client, users, role, history, meeting):
    with on(2025, 2, 15):
        client.force_login(users[role])
        assert 'action="/review/test-2024-2027/2024-Q3/packs/"' not in client.get(URL).content.decode()
        assert client.post(f"{URL}packs/", {"meeting": meeting.pk}).status_code == 403
    assert not MeetingPack.objects.exists()
