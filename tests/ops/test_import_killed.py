"""An import killed mid-way (kill -9) leaves the database exactly as it was, and its strategy free.

`manage.py import_action_plan`, or the task worker (`manage.py db_worker`) importing a confirmed
upload, runs in a process of its own on the test database (PostgreSQL), importing a large file.
Once PostgreSQL shows that process writing actions (the import's apply step, inside its one
transaction), it is killed with SIGKILL: no handler, no rollback of its own. PostgreSQL rolls the
open transaction back when the connection drops; every count is as before. The worker's import is
left "importing" for ever; once it has been silent for IMPORT_STALLED_AFTER it has stalled, an
officer cancels it on its page, and the same file then imports.
"""

import datetime
import io
import os
import signal
import subprocess
import sys
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from actions.imports.records import import_confirm, import_create
from actions.models import Action, ActionLead, ActionPlanImport, DeliveryGroup, Objective, Update
from strategy.models import Person, Strategy
from tests.actions.importing import csv_bytes
from tests.ops import live

MODELS = [Strategy, DeliveryGroup, Objective, Action, ActionLead, Update, Person, ActionPlanImport]
ACTIONS = 12_000
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def big_plan():
    rows = [["Delivery group", "Objective", "Action", "Lead", "KPI", "Deadline", "RAG", "Progress"]]
    for n in range(ACTIONS):
        group = ["Victim", "Offender", "Location", "Partnership"][n % 4]
        rows.append(
            [
                group,
                f"{n % 40 + 1} {group} objective {n % 40 + 1}",
                f"Killed-import action {n}: work with partners to reduce harm",
                f"Lead {n % 300}",
                f"KPI {n}",
                "31/03/2026",
                ["Green", "Amber", "Red", ""][n % 4],
                f"{n % 100}%",
            ]
        )
    return csv_bytes(rows)


def writing_backend(pid_marker):
    """The import's PostgreSQL session, once its last statement wrote actions (or None)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT state, query FROM pg_stat_activity WHERE application_name = %s AND backend_xid IS NOT NULL",
            [pid_marker],
        )
        row = cursor.fetchone()
    # On PostgreSQL an import writes its rows by COPY (strategy.audit); anything that has a
    # transaction id and is writing actions, their leads, updates or history is mid-import.
    writes = ("INSERT INTO", "COPY ")
    tables = ('"actions_action', '"actions_update', '"actions_historical')
    if row and any(row[1].startswith(w) or f" {w}" in row[1] for w in writes) and any(t in row[1] for t in tables):
        return row
    return None


def work():
    """What `manage.py db_worker` does, here, until the queue is empty."""
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO(), stderr=io.StringIO())


def kill_once_writing(command, marker, **environment):
    """Run `manage.py <command>` on the test database and SIGKILL it once it is writing actions."""
    environment = live.server_environment(
        DATABASE_URL=f"{live.postgres_url()}?application_name={marker}", DJANGO_DEBUG="true", **environment
    )
    process = subprocess.Popen(
        [sys.executable, "manage.py", *command],
        cwd=live.ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    seen = None
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and process.poll() is None:
            seen = writing_backend(marker)
            if seen:
                break
            time.sleep(0.01)
        assert seen, f"the import never reached its writes: {process.communicate(timeout=60)[1][-2000:]!r}"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    # PostgreSQL notices the dropped connection and rolls its transaction back.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [marker])
            if cursor.fetchone()[0] == 0:
                break
        time.sleep(0.1)


@pytest.mark.django_db(transaction=True)
def test_kill_minus_nine_mid_import_changes_nothing(plan, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: the import runs in another process")
    before = counts()
    path = tmp_path / "big-plan.csv"
    path.write_bytes(big_plan())
    command = ["import_action_plan", str(path), "--strategy", plan["strategy"].slug]
    kill_once_writing(command, f"swp-killed-import-{os.getpid()}")
    assert counts() == before
    assert not Action.objects.filter(text__startswith="Killed-import").exists()


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_import_leaves_a_stalled_import_an_officer_cancels(plan, officer, client, settings):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: the worker runs in another process")
    settings.TASKS = DATABASE_TASKS
    record = import_create(strategy=plan["strategy"], file_name="big-plan.csv", content=big_plan(), by=officer)
    work()
    record.refresh_from_db()
    assert record.state == "ready", record.problems
    before = counts()
    assert import_confirm(record) == "importing"  # queued for the worker

    kill_once_writing(
        ["db_worker", "--batch", "--no-startup-delay"], f"swp-killed-worker-{os.getpid()}", TASKS_BACKEND="database"
    )

    # Nothing of the import was saved, and its record says "importing" for ever: it holds the strategy.
    record.refresh_from_db()
    assert record.state == "importing"
    assert counts() == before
    assert not Action.objects.filter(text__startswith="Killed-import").exists()
    client.force_login(officer)
    page = client.get(reverse("actions:import_detail", args=[record.pk])).content.decode()
    assert "stopped without finishing" not in page  # not yet: it may only be slow
    assert client.post(reverse("actions:import_cancel", args=[record.pk])).status_code == 302
    record.refresh_from_db()
    assert record.state == "importing"  # refused: it has not been silent long enough

    # Ten minutes and more later, it has stalled: the officer is told, and cancels it.
    silent = datetime.timedelta(seconds=settings.IMPORT_STALLED_AFTER + 1)
    ActionPlanImport.objects.filter(pk=record.pk).update(updated_at=timezone.now() - silent)
    page = client.get(reverse("actions:import_detail", args=[record.pk])).content.decode()
    assert "This import stopped without finishing (the worker may have been restarted). Nothing was saved." in page
    assert client.post(reverse("actions:import_cancel", args=[record.pk])).status_code == 302
    record.refresh_from_db()
    assert record.state == "cancelled"

    # The strategy is free again: the same file imports.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    again = import_create(
        strategy=plan["strategy"], file_name="big-plan.csv", content=big_plan(), by=officer, background=False
    )
    assert import_confirm(again, background=False) == "importing"
    again.refresh_from_db()
    assert again.state == "imported", again.problems
    assert Action.objects.filter(text__startswith="Killed-import").count() == ACTIONS
