"""The decision log: owners, due dates, states and responses; carrying open decisions into the body's
next meeting and its pack; the filtered list and its downloads; markings; held meetings and the
audit trail of meetings, challenges, decisions and packs."""

import csv
import datetime
import importlib
import io

import openpyxl
import pytest
import time_machine
from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.urls import reverse

from performance.models import Attendance, Challenge, HeldMeetingError, Meeting, MeetingPack
from strategy.models import Person
from tests.conftest import violates

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
# Between the body's second meeting (April 2025) and the decision's due date (30 May 2025).
BEFORE_DUE = datetime.datetime(2025, 5, 2, 12, tzinfo=UTC)
AFTER_DUE = datetime.datetime(2025, 6, 16, 12, tzinfo=UTC)


def meeting_on(plan, date, year, number, **fields):
    return Meeting.objects.create(strategy=plan["strategy"], date=date, year=year, number=number, **fields)


def plan_of(meetings):
    return {"strategy": meetings["january"].strategy}


@pytest.fixture
def meetings(plan):
    """Three Executive Group meetings, and a Victim group meeting between them (another body)."""
    return {
        "january": meeting_on(plan, datetime.date(2025, 1, 28), 2024, 3),
        "april": meeting_on(plan, datetime.date(2025, 4, 29), 2024, 4),
        "july": meeting_on(plan, datetime.date(2025, 7, 29), 2025, 1),
        "victim": meeting_on(
            plan, datetime.date(2025, 5, 6), 2024, 4, kind=Meeting.Kind.DELIVERY_GROUP, delivery_group=plan["victim"]
        ),
    }


def decide(meeting, text, **fields):
    fields.setdefault("kind", Challenge.Kind.DECISION)
    fields.setdefault("state", Challenge.State.OPEN)
    fields.setdefault("created_at", datetime.datetime.combine(meeting.date, datetime.time(11), tzinfo=UTC))
    return Challenge.objects.create(meeting=meeting, text=text, **fields)


@pytest.fixture
def decisions(plan, meetings, officer):
    january = meetings["january"]
    return {
        "lena": decide(
            january,
            "Bring a recovery plan for V1.1.",
            action=plan["v1_1"],
            owner_person=plan["lena"],
            due_date=datetime.date(2025, 5, 30),
            created_by=officer,
        ),
        "police": decide(
            january,
            '=HYPERLINK("http://x") Police to review the referral route.',
            objective=plan["v1"],
            owner_organisation=plan["police"],
            due_date=datetime.date(2025, 3, 1),
        ),
        "whole": decide(january, "Agree the terms of reference.", owner_text="Board secretary"),
        "sensitive": decide(
            january,
            "Review the venue list.",
            action=plan["c1_1"],
            owner_person=plan["omar"],
            due_date=datetime.date(2025, 4, 1),
        ),
        "challenge": decide(january, "Why so slow?", kind=Challenge.Kind.CHALLENGE, state="", action=plan["v1_2"]),
    }


# The model ------------------------------------------------------------------------------------------


def test_a_challenge_has_no_state_and_a_decision_always_has_one(plan, meetings):
    with (
        pytest.raises(IntegrityError, match=violates(Challenge, "challenge_state_only_for_decisions")),
        transaction.atomic(),
    ):
        Challenge.objects.create(
            meeting=meetings["january"], kind="challenge", state="open", action=plan["v1_1"], text="Why?"
        )
    with (
        pytest.raises(IntegrityError, match=violates(Challenge, "challenge_state_only_for_decisions")),
        transaction.atomic(),
    ):
        Challenge.objects.create(meeting=meetings["january"], kind="decision", state="", text="Do it.")


def test_a_closed_decision_has_a_response_and_a_time(meetings):
    with (
        pytest.raises(IntegrityError, match=violates(Challenge, "decision_closed_with_response")),
        transaction.atomic(),
    ):
        decide(meetings["january"], "Do it.", state=Challenge.State.DONE)


