"""A large import runs through the real task worker (django-tasks-db's db_worker), as in production:
the officer sees progress, may leave, and comes back to the preview and then the result."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from actions.models import Action, ActionPlanImport
from tests.actions.importing import seed_sheet, xlsx

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def work():
    """What `manage.py db_worker` does in production, until the queue is empty."""
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_check_and_import_run_in_the_worker(client, plan, officer, settings):
    settings.TASKS = DATABASE_TASKS
    client.force_login(officer)
    rows = [["1 Identify repeat victims", f"Worker action {n}", "Lena Lead", "", "Mar-26"] for n in range(200)]
    content = xlsx({"Victim": seed_sheet(rows)})
    response = client.post(
        reverse("actions:import_upload"),
        {"strategy": plan["strategy"].pk, "file": SimpleUploadedFile("big.xlsx", content)},
        REMOTE_ADDR="192.0.2.44",
    )
    record = ActionPlanImport.objects.get()
    assert record.state == "checking" and record.task_id
    assert record.created_from == "192.0.2.44"
    page = client.get(response.url).content.decode()
    assert "Checking the file" in page and 'http-equiv="refresh"' in page

    work()
    record.refresh_from_db()
    assert record.state == "ready", record.problems
    assert record.preview["totals"]["actions_created"] == 200
    assert not Action.objects.filter(text__startswith="Worker action").exists()

    client.post(response.url, {"blue_means": "complete"})
    record.refresh_from_db()
    assert record.state == "importing"
    assert "Importing" in client.get(response.url).content.decode()

    work()
    record.refresh_from_db()
    assert record.state == "imported"
    assert Action.objects.filter(text__startswith="Worker action").count() == 200
    assert "was imported into" in client.get(response.url).content.decode()
    # The worker served no request: the audit trail says who uploaded the file, and from where.
    created = Action.history.filter(text__startswith="Worker action")
    assert set(created.values_list("history_user", "ip_address")) == {(officer.pk, "192.0.2.44")}
