"""Reminder e-mails: one per lead listing all their actions, only to those who have not updated, never
twice, through Django's in-memory backend and through its SMTP backend to a real SMTP server
(aiosmtpd) started on localhost."""

import datetime
import email
import socket

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from actions.models import RAG, Status
from performance import rounds, tasks
from performance.models import RoundEmail
from strategy.models import Person
from strategy.periods import Quarter

D = datetime.date


# The round is for the quarter before today's, which must fall in the fixture strategy's period, and
# the task sends what is due by today: both read the clock.
pytestmark = pytest.mark.usefixtures("in_the_strategys_period")


@pytest.fixture
def in_the_strategys_period():
    with time_machine.travel(datetime.datetime(2026, 11, 18, 10, tzinfo=datetime.UTC)):
        yield


@pytest.fixture
def emails(plan):
    for name in ("lena", "omar"):
        Person.objects.filter(pk=plan[name].pk).update(email=f"{name}@example.org")
        plan[name].refresh_from_db()
    return plan


@pytest.fixture
def update_round(emails, officer):
    """A round for last quarter whose deadline is Friday 17 January 2031; reminder 3 working days before."""
    return rounds.round_open(
        strategy=emails["strategy"], quarter=Quarter.current().previous(), by=officer, deadline=D(2031, 1, 17)
    )


BEFORE_REMINDER = D(2031, 1, 13)  # Monday; the reminder date is Tuesday 14 January
REMINDER_DAY = D(2031, 1, 14)


def test_the_reminder_date_counts_working_days(update_round):
    assert rounds.reminder_date(update_round) == REMINDER_DAY


def test_one_opening_email_per_lead_listing_all_their_actions(update_round, emails):
    result = rounds.reminders_send(today=BEFORE_REMINDER)
    assert result.summary() == {"sent": 2, "no_email": 0, "already_sent": 0, "failed": 0}
    by_address = {message.to[0]: message for message in mail.outbox}
    lena = by_address["lena@example.org"]
    assert lena.subject.startswith(f"Please update your actions for {update_round.quarter}")
    for ref in ("V1.1", "V1.2", "O1.2"):
        assert f"- {ref} (" in lena.body
    assert "C1.1" not in lena.body and "O1.1" not in lena.body
    assert 'where "Save and next" takes you from one action to the next: http://localhost:8000/my/\n' in lena.body
    assert f"http://localhost:8000/actions/{emails['v1_1'].pk}/update/?todo=1\n" in lena.body
    row = RoundEmail.objects.get(person=emails["lena"], kind=RoundEmail.Kind.OPENING)
    assert (row.to_address, row.action_refs, row.sent_on) == ("lena@example.org", "V1.1, V1.2, O1.2", BEFORE_REMINDER)


def test_links_use_the_site_url(settings, update_round, emails):
    settings.SITE_URL = "https://swp.example.gov.uk/"
    rounds.reminders_send(today=BEFORE_REMINDER)
    assert (
        f"https://swp.example.gov.uk/actions/{emails['v1_1'].pk}/update/" in mail.outbox[0].body + mail.outbox[1].body
    )


def test_running_twice_sends_nothing_new(update_round):
    rounds.reminders_send(today=BEFORE_REMINDER)
    again = rounds.reminders_send(today=BEFORE_REMINDER)
    assert again.summary()["sent"] == 0
    assert len(mail.outbox) == 2
    rounds.reminders_send(today=REMINDER_DAY)
    rounds.reminders_send(today=REMINDER_DAY)
    assert [m.subject.split(":")[0] for m in mail.outbox[2:]] == ["Reminder", "Reminder"]
    assert RoundEmail.objects.count() == 4


def test_the_reminder_goes_only_to_those_who_have_not_updated(update_round, emails, lead):
    rounds.reminders_send(today=BEFORE_REMINDER)
    for ref in ("v1_1", "v1_2", "o1_2"):
        emails[ref].record_update(by=lead, status=Status.IN_PROGRESS, rag=RAG.GREEN, progress=10)
    mail.outbox.clear()
    rounds.reminders_send(today=REMINDER_DAY)
    assert [message.to for message in mail.outbox] == [["omar@example.org"]]
    # V1.2 (Omar's too) was updated by Lena: only his other two actions are listed.
    body = mail.outbox[0].body
    assert "O1.1" in body and "C1.1" in body and "V1.2" not in body


