"""An officer imports an action plan in Chromium: upload, preview, confirm, result; each page checked with axe."""

import re

import pytest
from playwright.sync_api import expect

from actions.models import Action
from tests.actions.importing import SEED_HEADER, seed_sheet, xlsx

pytestmark = pytest.mark.browser


def test_an_officer_uploads_previews_and_confirms_a_plan(
    page,
    live_server,
    officer,
    plan,
    sign_in,
    check_accessibility,
    check_phone_layout,
    check_tables_stay_tables,
    tmp_path,
):
    path = tmp_path / "victim plan.xlsx"
    rows = [
        ["1 Identify repeat victims", "Action V1.1", "Omar Other", "Fewer repeat victims", "Mar-25", "Blue"],
        [None, "A brand new action", "Nadia New", "", "Sep 2025", "Amber"],
    ]
    path.write_bytes(xlsx({"Victim": seed_sheet(rows, header=[*SEED_HEADER, "RAG"])}))
    sign_in(page, live_server, "officer", next="/imports/new/")
    expect(page.get_by_role("heading", name="Import an action plan")).to_be_visible()
    check_accessibility(page, "import-upload")

    page.get_by_role("button", name="Check the file").click()  # no file chosen yet
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select a file to import")
    check_accessibility(page, "import-upload-error")

    page.get_by_label("Action plan file").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()
    expect(page).to_have_url(re.compile(r"/imports/\d+/$"))
    expect(page.get_by_role("heading", name="What this import will do")).to_be_visible()
    expect(page.get_by_text("A brand new action")).to_be_visible()
    expect(page.locator(".app-import-changes").nth(1)).to_contain_text("Fewer repeat victims")
    expect(page.get_by_role("main").locator(".app-marking")).to_contain_text("OFFICIAL")
    check_accessibility(page, "import-preview")
    # The summary and the actions to be created become cards on a phone.
    check_phone_layout(page)
    check_tables_stay_tables(page)
    assert not Action.objects.filter(text="A brand new action").exists()

    page.get_by_label("Remove actions not in this file").check()
    page.get_by_role("button", name="Import these changes").click()
    expect(page.get_by_role("heading", name="Imported")).to_be_visible()
    check_accessibility(page, "import-result")
    check_phone_layout(page)
    assert Action.objects.filter(text="A brand new action").exists()
    assert Action.objects.get(ref="O1.1").archived_at is not None

    page.goto(f"{live_server.url}/imports/")
    expect(page.get_by_role("link", name="victim plan.xlsx")).to_be_visible()
    check_phone_layout(page)
    check_tables_stay_tables(page)


def test_a_refused_file_shows_its_problems(page, live_server, officer, plan, sign_in, check_accessibility, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx({"Victim": seed_sheet([[None, "An orphan", "", "", "31/02/2018"]])}))
    sign_in(page, live_server, "officer", next="/imports/new/")
    page.get_by_label("Action plan file").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The file was not imported")
    expect(summary).to_contain_text("Sheet 'Victim', row 4, Objectives: this action has no objective above it")
    expect(summary).to_contain_text("Sheet 'Victim', row 4, Deadline: 31/02/2018 is not a date")
    check_accessibility(page, "import-refused")


def test_an_officer_maps_a_new_leads_name_to_someone_known_without_javascript_needed(
    page, live_server, officer, plan, sign_in, check_accessibility, tmp_path
):
    path = tmp_path / "contest plan.xlsx"
    rows = [
        ["1 Protect crowded places", "Review security", "Omar Other, Lena Leed (awaiting confirmation)", "", "Sep-25"]
    ]
    path.write_bytes(xlsx({"Victim": seed_sheet(rows)}))
    sign_in(page, live_server, "officer", next="/imports/new/")
    page.get_by_label("Action plan file").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="New leads (1 to be added)")).to_be_visible()
    check_accessibility(page, "import-preview-new-leads")

    page.get_by_label("Lena Leed").select_option(label="Lena Lead")
    page.get_by_role("button", name="Import these changes").click()
    expect(page.get_by_text("The preview is being made again with your choices")).to_be_visible()
    expect(page.get_by_role("cell", name="Omar Other / Lena Lead (awaiting confirmation)")).to_be_visible()
    page.get_by_role("button", name="Import these changes").click()
    expect(page.get_by_role("heading", name="Imported")).to_be_visible()
    action = Action.objects.prefetch_related("lead_links__person").get(text="Review security")
    assert action.lead_names == "Omar Other / Lena Lead (awaiting confirmation)"
