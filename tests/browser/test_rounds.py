"""Update rounds in Chromium: an officer opens a round and reminds a lead; a chair signs an update off;
an officer closes the round and corrects the closed quarter. Every page is checked with axe."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from actions.models import Update
from performance import rounds
from strategy.models import Person, Strategy
from strategy.periods import Quarter

# Rounds are opened for last quarter, which must fall in the fixture strategy's period (2024-2027).
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("in_the_strategys_period")]


@pytest.fixture
def in_the_strategys_period():
    """The live server's thread and the test share the clock; it ticks, so sessions and waits work."""
    with time_machine.travel(datetime.datetime(2026, 11, 18, 10, tzinfo=datetime.UTC), tick=True):
        yield


@pytest.fixture
def reachable(plan):
    Person.objects.filter(pk__in=[plan["lena"].pk, plan["omar"].pk]).update(email="lead@example.org")
    return plan


def test_an_officer_opens_a_round_and_reminds_a_lead(
    page, live_server, officer, reachable, sign_in, check_accessibility
):
    quarter = Quarter.current().previous()
    sign_in(page, live_server, "officer", next="/rounds/")
    expect(page.get_by_role("heading", name="Update rounds")).to_be_visible()
    check_accessibility(page, "round-list-empty")

    page.get_by_role("link", name="Open an update round").click()
    page.get_by_role("radio", name=f"{quarter} ({quarter.months})").check()
    page.get_by_label("Send the reminder this many working days before the deadline").fill("40")
    page.get_by_role("button", name="Open the round and e-mail the leads").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a deadline, or choose the meeting")
    check_accessibility(page, "round-open-errors")

    deadline = timezone.localdate() + datetime.timedelta(days=21)
    page.get_by_label("Deadline for updates").fill(f"{deadline:%d/%m/%Y}")
    page.get_by_label("Send the reminder this many working days before the deadline").fill("3")
    page.get_by_role("button", name="Open the round and e-mail the leads").click()

    expect(page.get_by_role("heading", name=f"{quarter} update round")).to_be_visible()
    expect(page.locator("#returns-summary")).to_contain_text("0 of 5 actions updated")
    assert len(mail.outbox) == 2
    check_accessibility(page, "round-returns")

    page.get_by_role("button", name="Remind now Lena Lead (Victim group)").click()
    expect(page.get_by_text("Reminder sent to Lena Lead.")).to_be_visible()
    page.get_by_role("button", name="Remind now Lena Lead (Victim group)").click()
    expect(page.get_by_text("Already reminded today, so not sent again: Lena Lead.")).to_be_visible()
    assert len(mail.outbox) == 3

    page.get_by_role("link", name="Change the deadline").click()
    check_accessibility(page, "round-change")
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("link", name="Close the round").click()
    check_accessibility(page, "round-close")
    page.get_by_role("button", name=re.compile("Close the round and lock")).click()
    expect(page.get_by_text("is closed and the quarter is locked")).to_be_visible()
    check_accessibility(page, "round-returns-closed")


def test_a_chair_returns_then_approves_a_leads_update(
    browser, page, live_server, lead, chair, plan, sign_in, check_accessibility
):
    Strategy.objects.filter(pk=plan["strategy"].pk).update(requires_sign_off=True)
    action = plan["v1_1"]
    sign_in(page, live_server, "lead", next=f"/actions/{action.pk}/update/")
    expect(page.locator("#sign-off-note")).to_be_visible()
    page.get_by_role("radio", name="In progress").check()
    page.get_by_role("radio", name="Green").check()
    page.get_by_label("Progress (per cent complete)").fill("30")
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_text("sent to the delivery-group chair for sign-off")).to_be_visible()
    expect(page.locator(".govuk-summary-card").first).to_contain_text("Waiting for sign-off")
    check_accessibility(page, "action-pending-sign-off")

    chair_context = browser.new_context()
    chair_page = chair_context.new_page()
    sign_in(chair_page, live_server, "chair", next="/sign-off/")
    expect(chair_page.get_by_role("heading", name="Updates waiting for sign-off")).to_be_visible()
    check_accessibility(chair_page, "signoff-queue")
    chair_page.get_by_role("link", name=re.compile("Review V1.1")).click()
    check_accessibility(chair_page, "signoff-review")
    chair_page.get_by_role("button", name="Return to the lead").click()
    expect(chair_page.locator(".govuk-error-summary")).to_contain_text("Enter a comment")
    check_accessibility(chair_page, "signoff-review-errors")
    chair_page.get_by_role("button", name="Approve").click()
    expect(chair_page.get_by_text("is approved and now counts")).to_be_visible()
    expect(chair_page.locator("#nothing-to-sign-off")).to_be_visible()
    chair_context.close()
    assert Update.objects.get().review_state == Update.ReviewState.APPROVED


def test_an_officer_corrects_a_closed_quarter(page, live_server, officer, plan, sign_in, check_accessibility):
    quarter = Quarter.current().previous()
    update_round = rounds.round_open(
        strategy=plan["strategy"], quarter=quarter, by=officer, deadline=quarter.end, today=quarter.end
    )
    rounds.round_close(update_round=update_round, by=officer)
    action = plan["v1_1"]
    sign_in(page, live_server, "officer", next=f"/actions/{action.pk}/")
    expect(page.get_by_text(f"The update rounds for {quarter} are closed.", exact=False)).to_be_visible()
    check_accessibility(page, "action-closed-quarters")
    page.get_by_role("link", name="Record a correction to V1.1").click()
    page.get_by_role("radio", name=f"{quarter} ({quarter.months})").check()
    page.get_by_role("radio", name="Not started").check()
    page.get_by_label("Progress (per cent complete)").fill("0")
    page.get_by_role("button", name="Record the correction").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why the closed quarter")
    check_accessibility(page, "round-correction-errors")
    page.get_by_label("Reason for the correction").fill("The action had not started: the earlier return was for V1.2.")
    page.get_by_role("button", name="Record the correction").click()
    expect(page.get_by_text("has been recorded")).to_be_visible()
    expect(page.locator(".govuk-summary-card").first).to_contain_text("Reason for correction")
