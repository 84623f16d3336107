"""On a fresh demo, the chair has updates waiting for sign-off and the first `send_notifications` with SMTP
configured sends their digest at once."""

import datetime
import io
import zoneinfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from actions.models import Update
from tests.notifications.conftest import inbox, send


@pytest.fixture
def demo(db, settings, time_machine):
    settings.DEBUG = True
    time_machine.move_to(datetime.datetime(2026, 12, 4, 10, tzinfo=zoneinfo.ZoneInfo("Europe/London")), tick=False)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    call_command("load_demo", "--password", "demo-password-for-tests", stdout=io.StringIO())


def test_the_demo_chairs_digest_goes_on_the_first_run(demo, smtp_server):
    users = get_user_model().objects.in_bulk(["officer", "chair", "lead", "executive", "viewer"], field_name="username")
    assert {name: user.email for name, user in users.items()} == {
        name: f"{name}@swp.example" for name in ("officer", "chair", "lead", "executive", "viewer")
    }
    waiting = Update.objects.awaiting_sign_off_by(users["chair"]).count()
    assert waiting == 2
    send()
    [digest] = inbox(smtp_server, "chair@swp.example")
    assert digest.subject == "2 updates waiting for your sign-off"
    assert "0 sent" in send()
