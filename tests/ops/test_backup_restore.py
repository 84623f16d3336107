"""scripts/backup.sh and scripts/restore.sh (make backup / make restore): a round trip each way.

PostgreSQL: back up the test database with the plan in it, delete rows, restore, and find them back.
SQLite: the same with a database file of its own (the suite's SQLite database lives in memory).
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from actions.models import Action, Update

ROOT = Path(__file__).resolve().parents[2]


def run(script, *args, database_url, backup_dir):
    environment = {**os.environ, "DATABASE_URL": database_url, "BACKUP_DIR": str(backup_dir)}
    return subprocess.run(
        [str(ROOT / "scripts" / script), *args], env=environment, capture_output=True, text=True, timeout=120
    )


def postgres_url():
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return (
        f"postgres://{settings['USER']}{password}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
        f"/{settings['NAME']}"
    )


@pytest.mark.django_db(transaction=True)
def test_postgresql_round_trip(plan, lead, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: run with DATABASE_URL=postgres://...")
    if not shutil.which("pg_dump") or not shutil.which("pg_restore"):
        pytest.skip("pg_dump and pg_restore are not installed (postgresql-client)")
    plan["v1_1"].record_update(by=lead, status="in_progress", rag="amber", progress=40, commentary="Before backup")
    actions_before = sorted(Action.objects.values_list("pk", "ref", "status", "rag"))
    url = postgres_url()

    made = run("backup.sh", database_url=url, backup_dir=tmp_path)
    assert made.returncode == 0, made.stderr
    backup = Path(made.stdout.strip())
    assert backup.parent == tmp_path and backup.suffix == ".dump" and backup.stat().st_size > 0
    assert backup.stat().st_mode & 0o077 == 0  # readable by its owner only

    Update.objects.all().delete()
    Action.objects.filter(ref__startswith="V").delete()
    assert Action.objects.count() == len(actions_before) - 2

    refused = run("restore.sh", str(backup), database_url=url, backup_dir=tmp_path)
    assert refused.returncode != 0 and "--yes" in refused.stderr  # no terminal: must say --yes
    restored = run("restore.sh", "--yes", str(backup), database_url=url, backup_dir=tmp_path)
    assert restored.returncode == 0, restored.stderr
    connection.close()  # the restore replaced the tables under this connection
    assert sorted(Action.objects.values_list("pk", "ref", "status", "rag")) == actions_before
    assert Update.objects.get().commentary == "Before backup"


def test_sqlite_round_trip(tmp_path):
    database = tmp_path / "live.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE action (ref TEXT PRIMARY KEY, status TEXT)")
        db.executemany("INSERT INTO action VALUES (?, ?)", [("V1.1", "in_progress"), ("V1.2", "complete")])
    url = f"sqlite:///{database}"

    made = run("backup.sh", database_url=url, backup_dir=tmp_path / "backups")
    assert made.returncode == 0, made.stderr
    backup = Path(made.stdout.strip())
    assert backup.name.startswith("live-") and backup.suffix == ".sqlite3"

    with sqlite3.connect(database) as db:
        db.execute("DELETE FROM action WHERE ref = 'V1.1'")
        db.execute("UPDATE action SET status = 'withdrawn'")

    restored = run("restore.sh", "--yes", str(backup), database_url=url, backup_dir=tmp_path)
    assert restored.returncode == 0, restored.stderr
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT ref, status FROM action ORDER BY ref").fetchall() == [
            ("V1.1", "in_progress"),
            ("V1.2", "complete"),
        ]


def test_restore_refuses_a_missing_file_or_the_wrong_kind(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    missing = run("restore.sh", "--yes", str(tmp_path / "nope.sqlite3"), database_url=url, backup_dir=tmp_path)
    assert missing.returncode == 2 and "name a backup file that exists" in missing.stderr
    (tmp_path / "x.dump").write_bytes(b"PGDMP")
    wrong = run("restore.sh", "--yes", str(tmp_path / "x.dump"), database_url=url, backup_dir=tmp_path)
    assert wrong.returncode == 2 and "not a sqlite backup" in wrong.stderr


def test_backup_of_a_missing_sqlite_database_says_so(tmp_path):
    made = run("backup.sh", database_url=f"sqlite:///{tmp_path / 'none.sqlite3'}", backup_dir=tmp_path)
    assert made.returncode == 2 and "no SQLite database" in made.stderr
