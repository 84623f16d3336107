"""The strategic assessment in Chromium: a viewer finds it in the header, reads the concentration and the
trends, chooses a period, crime types and a ward with JavaScript off (the choices land in the address),
gets a wrong number of wards refused in words, and downloads the workbook; axe at 1280 and 375 px, and
nothing scrolls sideways on a phone."""

import io

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.evidence.conftest import two_years  # noqa: F401 - the fixture: five wards, 2023 and 2024 held

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("two_years")]


def test_a_viewer_reads_the_assessment(
    page,
    live_server,
    viewer,
    sign_in,
    check_accessibility,
    check_phone_layout,
    check_chart_labels,
):
    sign_in(page, live_server, "viewer", next="/privacy/")
    menu = page.get_by_role("navigation", name="Menu")
    menu.get_by_role("link", name="Crime assessment", exact=True).click()
    expect(page.get_by_role("heading", name="Strategic assessment", level=1)).to_be_visible()
    expect(
        page.get_by_text(
            "82% of all crime in Testminster occurred in just 2 of its 5 wards, West End and St James's."
        ).first
    ).to_be_visible()
    expect(page.get_by_role("img", name="All crime by month")).to_have_count(1)  # the wide one; the narrow is hidden
    check_accessibility(page, "assessment")
    check_phone_layout(page)
    page.set_viewport_size({"width": 375, "height": 812})
    expect(page.get_by_role("img", name="All crime by month")).to_have_count(1)  # now the narrow one
    check_chart_labels(page)
    page.set_viewport_size({"width": 1024, "height": 768})

    with page.expect_download() as download:
        page.get_by_role("link", name="Download as a spreadsheet (XLSX)").click()
    assert download.value.suggested_filename == "tcsp-assessment-2024-12-official.xlsx"
    with open(download.value.path(), "rb") as saved:
        book = openpyxl.load_workbook(io.BytesIO(saved.read()))
    assert book["Assessment"]["B1"].value == "OFFICIAL"


def test_choices_work_without_javascript(
    browser,
    live_server,
    viewer,
    sign_in,
    check_accessibility,
    check_phone_layout,
):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    sign_in(page, live_server, "viewer", next="/evidence/assessment/")
    page.get_by_text("Choose the period and filters").click()
    page.get_by_label("12 months ending with").select_option("2024-06")
    page.get_by_label("Wards the concentration names").fill("0")
    page.get_by_role("button", name="Show the figures").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a number of wards of 1 or more")
    check_accessibility(page, "assessment-error")

    page.get_by_label("Wards the concentration names").fill("1")
    types = page.get_by_role("group", name="Crime types")
    types.get_by_role("checkbox", name="Shoplifting", exact=True).check()
    types.get_by_role("checkbox", name="Burglary", exact=True).check()
    page.get_by_role("group", name="Wards").get_by_role("checkbox", name="West End", exact=True).check()
    page.get_by_role("button", name="Show the figures").click()
    expect(
        page.get_by_text(
            "53% of burglary and shoplifting in Testminster occurred in just one of its 5 wards, West End."
        ).first
    ).to_be_visible()
    expect(page.get_by_text("No police.uk data is held for July 2022").first).to_be_visible()
    assert "end=2024-06" in page.url and "type=Shoplifting" in page.url and "ward=E05000001" in page.url
    check_accessibility(page, "assessment-chosen")
    check_phone_layout(page)
    context.close()