def test_a_decision_has_one_owner_and_is_about_one_thing_at_most(plan, meetings):
    with pytest.raises(IntegrityError, match=violates(Challenge, "decision_one_owner")), transaction.atomic():
        decide(meetings["january"], "Do it.", owner_person=plan["lena"], owner_organisation=plan["police"])
    with pytest.raises(IntegrityError, match=violates(Challenge, "challenge_about_one_thing")), transaction.atomic():
        decide(meetings["january"], "Do it.", action=plan["v1_1"], objective=plan["v1"])
    with pytest.raises(IntegrityError, match=violates(Challenge, "challenge_about_one_thing")), transaction.atomic():
        Challenge.objects.create(meeting=meetings["january"], kind="challenge", text="Why?")  # about nothing


def test_the_migration_turns_owners_written_as_names_into_owners_and_keeps_the_rest_readable(plan, meetings):
    migration = importlib.import_module("performance.migrations.0012_decision_log_and_history")
    named = decide(meetings["january"], "One.", owner_text="  lena   LEAD ")
    agency = decide(meetings["january"], "Two.", owner_text="Test Police")
    written = decide(meetings["january"], "Three.", owner_text="The group chair")
    migration.owners_and_states(apps, None)
    named.refresh_from_db()
    agency.refresh_from_db()
    written.refresh_from_db()
    assert (named.owner_person, named.owner_text, named.owner) == (plan["lena"], "", "Lena Lead")
    assert (agency.owner_organisation, agency.owner) == (plan["police"], "Test Police")
    assert (written.owner_person, written.owner_organisation, written.owner) == (None, None, "The group chair")


# Carried into the next meeting ------------------------------------------------------------------------


@time_machine.travel(BEFORE_DUE, tick=False)
def test_the_next_meeting_of_the_same_body_shows_open_decisions_with_overdue_flagged(
    client, officer, meetings, decisions
):
    client.force_login(officer)
    page = client.get(reverse("performance:meeting_detail", args=[meetings["april"].pk])).content.decode()
    section = page.split('id="previous-actions"')[1].split("</table>")[0]
    assert "Bring a recovery plan for V1.1." in section and "Lena Lead" in section and "30/05/2025" in section
    assert "Police to review the referral route." in section and "Test Police" in section
    assert "Agree the terms of reference." in section and "Board secretary" in section
    assert "Why so slow?" not in section  # a challenge is not followed up
    assert section.count("govuk-tag--red") == 2  # due 1 March and (sensitive) 1 April are overdue
    assert "4 decisions from earlier meetings of this body, 2 overdue" in page


@time_machine.travel(BEFORE_DUE, tick=False)
def test_another_bodys_meeting_and_the_same_meeting_carry_nothing(client, officer, meetings, decisions):
    client.force_login(officer)
    for meeting in (meetings["victim"], meetings["january"]):
        page = client.get(reverse("performance:meeting_detail", args=[meeting.pk])).content.decode()
        assert "Nothing carried forward from earlier meetings of this body." in page


def test_a_decision_closed_since_the_body_last_met_shows_once_more_then_drops_off(client, officer, meetings, decisions):
    client.force_login(officer)
    with time_machine.travel(datetime.datetime(2025, 5, 20, 10, tzinfo=UTC), tick=False):
        decisions["lena"].record_close(by=officer, state=Challenge.State.DONE, response="Plan agreed with partners.")
    with time_machine.travel(datetime.datetime(2025, 8, 1, 10, tzinfo=UTC), tick=False):
        july = client.get(reverse("performance:meeting_detail", args=[meetings["july"].pk])).content.decode()
        assert "Plan agreed with partners." in july  # closed after April's meeting: July sees it done
        october = meeting_on(plan_of(meetings), datetime.date(2025, 10, 28), 2025, 2)
        later = client.get(reverse("performance:meeting_detail", args=[october.pk])).content.decode()
        assert "Plan agreed with partners." not in later  # closed before July's: October no longer sees it


