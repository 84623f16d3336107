"""E-mail settings and following an action in Chromium, with JavaScript and without: the Follow button on
an action's page, the settings page, and the unsubscribe link from an e-mail. Every page is checked with axe
at 1280 and 375 px."""

import pytest
from playwright.sync_api import expect

from notifications.models import Follow, Kind, Preference
from notifications.services import unsubscribe_token

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_following_an_action_and_choosing_how_to_be_told(
    browser, javascript, live_server, viewer, plan, sign_in, check_accessibility, check_phone_layout
):
    context = browser.new_context(java_script_enabled=javascript, locale="en-GB")
    page = context.new_page()
    try:
        sign_in(page, live_server, "viewer", next=f"/actions/{plan['v1_1'].pk}/")
        page.get_by_role("button", name="Follow V1.1").click()
        expect(
            page.get_by_text("You follow V1.1: a weekly e-mail tells you of its updates and decisions.")
        ).to_be_visible()
        expect(page.get_by_role("button", name="Unfollow V1.1")).to_be_visible()
        assert Follow.objects.filter(user=viewer, action=plan["v1_1"]).exists()
        check_accessibility(page, f"action-followed-{'js' if javascript else 'nojs'}")
        check_phone_layout(page)

        page.get_by_role("link", name="your e-mail settings", exact=True).click()
        expect(page.get_by_role("heading", name="Your e-mail settings")).to_be_visible()
        expect(page.locator("main")).to_contain_text("V1.1")
        check_accessibility(page, f"email-settings-{'js' if javascript else 'nojs'}")
        check_phone_layout(page)
        page.get_by_role("group", name="Actions you follow: their updates and decisions").get_by_label(
            "At once"
        ).check()
        page.get_by_role("button", name="Save your e-mail settings").click()
        expect(page.get_by_text("Your e-mail settings have been saved.")).to_be_visible()
        assert Preference.objects.get(user=viewer, kind=Kind.FOLLOWING).frequency == "at_once"
    finally:
        context.close()


def test_the_unsubscribe_link_works_without_signing_in(
    page, live_server, chair, check_accessibility, check_phone_layout
):
    page.goto(f"{live_server.url}/notifications/unsubscribe/{unsubscribe_token(chair, Kind.SIGN_OFF)}/")
    expect(page.get_by_role("heading", name="Stop these e-mails")).to_be_visible()
    check_accessibility(page, "unsubscribe-confirm")
    check_phone_layout(page)
    page.get_by_role("button", name="Stop these e-mails").click()
    expect(page.get_by_role("heading", name="E-mails stopped")).to_be_visible()
    assert Preference.objects.get(user=chair, kind=Kind.SIGN_OFF).frequency == "off"
    page.goto(f"{live_server.url}/notifications/unsubscribe/broken-link/")
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    check_accessibility(page, "unsubscribe-bad-link")
