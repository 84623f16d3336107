"""The public pages as a resident sees them, signed out: on a phone and a desktop, axe-clean at both
widths, no sideways scrolling, and no cookie left in the browser."""

import pytest
import time_machine
from playwright.sync_api import expect

from tests.public.conftest import NOW, published  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("published")]


@pytest.fixture
def clock():
    # Ticking, so the browser's timers run.
    with time_machine.travel(NOW, tick=True):
        yield


def test_a_resident_reads_the_published_strategy_on_a_phone(
    page,
    live_server,
    plan,
    check_phone_layout,
    check_accessibility,
    check_chart_labels,
):
    plan["partnership"].public_help = "In an emergency, call 999."
    plan["partnership"].save()
    pages = [
        ("public-partnership", "/public/tcsp/"),
        ("public-strategy", "/public/tcsp/test-2024-2027/"),
        ("public-data-dictionary", "/public/tcsp/test-2024-2027/data/"),
    ]
    for name, path in pages:
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        check_phone_layout(page)
        check_accessibility(page, name)
        if name == "public-strategy":
            charts = check_chart_labels(page)
            assert [drawn["chart"] for drawn in charts] == ["KPI-1 Repeat victims: values by period"]
    assert page.context.cookies() == []


def test_an_officer_previews_the_publication_page_and_the_public_page(
    page,
    live_server,
    plan,
    officer,
    sign_in,
    check_accessibility,
):
    type(plan["strategy"]).objects.filter(pk=plan["strategy"].pk).update(published=False)
    sign_in(page, live_server, "officer")
    page.goto(f"{live_server.url}/strategies/test-2024-2027/publication/")
    check_accessibility(page, "publication")
    page.get_by_role("link", name="See it as the public does").click()
    expect(page.get_by_text("You are seeing this page as residents will")).to_be_visible()
    check_accessibility(page, "public-preview")
    page.goto(f"{live_server.url}/strategies/test-2024-2027/publication/action/{plan['v1_1'].pk}/")
    page.get_by_label("Hold back from the public pages").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The action's publication has been saved.")).to_be_visible()
