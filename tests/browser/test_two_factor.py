"""Two-factor sign-in in Chromium: an officer sets up an authenticator app, keeps the recovery codes,
signs out, and signs in again with a code; every page checked with axe.

The test computes the codes a phone would, from the device's key (django-otp's TOTP).
"""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.security.conftest import totp_code

pytestmark = pytest.mark.browser


@pytest.fixture
def two_factor(settings):
    settings.TWO_FACTOR_REQUIRED = True


def test_an_officer_sets_up_and_signs_in_with_a_code(
    page, live_server, sign_in, check_accessibility, officer, two_factor
):
    sign_in(page, live_server, "officer")
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    check_accessibility(page, "two-factor-setup")

    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    key = page.locator("#secret-key").inner_text().replace(" ", "")
    from base64 import b32encode

    assert key == b32encode(device.bin_key).decode()

    page.get_by_label("Security code").fill("000000")
    page.get_by_role("button", name="Confirm and continue").click()
    expect(page.get_by_role("link", name="The code is not right")).to_be_visible()
    check_accessibility(page, "two-factor-setup-error")
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)

    page.get_by_label("Security code").fill(totp_code(device))
    page.get_by_role("button", name="Confirm and continue").click()
    expect(page.get_by_role("heading", name="Two-factor sign-in is set up")).to_be_visible()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    check_accessibility(page, "two-factor-recovery-codes")
    page.get_by_role("link", name="Continue").click()
    page.wait_for_url(lambda url: "two-factor" not in url)

    page.get_by_role("button", name="Sign out").click()
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)  # the next code may fall in the same 30 seconds
    sign_in(page, live_server, "officer", next="/actions/")
    expect(page.get_by_role("heading", name="Enter your security code")).to_be_visible()
    check_accessibility(page, "two-factor-verify")
    device.refresh_from_db()
    page.get_by_label("Security code").fill(totp_code(device))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{live_server.url}/actions/")

    page.goto(f"{live_server.url}/accounts/two-factor/recovery-codes/")
    expect(page.get_by_text("You have 10 unused recovery codes")).to_be_visible()
    check_accessibility(page, "two-factor-recovery-codes-page")


def test_the_locked_out_page_is_accessible(page, live_server, check_accessibility, officer, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill("officer")
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Too many attempts to sign in")).to_be_visible()
    check_accessibility(page, "locked-out")
