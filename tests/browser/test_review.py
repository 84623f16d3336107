"""The quarterly review in Chromium: an executive reads the dashboard, follows a count to the action list as
at the quarter, and records a challenge (with a mistake first); an officer adds a meeting and issues its
pack. Every page is checked with axe, and the dashboard's print layout drops the forms."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from performance.models import Meeting
from tests.performance.review_history import make_history

pytestmark = pytest.mark.browser

URL = "/review/test-2024-2027/2024-Q3/"


@pytest.fixture
def history(plan, officer):
    return make_history(plan, officer)


@pytest.fixture
def meeting(history):
    return Meeting.objects.create(
        strategy=history["strategy"], kind=Meeting.Kind.EXECUTIVE, date=datetime.date(2025, 1, 28), year=2024, number=3
    )


def test_an_executive_reads_the_review_follows_a_count_and_records_a_challenge(
    page, live_server, executive, history, meeting, sign_in, check_accessibility
):
    sign_in(page, live_server, "executive", next=URL)
    expect(page.locator("h1")).to_contain_text("2024/25 Q3")
    expect(page.get_by_role("img", name=re.compile("Actions by status and RAG per delivery group"))).to_be_visible()
    expect(page.locator("#exceptions ~ h3").first).to_contain_text("Victim")
    check_accessibility(page, "review-dashboard")

    page.get_by_role("link", name="Include Amber actions").click()
    expect(page.get_by_role("link", name="Show Red only")).to_be_visible()
    check_accessibility(page, "review-dashboard-amber")

    page.get_by_role("link", name=re.compile("2 actions newly Red")).click()
    expect(page.locator("#as-at")).to_contain_text("2024/25 Q3")
    expect(page.locator("#result-count")).to_contain_text("2 actions found")
    check_accessibility(page, "action-list-as-at")
    page.go_back()

    form = page.locator("#record-challenge")
    form.get_by_label("Action reference").fill("Z9.9")
    form.get_by_label("What was challenged or decided").fill("Why has no provider signed up?")
    form.get_by_role("button", name="Record it").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("There is no action Z9.9 in this review")
    expect(page.locator("#record-challenge").get_by_label("What was challenged or decided")).to_have_value(
        "Why has no provider signed up?"
    )
    check_accessibility(page, "review-challenge-errors")

    page.locator("#record-challenge").get_by_label("Action reference").fill("V1.1")
    page.locator("#record-challenge").get_by_role("button", name="Record it").click()
    expect(page.get_by_text("Your challenge has been recorded.")).to_be_visible()
    expect(page.locator("#challenges ~ .app-table-scroll").first).to_contain_text("Why has no provider signed up?")

    page.emulate_media(media="print")
    expect(page.locator("#record-challenge")).to_be_hidden()
    expect(page.get_by_role("img", name=re.compile("Actions by status and RAG"))).to_be_visible()
    page.emulate_media(media="screen")

    page.get_by_role("link", name="V1.1").first.click()
    expect(page.locator("#challenges")).to_be_visible()
    expect(page.get_by_text("Why has no provider signed up?")).to_be_visible()
    check_accessibility(page, "action-with-challenge")


def test_an_officer_adds_a_meeting_and_issues_its_pack(
    page, live_server, officer, history, sign_in, check_accessibility
):
    sign_in(page, live_server, "officer", next="/meetings/")
    expect(page.get_by_role("heading", name="Meetings and packs", level=1)).to_be_visible()
    check_accessibility(page, "meeting-list-empty")
    page.get_by_role("link", name="Add a meeting").click()
    page.get_by_label("Date of the meeting").fill("01/12/2024")
    page.get_by_label("Quarter it reviews").select_option("2024-Q3")
    page.get_by_role("button", name="Add the meeting").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("cannot review 2024/25 Q3")
    check_accessibility(page, "meeting-form-errors")

    page.get_by_label("Date of the meeting").fill("28/01/2025")
    page.get_by_role("button", name="Add the meeting").click()
    expect(page.get_by_role("heading", name="Executive Group, 28 January 2025")).to_be_visible()
    check_accessibility(page, "meeting-detail")

    page.get_by_label("Include Amber actions in the exceptions").check()
    page.get_by_role("button", name="Issue the pack (PDF and Excel)").click()
    expect(page.get_by_text("has been issued")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("^PDF")).click()
    path = download.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert download.value.suggested_filename.endswith("-pack-official-sensitive.pdf")
    check_accessibility(page, "meeting-detail-with-pack")

    page.goto(f"{live_server.url}/meetings/")
    check_accessibility(page, "meeting-list")
    page.goto(f"{live_server.url}{URL}objectives/")
    expect(page.get_by_role("table")).to_contain_text("Identify repeat victims")
    check_accessibility(page, "review-objectives")
