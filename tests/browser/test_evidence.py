"""An officer's evidence journey in Chromium, with axe at 1280 and 375 px on each page: the Evidence
section of the header, loading the area (after a mistake), uploading a month of police.uk data, its
preview, confirming it, and downloading the counts."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from evidence.models import CrimeCount
from tests.evidence.files import JANUARY, lookup_csv, street_csv

pytestmark = pytest.mark.browser


def test_officer_loads_the_area_and_a_month_of_police_data(
    page, live_server, officer, sign_in, check_accessibility, check_phone_layout
):
    sign_in(page, live_server, "officer", next="/privacy/")
    menu = page.get_by_role("navigation", name="Menu")
    menu.get_by_role("link", name="Evidence", exact=True).click()
    expect(menu.get_by_role("link", name="Evidence", exact=True)).to_have_attribute("aria-current", "page")
    expect(page.get_by_text("The partnership has no area yet")).to_be_visible()

    # Police data before the area: refused in words.
    page.get_by_label("police.uk street-level files").set_input_files(
        {"name": "2024-01-metropolitan-street.csv", "mimeType": "text/csv", "buffer": street_csv("2024-01", JANUARY)}
    )
    page.get_by_role("button", name="Check the files").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The partnership has no area yet: load the ONS lookup")
    check_accessibility(page, "evidence-errors")
    check_phone_layout(page)

    page.get_by_label("Local authority codes").fill("E09000033")
    page.get_by_label("ONS LSOA to ward lookup (CSV)").set_input_files(
        {"name": "lookup.csv", "mimeType": "text/csv", "buffer": lookup_csv()}
    )
    page.get_by_role("button", name="Load the area").click()
    expect(page.get_by_text("The area now has 2 wards and 3 LSOAs (wards of 2024).")).to_be_visible()

    page.get_by_label("police.uk street-level files").set_input_files(
        {"name": "2024-01-metropolitan-street.csv", "mimeType": "text/csv", "buffer": street_csv("2024-01", JANUARY)}
    )
    page.get_by_role("button", name="Check the files").click()
    expect(page.get_by_role("heading", name="What this import will do")).to_be_visible()
    expect(page.get_by_text("7 rows read, 4 kept (in the area), 1 outside the area")).to_be_visible()
    check_accessibility(page, "police-import-preview")
    check_phone_layout(page)

    page.get_by_role("button", name="Confirm and import").click()
    expect(page.get_by_role("heading", name="What was imported")).to_be_visible()
    assert CrimeCount.objects.count() == 3
    check_accessibility(page, "police-import-done")

    page.get_by_role("link", name="Back to the evidence").click()
    expect(page.get_by_role("cell", name="January 2024")).to_be_visible()
    check_accessibility(page, "evidence")
    check_phone_layout(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    assert download.value.suggested_filename == "tcsp-crime-counts-2024-01-to-2024-01-official.csv"
    content = Path(download.value.path()).read_text(encoding="utf-8")
    assert content.splitlines() == [
        "Month,Ward code,Ward name,Crime type,Count",
        "2024-01,E05000001,West End,Anti-social behaviour,1",
        "2024-01,E05000001,West End,Violence and sexual offences,2",
        "2024-01,E05000002,Soho,Shoplifting,1",
    ]
