"""Indicators in Chromium: the list, one indicator with its chart, entering and correcting a value, and
importing values; every page checked with axe (WCAG 2.2 AA)."""

import re

import pytest
from playwright.sync_api import expect

from performance.models import IndicatorValue
from tests.performance.test_indicator_views import kpis  # noqa: F401 - the standing indicators

pytestmark = pytest.mark.browser


def test_the_list_and_an_indicator(page, live_server, officer, kpis, sign_in, check_accessibility):  # noqa: F811
    sign_in(page, live_server, "officer", next="/indicators/?strategy=test-2024-2027")
    expect(page.get_by_role("heading", name="Performance indicators")).to_be_visible()
    expect(page.get_by_role("heading", name="Contextual and demand indicators")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="KPI-V1")
    expect(row).to_contain_text("Amber")
    expect(row).to_contain_text("Improving")
    expect(row.get_by_role("img")).to_have_accessible_name(re.compile("Trend of KPI-V1"))
    check_accessibility(page, "indicator-list")

    page.get_by_text("Filter indicators").click()  # the filters fold away until wanted
    page.get_by_label("Red").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#result-count")).to_contain_text("1 indicator found")
    expect(page.get_by_role("link", name="KPI-C1")).to_be_visible()
    check_accessibility(page, "indicator-list-filtered")

    page.get_by_role("link", name="KPI-C1").click()
    page.goto(f"{live_server.url}/indicators/{kpis['repeat'].pk}/")
    chart = page.get_by_role("img", name=re.compile("KPI-V1 Repeat victims: values by period"))
    expect(chart).to_be_visible()
    expect(page.locator("#chart-summary")).to_contain_text("Fell from 14.0% to 12.5%")
    expect(page.get_by_role("table").first).to_contain_text("2024/25 Q3")
    check_accessibility(page, "indicator-detail")


def test_the_list_and_an_indicators_chart_fit_a_phone(
    page,
    live_server,
    officer,
    kpis,  # noqa: F811 (the fixture imported above)
    sign_in,
    check_phone_layout,
    check_chart_labels,
    check_accessibility,
):
    sign_in(page, live_server, "officer", next="/indicators/?strategy=test-2024-2027")
    check_phone_layout(page)
    page.goto(f"{live_server.url}/indicators/{kpis['repeat'].pk}/")
    chart = page.get_by_role("img", name=re.compile("KPI-V1 Repeat victims: values by period"))
    expect(chart).to_have_count(1)  # the desktop's; the phone's is hidden
    expect(chart).to_have_attribute("viewBox", re.compile("^0 0 680 "))
    page.set_viewport_size({"width": 375, "height": 812})
    expect(chart).to_have_count(1)  # now the phone's, drawn at the width it is shown
    expect(chart).to_have_attribute("viewBox", re.compile("^0 0 340 "))
    charts = check_chart_labels(page)
    assert [drawn["chart"] for drawn in charts] == ["KPI-V1 Repeat victims: values by period"]
    check_phone_layout(page)
    check_accessibility(page, "indicator-detail-phone")


def test_an_owner_enters_and_corrects_a_value(page, live_server, lead, kpis, sign_in, check_accessibility):  # noqa: F811
    indicator = kpis["repeat"]
    sign_in(page, live_server, "lead", next=f"/indicators/{indicator.pk}/")
    page.get_by_role("link", name="Enter a value").click()
    page.get_by_label("Period").fill("2024/25 Q4")
    page.get_by_label("Value", exact=True).fill("150")
    page.get_by_role("button", name="Save value").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("150 is not a percentage")
    expect(page.get_by_label("Period")).to_have_value("2024/25 Q4")
    check_accessibility(page, "indicator-value-error")

    page.get_by_label("Value", exact=True).fill("11.5")
    page.get_by_role("button", name="Save value").click()
    expect(page.get_by_text("11.5% for 2024/25 Q4 has been saved to KPI-V1.")).to_be_visible()

    page.get_by_role("link", name="Correct the value for 2024/25 Q4").click()
    expect(page.get_by_role("heading", name="Correct the value for 2024/25 Q4")).to_be_visible()
    check_accessibility(page, "indicator-correct")
    page.get_by_label("Value", exact=True).fill("11.8")
    page.get_by_label("Why is it being corrected?").fill("Late-recorded crimes added")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.get_by_text("was corrected from 11.5% to 11.8%")).to_be_visible()
    expect(page.locator("#history ~ div")).to_contain_text("Corrected from 11.5%: Late-recorded crimes added")
    assert IndicatorValue.objects.filter(indicator=indicator, superseded_at__isnull=False).count() == 1


def test_an_officer_imports_values(page, live_server, officer, kpis, sign_in, check_accessibility, tmp_path):  # noqa: F811
    good = tmp_path / "values.csv"
    good.write_text("Indicator,Period,Value,Note\nKPI-V1,2024/25 Q4,11,Fewer repeats\nKPI-V2,2024/25 Q4,75,\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("Indicator,Period,Value\nKPI-V1,Sept,11\nKPI-V1,2024/25 Q4,111\n")
    sign_in(page, live_server, "officer", next="/indicators/imports/new/")
    expect(page.get_by_role("heading", name="Import indicator values")).to_be_visible()
    check_accessibility(page, "value-import-upload")

    page.get_by_label("Values file").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The file was not imported")
    expect(summary).to_contain_text('Row 2, Period: "Sept" is not a period')
    expect(summary).to_contain_text("Row 3, Value: 111 is not a percentage")
    check_accessibility(page, "value-import-refused")

    page.goto(f"{live_server.url}/indicators/imports/new/")
    page.get_by_label("Values file").set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    expect(page).to_have_url(re.compile(r"/indicators/imports/\d+/$"))
    expect(page.get_by_role("heading", name="What this import will do")).to_be_visible()
    check_accessibility(page, "value-import-preview")
    page.get_by_role("button", name="Import these values").click()
    expect(page.get_by_role("heading", name="Imported")).to_be_visible()
    check_accessibility(page, "value-import-result")
    assert kpis["repeat"].values.current().count() == 5
