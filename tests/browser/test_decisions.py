"""The decision log in Chromium: an executive records a decision with an owner and a due date on the
review; its owner finds it on the decision list and closes it with a response; the next meeting shows
it carried forward. Every page is checked with axe."""

import datetime

import pytest
from playwright.sync_api import expect

from performance.models import Challenge, Meeting
from tests.performance.review_history import make_history

pytestmark = pytest.mark.browser

URL = "/review/test-2024-2027/2024-Q3/"


@pytest.fixture
def history(plan, officer):
    return make_history(plan, officer)


@pytest.fixture
def meetings(history):
    def meeting(date, year, number):
        return Meeting.objects.create(
            strategy=history["strategy"], kind=Meeting.Kind.EXECUTIVE, date=date, year=year, number=number
        )

    return meeting(datetime.date(2025, 1, 28), 2024, 3), meeting(datetime.date(2025, 4, 29), 2024, 4)


def test_a_decision_is_recorded_carried_forward_and_closed_by_its_owner(
    page, live_server, executive, lead, history, meetings, sign_in, check_accessibility
):
    _, april = meetings
    sign_in(page, live_server, "executive", next=URL)
    form = page.locator("#record-challenge")
    form.get_by_label("Decision", exact=True).check()
    form.get_by_label("Action reference").fill("V1.1")
    form.get_by_label("What was challenged or decided").fill("Bring a recovery plan to the next meeting.")
    form.get_by_role("button", name="Record it").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Choose who owns the decision")
    check_accessibility(page, "review-decision-errors")
    form = page.locator("#record-challenge")
    form.get_by_label("Owner (for a decision)").select_option(label="Lena Lead")
    form.get_by_label("Due date (for a decision)").fill("30/03/2025")
    form.get_by_role("button", name="Record it").click()
    expect(page.get_by_text("Your decision has been recorded.")).to_be_visible()
    decision = Challenge.objects.get()
    assert (decision.owner_person, decision.due_date) == (history["lena"], datetime.date(2025, 3, 30))

    page.goto(f"{live_server.url}/meetings/{april.pk}/")
    section = page.locator("#previous-actions ~ .app-table-scroll").first
    expect(section).to_contain_text("Bring a recovery plan to the next meeting.")
    expect(section).to_contain_text("Lena Lead")
    check_accessibility(page, "meeting-with-previous-actions")

    page.context.clear_cookies()
    sign_in(page, live_server, "lead", next="/decisions/?state=open")
    expect(page.locator("#result-count")).to_contain_text("1 decision found")
    check_accessibility(page, "decision-list")
    page.get_by_role("link", name="Bring a recovery plan to the next meeting.").click()
    page.get_by_label("Response").fill("Plan agreed with partners.")
    page.get_by_role("button", name="Close the decision").click()
    expect(page.get_by_text("The decision has been closed as done.")).to_be_visible()
    expect(page.locator(".govuk-summary-list")).to_contain_text("Plan agreed with partners.")
    check_accessibility(page, "decision-closed")
    assert Challenge.objects.get().state == Challenge.State.DONE
