"""Following decisions through, in Chromium: an executive records decisions about an objective, a
group and the meeting as a whole; an officer records who attended and marks the meeting held; the
owner answers on My actions; the next meeting carries them; a correction after the meeting is held
needs a reason and shows in the audit trail. Every page is checked with axe at 1280 and 375 px."""

import datetime

import pytest
import time_machine
from playwright.sync_api import expect

from performance.models import Attendance, Challenge, Meeting
from tests.performance.review_history import make_history

pytestmark = pytest.mark.browser

REVIEW = "/review/test-2024-2027/2024-Q3/"
# After the January meeting, before the April one.
ON = datetime.datetime(2025, 2, 10, 10, tzinfo=datetime.UTC)


@pytest.fixture
def meetings(plan, officer):
    make_history(plan, officer)

    def meeting(date, year, number):
        return Meeting.objects.create(strategy=plan["strategy"], date=date, year=year, number=number)

    return meeting(datetime.date(2025, 1, 28), 2024, 3), meeting(datetime.date(2025, 4, 29), 2024, 4)


def record_decision(page, *, about, owner, text):
    form = page.locator("#record-challenge")
    form.get_by_label("Decision", exact=True).check()
    for label, option in about.items():
        form.get_by_label(label).select_option(label=option)
    form.get_by_label("What was challenged or decided").fill(text)
    form.get_by_label("Owner (for a decision)").select_option(label=owner)
    form.get_by_label("Due date (for a decision)").fill("31/03/2025")
    form.get_by_role("button", name="Record it").click()
    expect(page.get_by_text("Your decision has been recorded.")).to_be_visible()


def test_decisions_are_answered_on_my_actions_carried_forward_and_corrected_with_a_reason(
    page, live_server, officer, executive, lead, plan, meetings, sign_in, check_accessibility, check_phone_layout
):
    january, april = meetings
    with time_machine.travel(ON, tick=True):
        sign_in(page, live_server, "executive", next=REVIEW)
        record_decision(
            page,
            about={"Or, for a decision, an objective": "Victim 1: Identify repeat victims"},
            owner="Lena Lead",
            text="Map where repeat victims are referred from.",
        )
        record_decision(
            page, about={"Or a whole delivery group": "Victim"}, owner="Test Police", text="Police to staff the group."
        )
        record_decision(page, about={}, owner="Lena Lead", text="Agree the terms of reference.")
        assert {d.text: d.about_label for d in Challenge.objects.with_related()} == {
            "Map where repeat victims are referred from.": "Objective 1",
            "Police to staff the group.": "Victim (group)",
            "Agree the terms of reference.": "The meeting as a whole",
        }

        page.context.clear_cookies()
        sign_in(page, live_server, "officer", next=f"/meetings/{january.pk}/")
        page.get_by_role("link", name="Record the attendance").click()
        page.get_by_label("Lena Lead").select_option(label="Attended")
        page.get_by_label("Carla Chair").select_option(label="Sent apologies")
        check_accessibility(page, "attendance-form")
        check_phone_layout(page)
        page.get_by_role("button", name="Save the attendance").click()
        expect(page.get_by_text("The attendance has been saved (2 changes).")).to_be_visible()
        expect(page.locator("#attendance + .govuk-summary-list")).to_contain_text("Lena Lead (Test Council)")
        page.get_by_role("button", name="Mark the meeting held").click()
        expect(page.get_by_text("has been marked held.")).to_be_visible()
        check_accessibility(page, "meeting-with-attendance")

        page.context.clear_cookies()
        sign_in(page, live_server, "lead")
        section = page.locator("#decisions-test-2024-2027")
        expect(section).to_contain_text("Decisions of meetings for you")
        cards = page.locator("#decisions-test-2024-2027 ~ [id^=decision-]")
        expect(cards).to_have_count(2)
        check_accessibility(page, "my-actions-decisions")
        check_phone_layout(page)
        first = Challenge.objects.get(text="Map where repeat victims are referred from.")
        card = page.locator(f"#decision-{first.pk}")
        card.get_by_role("button", name="Record the response: done").click()
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_be_focused()
        expect(summary).to_contain_text("Enter the response")
        check_accessibility(page, "my-actions-response-error")
        page.locator(f"#decision-{first.pk}").get_by_label("Response").fill("Referral map shared with the group.")
        page.locator(f"#decision-{first.pk}").get_by_role("button", name="Record the response: done").click()
        expect(page.get_by_text("Your response has been recorded: the decision is closed as done.")).to_be_visible()
        expect(page.locator("#decisions-test-2024-2027 ~ [id^=decision-]")).to_have_count(1)

        page.goto(f"{live_server.url}/meetings/{april.pk}/")
        carried = page.locator("#previous-actions ~ .app-table-scroll").first
        expect(carried).to_contain_text("Referral map shared with the group.")
        expect(carried).to_contain_text("Agree the terms of reference.")

        page.context.clear_cookies()
        whole = Challenge.objects.get(text="Agree the terms of reference.")
        sign_in(page, live_server, "officer", next=f"/decisions/{whole.pk}/change/")
        page.get_by_label("What was decided").fill("Agree the terms of reference by March.")
        page.get_by_role("button", name="Save the decision").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text(
            "Enter why what was recorded at the held meeting is being corrected"
        )
        page.get_by_label("Why it is being corrected").fill("The minutes gave a date.")
        page.get_by_role("button", name="Save the decision").click()
        expect(page.get_by_text("The decision has been saved.")).to_be_visible()
        page.goto(f"{live_server.url}/audit/")
        expect(page.locator("main")).to_contain_text("Correction: The minutes gave a date.")
        check_accessibility(page, "audit-with-correction")
    assert Attendance.objects.filter(meeting=january).count() == 2
    assert Challenge.objects.get(pk=whole.pk).text == "Agree the terms of reference by March."
