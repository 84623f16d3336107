"""A clock at a known moment, sign-off on, and the reminders' real local SMTP server for every test."""

import datetime
import email
import re

import pytest
from django.core.management import call_command

from strategy.models import Strategy
from tests.performance.test_reminders import smtp_server  # noqa: F401 (a fixture: aiosmtpd on localhost)

# Tuesday 13 May 2025, 10:00 in London: inside the fixture strategy's period.
TUESDAY = datetime.datetime(2025, 5, 13, 9, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(TUESDAY, tick=False)
    return time_machine


@pytest.fixture
def signed_off(plan, clock):
    Strategy.objects.filter(pk=plan["strategy"].pk).update(requires_sign_off=True)
    for action in ("v1_1", "v1_2", "o1_1", "o1_2", "c1_1"):
        plan[action].refresh_from_db()
    return plan


class Mail:
    """What the local SMTP server received, read as a person would: to whom, subject, text, HTML."""

    def __init__(self, rcpt, message):
        self.to = rcpt[0]
        self.message = message
        self.subject = message["Subject"]
        parts = {part.get_content_type(): part for part in message.walk() if not part.is_multipart()}
        self.text, self.html = (
            parts[kind].get_payload(decode=True).decode().replace("\r\n", "\n") if kind in parts else ""
            for kind in ("text/plain", "text/html")
        )

    def header(self, name):
        """A header unfolded (a long one is folded over lines in transit)."""
        return re.sub(r"\r?\n", "", self.message[name] or "").strip()


def inbox(server, to=None):
    found = [Mail(rcpt, message) for rcpt, message in server.messages]
    return [mail for mail in found if to is None or mail.to == to]


def send():
    """Run the command as cron would, returning what it printed."""
    import io

    out = io.StringIO()
    call_command("send_notifications", stdout=out)
    return out.getvalue()


def parse(raw):
    return email.message_from_string(raw)