def test_a_decision_closed_before_the_body_last_met_is_not_carried(client, officer, plan, meetings, decisions):
    client.force_login(officer)
    with time_machine.travel(datetime.datetime(2025, 3, 20, 10, tzinfo=UTC), tick=False):
        decisions["whole"].record_close(by=officer, state=Challenge.State.DROPPED, response="Superseded.")
    with time_machine.travel(datetime.datetime(2025, 8, 1, 10, tzinfo=UTC), tick=False):
        july = client.get(reverse("performance:meeting_detail", args=[meetings["july"].pk])).content.decode()
        april = client.get(reverse("performance:meeting_detail", args=[meetings["april"].pk])).content.decode()
    assert "Agree the terms of reference." not in july  # closed before April's meeting
    assert "Superseded." in april  # closed since January's: April sees it dropped


@time_machine.travel(BEFORE_DUE, tick=False)
def test_a_decision_about_something_above_the_readers_clearance_never_reaches_them(client, chair, meetings, decisions):
    client.force_login(chair)  # cleared for OFFICIAL only
    pages = [
        client.get(reverse("performance:meeting_detail", args=[meetings["april"].pk])).content.decode(),
        client.get(reverse("performance:meeting_detail", args=[meetings["january"].pk])).content.decode(),
        client.get(reverse("performance:decision_list")).content.decode(),
        client.get(reverse("performance:decision_list_csv")).content.decode("utf-8-sig"),
    ]
    for page in pages:
        assert "Review the venue list." not in page
        assert "Bring a recovery plan for V1.1." in page
    assert client.get(reverse("performance:decision_detail", args=[decisions["sensitive"].pk])).status_code == 404


@time_machine.travel(BEFORE_DUE, tick=False)
def test_the_meeting_page_costs_the_same_whatever_it_carries(
    client, officer, plan, meetings, decisions, django_assert_num_queries
):
    client.force_login(officer)
    url = reverse("performance:meeting_detail", args=[meetings["april"].pk])
    client.get(url)
    # session, user, membership; the meeting; its previous meeting (same body); the decisions carried;
    # its attendance; its packs; its challenges
    with django_assert_num_queries(9):
        first = client.get(url)
    for number in range(20):
        decide(
            meetings["january"],
            f"More {number}.",
            action=plan["v1_2"],
            owner_person=plan["omar"],
            due_date=datetime.date(2025, 6, 1),
        )
        person = Person.objects.create(partnership=plan["partnership"], name=f"Member {number:02}")
        Attendance.objects.create(meeting=meetings["april"], person=person, state=Attendance.State.ATTENDED)
    with django_assert_num_queries(9):
        more = client.get(url)
    page = more.content.decode()
    assert page.count("More ") == 20 and page.count("Member ") == 20 and first.status_code == 200


# The pack -----------------------------------------------------------------------------------------