def test_no_reminder_before_the_reminder_date(update_round):
    rounds.reminders_send(today=BEFORE_REMINDER)
    mail.outbox.clear()
    rounds.reminders_send(today=BEFORE_REMINDER)
    assert mail.outbox == []


def test_a_round_opened_after_its_reminder_date_sends_only_the_opening_email(update_round):
    rounds.reminders_send(today=REMINDER_DAY)
    rounds.reminders_send(today=REMINDER_DAY + datetime.timedelta(days=1))
    assert {m.subject.split(" ")[0] for m in mail.outbox} == {"Please"}


def test_people_without_an_email_address_are_skipped_and_listed(update_round, emails):
    Person.objects.filter(pk=emails["omar"].pk).update(email="")
    result = rounds.reminders_send(today=BEFORE_REMINDER)
    assert [person.name for person in result.skipped_no_email] == ["Omar Other"]
    assert [message.to for message in mail.outbox] == [["lena@example.org"]]


def test_closed_rounds_send_nothing(update_round, officer):
    rounds.round_close(update_round=update_round, by=officer)
    assert rounds.reminders_send(today=REMINDER_DAY).summary()["sent"] == 0
    assert mail.outbox == []


def test_remind_now_sends_once_a_day_to_one_or_everyone(client, officer, update_round, emails):
    client.force_login(officer)
    url = reverse("performance:round_remind", args=[update_round.pk])
    response = client.post(url, {"person": emails["lena"].pk})
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["lena@example.org"]]
    response = client.post(url, {"person": "all"}, follow=True)
    assert sorted(m.to[0] for m in mail.outbox) == ["lena@example.org", "omar@example.org"]  # Lena: once today
    assert "Already reminded today" in response.content.decode()
    manual = RoundEmail.objects.filter(kind=RoundEmail.Kind.MANUAL)
    assert manual.count() == 2 and {row.sent_by for row in manual} == {officer}


def test_remind_now_needs_a_post_and_an_officer(client, chair, officer, update_round):
    url = reverse("performance:round_remind", args=[update_round.pk])
    client.force_login(officer)
    assert client.get(url).status_code == 405
    client.force_login(chair)
    assert client.post(url, {"person": "all"}).status_code == 403
    assert mail.outbox == []


def test_the_command_and_the_task_send_the_same_way(update_round, capsys):
    call_command("send_update_reminders", "--today", BEFORE_REMINDER.isoformat())
    out = capsys.readouterr().out
    assert "2 sent, 0 already sent" in out
    call_command("send_update_reminders", "--today", BEFORE_REMINDER.isoformat())
    assert "0 sent, 0 already sent" in capsys.readouterr().out
    result = tasks.send_update_reminders.enqueue(round_id=update_round.pk)
    assert result.return_value == {"sent": 0, "no_email": 0, "already_sent": 0, "failed": 0}
    assert len(mail.outbox) == 2


# A real SMTP server ------------------------------------------------------------------------------


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = False
    yield inbox
    controller.stop()


def test_emails_go_through_a_real_smtp_server(smtp_server, update_round):
    result = rounds.reminders_send(today=BEFORE_REMINDER)
    assert result.summary()["sent"] == 2
    received = {tuple(rcpt): message for rcpt, message in smtp_server.messages}
    assert set(received) == {("lena@example.org",), ("omar@example.org",)}
    lena = received[("lena@example.org",)]
    assert lena["From"] == "swp@localhost"
    assert lena["Subject"].startswith("Please update your actions for")
    assert "V1.1" in lena.get_payload(decode=True).decode()
    rounds.reminders_send(today=BEFORE_REMINDER)
    assert len(smtp_server.messages) == 2


def test_a_failed_send_is_not_recorded_and_goes_next_time(settings, update_round):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _free_port(), 2
    with pytest.raises(OSError):
        rounds.reminders_send(today=BEFORE_REMINDER)
    assert not RoundEmail.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert rounds.reminders_send(today=BEFORE_REMINDER).summary()["sent"] == 2


def test_todays_date_is_the_default(update_round):
    rounds.reminders_send()
    assert RoundEmail.objects.filter(sent_on=timezone.localdate()).count() == 2
