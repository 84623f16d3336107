"""An officer sets a strategy up from the header without the back office, in Chromium, with axe on
each page: Strategies, adding one, its page's links, and the first step of opening a round."""

import re

import pytest
from playwright.sync_api import expect

from strategy.models import Strategy

pytestmark = pytest.mark.browser


def test_officer_adds_a_strategy_and_reaches_its_tools(page, live_server, officer, sign_in, check_accessibility):
    sign_in(page, live_server, "officer", next="/privacy/")
    menu = page.get_by_role("navigation", name="Menu")
    menu.get_by_role("link", name="Strategies", exact=True).click()
    expect(menu.get_by_role("link", name="Strategies", exact=True)).to_have_attribute("aria-current", "page")

    page.get_by_role("button", name="Add a strategy").click()
    page.get_by_role("button", name="Add the strategy").click()  # nothing filled in
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the strategy's name")
    check_accessibility(page, "strategy-add-errors")

    page.get_by_label("Name").fill("Safer Test Strategy")
    page.get_by_label("Start date").fill("01/04/2026")
    page.get_by_label("End date").fill("31/03/2029")
    page.get_by_label("OFFICIAL", exact=True).check()
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Add the strategy").click()

    page.wait_for_url(re.compile(r"/strategies/safer-test-strategy-2026-2029/$"))
    assert Strategy.objects.get(slug="safer-test-strategy-2026-2029").requires_sign_off
    tools = page.get_by_role("navigation", name="For this strategy")
    for name in [
        "Quarterly review",
        "Meetings and packs",
        "Update rounds",
        "Import its action plan",
        "Excel (XLSX)",
        "CSV",
    ]:
        expect(tools.get_by_role("link", name=name, exact=True)).to_be_visible()
    check_accessibility(page, "strategy-with-tools")

    # Two active strategies now: opening a round starts with choosing one.
    menu.get_by_role("link", name="Update rounds", exact=True).click()
    page.goto(f"{live_server.url}/rounds/new/")
    page.get_by_label("Strategy").select_option(label="Safer Test Strategy")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-caption-l")).to_have_text("Safer Test Strategy")
    check_accessibility(page, "round-open-second-step")
