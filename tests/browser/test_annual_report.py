"""The annual report in Chromium: an officer opens it from the strategy page, writes the introduction,
and downloads the Word document, which carries what they wrote. Every page is checked with axe at
desktop and phone widths, and on a phone nothing scrolls sideways."""

import datetime
import io

import pytest
import time_machine
from docx import Document
from playwright.sync_api import expect

from actions.models import Status

pytestmark = pytest.mark.browser

AFTER_THE_YEAR = datetime.datetime(2025, 6, 10, 9, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def after_the_year():
    with time_machine.travel(AFTER_THE_YEAR, tick=True):
        yield


def test_an_officer_writes_the_introduction_and_downloads_the_docx(
    page, live_server, plan, officer, sign_in, check_accessibility, check_phone_layout
):
    plan["v1_1"].record_update(
        by=officer,
        status=Status.COMPLETE,
        progress=100,
        commentary="Repeat-victim scheme running in every ward.",
        recorded_at=datetime.datetime(2025, 1, 15, 10, tzinfo=datetime.UTC),
    )
    sign_in(page, live_server, "officer", next="/strategies/test-2024-2027/")
    page.get_by_role("link", name="Annual report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Annual report 2024/25")
    expect(page.locator("main")).to_contain_text("Repeat-victim scheme running in every ward.")
    check_accessibility(page, "annual-report")
    check_phone_layout(page)

    page.get_by_role("link", name="Write the introduction and conclusion").click()
    page.get_by_label("Introduction").fill("A year of steady delivery across the partnership.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The introduction and conclusion of the 2024/25 report have been saved.")).to_be_visible()
    expect(page.locator("#section-introduction ~ p").first).to_have_text(
        "A year of steady delivery across the partnership."
    )
    check_accessibility(page, "annual-report-written")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Word (DOCX) of the OFFICIAL-SENSITIVE edition, 2024/25").click()
    download = download_info.value
    assert download.suggested_filename == "test-2024-2027-annual-report-2024-25-official-sensitive.docx"
    with open(download.path(), "rb") as file:
        document = Document(io.BytesIO(file.read()))
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert "A year of steady delivery across the partnership." in texts
    assert document.sections[0].header.paragraphs[0].text == "OFFICIAL"


def test_the_form_is_checked_on_both_widths(page, live_server, plan, officer, sign_in, check_accessibility):
    sign_in(page, live_server, "officer", next="/annual-reports/test-2024-2027/2024-25/edit/")
    check_accessibility(page, "annual-report-edit")
    page.goto(f"{live_server.url}/annual-reports/test-2024-2027/?year=1999-00")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose one of the strategy's financial years")
    check_accessibility(page, "annual-report-bad-year")
