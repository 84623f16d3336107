"""An officer defines "Violence against the person, West End ward, quarterly" from the crime data held
(after a mistake), and sees it with its values, the incomplete quarter saying so, on its page and in
the review; axe at 1280 and 375 px on each page."""

import datetime

import pytest
import time_machine
from playwright.sync_api import expect

from evidence import police
from evidence.area import area_import
from performance.models import Indicator
from tests.evidence.files import lookup_csv, street_csv

pytestmark = pytest.mark.browser

VIOLENCE = "Violence and sexual offences"
IN_Q4 = datetime.datetime(2025, 2, 15, 10, tzinfo=datetime.UTC)


@pytest.fixture
def crime_data(plan):
    """Testminster's area and October to December 2024 (2024/25 Q3), then January 2025 (Q4, 1 of 3 months)."""
    partnership = plan["partnership"]
    area_import(
        partnership=partnership, content=lookup_csv(), file_name="lookup.csv", local_authority_codes=["E09000033"]
    )
    months = {
        "2024-10": [("E01000001", VIOLENCE), ("E01000002", VIOLENCE), ("E01000003", VIOLENCE)],
        "2024-11": [("E01000001", VIOLENCE), ("E01000001", "Anti-social behaviour")],
        "2024-12": [("E01000002", VIOLENCE)] * 3,
        "2025-01": [("E01000001", VIOLENCE)],
    }
    for month, rows in months.items():
        outcome = police.check_content(
            partnership=partnership, content=street_csv(month, rows), file_name=f"{month}-metropolitan-street.csv"
        )
        police.police_apply(partnership=partnership, preview=outcome.as_dict(partnership))
    return partnership


def test_officer_defines_west_end_quarterly_violence(
    page, live_server, officer, crime_data, sign_in, check_accessibility, check_phone_layout
):
    with time_machine.travel(IN_Q4, tick=True):
        sign_in(page, live_server, "officer", next="/evidence/")
        page.get_by_role("link", name="Define an indicator from crime data").click()
        expect(page.get_by_role("heading", name="Define an indicator from crime data")).to_be_visible()
        check_accessibility(page, "crime-indicator-form")
        check_phone_layout(page)

        # A mistake first: no crime type chosen.
        page.get_by_label("Reference").fill("KPI-C1")
        page.get_by_label("Name", exact=True).fill("Violence against the person, West End ward")
        page.get_by_role("group", name="Wards").get_by_label("West End").check()
        page.get_by_label("Target (optional)").fill("5")
        page.get_by_role("button", name="Save and compute its values").click()
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_contain_text('Select at least one crime type, or select "All crime"')
        check_accessibility(page, "crime-indicator-form-errors")
        check_phone_layout(page)

        page.get_by_role("group", name="Crime types").get_by_label(VIOLENCE).check()
        page.get_by_role("button", name="Save and compute its values").click()
        expect(page.get_by_role("heading", name="KPI-C1")).to_be_visible()
        expect(page.get_by_text("computed from 1 of 3 months of data")).to_be_visible()
        table = page.get_by_role("table", name="KPI-C1 by period, newest first")
        expect(table.get_by_role("row", name="2024/25 Q3")).to_contain_text("6")
        expect(table.get_by_role("row", name="2024/25 Q4")).to_contain_text("Incomplete: 1 of 3 months")
        expect(page.get_by_role("link", name="Enter a value")).to_have_count(0)
        check_accessibility(page, "crime-indicator-detail")
        check_phone_layout(page)

        indicator = Indicator.objects.get(ref="KPI-C1")
        assert (indicator.frequency, indicator.computed) == ("quarterly", True)

        page.goto(f"{live_server.url}/review/test-2024-2027/2024-Q3/")
        row = page.get_by_role("row", name="KPI-C1 Violence against the person, West End ward")
        expect(row).to_contain_text("6")
        expect(row).to_contain_text("Red")
        check_accessibility(page, "crime-indicator-review")
        check_phone_layout(page)
