"""Following decisions through: owners answer their open decisions on My actions (as a person, or for
their organisation), meetings record attendance (kept like the rest of a held meeting's record, in
the audit trail, on the page and in the pack), decisions about each kind of thing, and the demo's
decision from its last meeting to its owner's response and a correction after the meeting is held."""

# ruff: noqa: F811 (the decision log's fixtures, imported from its tests)
import datetime
import io

import openpyxl
import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.db.models import ProtectedError
from django.urls import reverse

from performance.models import Attendance, Challenge, HeldMeetingError, Meeting, MeetingPack
from strategy.models import Membership, Person
from tests.conftest import make_user
from tests.performance.test_decisions import AFTER_DUE, BEFORE_DUE, decide, decisions, meetings  # noqa: F401

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
MY_ACTIONS = "/my/"


def respond_url(decision):
    return reverse("performance:decision_respond", args=[decision.pk])


def answer(decision, response, state=None):
    data = {f"decision-{decision.pk}-response": response}
    if state:
        data[f"decision-{decision.pk}-state"] = state
    return data


# My actions ---------------------------------------------------------------------------------------


@time_machine.travel(AFTER_DUE, tick=False)
def test_my_actions_lists_the_owners_open_decisions_after_the_actions_needing_an_update(client, lead, decisions):
    client.force_login(lead)
    page = client.get(MY_ACTIONS).content.decode()
    section = page.split('id="decisions-test-2024-2027"')[1]
    assert page.index('id="needs-update-test-2024-2027"') < page.index('id="decisions-test-2024-2027"')
    assert "1 open decision names you or your organisation as owner" in section
    assert "Bring a recovery plan for V1.1." in section
    assert "Overdue" in section.split("</form>")[0]  # due 30 May 2025
    # The police's, the board secretary's and the one above the lead's clearance are not hers.
    for other in ("Police to review", "Agree the terms", "Review the venue list"):
        assert other not in page
    # Only done for an owner: no choice of dropping it.
    assert f'name="decision-{decisions["lena"].pk}-state"' not in section


@time_machine.travel(BEFORE_DUE, tick=False)
def test_an_organisations_decision_is_answered_by_its_people_who_take_part(client, chair, plan, decisions):
    # Carla chairs for the police, who own "police" (the meeting named the organisation).
    client.force_login(chair)
    page = client.get(MY_ACTIONS).content.decode()
    assert "Police to review the referral route." in page and "Bring a recovery plan" not in page
    header = page.split("</header>")[0]
    assert 'href="/my/"' in header
    # A viewer of the police does not answer for it, and a decision closed is no longer listed.
    omar_viewer = make_user("omar", partnership=plan["partnership"], role=Membership.Role.VIEWER, person=plan["omar"])
    client.force_login(omar_viewer)
    assert "Police to review" not in client.get(MY_ACTIONS).content.decode()
    assert client.post(respond_url(decisions["police"]), answer(decisions["police"], "Done.")).status_code == 403
    client.force_login(chair)
    response = client.post(respond_url(decisions["police"]), answer(decisions["police"], "Route reviewed."))
    assert response.status_code == 302 and response.url == MY_ACTIONS
    decision = Challenge.objects.get(pk=decisions["police"].pk)
    assert (decision.state, decision.response, decision.closed_by) == ("done", "Route reviewed.", chair)
    assert "Police to review" not in client.get(MY_ACTIONS).content.decode()


@time_machine.travel(BEFORE_DUE, tick=False)
def test_an_executive_member_who_owns_a_decision_is_offered_my_actions(client, executive, plan, decisions):
    client.force_login(executive)
    assert 'href="/my/"' not in client.get("/decisions/").content.decode().split("</header>")[0]
    plan["omar"].user = executive
    plan["omar"].save()
    client.force_login(executive)
    assert 'href="/my/"' in client.get("/decisions/").content.decode().split("</header>")[0]
    page = client.get(MY_ACTIONS).content.decode()
    # Omar owns the sensitive decision (the executive is cleared for it) and, for the police, "police".
    assert "Review the venue list." in page and "Police to review the referral route." in page
    assert "2 open decisions name you or your organisation as owner" in page


