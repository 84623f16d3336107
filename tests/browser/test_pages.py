"""Sign-in, the footer pages and the error pages in a real browser: keyboard use, focus, and axe."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.urls("tests.browser.urls")]


def focused_text(page):
    return page.evaluate("document.activeElement ? document.activeElement.textContent.trim() : ''")


def tab_to(page, text, limit=40):
    """Press Tab until the element with this text has focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused_text(page) == text:
            return
    pytest.fail(f"{text!r} was not reached with the Tab key")


def test_sign_in_and_out_with_the_keyboard_only(page, live_server, officer):
    page.goto(f"{live_server.url}/accounts/login/?next=/privacy/")
    expect(page.get_by_label("Username")).to_be_focused()
    page.keyboard.type("officer")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    page.wait_for_url("**/privacy/")
    menu = page.get_by_role("navigation", name="Menu")
    expect(menu).to_contain_text("Signed in as officer")
    page.keyboard.press("Tab")
    assert focused_text(page) == "Skip to main content"
    tab_to(page, "Sign out")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("navigation", name="Menu")).to_have_count(0)


def test_navigation_marks_the_current_section(page, live_server, officer, sign_in, check_accessibility):
    sign_in(page, live_server, "officer", next="/accessibility/")
    menu = page.get_by_role("navigation", name="Menu")
    for label in ["Strategies", "Actions", "Imports", "Update rounds", "Meetings and packs", "Back office"]:
        expect(menu.get_by_role("link", name=label, exact=True)).to_be_visible()
    expect(menu.locator("[aria-current]")).to_have_count(0)
    expect(page.locator(".govuk-generic-header")).to_contain_text("Test Community Safety Partnership")
    check_accessibility(page, "accessibility-signed-in")

    page.goto(f"{live_server.url}/review/test-page/")
    expect(menu.locator("[aria-current]")).to_have_count(1)
    expect(menu.get_by_role("link", name="Strategies", exact=True)).to_have_attribute("aria-current", "true")


def test_login_error_summary_takes_focus_and_links_to_the_field(page, live_server, officer, check_accessibility):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="Sign in").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("There is a problem")
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    username_link = summary.get_by_role("link").first
    expect(username_link).to_have_attribute("href", "#id_username")
    expect(page.locator("#id_username_error")).to_contain_text("Error:")
    check_accessibility(page, "login-errors")

    page.keyboard.press("Tab")
    expect(username_link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Username")).to_be_focused()


def test_failed_sign_in_does_not_say_whether_the_username_exists(page, live_server, officer):
    messages = []
    for username in ["officer", "nobody-by-this-name"]:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Sign in").click()
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_be_focused()
        expect(summary.get_by_role("link")).to_have_attribute("href", "#id_username")
        messages.append(summary.inner_text())
    assert messages[0] == messages[1]


def test_error_summary_takes_focus_without_javascript(browser, live_server, officer):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator(".govuk-error-summary")).to_be_focused()
    finally:
        context.close()


def test_javascript_runs_under_the_content_security_policy(page, live_server):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
    expect(page.locator("body")).to_have_class(re.compile(r"\bjs-enabled\b"))
    # initAll() ran: the skip link is a GOV.UK component once initialised.
    expect(page.locator(".govuk-skip-link")).to_have_attribute("data-govuk-skip-link-init", "")
    assert errors == []


@pytest.mark.parametrize(
    ("path", "name", "heading"),
    [
        ("/accounts/login/", "login", "Sign in"),
        ("/accounts/password_reset/", "password-reset", "Reset your password"),
        ("/accounts/password_reset/done/", "password-reset-done", "Check your email"),
        ("/accounts/reset/MQ/not-a-token/", "password-reset-link-broken", "This link does not work"),
        ("/accessibility/", "accessibility", "Accessibility statement"),
        ("/privacy/", "privacy", "Privacy notice"),
        ("/no-such-page/", "404", "Page not found"),
        ("/test/forbidden/", "403", "You do not have permission to see this page"),
    ],
)
def test_public_pages_are_accessible(page, live_server, db, check_accessibility, path, name, heading):
    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    check_accessibility(page, name)


def test_signed_in_pages_are_accessible(page, live_server, officer, sign_in, check_accessibility):
    sign_in(page, live_server, "officer", next="/accounts/password_change/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    check_accessibility(page, "password-change")
    page.goto(f"{live_server.url}/test/forbidden/")
    check_accessibility(page, "403-signed-in")


def test_logged_out_page(page, live_server, officer, sign_in, settings, check_accessibility):
    settings.LOGOUT_REDIRECT_URL = None
    sign_in(page, live_server, "officer", next="/privacy/")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")
    check_accessibility(page, "logged-out")


def test_every_form_widget_and_partial_is_accessible(page, live_server, db, check_accessibility):
    page.goto(f"{live_server.url}/test/every-widget/")
    check_accessibility(page, "form-widgets")

    page.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("success message")
    check_accessibility(page, "form-widgets-errors")

    summary.get_by_role("link", name="Select rag").click()
    expect(page.locator("#id_rag_0")).to_be_focused()
