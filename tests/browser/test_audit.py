"""The audit log in Chromium: an officer filters it and reads what changed; checked with axe."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_an_officer_filters_the_audit_log(page, live_server, officer, lead, plan, sign_in, check_accessibility):
    plan["v1_1"].record_update(by=lead, status="in_progress", rag="amber", progress=30, commentary="Funding delayed")
    sign_in(page, live_server, "officer", next="/audit/")
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    check_accessibility(page, "audit-log")

    page.get_by_label("Update", exact=True).check()
    page.get_by_label("Changed by (login)").fill("lead")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"who=lead"))
    expect(page.locator("#result-count")).to_contain_text("1 change found")
    expect(page.get_by_role("table")).to_contain_text("Funding delayed")
    check_accessibility(page, "audit-log-filtered")

    page.get_by_label("From address").fill("not an address")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_accessibility(page, "audit-log-error")
