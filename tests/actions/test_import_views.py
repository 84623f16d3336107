"""The import pages through the test client: upload, preview, confirm, result; and who may use them."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from actions.models import RAG, Action, ActionPlanImport, Status
from tests.actions.importing import SEED_HEADER, seed_sheet, xlsx

pytestmark = pytest.mark.django_db

ROWS = [
    ["1 Identify repeat victims", "Action V1.1", "Omar Other", "Fewer repeat victims", "Mar-25", "Blue"],
    [None, "Action V1.2", "Omar Other / Lena Lead", "", "Quarterly reporting", ""],
    [None, "A brand new action", "Nadia New", "", "Sep 2025", "Amber"],
]


def plan_workbook(rows):
    return xlsx({"Victim": seed_sheet(rows, header=[*SEED_HEADER, "RAG"])})


# Made once: openpyxl stamps the second it saves a workbook into it, so two made a second apart can
# differ in length by a byte of compression.
PLAN_WORKBOOK = plan_workbook(ROWS)


def upload_file(rows=ROWS, name="plan.xlsx"):
    return SimpleUploadedFile(name, PLAN_WORKBOOK if rows is ROWS else plan_workbook(rows))


def upload(client, plan, file=None):
    return client.post(
        reverse("actions:import_upload"), {"strategy": plan["strategy"].pk, "file": file or upload_file()}
    )


@pytest.fixture
def preview(client, plan, officer):
    """An officer's upload, checked and waiting for confirmation."""
    client.force_login(officer)
    response = upload(client, plan)
    record = ActionPlanImport.objects.get()
    assert response.status_code == 302 and response.url == reverse("actions:import_detail", args=[record.pk])
    return record