def test_the_pack_lists_actions_from_previous_meetings(officer, meetings, decisions):
    from performance.pack import pack_files

    pack = MeetingPack.objects.create(
        meeting=meetings["april"],
        year=2024,
        number=4,
        issued_by=officer,
        issued_at=datetime.datetime(2025, 4, 28, 12, tzinfo=UTC),
    )
    with time_machine.travel(datetime.datetime(2025, 5, 20, 10, tzinfo=UTC), tick=False):
        # Closed after the pack was issued: the pack shows it as it was then, open.
        decisions["lena"].record_close(by=officer, state=Challenge.State.DONE, response="Plan agreed.")
    files = pack_files(MeetingPack.objects.select_related("meeting__strategy", "issued_by").get(pk=pack.pk))
    sheet = openpyxl.load_workbook(io.BytesIO(files.xlsx))["Previous meetings"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Meeting", "About", "Decision", "Owner", "Due", "State", "Overdue", "Response")
    by_text = {row[2]: row for row in rows[1:]}
    assert by_text["Bring a recovery plan for V1.1."][3:8] == (
        "Lena Lead",
        datetime.datetime(2025, 5, 30),
        "Open",
        None,
        None,
    )
    police = by_text['\'=HYPERLINK("http://x") Police to review the referral route.']
    assert police[1:7] == ("Objective 1", police[2], "Test Police", datetime.datetime(2025, 3, 1), "Open", "Overdue")
    assert files.marking == "official_sensitive"  # the sensitive decision is in it, as the officer may see


# The list -------------------------------------------------------------------------------------------

PHRASES = {
    "lena": "Bring a recovery plan",
    "police": "Police to review the referral route",
    "whole": "Agree the terms of reference",
    "sensitive": "Review the venue list",
}


@time_machine.travel(AFTER_DUE, tick=False)
def test_the_list_filters_by_state_overdue_owner_and_agency(client, officer, plan, decisions):
    client.force_login(officer)
    decisions["whole"].record_close(by=officer, state=Challenge.State.DROPPED, response="Superseded.")

    def listed(**query):
        page = client.get(reverse("performance:decision_list"), query).content.decode()
        return {name for name, phrase in PHRASES.items() if phrase in page}

    assert listed() == {"lena", "police", "whole", "sensitive"}
    assert listed(state="open") == {"lena", "police", "sensitive"}
    assert listed(state="dropped") == {"whole"}
    assert listed(overdue="true") == {"lena", "police", "sensitive"}
    assert listed(owner=plan["lena"].pk) == {"lena"}
    assert listed(agency=plan["police"].pk) == {"police", "sensitive"}  # owned by it, or by Omar of the police
    assert listed(agency=plan["council"].pk) == {"lena"}  # Lena is the council's
    assert listed(strategy="test-2024-2027", state="open", owner=plan["omar"].pk) == {"sensitive"}


@time_machine.travel(BEFORE_DUE, tick=False)
def test_a_bad_filter_says_so(client, officer, decisions):
    client.force_login(officer)
    page = client.get(reverse("performance:decision_list"), {"state": "lost"}).content.decode()
    assert "There is a problem" in page and "Select a valid choice" in page


@time_machine.travel(BEFORE_DUE, tick=False)
def test_the_list_costs_the_same_at_two_sizes(client, officer, plan, meetings, decisions, django_assert_num_queries):
    client.force_login(officer)
    url = reverse("performance:decision_list") + "?state=open"
    client.get(url)
    # session, user, membership; the count; the page; strategies, people and agencies for the filters
    with django_assert_num_queries(8):
        client.get(url)
    for number in range(60):
        decide(meetings["april"], f"Extra {number}.", owner_person=plan["lena"], due_date=datetime.date(2025, 9, 1))
    with django_assert_num_queries(8):
        page = client.get(url).content.decode()
    assert "<strong>64</strong> decisions found" in page  # the four open, and sixty more


@time_machine.travel(AFTER_DUE, tick=False)
def test_the_downloads_hold_the_filtered_decisions_with_formulas_escaped(client, officer, plan, decisions):
    client.force_login(officer)
    response = client.get(reverse("performance:decision_list_csv"), {"agency": plan["police"].pk})
    assert response["Content-Disposition"] == 'attachment; filename="decisions-2025-06-16-official-sensitive.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["Decision"] for row in rows] == [
        '\'=HYPERLINK("http://x") Police to review the referral route.',
        "Review the venue list.",
    ]
    assert (rows[0]["Owner"], rows[0]["Due"], rows[0]["State"], rows[0]["Overdue"]) == (
        "Test Police",
        "01/03/2025",
        "Open",
        "Yes",
    )
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("performance:decision_list_xlsx"), {"owner": plan["lena"].pk}).content)
    )
    sheet = workbook["Decisions"]
    assert [cell.value for cell in sheet[2]][2:8] == [
        "V1.1",
        "Bring a recovery plan for V1.1.",
        "Lena Lead",
        datetime.datetime(2025, 5, 30),
        "Open",
        "Yes",
    ]
    assert sheet.max_row == 2


# Closing and changing ----------------------------------------------------------------------------------


@time_machine.travel(BEFORE_DUE, tick=False)
def test_the_owner_closes_their_decision_with_a_response_but_may_not_drop_it(client, lead, decisions):
    client.force_login(lead)
    url = reverse("performance:decision_detail", args=[decisions["lena"].pk])
    dropped = client.post(url, {"state": "dropped", "response": "Not needed."})
    assert dropped.status_code == 200 and "Choose done or dropped" in dropped.content.decode()
    empty = client.post(url, {"state": "done", "response": "  "})
    assert "Enter the response" in empty.content.decode()
    assert client.post(url, {"state": "done", "response": "Plan agreed."}).status_code == 302
    decision = Challenge.objects.get(pk=decisions["lena"].pk)
    assert (decision.state, decision.response, decision.closed_by) == ("done", "Plan agreed.", lead)
    assert decision.closed_at == BEFORE_DUE
    # Once closed, nobody closes it again.
    assert client.post(url, {"state": "done", "response": "Again."}).status_code == 403


