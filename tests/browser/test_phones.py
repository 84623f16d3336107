"""The pages a lead, a chair or an executive opens on a phone, at 375 x 812: nothing in the main content
reaches past the screen's edge, not even inside a scrolling box (tables become stacked cards), while at
1280 px the tables stay tables. Each page is also checked with axe at both widths."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from actions.models import Objective
from performance import rounds
from performance.models import Meeting, UpdateRound
from tests.performance.review_history import Q3, make_history

pytestmark = pytest.mark.browser

LONG_TITLE = "Identify repeat victims through multi-agency information-sharing arrangements"


@pytest.fixture
def clock():
    # A few weeks after 2024/25 Q3, with its round still open; ticking, so the browser's timers run.
    with time_machine.travel(datetime.datetime(2025, 1, 20, 10, tzinfo=ZoneInfo("Europe/London")), tick=True):
        yield


@pytest.fixture
def history(clock, plan, officer):
    Objective.objects.filter(pk=plan["v1"].pk).update(title=LONG_TITLE)
    make_history(plan, officer)
    rounds.round_open(strategy=plan["strategy"], quarter=Q3, by=officer, deadline=datetime.date(2025, 1, 31))
    Meeting.objects.create(
        strategy=plan["strategy"], kind=Meeting.Kind.EXECUTIVE, date=datetime.date(2025, 1, 28), year=2024, number=3
    )
    return plan


def test_the_lead_and_review_pages_fit_a_phone(
    page, live_server, officer, history, sign_in, check_phone_layout, check_tables_stay_tables, check_accessibility
):
    action = history["v1_1"]
    round_id = UpdateRound.objects.get().pk
    pages = [
        ("action-list", "/actions/", True),
        ("action-detail", f"/actions/{action.pk}/", True),
        ("action-update", f"/actions/{action.pk}/update/", False),
        ("review-dashboard", "/review/test-2024-2027/2024-Q3/?amber=1", True),
        ("review-objectives", "/review/test-2024-2027/2024-Q3/objectives/", True),
        ("round-returns", f"/rounds/{round_id}/", True),
        ("round-list", "/rounds/", True),
        ("meeting-list", "/meetings/", True),
        ("meeting-detail", f"/meetings/{Meeting.objects.get().pk}/", False),
    ]
    sign_in(page, live_server, "officer")
    for name, path, has_tables in pages:
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        check_phone_layout(page)
        if has_tables:
            check_tables_stay_tables(page)
        check_accessibility(page, f"phone-{name}")


def test_the_review_chart_is_not_scaled_down_on_a_phone(
    page, live_server, officer, history, sign_in, check_chart_labels
):
    sign_in(page, live_server, "officer")
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 812})
        page.goto(f"{live_server.url}/review/test-2024-2027/2024-Q3/")
        chart = page.get_by_role("img", name=re.compile("Actions by status and RAG per delivery group"))
        expect(chart).to_have_count(1)
        # Drawn size over the size it was drawn for: below 1 the 13px labels shrink.
        scale = chart.evaluate("svg => svg.getBoundingClientRect().width / svg.viewBox.baseVal.width")
        assert scale == 1, f"the chart is drawn at {scale:.2f} of its size at {width}px"
        if width == 375:
            check_chart_labels(page)  # the legend's abbreviations included


def test_the_strategy_page_and_the_privacy_notice_fit_a_phone(
    page, live_server, viewer, history, sign_in, check_phone_layout, check_tables_stay_tables, check_accessibility
):
    # The strategy page's counts per group become cards; an e-mail address wraps rather than run off.
    sign_in(page, live_server, "viewer")
    for name, path, has_tables in [
        ("strategy-detail", "/strategies/test-2024-2027/", True),
        ("privacy", "/privacy/", False),
    ]:
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        check_phone_layout(page)
        if has_tables:
            check_tables_stay_tables(page)
        check_accessibility(page, f"phone-{name}")