@time_machine.travel(BEFORE_DUE, tick=False)
def test_the_owner_answers_on_my_actions_and_a_blank_answer_is_sent_back_with_what_was_typed_kept(
    client, lead, decisions
):
    decision = decisions["lena"]
    client.force_login(lead)
    blank = client.post(respond_url(decision), answer(decision, "   "))
    assert blank.status_code == 200
    page = blank.content.decode()
    assert page.startswith("<!DOCTYPE html>") and "<title>Error: My actions" in page
    assert "Enter the response: what was done, or why it is dropped" in page
    assert f'href="#id_decision-{decision.pk}-response"' in page
    dropped = client.post(respond_url(decision), answer(decision, "Not needed now.", state="dropped"))
    assert "Choose done or dropped" in dropped.content.decode()
    assert "Not needed now." in dropped.content.decode()  # kept in the box
    assert Challenge.objects.get(pk=decision.pk).state == "open"
    done = client.post(respond_url(decision), answer(decision, "Recovery plan agreed."), follow=True)
    assert "Your response has been recorded: the decision is closed as done." in done.content.decode()
    decision.refresh_from_db()
    assert (decision.state, decision.response, decision.closed_by, decision.closed_at) == (
        "done",
        "Recovery plan agreed.",
        lead,
        BEFORE_DUE,
    )
    assert decision.history.order_by("-history_id").first().history_change_reason == "Closed as done"
    again = client.post(respond_url(decision), answer(decision, "Again."), follow=True)
    assert "The decision was already closed as done." in again.content.decode()
    assert Challenge.objects.get(pk=decision.pk).response == "Recovery plan agreed."


@time_machine.travel(BEFORE_DUE, tick=False)
def test_an_officer_answering_drops_a_decision_with_a_reason(client, officer, plan, decisions):
    plan["omar"].user = officer
    plan["omar"].save()
    decision = decisions["sensitive"]
    client.force_login(officer)
    page = client.get(MY_ACTIONS).content.decode()
    assert f'name="decision-{decision.pk}-state"' in page  # done or dropped
    client.post(respond_url(decision), answer(decision, "The venue list moved to the county.", state="dropped"))
    decision.refresh_from_db()
    assert (decision.state, decision.response) == ("dropped", "The venue list moved to the county.")


def test_nobody_answers_another_partnerships_decision(client, outsider, decisions):
    client.force_login(outsider)
    assert client.post(respond_url(decisions["lena"]), answer(decisions["lena"], "Mine?")).status_code == 404


@pytest.mark.parametrize("count", [1, 25])
def test_my_actions_costs_the_same_however_many_decisions_wait(
    count, client, lead, plan, meetings, django_assert_num_queries
):
    for number in range(count):
        decide(
            meetings["january"],
            f"Decision {number}.",
            objective=plan["v1"],
            owner_person=plan["lena"],
            due_date=datetime.date(2025, 3, 1),
        )
    client.force_login(lead)
    client.get(MY_ACTIONS)
    # session, user, membership, person, the strategies of my actions, their open rounds, actions,
    # updates waiting or returned, decisions owned
    with time_machine.travel(BEFORE_DUE, tick=False), django_assert_num_queries(9):
        response = client.get(MY_ACTIONS)
    [entry] = response.context["entries"]
    assert len(entry.decisions) == count and all(decision.overdue for decision in entry.decisions)


# Attendance -----------------------------------------------------------------------------------------


def attendance_data(plan, **states):
    """The attendance form with each named person's state ("lena", "carla", "omar") and the rest blank."""
    data = {f"person_{plan[name].pk}": "" for name in ("lena", "carla", "omar")}
    data.update({f"person_{plan[name].pk}": state for name, state in states.items()})
    return data


@time_machine.travel(BEFORE_DUE, tick=False)
def test_an_officer_records_attendance_which_the_page_shows_and_the_audit_trail_keeps(client, officer, plan, meetings):
    meeting = meetings["april"]
    url = reverse("performance:meeting_attendance", args=[meeting.pk])
    client.force_login(officer)
    form = client.get(url).content.decode()
    assert form.count('class="govuk-select') == 3 and "Lena Lead" in form and "Test Council" in form
    bad = client.post(url, {**attendance_data(plan), f"person_{plan['lena'].pk}": "maybe"})
    assert bad.status_code == 200 and "Choose attended, apologies or absent for Lena Lead" in bad.content.decode()
    saved = client.post(url, attendance_data(plan, lena="attended", carla="apologies"))
    assert saved.status_code == 302 and saved.url.endswith("#attendance")
    assert dict(Attendance.objects.filter(meeting=meeting).values_list("person__name", "state")) == {
        "Lena Lead": "attended",
        "Carla Chair": "apologies",
    }
    page = client.get(reverse("performance:meeting_detail", args=[meeting.pk])).content.decode()
    section = page.split('id="attendance"')[1].split("</dl>")[0]
    assert "Attended" in section and "Lena Lead (Test Council)" in section
    assert "Sent apologies" in section and "Carla Chair (Test Police)" in section
    # Not held yet: taking someone off the list is allowed, and the history keeps both.
    client.post(url, attendance_data(plan, lena="attended"))
    assert list(Attendance.objects.filter(meeting=meeting).values_list("person__name", flat=True)) == ["Lena Lead"]
    history = Attendance.history.filter(meeting_id=meeting.pk).order_by("history_id")
    assert sorted((row.person_id, row.history_type, row.history_user.username) for row in history) == [
        (plan["lena"].pk, "+", "officer"),
        (plan["carla"].pk, "+", "officer"),
        (plan["carla"].pk, "-", "officer"),
    ]
    audit = client.get("/audit/").content.decode()
    assert "Meeting attendance" in audit


