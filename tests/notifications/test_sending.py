"""Each kind of notification arrives once, through a real SMTP server on localhost, as each person's
preference says; running the command again sends nothing new; nothing above a reader's clearance or
of another partnership reaches them."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from actions.models import RAG, ActionPlanImport, Status, Update
from notifications.models import Follow, Frequency, Kind, Notification
from notifications.services import notifications_send, preference_set
from performance import rounds
from performance.models import Challenge, Meeting, MeetingPack
from strategy.models import Marking, Membership
from strategy.periods import Quarter
from tests.conftest import make_user, violates
from tests.notifications.conftest import DAY, TUESDAY, inbox, send

pytestmark = pytest.mark.django_db


def submit(action, by, commentary="Slipping"):
    return action.record_update(by=by, status=Status.IN_PROGRESS, rag=RAG.AMBER, progress=40, commentary=commentary)


def meeting(plan, **fields):
    return Meeting.objects.create(
        strategy=plan["strategy"], date=datetime.date(2025, 4, 29), year=2024, number=4, **fields
    )


def decide(plan, text, **fields):
    return Challenge.objects.create(
        meeting=fields.pop("meeting", None) or meeting(plan),
        kind=Challenge.Kind.DECISION,
        state=Challenge.State.OPEN,
        text=text,
        **fields,
    )


def issue_pack(plan, *, marking=Marking.OFFICIAL, strategy=None, by=None):
    return MeetingPack.objects.create(
        strategy=strategy or plan["strategy"],
        year=2024,
        number=4,
        state=MeetingPack.State.ISSUED,
        finished_at=timezone.now(),
        pdf_sha256="a" * 64,
        xlsx_sha256="b" * 64,
        marking=marking,
        issued_by=by,
    )


# A chair: one digest a day of the updates waiting for sign-off --------------------------------------


def test_the_chair_gets_one_digest_a_day_of_every_update_waiting(smtp_server, signed_off, lead, chair, clock):
    submit(signed_off["v1_1"], lead)
    submit(signed_off["v1_2"], lead)
    assert "1 sent, 0 already sent" in send()
    [mail] = inbox(smtp_server, "chair@example.org")
    assert mail.subject == "2 updates waiting for your sign-off"
    v1_1 = Update.objects.get(action=signed_off["v1_1"])
    assert "- V1.1 (Action V1.1): submitted by lead on 13 May 2025." in mail.text
    assert f"http://localhost:8000/sign-off/{v1_1.pk}/\n" in mail.text
    assert f'href="http://localhost:8000/sign-off/{v1_1.pk}/"' in mail.html
    assert "0 sent" in send()
    clock.shift(DAY)
    v1_1.approve(by=chair)
    send()
    mails = inbox(smtp_server, "chair@example.org")
    assert [m.subject for m in mails] == ["2 updates waiting for your sign-off", "1 update waiting for your sign-off"]
    assert "V1.1" not in mails[1].text and "V1.2" in mails[1].text
    assert list(Notification.objects.filter(kind=Kind.SIGN_OFF).values_list("key", flat=True).order_by("pk")) == [
        "day:2025-05-13",
        "day:2025-05-14",
    ]


def test_every_email_has_text_html_and_a_one_click_unsubscribe(smtp_server, signed_off, lead, chair):
    submit(signed_off["v1_1"], lead)
    send()
    [mail] = inbox(smtp_server)
    link = mail.header("List-Unsubscribe")
    assert link.startswith("<http://localhost:8000/notifications/unsubscribe/") and link.endswith("/>")
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"Stop them: {link[1:-1]}\n" in mail.text
    assert f'<a href="{link[1:-1]}"' in mail.html
    assert "All your e-mail settings: http://localhost:8000/notifications/" in mail.text


# A lead: an update returned, with the reason and the form as they left it ---------------------------


def test_the_lead_is_told_at_once_of_a_returned_update_with_the_reason_and_the_form_as_left(
    smtp_server, client, signed_off, lead, chair
):
    update = submit(signed_off["v1_1"], lead, commentary="Venue booked; funding agreed")
    update.return_to_lead(by=chair, comment="Say what the funding is for")
    send()
    [mail] = inbox(smtp_server, "lead@example.org")
    assert mail.subject == "V1.1: your update was returned"
    assert "Their reason: Say what the funding is for" in mail.text
    url = f"http://localhost:8000/actions/{signed_off['v1_1'].pk}/update/"
    assert f"  {url}\n" in mail.text
    client.force_login(lead)
    form = client.get(url.removeprefix("http://localhost:8000")).content.decode()
    assert "Venue booked; funding agreed</textarea>" in form
    send()
    assert len(inbox(smtp_server, "lead@example.org")) == 1


# An owner: a decision assigned, due within a week, overdue ------------------------------------------


def test_the_owner_is_told_when_assigned_a_week_before_due_and_once_overdue(smtp_server, plan, lead, clock):
    decision = decide(
        plan,
        "Bring a recovery plan.",
        action=plan["v1_1"],
        owner_person=plan["lena"],
        due_date=datetime.date(2025, 6, 2),
    )
    send()
    clock.shift(5 * DAY)  # Sunday 18 May: due in 15 days
    send()
    clock.shift(8 * DAY)  # Monday 26 May: due within the week
    send()
    send()
    clock.shift(8 * DAY)  # Tuesday 3 June: overdue
    send()
    clock.shift(DAY)
    send()
    mails = inbox(smtp_server, "lead@example.org")
    assert [m.subject for m in mails] == ["A decision for you to act on: V1.1"] * 3
    assert "Assigned to you at" in mails[0].text and "Due by 2 June 2025." in mails[0].text
    assert "- V1.1: Due on 2 June 2025: Bring a recovery plan." in mails[1].text
    assert "- V1.1: Overdue since 2 June 2025: Bring a recovery plan." in mails[2].text
    assert f"http://localhost:8000/decisions/{decision.pk}/" in mails[2].text


def test_a_decision_assigned_within_its_last_week_is_told_once(smtp_server, plan, lead, clock):
    decide(plan, "Call the venue.", owner_person=plan["lena"], due_date=datetime.date(2025, 5, 16))
    send()
    clock.shift(DAY)
    send()
    assert len(inbox(smtp_server, "lead@example.org")) == 1


# An officer: imports finished or failed, packs issued ------------------------------------------------


def plan_import(plan, officer, state, name):
    return ActionPlanImport.objects.create(
        strategy=plan["strategy"],
        created_by=officer,
        state=state,
        finished_at=timezone.now(),
        file_name=name,
        file_size=10,
        file_sha256="c" * 64,
    )


def test_the_officer_is_told_of_their_imports_and_of_packs_issued(smtp_server, plan, officer, chair):
    done = plan_import(plan, officer, ActionPlanImport.State.IMPORTED, "plan.xlsx")
    plan_import(plan, officer, ActionPlanImport.State.FAILED, "broken.xlsx")
    pack = issue_pack(plan, by=officer)
    assert "3 sent" in send()
    mails = inbox(smtp_server, "officer@example.org")
    assert sorted(m.subject for m in mails) == [
        "Import failed: broken.xlsx",
        "Import finished: plan.xlsx",
        "Pack issued: Quarterly review of Test strategy 2024-2027",
    ]
    finished = next(m for m in mails if m.subject == "Import finished: plan.xlsx")
    assert f"http://localhost:8000/imports/{done.pk}/" in finished.text
    packed = next(m for m in mails if m.subject.startswith("Pack"))
    assert f"http://localhost:8000/packs/{pack.pk}.pdf" in packed.text
    assert inbox(smtp_server, "chair@example.org") == []  # packs are told to officers
    assert "0 sent" in send()


# Anyone who follows an action: a weekly digest ------------------------------------------------------


def test_a_follower_gets_one_weekly_digest_of_updates_and_decisions(smtp_server, client, plan, viewer, officer, clock):
    client.force_login(viewer)
    response = client.post(reverse("notifications:follow", args=[plan["v1_1"].pk]))
    assert response.status_code == 302 and Follow.objects.filter(user=viewer, action=plan["v1_1"]).exists()
    submit(plan["v1_1"], officer, commentary="Half way")
    decide(plan, "Report back in June.", action=plan["v1_1"])
    submit(plan["o1_1"], officer)  # not followed
    send()
    assert inbox(smtp_server, "viewer@example.org") == []  # this week's news waits for next week's digest
    clock.shift(6 * DAY)  # Monday 19 May
    send()
    send()
    [mail] = inbox(smtp_server, "viewer@example.org")
    assert mail.subject == "This week on the actions you follow: 2 changes"
    assert "- V1.1: Updated by officer: In progress, Amber, 40% done." in mail.text
    assert "- V1.1: Decision at" in mail.text and "Report back in June." in mail.text
    assert "O1.1" not in mail.text
    clock.shift(7 * DAY)
    send()
    assert len(inbox(smtp_server, "viewer@example.org")) == 1
    assert Notification.objects.get(user=viewer).key == "week:2025-W21"


# Preferences -----------------------------------------------------------------------------------------


def test_a_digest_preference_gathers_what_happened_before_today(smtp_server, signed_off, lead, chair, clock):
    preference_set(user=lead, kind=Kind.RETURNED, frequency=Frequency.DIGEST)
    submit(signed_off["v1_1"], lead).return_to_lead(by=chair, comment="More detail")
    submit(signed_off["v1_2"], lead).return_to_lead(by=chair, comment="Which venue?")
    send()
    assert inbox(smtp_server, "lead@example.org") == []
    clock.shift(DAY)
    send()
    send()
    [mail] = inbox(smtp_server, "lead@example.org")
    assert mail.subject == "2 updates returned to you"
    assert "Their reason: More detail" in mail.text and "Their reason: Which venue?" in mail.text


def test_at_once_sign_off_tells_each_update_once(smtp_server, signed_off, lead, chair, clock):
    preference_set(user=chair, kind=Kind.SIGN_OFF, frequency=Frequency.AT_ONCE)
    submit(signed_off["v1_1"], lead)
    send()
    clock.shift(DAY)
    submit(signed_off["v1_2"], lead)
    send()
    send()
    assert [m.subject for m in inbox(smtp_server, "chair@example.org")] == [
        "V1.1: an update is waiting for your sign-off",
        "V1.2: an update is waiting for your sign-off",
    ]


def test_off_sends_nothing_but_round_reminders_still_go(smtp_server, signed_off, lead, chair, officer, clock):
    for kind in Kind:
        preference_set(user=lead, kind=kind, frequency=Frequency.OFF)
    submit(signed_off["v1_1"], lead).return_to_lead(by=chair, comment="More detail")
    decide(signed_off, "Call the venue.", owner_person=signed_off["lena"], due_date=datetime.date(2025, 6, 30))
    send()
    clock.shift(7 * DAY)
    send()
    assert inbox(smtp_server, "lead@example.org") == []
    signed_off["lena"].email = "lena@example.org"
    signed_off["lena"].save()
    update_round = rounds.round_open(
        strategy=signed_off["strategy"],
        quarter=Quarter.current().previous(),
        by=officer,
        deadline=datetime.date(2025, 6, 13),
    )
    rounds.reminders_send(update_round=update_round)
    assert [m.subject.split(" for ")[0] for m in inbox(smtp_server, "lena@example.org")] == [
        "Please update your actions"
    ]


# Twice-run, the constraint, a failed send ------------------------------------------------------------


def test_the_database_refuses_a_second_notification_with_the_same_key(plan, chair):
    row = {"user": chair, "kind": Kind.SIGN_OFF, "key": "day:2025-05-13", "subject": "x", "to_address": "c@example.org"}
    Notification.objects.create(**row)
    with pytest.raises(IntegrityError, match=violates(Notification, "notification_once_per_key")):
        Notification.objects.create(**row)


def test_a_failed_send_is_not_recorded_and_goes_next_time(settings, signed_off, lead, chair):
    from tests.performance.test_reminders import _free_port

    submit(signed_off["v1_1"], lead)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _free_port(), 2
    with pytest.raises(OSError):
        notifications_send()
    assert not Notification.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications_send().summary()["sent"] == 1


# Clearance and partnerships -------------------------------------------------------------------------


def test_nothing_above_the_recipients_clearance_reaches_them(
    smtp_server, signed_off, lead, chair, viewer, officer, clock
):
    """The chair (OFFICIAL) also chairs CONTEST (OFFICIAL-SENSITIVE); Lena (OFFICIAL) owns a decision about
    C1.1; the viewer (OFFICIAL) follows it; an OFFICIAL-SENSITIVE pack is issued."""
    contest = signed_off["contest"]
    contest.chair = signed_off["carla"]
    contest.save()
    submit(signed_off["v1_1"], lead)
    Update.objects.create(
        action=signed_off["c1_1"], created_by=lead, status=Status.IN_PROGRESS, review_state=Update.ReviewState.SUBMITTED
    )
    decide(signed_off, "Review the venue list.", action=signed_off["c1_1"], owner_person=signed_off["lena"])
    Follow.objects.create(user=viewer, action=signed_off["c1_1"])
    submit(signed_off["c1_1"], officer, commentary="Venue list reviewed")
    official_officer = make_user("official", partnership=signed_off["partnership"], role=Membership.Role.OFFICER)
    issue_pack(signed_off, marking=Marking.OFFICIAL_SENSITIVE)
    send()
    clock.shift(7 * DAY)
    send()
    digests = inbox(smtp_server, "chair@example.org")
    assert [digest.subject for digest in digests] == ["1 update waiting for your sign-off"] * 2
    assert not any("C1.1" in digest.text or "C1.1" in digest.html for digest in digests)
    assert inbox(smtp_server, "lead@example.org") == []
    assert inbox(smtp_server, "viewer@example.org") == []
    assert inbox(smtp_server, official_officer.email) == []
    assert [m.subject for m in inbox(smtp_server, "officer@example.org")][0].startswith("Pack issued")


def test_a_partnership_hears_nothing_of_another(smtp_server, plan, elsewhere, officer, outsider):
    issue_pack(plan)
    issue_pack(plan, strategy=elsewhere["strategy"])
    send()
    [ours] = inbox(smtp_server, "officer@example.org")
    [theirs] = inbox(smtp_server, "outsider@example.org")
    assert ours.subject.endswith("Test strategy 2024-2027") and theirs.subject.endswith("Elsewhere strategy")


def test_old_news_is_not_sent_on_a_first_run(smtp_server, signed_off, lead, chair, clock):
    submit(signed_off["v1_1"], lead).return_to_lead(by=chair, comment="More detail")
    clock.shift(15 * DAY)
    send()
    assert inbox(smtp_server, "lead@example.org") == []
    assert timezone.now() == TUESDAY + 15 * DAY


def test_a_run_looks_only_at_those_with_something_to_be_told(plan, signed_off, lead, chair, django_assert_num_queries):
    for number in range(20):
        make_user(f"reader{number}", partnership=plan["partnership"], role=Membership.Role.VIEWER)
    submit(signed_off["v1_1"], lead)
    notifications_send()
    # Who may be told of each kind (seven queries: imports are two), the users among them; then for the
    # chair: their preferences, their membership, whether today's digest went (it did: nothing more)
    with django_assert_num_queries(7 + 1 + 3):
        assert notifications_send().summary() == {"sent": 0, "already_sent": 0, "no_email": 0, "failed": 0}


def test_the_command_acts_as_at_a_given_moment_to_catch_up(smtp_server, signed_off, lead, chair):
    submit(signed_off["v1_1"], lead)
    out = io.StringIO()
    call_command("send_notifications", "--now", "2025-05-14T08:00", stdout=out)
    assert "Sent updates waiting for your sign-off to chair <chair@example.org>" in out.getvalue()
    assert Notification.objects.get().key == "day:2025-05-14"