@time_machine.travel(BEFORE_DUE, tick=False)
def test_someone_else_may_not_close_a_decision_but_an_officer_drops_one_with_a_reason(client, lead, officer, decisions):
    url = reverse("performance:decision_detail", args=[decisions["police"].pk])
    client.force_login(lead)  # of the council: the police own it
    assert client.post(url, {"state": "done", "response": "Done."}).status_code == 403
    client.force_login(officer)
    assert client.post(url, {"state": "dropped", "response": "The route changed."}).status_code == 302
    assert Challenge.objects.get(pk=decisions["police"].pk).state == "dropped"


@time_machine.travel(BEFORE_DUE, tick=False)
def test_an_officer_changes_a_decision_and_the_history_keeps_both(client, officer, plan, decisions):
    client.force_login(officer)
    url = reverse("performance:decision_edit", args=[decisions["whole"].pk])
    response = client.post(
        url, {"text": "Agree the terms.", "owner": f"person:{plan['carla'].pk}", "due_date": "30/6/2025"}
    )
    assert response.status_code == 302
    decision = Challenge.objects.get(pk=decisions["whole"].pk)
    assert (decision.text, decision.owner, decision.owner_text) == ("Agree the terms.", "Carla Chair", "")
    versions = list(decision.history.order_by("history_id").values_list("text", "owner_text", "history_user"))
    assert versions == [
        ("Agree the terms of reference.", "Board secretary", None),
        ("Agree the terms.", "", officer.pk),
    ]


# Held meetings ------------------------------------------------------------------------------------------


@time_machine.travel(BEFORE_DUE, tick=False)
def test_once_held_a_decision_is_corrected_only_with_a_reason_which_the_audit_trail_shows(
    client, officer, lead, plan, meetings, decisions
):
    client.force_login(officer)
    assert client.post(reverse("performance:meeting_held", args=[meetings["january"].pk])).status_code == 302
    january = Meeting.objects.get(pk=meetings["january"].pk)
    assert (january.held_at, january.held_by) == (BEFORE_DUE, officer)
    url = reverse("performance:decision_edit", args=[decisions["lena"].pk])
    data = {"text": "Bring a recovery plan for V1.1 and V1.2.", "owner": f"person:{plan['lena'].pk}"}
    refused = client.post(url, {**data, "due_date": "30/6/2025"})
    assert "Enter why what was recorded at the held meeting is being corrected" in refused.content.decode()
    assert Challenge.objects.get(pk=decisions["lena"].pk).text == "Bring a recovery plan for V1.1."
    corrected = client.post(url, {**data, "due_date": "30/6/2025", "reason": "The minutes named V1.2 as well."})
    assert corrected.status_code == 302
    latest = decisions["lena"].history.order_by("-history_id").first()
    assert latest.history_change_reason == "Correction: The minutes named V1.2 as well."
    audit = client.get("/audit/", {"kind": "performance.challenge"}).content.decode()
    assert "Correction: The minutes named V1.2 as well." in audit
    # Closing is follow-up, not the record: the owner still closes it without a correction.
    client.force_login(lead)
    close = client.post(
        reverse("performance:decision_detail", args=[decisions["lena"].pk]), {"state": "done", "response": "Done."}
    )
    assert close.status_code == 302


@time_machine.travel(BEFORE_DUE, tick=False)
def test_a_held_meetings_record_refuses_a_change_without_a_reason_and_any_delete(officer, plan, meetings, decisions):
    meeting = meetings["january"]
    meeting.held_at = BEFORE_DUE
    meeting.save()
    decision = Challenge.objects.get(pk=decisions["police"].pk)
    decision.text = "Rewritten."
    with pytest.raises(HeldMeetingError):
        decision.save()
    with pytest.raises(HeldMeetingError):
        Challenge.objects.create(meeting=meeting, kind="challenge", action=plan["v1_1"], text="Added later?")
    meeting.notes = "Moved rooms."
    with pytest.raises(HeldMeetingError):
        meeting.save()
    with pytest.raises(ProtectedError), transaction.atomic():
        decisions["police"].delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        Meeting.objects.get(pk=meeting.pk).delete()
    assert Challenge.objects.filter(meeting=meeting).count() == 5


