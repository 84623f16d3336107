"""The leads' journey in Chromium: sign in, find my actions, update one, by mouse and by keyboard alone;
a concurrent update refused without loss; what executives cannot reach. Every page is checked with axe.
"""

import datetime
import re
import zoneinfo

import pytest
import time_machine
from playwright.sync_api import expect

from actions.models import RAG, Action, Status

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def in_the_strategy_period():
    """My actions lists the actions of strategies whose period reaches today: the clock is set inside the
    fixture strategy's. It ticks: the live server needs it to."""
    with time_machine.travel(
        datetime.datetime(2026, 11, 16, 10, 0, tzinfo=zoneinfo.ZoneInfo("Europe/London")), tick=True
    ):
        yield


def focused(page):
    return page.evaluate(
        "(() => { const e = document.activeElement; return e ? (e.id || e.textContent.trim()) : ''; })()"
    )


def tab_until(page, wanted, limit=80):
    """Press Tab until the element with this id (or text) has focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page) == wanted:
            return
    pytest.fail(f"{wanted!r} was not reached with the Tab key")


def test_a_lead_is_told_why_amber_needs_commentary_then_saves(
    page, live_server, lead, plan, sign_in, check_accessibility
):
    sign_in(page, live_server, "lead")
    expect(page).to_have_url(re.compile(r"/my/$"))
    expect(page.get_by_role("heading", name="My actions")).to_be_visible()
    expect(page.locator(".app-standing")).to_contain_text("0 of 3 updated for")
    check_accessibility(page, "my-actions")

    page.get_by_role("link", name="Update V1.1").click()
    expect(page.get_by_role("heading", name="Update this action")).to_be_visible()
    check_accessibility(page, "action-update")
    page.get_by_role("radio", name="In progress").check()
    page.get_by_role("radio", name="Amber").check()
    page.get_by_label("Progress (per cent complete)").fill("40")
    page.get_by_role("button", name="Save update").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter a commentary for Amber")
    expect(page.get_by_label("Progress (per cent complete)")).to_have_value("40")
    expect(page.get_by_role("radio", name="Amber")).to_be_checked()
    check_accessibility(page, "action-update-errors")

    summary.get_by_role("link", name=re.compile("Enter a commentary")).click()
    expect(page.get_by_label("Commentary")).to_be_focused()
    page.get_by_label("Commentary").fill("Two housing providers yet to sign up; chased by the chair.")
    page.get_by_role("button", name="Save update").click()

    expect(page.get_by_text("Your update to V1.1 has been saved.")).to_be_visible()
    first = page.locator(".govuk-summary-card").first
    expect(first).to_contain_text("Two housing providers yet to sign up")
    expect(first).to_contain_text("Amber")
    check_accessibility(page, "action-detail")


def test_a_concurrent_update_is_refused_without_loss(browser, page, live_server, lead, chair, plan, sign_in):
    action = plan["v1_1"]
    url = f"{live_server.url}/actions/{action.pk}/update/"
    sign_in(page, live_server, "lead")
    page.goto(url)
    chair_context = browser.new_context()
    chair_page = chair_context.new_page()
    sign_in(chair_page, live_server, "chair")
    chair_page.goto(url)
    chair_page.get_by_role("radio", name="In progress").check()
    chair_page.get_by_role("radio", name="Green").check()
    chair_page.get_by_label("Progress (per cent complete)").fill("60")
    chair_page.get_by_role("button", name="Save update").click()
    expect(chair_page.get_by_text("has been saved")).to_be_visible()
    chair_context.close()

    page.get_by_role("radio", name="Complete").check()
    page.get_by_label("Progress (per cent complete)").fill("100")
    page.get_by_label("Commentary").fill("Standard published and signed by all providers.")
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_text("Someone else updated this action")).to_be_visible()
    expect(page.locator(".govuk-summary-card").first).to_contain_text("60%")
    expect(page.get_by_label("Commentary")).to_have_value("Standard published and signed by all providers.")
    assert Action.objects.get(pk=action.pk).status == Status.IN_PROGRESS

    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_text("Your update to V1.1 has been saved.")).to_be_visible()
    assert Action.objects.get(pk=action.pk).status == Status.COMPLETE
    assert action.updates.count() == 2


def test_an_update_by_keyboard_alone(page, live_server, lead, plan, sign_in):
    sign_in(page, live_server, "lead")
    tab_until(page, "Update V1.2")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Update this action")).to_be_visible()
    tab_until(page, "id_status_0")  # the radio group stops once, on the checked "Not started"
    page.keyboard.press("ArrowDown")  # arrows move the choice: "In progress"
    assert focused(page) == "id_status_1"
    tab_until(page, "id_rag_3")  # the RAG group stops once, on the checked "No rating"
    page.keyboard.press("ArrowDown")  # arrows go round to "Green"
    assert focused(page) == "id_rag_0"
    page.keyboard.press("Tab")
    assert focused(page) == "id_progress"
    page.keyboard.type("15")
    page.keyboard.press("Tab")
    page.keyboard.type("Kick-off meeting held with Victim Support.")
    tab_until(page, "Save update")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your update to V1.2 has been saved.")).to_be_visible()
    action = Action.objects.get(pk=plan["v1_2"].pk)
    assert (action.status, action.rag, action.progress) == (Status.IN_PROGRESS, RAG.GREEN, 15)


def test_an_executive_member_cannot_reach_the_update_form(
    page, live_server, executive, lead, plan, sign_in, check_accessibility
):
    Action.objects.filter(pk=plan["v1_1"].pk).update(created_at=plan["v1_1"].created_at.replace(year=2025))
    for month in range(4, 9):  # five updates: the page draws the latest four
        plan["v1_1"].record_update(
            by=lead,
            status=Status.IN_PROGRESS,
            progress=month * 10,
            commentary=f"Update {month}",
            recorded_at=datetime.datetime(2026, month, 10, 12, tzinfo=zoneinfo.ZoneInfo("Europe/London")),
        )
    sign_in(page, live_server, "executive")
    expect(page).to_have_url(re.compile(r"/strategies/test-2024-2027/$"))
    check_accessibility(page, "strategy-overview")
    page.get_by_label("Show the counts as at").select_option(label="the end of 2024/25 Q2")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("table")).to_contain_text("as they stood at the end of 2024/25 Q2")
    check_accessibility(page, "strategy-overview-as-at")
    page.get_by_role("link", name=re.compile("See every action")).click()
    check_accessibility(page, "action-list")
    page.get_by_role("link", name="V1.1", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("V1.1"))).to_be_visible()
    expect(page.get_by_role("table", name=re.compile("at the end of the last quarter"))).to_be_visible()
    check_accessibility(page, "action-detail-quarter-ends")
    page.get_by_role("link", name=re.compile("Show every quarter of the strategy")).click()
    expect(page.get_by_role("table", name=re.compile("at the end of each quarter"))).to_be_visible()
    check_accessibility(page, "action-detail-every-quarter-end")
    expect(page.get_by_text("The latest 4 of 5 updates, newest first.")).to_be_visible()
    page.get_by_role("link", name=re.compile("Show all 5 updates")).click()
    expect(page.get_by_text("Update 4", exact=True)).to_be_visible()
    expect(page.get_by_text("The latest 4 of 5")).to_have_count(0)
    expect(page.get_by_role("table", name=re.compile("at the end of each quarter"))).to_be_visible()  # kept
    check_accessibility(page, "action-detail-whole-history")
    expect(page.get_by_role("link", name="Update this action")).to_have_count(0)
    response = page.goto(f"{live_server.url}/actions/{plan['v1_1'].pk}/update/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("permission", re.IGNORECASE))


def assert_no_horizontal_scroll(page):
    """WCAG 1.4.10 Reflow: the page itself never scrolls sideways (wide tables scroll in their box)."""
    width, scroll_width = page.evaluate("[document.documentElement.clientWidth, document.documentElement.scrollWidth]")
    assert scroll_width <= width, f"{page.url} is {scroll_width}px wide in a {width}px window"


@pytest.mark.parametrize("width", [1024, 320])
def test_list_pages_reflow_without_sideways_scrolling(width, browser, live_server, lead, plan, sign_in):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    sign_in(page, live_server, "lead")
    for path in [
        "/my/",
        "/actions/",
        f"/actions/{plan['v1_1'].pk}/",
        f"/actions/{plan['v1_1'].pk}/update/",
        "/strategies/test-2024-2027/",
    ]:
        page.goto(f"{live_server.url}{path}")
        assert_no_horizontal_scroll(page)
    context.close()


def test_the_action_list_filters_without_javascript(
    browser, live_server, viewer, lead, plan, sign_in, check_accessibility
):
    plan["v1_2"].record_update(
        by=lead,
        status=Status.IN_PROGRESS,
        rag=RAG.RED,
        progress=5,
        commentary="Funding not confirmed",
        revised_due_date=plan["v1_1"].due_date,
    )
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server, "viewer", next="/actions/")
    page.get_by_role("group", name="RAG", exact=True).get_by_role("checkbox", name="Red", exact=True).check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#result-count")).to_contain_text("1 action found")
    assert "rag=red" in page.url
    check_accessibility(page, "action-list-filtered")
    context.close()