@time_machine.travel(BEFORE_DUE, tick=False)
def test_attendance_at_a_held_meeting_is_corrected_with_a_reason_and_never_removed(client, officer, plan, meetings):
    meeting = meetings["april"]
    Attendance.objects.create(meeting=meeting, person=plan["lena"], state="attended")
    meeting.held_at = BEFORE_DUE
    meeting.save(update_fields=["held_at"])
    url = reverse("performance:meeting_attendance", args=[meeting.pk])
    client.force_login(officer)
    assert "Correct the attendance" in client.get(url).content.decode()
    unchanged = client.post(url, attendance_data(plan, lena="attended"), follow=True)
    assert "Nothing was changed." in unchanged.content.decode()
    no_reason = client.post(url, attendance_data(plan, lena="attended", omar="attended"))
    assert "Enter why the attendance at the held meeting is being corrected" in no_reason.content.decode()
    removed = client.post(url, {**attendance_data(plan), "reason": "Minuted wrongly."})
    assert "attendance is kept. Choose absent instead" in removed.content.decode()
    assert not Attendance.objects.filter(person=plan["omar"]).exists()
    fixed = client.post(url, {**attendance_data(plan, lena="absent", omar="attended"), "reason": "Lena left early."})
    assert fixed.status_code == 302
    assert dict(Attendance.objects.filter(meeting=meeting).values_list("person__name", "state")) == {
        "Lena Lead": "absent",
        "Omar Other": "attended",
    }
    reasons = set(
        Attendance.history.filter(history_type__in=["+", "~"]).values_list("history_change_reason", flat=True)
    )
    assert reasons == {None, "Correction: Lena left early."}
    # Nor by code or the back office: no change without a reason, no delete at all.
    row = Attendance.objects.get(person=plan["lena"])
    row.state = "attended"
    with pytest.raises(HeldMeetingError):
        row.save()
    with pytest.raises(ProtectedError), transaction.atomic():
        Attendance.objects.get(person=plan["lena"]).delete()


@time_machine.travel(BEFORE_DUE, tick=False)
def test_only_officers_record_attendance(client, chair, executive, plan, meetings):
    url = reverse("performance:meeting_attendance", args=[meetings["april"].pk])
    for user in (chair, executive):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, attendance_data(plan, lena="attended")).status_code == 403
        page = client.get(reverse("performance:meeting_detail", args=[meetings["april"].pk])).content.decode()
        assert url not in page
    assert not Attendance.objects.exists()


@time_machine.travel(BEFORE_DUE, tick=False)
def test_the_back_office_shows_attendance_read_only_once_the_meeting_is_held(client, plan, meetings):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    meeting = meetings["april"]
    Attendance.objects.create(meeting=meeting, person=plan["lena"], state="attended")
    client.force_login(admin)
    change = reverse("admin:performance_meeting_change", args=[meeting.pk])
    assert 'name="attendance-0-state"' in client.get(change).content.decode()
    Meeting.objects.filter(pk=meeting.pk).update(held_at=BEFORE_DUE)
    page = client.get(change).content.decode()
    assert 'name="attendance-0-state"' not in page and "Lena Lead" in page
    assert (
        client.post(reverse("admin:performance_meeting_delete", args=[meeting.pk]), {"post": "yes"}).status_code == 403
    )
    assert Attendance.objects.filter(meeting=meeting).count() == 1


def test_the_pack_shows_attendance_as_recorded_when_it_was_issued(officer, plan, meetings):
    from performance.pack import pack_files

    meeting = meetings["april"]
    with time_machine.travel(datetime.datetime(2025, 4, 29, 15, tzinfo=UTC), tick=False):
        Attendance.objects.create(meeting=meeting, person=plan["lena"], state="attended")
        Attendance.objects.create(meeting=meeting, person=plan["carla"], state="apologies")
    pack = MeetingPack.objects.create(
        meeting=meeting, year=2024, number=4, issued_by=officer, issued_at=datetime.datetime(2025, 4, 30, tzinfo=UTC)
    )
    with time_machine.travel(datetime.datetime(2025, 5, 2, 10, tzinfo=UTC), tick=False):
        Attendance.objects.create(meeting=meeting, person=plan["omar"], state="attended")  # after the issue
    files = pack_files(MeetingPack.objects.select_related("meeting__strategy", "issued_by").get(pk=pack.pk))
    rows = list(openpyxl.load_workbook(io.BytesIO(files.xlsx))["Attendance"].iter_rows(values_only=True))
    assert rows == [
        ("Name", "Organisation", "Attendance"),
        ("Lena Lead", "Test Council", "Attended"),
        ("Carla Chair", "Test Police", "Sent apologies"),
    ]


