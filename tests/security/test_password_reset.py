"""Password resets are limited per address and per client, and the page never tells which applied.

Defaults: 3 e-mails to one address and 10 requests acted on from one client in any 60 minutes
(PASSWORD_RESET_LIMIT_PER_ADDRESS, PASSWORD_RESET_LIMIT_PER_CLIENT, PASSWORD_RESET_WINDOW_MINUTES).
"""

import datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from strategy.models import Membership, PasswordResetRequest
from tests.conftest import make_user

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def ask(address, client_address="192.0.2.1"):
    response = Client(REMOTE_ADDR=client_address).post("/accounts/password_reset/", {"email": address}, follow=True)
    return response.status_code, tuple(response.redirect_chain), response.content


@time_machine.travel(START, tick=False)
def test_fifteen_resets_in_a_row_to_one_address_send_three_emails(officer):
    answers = {ask("officer@example.org") for _ in range(15)}
    assert len(answers) == 1  # every one answered alike
    assert [email.to for email in mail.outbox] == [["officer@example.org"]] * 3


@time_machine.travel(START, tick=False)
def test_the_limit_per_address_holds_across_clients_and_letter_case(officer):
    for number in range(6):
        ask("Officer@Example.org" if number % 2 else "officer@example.org", client_address=f"192.0.2.{number + 1}")
    assert len(mail.outbox) == 3


@time_machine.travel(START, tick=False)
def test_one_client_has_ten_requests_acted_on_whatever_the_addresses(plan):
    for number in range(12):
        make_user(f"user{number}", partnership=plan["partnership"], role=Membership.Role.LEAD)
    for number in range(12):
        ask(f"user{number}@example.org")
    assert sorted(email.to[0] for email in mail.outbox) == sorted(f"user{number}@example.org" for number in range(10))
    ask("user11@example.org", client_address="198.51.100.7")  # another client is not held back
    assert mail.outbox[-1].to == ["user11@example.org"]
    assert len(mail.outbox) == 11


def test_the_limits_pass_with_the_window(officer, settings):
    settings.PASSWORD_RESET_WINDOW_MINUTES = 60
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(4):
            ask("officer@example.org")
        assert len(mail.outbox) == 3
        clock.shift(datetime.timedelta(minutes=59))
        ask("officer@example.org")
        assert len(mail.outbox) == 3
        clock.shift(datetime.timedelta(minutes=2))
        ask("officer@example.org")
        assert len(mail.outbox) == 4
        assert PasswordResetRequest.objects.count() == 1  # requests outside the window are deleted


@time_machine.travel(START, tick=False)
def test_the_answer_is_the_same_sent_held_back_or_no_account(officer, settings):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 1
    sent = ask("officer@example.org")
    held_back = ask("officer@example.org")
    no_account = ask("nobody@example.org")
    no_account_held_back = ask("nobody@example.org")
    assert sent == held_back == no_account == no_account_held_back
    assert sent[0] == 200 and sent[1] == (("/accounts/password_reset/done/", 302),)
    assert len(mail.outbox) == 1


@time_machine.travel(START, tick=False)
def test_the_address_is_not_kept(officer):
    ask("officer@example.org")
    stored = PasswordResetRequest.objects.get()
    assert stored.client == "192.0.2.1"
    assert "officer" not in stored.address_digest and len(stored.address_digest) == 64
    assert get_user_model().objects.filter(email="officer@example.org").exists()


@time_machine.travel(START, tick=False)
def test_behind_a_load_balancer_the_clients_own_address_is_counted(officer, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    for number in range(12):
        Client(REMOTE_ADDR="10.0.0.5", headers={"x-forwarded-for": f"192.0.2.{number + 1}"}).post(
            "/accounts/password_reset/", {"email": f"nobody{number}@example.org"}
        )
    assert PasswordResetRequest.objects.filter(client="10.0.0.5").count() == 0
    assert PasswordResetRequest.objects.count() == 12


@time_machine.travel(START, tick=False)
def test_the_link_uses_the_sites_configured_address_not_the_requests_host(officer, settings):
    settings.SITE_URL = "https://swp.example.gov.uk/"
    ask("officer@example.org")
    [email] = mail.outbox
    assert "\nhttps://swp.example.gov.uk/accounts/reset/" in email.body
    assert "testserver" not in email.body
