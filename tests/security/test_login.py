"""Signing in: lockout after repeated failures (django-axes), no user enumeration, `next` kept to
this site, sessions that end after inactivity and on a password change."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client

from tests.conftest import PASSWORD

LOGIN = "/accounts/login/"


@pytest.fixture
def limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    return 3


def attempt(client, username, password="not-the-password", **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_repeated_failures_lock_that_username_out_from_that_address(client, officer, limit):
    for _ in range(limit - 1):
        assert attempt(client, "officer").status_code == 200
    locked = attempt(client, "officer")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many attempts to sign in" in page and "15 minutes" in page
    assert 'class="govuk-heading-l"' in page and "govuk-template" in page
    # Even the right password is refused while locked out.
    assert attempt(client, "officer", PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_is_for_that_username_and_address_only(client, officer, viewer, limit):
    for _ in range(limit):
        attempt(client, "officer")
    assert attempt(client, "viewer", PASSWORD).status_code == 302  # another account, same address
    elsewhere = Client(REMOTE_ADDR="192.0.2.50")
    assert attempt(elsewhere, "officer", PASSWORD).status_code == 302  # same account, another address


def test_the_lockout_ends_after_the_cool_off(client, officer, limit, settings):
    for _ in range(limit):
        attempt(client, "officer")
    assert attempt(client, "officer", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - settings.AXES_COOLOFF_TIME)
    assert attempt(client, "officer", PASSWORD).status_code == 302


def test_a_successful_sign_in_clears_the_count(client, officer, limit):
    for _ in range(limit - 1):
        attempt(client, "officer")
    assert attempt(client, "officer", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(limit - 1):
        assert attempt(client, "officer").status_code == 200


def test_an_unknown_username_locks_out_the_same_way(client, db, limit):
    responses = [attempt(client, "nobody-here") for _ in range(limit)]
    assert [r.status_code for r in responses] == [200] * (limit - 1) + [429]


def test_behind_a_load_balancer_the_clients_own_address_is_counted(client, officer, limit, settings):
    """With AXES_IPWARE_PROXY_COUNT=1 the address the load balancer appended is the one counted,
    whatever the client put in X-Forwarded-For itself."""
    settings.AXES_IPWARE_PROXY_COUNT = 1
    balancer = {"REMOTE_ADDR": "10.0.0.2"}
    for number in range(limit):
        attempt(client, "officer", HTTP_X_FORWARDED_FOR=f"198.51.100.{number}, 203.0.113.7", **balancer)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}
    assert attempt(client, "officer", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.7", **balancer).status_code == 429
    # Someone else behind the same load balancer is not locked out.
    assert attempt(client, "officer", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.8", **balancer).status_code == 302


def test_password_validators_refuse_weak_passwords(client, officer):
    client.force_login(officer)
    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": "password123", "new_password2": "password123"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "too short" in page and "too common" in page


# No user enumeration ------------------------------------------------------------------------------


def _text(response):
    return response.content.decode().replace("csrfmiddlewaretoken", "")


@pytest.mark.parametrize("password", ["wrong-password", PASSWORD])
def test_sign_in_failures_look_the_same_for_a_known_and_an_unknown_username(client, officer, password):
    known = attempt(client, "officer", "wrong-password")
    unknown = attempt(client, "no-such-user", password)
    assert known.status_code == unknown.status_code == 200
    message = "Please enter a correct username and password"
    assert message in known.content.decode() and message in unknown.content.decode()


def test_an_inactive_account_looks_like_a_wrong_password(client, officer):
    officer.is_active = False
    officer.save()
    response = attempt(client, "officer", PASSWORD)
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "inactive" not in response.content.decode()


def test_password_reset_looks_the_same_for_a_known_and_an_unknown_address(client, officer, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    known = client.post("/accounts/password_reset/", {"email": "officer@example.org"})
    unknown = client.post("/accounts/password_reset/", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url == "/accounts/password_reset/done/"


# next ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "/\\evil.example",
        "javascript:alert(1)",
        "http://testserver.evil.example/",
    ],
)
def test_next_never_leaves_the_site(client, officer, target):
    response = client.post(LOGIN, {"username": "officer", "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert response.url == "/"


def test_next_within_the_site_is_followed(client, officer):
    response = client.post(LOGIN, {"username": "officer", "password": PASSWORD, "next": "/actions/?rag=red"})
    assert response.url == "/actions/?rag=red"


def test_the_sign_in_page_does_not_link_to_an_external_next(client):
    page = client.get(LOGIN, {"next": "https://evil.example/"}).content.decode()
    assert '<input type="hidden" name="next" value="">' in page  # Django drops a next off the site
    assert 'href="https://evil.example/' not in page


# Sessions ------------------------------------------------------------------------------------------


def test_a_session_ends_after_the_idle_timeout(client, officer, settings):
    settings.SESSION_COOKIE_AGE = 60
    signed_in = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(signed_in, tick=False) as clock:
        client.post(LOGIN, {"username": "officer", "password": PASSWORD})
        assert client.get("/strategies/").status_code == 200
        clock.move_to(signed_in + datetime.timedelta(seconds=61))
        response = client.get("/strategies/")
    assert response.status_code == 302 and response.url.startswith(LOGIN)


def test_changing_the_password_ends_every_other_session(officer):
    here, there = Client(), Client()
    for client in (here, there):
        client.post(LOGIN, {"username": "officer", "password": PASSWORD})
        assert client.get("/strategies/").status_code == 200
    response = here.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-much-longer-passphrase",
            "new_password2": "a-much-longer-passphrase",
        },
    )
    assert response.status_code == 302
    assert here.get("/strategies/").status_code == 200  # the session that changed it goes on
    response = there.get("/strategies/")
    assert response.status_code == 302 and response.url.startswith(LOGIN)


def test_signing_out_ends_the_session_on_the_server(client, officer):
    client.post(LOGIN, {"username": "officer", "password": PASSWORD})
    cookie = client.cookies["sessionid"].value
    client.post("/accounts/logout/")
    thief = Client()
    thief.cookies["sessionid"] = cookie
    assert thief.get("/strategies/").status_code == 302


def test_session_cookie_is_http_only_and_same_site(client, officer):
    client.post(LOGIN, {"username": "officer", "password": PASSWORD})
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