@pytest.mark.parametrize("url_name", ["actions:import_upload", "actions:import_list"])
def test_anonymous_users_are_asked_to_sign_in(client, plan, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302 and "/login" in response.url


@pytest.mark.parametrize("role", ["chair", "lead", "executive", "viewer"])
def test_only_officers_may_import(client, users, preview, role):
    client.force_login(users[role])
    assert client.get(reverse("actions:import_upload")).status_code == 403
    assert client.get(reverse("actions:import_list")).status_code == 403
    assert client.get(reverse("actions:import_detail", args=[preview.pk])).status_code == 403
    assert client.post(reverse("actions:import_detail", args=[preview.pk])).status_code == 403
    assert client.post(reverse("actions:import_cancel", args=[preview.pk])).status_code == 403


def test_another_partnerships_officer_sees_nothing_of_the_import(client, users, preview, plan):
    client.force_login(users["outsider"])
    assert client.get(reverse("actions:import_detail", args=[preview.pk])).status_code == 404
    assert client.post(reverse("actions:import_detail", args=[preview.pk])).status_code == 404
    assert client.post(reverse("actions:import_cancel", args=[preview.pk])).status_code == 404
    response = upload(client, plan)  # into a strategy that is not theirs
    assert response.status_code == 200
    assert "Select a strategy from the list" in response.content.decode()
    assert ActionPlanImport.objects.count() == 1


def test_the_upload_page(client, plan, officer):
    client.force_login(officer)
    response = client.get(reverse("actions:import_upload") + "?strategy=test-2024-2027")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert "Test strategy 2024-2027" in page


def test_upload_preview_confirm_result(client, plan, officer, preview):
    assert preview.state == "ready"
    assert preview.created_by == officer
    assert (preview.file_name, preview.file_size) == ("plan.xlsx", len(PLAN_WORKBOOK))
    assert len(preview.file_sha256) == 64
    page = client.get(reverse("actions:import_detail", args=[preview.pk])).content.decode()
    assert "What this import will do" in page
    assert "Actions will be created (1)" in page
    assert "A brand new action" in page
    assert "Actions will be changed (1)" in page
    assert "Fewer repeat victims" in page and "Repeat victimisation levels" in page  # old and new KPI
    assert "Nadia New" in page  # a new lead is named before it is added
    assert "Actions not in this file (3)" in page
    assert 'name="archive_missing"' in page
    assert "read as <strong>Complete</strong>" in page
    assert Action.objects.filter(text="A brand new action").count() == 0  # nothing saved yet

    response = client.post(reverse("actions:import_detail", args=[preview.pk]), {"blue_means": "complete"})
    assert response.status_code == 302
    preview.refresh_from_db()
    assert preview.state == "imported"
    assert bytes(preview.file_content) == b""  # the file is not kept once imported
    assert preview.result["applied"]["actions_created"] == 1
    assert Action.objects.get(ref="V1.1").status == Status.COMPLETE
    assert Action.objects.get(text="A brand new action").rag == RAG.AMBER
    assert Action.objects.filter(archived_at__isnull=False).count() == 0
    page = client.get(reverse("actions:import_detail", args=[preview.pk])).content.decode()
    assert "was imported into Test strategy 2024-2027" in page
    assert "Actions were created (1)" in page


def test_changing_how_blue_is_read_makes_the_preview_again_before_importing(client, preview):
    response = client.post(reverse("actions:import_detail", args=[preview.pk]), {"blue_means": "green"})
    assert response.status_code == 302
    preview.refresh_from_db()
    assert (preview.state, preview.blue_means) == ("ready", "green")
    assert Action.objects.get(ref="V1.1").status == Status.NOT_STARTED
    client.post(reverse("actions:import_detail", args=[preview.pk]), {"blue_means": "green"})
    action = Action.objects.get(ref="V1.1")
    assert (action.status, action.rag) == (Status.IN_PROGRESS, RAG.GREEN)


def test_ticking_remove_archives_the_actions_not_in_the_file(client, preview):
    client.post(reverse("actions:import_detail", args=[preview.pk]), {"archive_missing": "on"})
    assert set(Action.objects.filter(archived_at__isnull=False).values_list("ref", flat=True)) == {
        "O1.1",
        "O1.2",
        "C1.1",
    }


def test_a_refused_file_shows_every_problem_in_an_error_summary_and_saves_nothing(client, plan, officer):
    client.force_login(officer)
    rows = [["1 Identify repeat victims", "Action V1.1", "Lena Lead", "", "31/02/2018", ""]]
    upload(client, plan, upload_file(rows))
    record = ActionPlanImport.objects.get()
    assert record.state == "refused"
    assert bytes(record.file_content) == b""
    response = client.get(reverse("actions:import_detail", args=[record.pk]))
    page = response.content.decode()
    assert "<title>Error: " in page
    assert "govuk-error-summary" in page
    assert "Sheet &#x27;Victim&#x27;, row 4, Deadline: 31/02/2018 is not a date (there is no such day)" in page
    assert Action.objects.get(ref="V1.1").deadline_text == "Mar-25"
    # And it cannot be confirmed.
    client.post(reverse("actions:import_detail", args=[record.pk]))
    assert Action.objects.get(ref="V1.1").deadline_text == "Mar-25"


def test_a_file_that_is_not_a_spreadsheet(client, plan, officer):
    client.force_login(officer)
    upload(client, plan, SimpleUploadedFile("plan.pdf", b"%PDF-1.4 not a plan"))
    record = ActionPlanImport.objects.get()
    assert record.problems[0]["text"].startswith("plan.pdf is not a spreadsheet")


def test_a_file_over_10_mb_is_refused_on_the_upload_page(client, plan, officer):
    client.force_login(officer)
    response = upload(client, plan, SimpleUploadedFile("big.csv", b"x" * (10 * 1024 * 1024 + 1)))
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page and "it must be smaller than 10 MB" in page
    assert not ActionPlanImport.objects.exists()


def test_an_upload_with_no_file(client, plan, officer):
    client.force_login(officer)
    response = client.post(reverse("actions:import_upload"), {"strategy": plan["strategy"].pk})
    assert "Select a file to import" in response.content.decode()


def test_cancel_erases_the_file(client, preview):
    response = client.post(reverse("actions:import_cancel", args=[preview.pk]))
    assert response.status_code == 302
    preview.refresh_from_db()
    assert preview.state == "cancelled" and bytes(preview.file_content) == b""
    client.post(reverse("actions:import_detail", args=[preview.pk]))
    assert not Action.objects.filter(text="A brand new action").exists()


def test_a_confirm_after_someone_changed_the_plan_shows_a_new_preview(client, plan, preview):
    plan["v1_2"].delete()
    client.post(reverse("actions:import_detail", args=[preview.pk]))
    preview.refresh_from_db()
    assert preview.state == "ready" and preview.preview["stale"]
    assert not Action.objects.filter(text="A brand new action").exists()
    page = client.get(reverse("actions:import_detail", args=[preview.pk])).content.decode()
    assert "The plan changed after you saw the preview" in page


def test_the_progress_page_refreshes_itself_while_the_file_is_checked(client, preview):
    ActionPlanImport.objects.filter(pk=preview.pk).update(state="checking", stage="Reading the file")
    page = client.get(reverse("actions:import_detail", args=[preview.pk])).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page
    assert "Reading the file" in page and "You can leave this page" in page
    page = client.get(reverse("actions:import_detail", args=[preview.pk]) + "?refresh=off").content.decode()
    assert "http-equiv" not in page and ">Refresh</a>" in page


def test_the_list_of_imports(client, preview, django_assert_num_queries):
    # session, user, membership with partnership, the strategies the officer may see, the imports
    # with their strategy and uploader (one query whatever their number).
    with django_assert_num_queries(5):
        response = client.get(reverse("actions:import_list"))
    page = response.content.decode()
    assert reverse("actions:import_detail", args=[preview.pk]) in page
    assert "Ready to confirm" in page


# Export -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_export_for_anonymous_and_outsiders(client, plan, users, file_format):
    url = reverse("actions:plan_export", kwargs={"slug": "test-2024-2027", "file_format": file_format})
    assert client.get(url).status_code == 302
    client.force_login(users["outsider"])
    assert client.get(url).status_code == 404


def test_an_officer_exports_the_whole_plan_in_the_importable_layout(client, plan, officer):
    client.force_login(officer)
    response = client.get(reverse("actions:plan_export", kwargs={"slug": "test-2024-2027", "file_format": "xlsx"}))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="test-2024-2027-action-plan-')
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Victim", "Offender", "CONTEST"]


def test_a_viewer_exports_only_what_they_may_see(client, plan, users):
    client.force_login(users["viewer"])
    response = client.get(reverse("actions:plan_export", kwargs={"slug": "test-2024-2027", "file_format": "csv"}))
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "V1.1" in text and "C1.1" not in text and "Protect crowded places" not in text


def test_an_unknown_export_format_is_not_found(client, plan, officer):
    client.force_login(officer)
    assert client.get("/strategies/test-2024-2027/export.pdf").status_code == 404


# The back office's buttons go the same way --------------------------------------------------------


def test_the_admin_import_and_export_buttons(client, plan, officer):
    client.force_login(officer)
    page = client.get(reverse("admin:actions_action_changelist")).content.decode()
    assert reverse("admin:actions_action_import") in page
    assert reverse("admin:actions_action_export") in page
    response = client.get(reverse("admin:actions_action_import"))
    assert response.status_code == 302 and response.url.startswith(reverse("actions:import_upload"))
    response = client.get(reverse("admin:actions_action_export") + f"?strategy__id__exact={plan['strategy'].pk}")
    assert response.status_code == 302
    assert response.url == reverse("actions:plan_export", kwargs={"slug": "test-2024-2027", "file_format": "xlsx"})


def test_the_admin_import_button_is_for_officers_only(client, plan, users):
    client.force_login(users["chair"])
    page = client.get(reverse("admin:actions_action_changelist")).content.decode()
    assert reverse("admin:actions_action_import") not in page
    assert client.get(reverse("admin:actions_action_import")).status_code == 403