# Decisions about each kind of thing ------------------------------------------------------------------


@time_machine.travel(BEFORE_DUE, tick=False)
def test_a_decision_is_recorded_about_an_action_an_objective_a_group_or_the_meeting_as_a_whole(
    client, executive, officer, plan, meetings
):
    from tests.performance.review_history import make_history

    make_history(plan, officer)  # the plan as it stood at the end of the quarter
    client.force_login(executive)
    url = reverse("performance:challenge_record", args=["test-2024-2027", "2024-Q3"])
    base = {
        "meeting": meetings["january"].pk,
        "kind": "decision",
        "owner": f"person:{plan['lena'].pk}",
        "due_date": "30/05/2025",
    }
    abouts = {
        "V1.1": {"action": "V1.1"},
        "Objective 1": {"objective": plan["v1"].pk},
        "Victim (group)": {"group": plan["victim"].pk},
        "The meeting as a whole": {},
    }
    for label, about in abouts.items():
        response = client.post(url, {**base, **about, "text": f"About {label}."})
        assert response.status_code == 302, response.content.decode().partition("govuk-error-summary__list")[2][:600]
    found = {decision.text: decision.about_label for decision in Challenge.objects.with_related()}
    assert found == {f"About {label}.": label for label in abouts}
    assert set(Challenge.objects.values_list("state", "owner_person", "due_date")) == {
        ("open", plan["lena"].pk, datetime.date(2025, 5, 30))
    }


# The demo, from the last meeting's decision to its correction ----------------------------------------


def test_the_demos_decision_is_carried_to_the_next_meeting_answered_by_its_owner_and_corrected_with_a_reason(
    client, settings
):
    settings.DEBUG = True
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # the pack: made below
    now = datetime.datetime(2031, 2, 15, 10, tzinfo=UTC)  # any day: the sample strategy is made around it
    with time_machine.travel(now, tick=False):
        call_command("load_demo", "--password", "demo-password-for-tests", stdout=io.StringIO())
        decision = Challenge.objects.get(kind="decision", meeting__strategy__is_sample=True)
        last, upcoming = decision.meeting, Meeting.objects.get(strategy=decision.meeting.strategy, held_at=None)
        assert last.is_held and upcoming.date > last.date
        assert decision.owner_person.user.username == "lead"
        assert last.attendance.filter(state="attended").exists()

        client.force_login(decision.owner_person.user)
        page = client.get(reverse("performance:meeting_detail", args=[upcoming.pk])).content.decode()
        carried = page.split('id="previous-actions"')[1].split('id="packs"')[0]
        assert decision.text in carried and "Serena Simon" in carried
        my_actions = client.get(MY_ACTIONS).content.decode()
        assert decision.text in my_actions.split('id="decisions-')[1]
        officer = Membership.objects.get(user__username="officer").user
        # The next meeting's pack, issued now (its files are made below, as they stood now).
        pack = MeetingPack.objects.create(
            meeting=upcoming, year=upcoming.year, number=upcoming.number, issued_by=officer, issued_at=now
        )

        with time_machine.travel(now + datetime.timedelta(minutes=5), tick=False):  # after the issue
            response = client.post(respond_url(decision), answer(decision, "Recovery plan written and shared."))
        assert response.status_code == 302
        decision.refresh_from_db()
        assert decision.state == "done"

        client.force_login(officer)
        edit = reverse("performance:decision_edit", args=[decision.pk])
        data = {
            "text": decision.text + " By the end of the month.",
            "owner": f"person:{decision.owner_person_id}",
            "due_date": decision.due_date.strftime("%d/%m/%Y"),
        }
        refused = client.post(edit, data)
        assert "Enter why what was recorded at the held meeting is being corrected" in refused.content.decode()
        assert client.post(edit, {**data, "reason": "Minutes said end of month."}).status_code == 302
        audit = client.get("/audit/?kind=performance.challenge").content.decode()
        assert "Correction: Minutes said end of month." in audit

    # The pack lists the decision open, as it was when the pack was issued.
    from performance.pack import pack_files

    with time_machine.travel(now + datetime.timedelta(days=1), tick=False):
        files = pack_files(MeetingPack.objects.select_related("meeting__strategy", "issued_by").get(pk=pack.pk))
    rows = list(openpyxl.load_workbook(io.BytesIO(files.xlsx))["Previous meetings"].iter_rows(values_only=True))
    assert [(row[2].startswith(decision.text[:40]), row[5]) for row in rows[1:]] == [(True, "Open")]
    assert Person.objects.filter(user__username="lead").exists()
