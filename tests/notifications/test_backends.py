"""SMTP is the default e-mail backend; GOV.UK Notify is chosen with EMAIL_BACKEND=notify and sends a
notification through its API (here stopped at the HTTP boundary: no network)."""

import json

import pytest
import requests
from django.core.mail import get_connection

from notifications.models import Notification
from notifications.services import notifications_send
from strategy.models import Membership
from tests.conftest import make_user
from tests.notifications.conftest import TUESDAY
from tests.notifications.test_sending import issue_pack
from tests.test_settings import run_settings

TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
# The Notify client reads a service id and a secret out of the key: a made-up one of the right shape.
API_KEY = "swp_test-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0"

PRINT_BACKEND = "from django.conf import settings as s; print(s.EMAIL_BACKEND)"


def test_smtp_is_the_default_and_the_console_with_debug_on():
    assert run_settings(PRINT_BACKEND, SECRET_KEY="x" * 50).stdout.strip() == (
        "django.core.mail.backends.smtp.EmailBackend"
    )
    assert run_settings(PRINT_BACKEND, DJANGO_DEBUG="true").stdout.strip() == (
        "django.core.mail.backends.console.EmailBackend"
    )


def test_notify_is_chosen_by_name_with_its_key_and_template():
    result = run_settings(
        PRINT_BACKEND + "; print(s.GOVUK_NOTIFY_API_KEY == 'k', s.GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID)",
        DJANGO_DEBUG="true",
        EMAIL_BACKEND="notify",
        GOVUK_NOTIFY_API_KEY="k",
        GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID=TEMPLATE_ID,
    )
    assert result.stdout.split() == ["django_gov_notify.backends.NotifyEmailBackend", "True", TEMPLATE_ID]


def test_notify_without_its_key_is_a_clear_error():
    result = run_settings("", DJANGO_DEBUG="true", EMAIL_BACKEND="notify")
    assert result.returncode != 0
    assert "EMAIL_BACKEND=notify needs GOVUK_NOTIFY_API_KEY" in result.stderr


class FakeResponse:
    status_code = 201

    def raise_for_status(self):
        return None

    def json(self):
        return {"id": "7b1c1d9e-0e8b-4c1b-9a41-4b8f5f0e2a11"}


@pytest.fixture
def notify_api(settings, monkeypatch):
    """Notify as configured from the environment, its HTTP calls caught."""
    settings.EMAIL_BACKEND = "django_gov_notify.backends.NotifyEmailBackend"
    settings.GOVUK_NOTIFY_API_KEY = API_KEY
    settings.GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID = TEMPLATE_ID
    calls = []

    def request(session, method, url, **kwargs):
        calls.append((method, url, json.loads(kwargs["data"])))
        return FakeResponse()

    monkeypatch.setattr(requests.Session, "request", request)
    return calls


def test_a_notification_goes_through_notifys_api_with_the_plain_template(notify_api, time_machine, plan, lead, chair):
    time_machine.move_to(TUESDAY, tick=False)
    assert type(get_connection()).__name__ == "NotifyEmailBackend"
    issue_pack(plan)
    officer = make_user("notified", partnership=plan["partnership"], role=Membership.Role.OFFICER)
    assert notifications_send().summary()["sent"] == 1
    [(method, url, body)] = notify_api
    assert (method, url) == ("POST", "https://api.notifications.service.gov.uk/v2/notifications/email")
    assert body["email_address"] == officer.email
    assert body["template_id"] == TEMPLATE_ID
    assert body["personalisation"]["subject"] == "Pack issued: Quarterly review of Test strategy 2024-2027"
    assert "Stop them: http://localhost:8000/notifications/unsubscribe/" in body["personalisation"]["body"]
    assert Notification.objects.get().to_address == officer.email
