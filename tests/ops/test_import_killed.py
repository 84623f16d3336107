"""An import killed mid-way (kill -9) leaves the database exactly as it was.

`manage.py import_action_plan` runs in a process of its own on the test database (PostgreSQL),
importing a large file. Once PostgreSQL shows that process writing actions (the import's apply
step, inside its one transaction), it is killed with SIGKILL: no handler, no rollback of its own.
PostgreSQL rolls the open transaction back when the connection drops; every count is as before.
"""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection

from actions.models import Action, ActionLead, ActionPlanImport, DeliveryGroup, Objective, Update
from strategy.models import Person, Strategy
from tests.actions.importing import csv_bytes
from tests.ops import live

MODELS = [Strategy, DeliveryGroup, Objective, Action, ActionLead, Update, Person, ActionPlanImport]
ACTIONS = 12_000


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
    if row and ('INSERT INTO "actions_action"' in row[1] or 'INSERT INTO "actions_update"' in row[1]):
        return row
    return None


@pytest.mark.django_db(transaction=True)
def test_kill_minus_nine_mid_import_changes_nothing(plan, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: the import runs in another process")
    before = counts()
    path = tmp_path / "big-plan.csv"
    path.write_bytes(big_plan())
    marker = f"swp-killed-import-{os.getpid()}"
    environment = live.server_environment(
        DATABASE_URL=f"{live.postgres_url()}?application_name={marker}", DJANGO_DEBUG="true"
    )
    process = subprocess.Popen(
        [sys.executable, "manage.py", "import_action_plan", str(path), "--strategy", plan["strategy"].slug],
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
    assert counts() == before
    assert not Action.objects.filter(text__startswith="Killed-import").exists()
