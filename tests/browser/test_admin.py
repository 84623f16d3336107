"""The back office pages officers use, in Chromium: each checked with axe at 1280 and 375 px."""

import pytest
from playwright.sync_api import expect

from actions.models import RAG, Status
from tests.performance.test_indicator_views import kpis  # noqa: F401 - the standing indicators

pytestmark = pytest.mark.browser


def test_the_back_office_pages_officers_use_are_accessible(
    page, live_server, officer, plan, sign_in, check_accessibility
):
    action = plan["v1_1"]
    update = action.record_update(
        by=officer, status=Status.IN_PROGRESS, rag=RAG.AMBER, progress=40, commentary="Two providers to sign up."
    )
    pages = [
        ("admin-index", "/admin/", "Strategies, action plans and people"),
        ("admin-action-list", "/admin/actions/action/", "Select action to change"),
        ("admin-action-change", f"/admin/actions/action/{action.pk}/change/", "Change action"),
        ("admin-update-list", "/admin/actions/update/", "Select update to view"),
        ("admin-update-change", f"/admin/actions/update/{update.pk}/change/", "View update"),
        ("admin-strategy-change", f"/admin/strategy/strategy/{plan['strategy'].pk}/change/", "Change strategy"),
        # With the help saying why values are exported here but not imported.
        ("admin-value-list", "/admin/performance/indicatorvalue/", "Select indicator value to view"),
    ]
    sign_in(page, live_server, "officer")
    for name, path, heading in pages:
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("h1")).to_contain_text(heading)
        check_accessibility(page, name)


def test_the_back_offices_change_lists_fit_a_phone(
    page,
    live_server,
    officer,
    plan,
    kpis,  # noqa: F811 (the fixture imported above)
    sign_in,
    check_phone_layout,
    check_tables_stay_tables,
):
    # Each a change list of many columns: on a phone its rows become cards, on a desktop it stays a table.
    plan["v1_1"].record_update(
        by=officer, status=Status.IN_PROGRESS, rag=RAG.AMBER, progress=40, commentary="Two providers to sign up."
    )
    sign_in(page, live_server, "officer")
    for path in (
        "/admin/actions/action/",
        "/admin/actions/update/",
        "/admin/performance/indicator/",
        "/admin/performance/indicatorvalue/",
        "/admin/strategy/strategy/",
    ):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("#result_list")).to_be_visible()
        check_phone_layout(page)
        check_tables_stay_tables(page)


def test_the_back_offices_import_preview_fits_a_phone(
    page,
    live_server,
    officer,
    plan,
    sign_in,
    check_phone_layout,
    check_tables_stay_tables,
    check_accessibility,
    tmp_path,
):
    # People with long job titles and addresses: a preview of six columns, wider than a phone.
    people = tmp_path / "people.csv"
    people.write_text(
        "name,kind,job_title,organisation,email,user\n"
        "Priya Practitioner,Person,Anti-social behaviour and community resolution coordinator,Test Council,"
        "priya.practitioner@westminster.example.gov.uk,\n"
        "Dev Detective,Person,Detective Inspector for violence against women and girls,Test Police,"
        "dev.detective@met.police.example.uk,\n"
    )
    sign_in(page, live_server, "officer")
    page.goto(f"{live_server.url}/admin/strategy/person/import/")
    page.get_by_label("File to import").set_input_files(str(people))
    page.get_by_label("Format").select_option("csv")
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("table.import-preview")).to_contain_text("Dev Detective")
    check_phone_layout(page)
    check_tables_stay_tables(page)
    check_accessibility(page, "admin-person-import-preview")
