"""Two-factor sign-in: who must use it, setting it up, signing in with a code or a recovery code,
and everything an unverified session cannot reach."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD
from tests.security.conftest import confirmed_device, totp_code, verified

SETUP = "/accounts/two-factor/set-up/"
VERIFY = "/accounts/two-factor/"
CODES = "/accounts/two-factor/recovery-codes/"


def sign_in(client, username, next_url=""):
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post("/accounts/login/", data)


def test_the_setting_is_on_in_production_and_off_with_debug():
    from tests.security.test_deployment import run_settings

    production = run_settings(
        "from django.conf import settings as s; print(s.TWO_FACTOR_REQUIRED)",
        DJANGO_DEBUG="false",
        SECRET_KEY="x" * 50,
    )
    development = run_settings(
        "from django.conf import settings as s; print(s.TWO_FACTOR_REQUIRED)", DJANGO_DEBUG="true"
    )
    assert (production.stdout.strip(), development.stdout.strip()) == ("True", "False")


def test_with_the_setting_off_nobody_is_asked(client, officer):
    client.force_login(officer)
    assert client.get("/strategies/").status_code == 200


@pytest.mark.parametrize("who", ["officer", "superuser", "staff"])
def test_officers_and_administrators_without_a_device_are_sent_to_set_it_up(client, two_factor, officer, who):
    user = officer
    if who != "officer":
        user = get_user_model().objects.create_user(who, password=PASSWORD, **{f"is_{who}": True})
    response = sign_in(client, user.username, next_url="/actions/")
    assert response.status_code == 302
    response = client.get(response.url)
    assert response.status_code == 302
    assert response.url == f"{SETUP}?next=%2Factions%2F"


@pytest.mark.parametrize("role", ["chair", "lead", "executive", "viewer"])
def test_other_roles_sign_in_with_a_password_alone(client, two_factor, users, role):
    client.force_login(users[role])
    assert client.get("/strategies/").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/strategies/",
        "/actions/",
        "/actions/download.csv?strategy=test-2024-2027",
        "/strategies/test-2024-2027/export.xlsx",
        "/imports/",
        "/admin/",
        "/admin/actions/action/",
        "/accounts/password_change/",
        CODES,
    ],
)
def test_until_verified_every_page_download_and_the_back_office_go_to_verify(client, two_factor, officer, url):
    confirmed_device(officer)
    client.force_login(officer)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(f"{VERIFY}?next=")


def test_a_post_before_verifying_changes_nothing(client, two_factor, officer, plan):
    confirmed_device(officer)
    client.force_login(officer)
    response = client.post(
        f"/actions/{plan['v1_1'].pk}/update/",
        {"status": "in_progress", "rag": "green", "progress": "10", "seen_update": "none"},
    )
    assert response.status_code == 302 and response.url.startswith(VERIFY)
    assert not plan["v1_1"].updates.exists()


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/accessibility/", 200),
        ("/privacy/", 200),
        ("/healthz", 200),
        ("/accounts/logout/", 302),
        # A static address is not sent to verify: one that is never a file, so the answer is the same
        # whether or not `make serve` has collected the static files into this checkout.
        ("/static/css/no-such-file.css", 404),
    ],
)
def test_public_pages_and_sign_out_stay_open(client, two_factor, officer, url, status):
    confirmed_device(officer)
    client.force_login(officer)
    response = client.post(url) if url.endswith("logout/") else client.get(url)
    assert response.status_code == status
    if status == 302:
        assert response.url == "/accounts/login/"


def test_setting_up_shows_the_key_as_text_and_an_inline_qr_code(client, two_factor, officer):
    sign_in(client, "officer")
    response = client.get(SETUP)
    assert response.status_code == 200
    page = response.content.decode()
    device = TOTPDevice.objects.get(user=officer)
    assert not device.confirmed
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    shown = re.search(r'id="secret-key">([A-Z2-7 ]+)<', page).group(1)
    assert shown.replace(" ", "") == secret
    assert '<svg role="img" aria-label="QR code' in page
    assert "<img" not in page and "style=" not in page
    # Reloading the page keeps the same key: a phone that scanned it still works.
    client.get(SETUP)
    assert TOTPDevice.objects.filter(user=officer).count() == 1


def test_set_up_then_recovery_codes_shown_once_then_signed_in(client, two_factor, officer):
    sign_in(client, "officer")
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=officer)

    wrong = client.post(SETUP, {"code": "000000", "next": "/actions/"})
    assert wrong.status_code == 200
    assert "The code is not right" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    device.throttling_failure_count = 0  # the wrong code started django-otp's back-off; a person would wait
    device.throttling_failure_timestamp = None
    device.save()

    response = client.post(SETUP, {"code": totp_code(device), "next": "/actions/"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Two-factor sign-in is set up" in page
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", page)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert set(StaticToken.objects.filter(device__user=officer).values_list("token", flat=True)) == set(codes)
    assert 'href="/actions/"' in page
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/actions/").status_code == 200
    # The codes are not shown again.
    again = client.get(CODES).content.decode()
    assert "You have 10 unused recovery codes" in again
    assert not any(code in again for code in codes)
    assert client.get(SETUP).status_code == 302


def test_sign_in_with_a_code_from_the_app(client, two_factor, officer):
    device = confirmed_device(officer)
    response = sign_in(client, "officer", next_url="/actions/")
    response = client.get(response.url)
    assert response.url == f"{VERIFY}?next=%2Factions%2F"
    page = client.get(response.url)
    assert page.status_code == 200
    assert "Enter your security code" in page.content.decode()
    response = client.post(VERIFY, {"code": totp_code(device), "next": "/actions/"})
    assert response.status_code == 302 and response.url == "/actions/"
    assert client.get("/actions/").status_code == 200


def test_a_wrong_code_is_refused_with_a_message(client, two_factor, officer):
    confirmed_device(officer)
    sign_in(client, "officer")
    response = client.post(VERIFY, {"code": "123456"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and "The code is not right or has expired" in page
    assert client.get("/actions/").status_code == 302


def test_a_code_cannot_be_used_twice(client, two_factor, officer):
    device = confirmed_device(officer)
    code = totp_code(device)
    sign_in(client, "officer")
    assert client.post(VERIFY, {"code": code}).status_code == 302
    other = Client()
    sign_in(other, "officer")
    assert other.post(VERIFY, {"code": code}).status_code == 200


def test_a_recovery_code_works_once(client, two_factor, officer):
    from strategy.two_factor import replace_recovery_codes

    confirmed_device(officer)
    codes = replace_recovery_codes(officer)
    sign_in(client, "officer")
    response = client.post(VERIFY, {"code": codes[0].upper()}, follow=True)
    assert response.redirect_chain[0][1] == 302
    assert "You have 9 left" in response.content.decode()
    assert client.get("/actions/").status_code == 200

    other = Client()
    sign_in(other, "officer")
    assert other.post(VERIFY, {"code": codes[0]}).status_code == 200
    assert other.get("/actions/").status_code == 302


def test_officers_can_make_new_recovery_codes_and_the_old_ones_stop_working(client, two_factor, officer):
    from strategy.two_factor import replace_recovery_codes

    old = replace_recovery_codes(officer)
    verified(client, officer)
    response = client.post(CODES)
    page = response.content.decode()
    new = re.findall(r"<li><code>([a-z2-7]+)</code></li>", page)
    assert len(new) == 10 and not set(new) & set(old)
    other = Client()
    sign_in(other, "officer")
    assert other.post(VERIFY, {"code": old[1]}).status_code == 200
    StaticDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)
    assert other.post(VERIFY, {"code": new[1]}).status_code == 302


def test_wrong_codes_slow_down_and_say_so(client, two_factor, officer):
    device = confirmed_device(officer)
    sign_in(client, "officer")
    client.post(VERIFY, {"code": "111111"})
    response = client.post(VERIFY, {"code": totp_code(device)})
    assert response.status_code == 200
    assert "You have entered too many wrong codes: wait 1 second" in response.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # the refused attempt was not even tried


def test_someone_with_only_the_password_cannot_replace_the_authenticator(client, two_factor, officer):
    device = confirmed_device(officer)
    sign_in(client, "officer")
    response = client.get(SETUP)
    assert response.status_code == 302 and response.url.startswith(VERIFY)
    assert client.post(SETUP, {"code": "123456"}).status_code == 302
    assert list(TOTPDevice.objects.filter(user=officer)) == [device]
    assert client.post(CODES).status_code == 302
    assert not StaticToken.objects.exists()


def test_after_verifying_next_goes_only_to_this_site(client, two_factor, officer):
    device = confirmed_device(officer)
    sign_in(client, "officer")
    response = client.post(VERIFY, {"code": totp_code(device), "next": "https://evil.example/phish"})
    assert response.status_code == 302
    assert response.url == "/"


def test_verification_ends_with_the_session(client, two_factor, officer):
    device = confirmed_device(officer)
    sign_in(client, "officer")
    client.post(VERIFY, {"code": totp_code(device)})
    client.post("/accounts/logout/")
    sign_in(client, "officer")
    assert client.get("/actions/").url.startswith(VERIFY)


def test_anonymous_users_are_sent_to_sign_in(client, two_factor):
    for url in (SETUP, VERIFY, CODES):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")