@time_machine.travel(BEFORE_DUE, tick=False)
def test_a_held_meeting_is_corrected_on_its_page_with_a_reason(client, officer, meetings):
    meeting = meetings["january"]
    client.force_login(officer)
    client.post(reverse("performance:meeting_held", args=[meeting.pk]))
    url = reverse("performance:meeting_edit", args=[meeting.pk])
    data = {"kind": "executive", "date": "28/01/2025", "quarter": "2024-Q3", "title": "", "notes": "Room 2."}
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "Enter why what was recorded at the held meeting is being corrected" in refused.content.decode()
    assert client.post(url, {**data, "reason": "Wrong room minuted."}).status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).notes == "Room 2."
    assert meeting.history.order_by("-history_id").first().history_change_reason == "Correction: Wrong room minuted."


@time_machine.travel(BEFORE_DUE, tick=False)
def test_a_meeting_yet_to_happen_cannot_be_marked_held(client, officer, meetings):
    client.force_login(officer)
    response = client.post(reverse("performance:meeting_held", args=[meetings["july"].pk]), follow=True)
    assert "has not taken place yet" in response.content.decode()
    assert Meeting.objects.get(pk=meetings["july"].pk).held_at is None


@time_machine.travel(BEFORE_DUE, tick=False)
def test_the_back_office_records_changes_and_keeps_a_held_meetings_record(client, plan, meetings, decisions):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    client.force_login(admin)
    decision = decisions["whole"]
    change = reverse("admin:performance_challenge_change", args=[decision.pk])
    form = client.get(change)
    assert form.status_code == 200
    response = client.post(
        change,
        {
            "meeting": decision.meeting_id,
            "kind": "decision",
            "text": "Agree the terms of reference by March.",
            "owner_text": "Board secretary",
            "state": "open",
            "response": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert decision.history.order_by("-history_id").first().history_user == admin
    assert decision.history.order_by("-history_id").first().text == "Agree the terms of reference by March."
    Meeting.objects.filter(pk=decision.meeting_id).update(held_at=BEFORE_DUE)
    view_only = client.get(change)
    assert view_only.status_code == 200 and 'name="_save"' not in view_only.content.decode()
    assert client.get(reverse("admin:performance_challenge_delete", args=[decision.pk])).status_code == 403
    delete = client.post(reverse("admin:performance_challenge_delete", args=[decision.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert Challenge.objects.filter(pk=decision.pk).exists()
    meeting_delete = client.post(
        reverse("admin:performance_meeting_delete", args=[decision.meeting_id]), {"post": "yes"}
    )
    assert meeting_delete.status_code == 403


# The review dashboard ---------------------------------------------------------------------------------------


@time_machine.travel(AFTER_DUE, tick=False)
def test_the_review_dashboard_counts_open_and_overdue_decisions_and_links_to_them(client, officer, chair, decisions):
    client.force_login(officer)
    page = client.get("/review/test-2024-2027/2024-Q4/").content.decode()
    section = page.split('id="open-decisions"')[1].split("</p>")[0]
    assert "/decisions/?strategy=test-2024-2027&amp;state=open" in section
    assert ">4<" in section and "3 overdue" in section
    client.force_login(chair)  # not cleared for the sensitive one
    section = client.get("/review/test-2024-2027/2024-Q4/").content.decode().split('id="open-decisions"')[1]
    assert ">3<" in section.split("</p>")[0] and "2 overdue" in section.split("</p>")[0]


def test_pack_history_records_the_issue(officer, meetings):
    pack = MeetingPack.objects.create(meeting=meetings["january"], year=2024, number=3, issued_by=officer)
    from performance.pack import _failed

    _failed(pack.pk, "No fonts.")
    assert list(pack.history.order_by("history_id").values_list("state", flat=True)) == ["generating", "failed"]
