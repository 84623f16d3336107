"""Hostile uploads are refused, naming the limit, in bounded memory and in seconds: through the readers
(each in a process of its own, its peak resident memory measured), the import command, the browser's
imports (an officer's action plan, a lead's indicator values) and the task worker.

The files (tests/security/hostile_files.py) are built here, streaming into compressed zips: a few KB
or MB on disk, up to 236 MB of XML or millions of rows inside.
"""

import io
import os
import sqlite3
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.utils.html import escape

from actions.imports import tables
from actions.imports.lifecycle import OUT_OF_MEMORY
from actions.models import Action, ActionPlanImport
from performance.models import Indicator, IndicatorValueImport
from tests.security import hostile_files as hostile

PEAK_MB = 400
SECONDS = 60  # generous, so a loaded test machine passes, yet a reader that spins on a file still fails

CELL = (
    "this cell holds more than 32,767 characters, the most a spreadsheet cell can hold: shorten it (or link to a "
    "document holding the full text) and upload the file again"
)
ROWS = (
    "The file has more than 50,000 rows; the most that can be imported at once is 50,000. Split the {} into "
    "several files."
)
SHIFT_JIS = (
    "Row 2: this row is not text in UTF-8 or Windows-1252, the encodings Excel saves CSV files in (it may be in "
    'another, such as Shift-JIS): save the file from Excel as "CSV UTF-8" and upload that'
)
REFUSALS = {
    ("ods-1000-rows-repeated", "plan"): "Sheet 'Victim': " + ROWS.format("plan"),
    ("ods-1000-rows-repeated", "values"): ROWS.format("values"),
    ("ods-2000-rows-repeated", "plan"): "Sheet 'Victim': " + ROWS.format("plan"),
    ("ods-236-mb-content", "plan"): "Sheet 'Victim': " + ROWS.format("plan"),
    ("ods-236-mb-empty-rows", "plan"): (
        "The file is written with more than 1,048,576 rows (empty ones included), more than a spreadsheet can "
        "have: save it again as a new workbook."
    ),
    ("xlsx-7.5m-leads-no-dimension", "plan"): "Sheet 'Victim': " + ROWS.format("plan"),
    ("xlsx-7.5m-leads-no-dimension", "values"): ROWS.format("values"),
    ("xlsx-13m-shared-strings", "plan"): (
        "The workbook's table of texts (its shared strings) holds more than 1,000,000 entries, more than any "
        "spreadsheet to import needs: save it again as a new workbook, or split it."
    ),
    ("xlsx-1-mb-cell", "plan"): "Sheet 'Victim', row 2, B: " + CELL,
    ("xlsx-1-mb-cell", "values"): "Sheet 'Victim', row 2, B: " + CELL,
    ("csv-1-mb-cell", "plan"): "Row 2: " + CELL,
    ("csv-1-mb-cell", "values"): "Row 2: " + CELL,
    ("csv-shift-jis", "plan"): SHIFT_JIS,
    ("csv-shift-jis", "values"): SHIFT_JIS,
}


@pytest.fixture(scope="module")
def hostile_file(tmp_path_factory):
    """build(name, importer) -> path, each file built once for the module."""
    directory = tmp_path_factory.mktemp("hostile")
    built = {}

    def build(name, importer):
        if (name, importer) not in built:
            built[name, importer] = hostile.build(name, importer, directory)
        return built[name, importer]

    return build


# The readers, each in a fresh process -------------------------------------------------------------


@pytest.mark.parametrize(("name", "importer"), list(REFUSALS))
def test_each_hostile_file_is_refused_in_bounded_memory_and_seconds(hostile_file, name, importer):
    path = hostile_file(name, importer)
    assert path.stat().st_size < 1_200_000  # small on disk, whatever it unpacks to
    result = hostile.read_in_child(path, importer)
    assert result["problems"] == [REFUSALS[name, importer]]
    assert result["peak_mb"] < PEAK_MB
    assert result["seconds"] < SECONDS


def test_a_repeated_row_within_the_limits_is_read_as_that_many_rows(tmp_path):
    from actions.imports.reading import read_file

    path = hostile.ods_of_repeated_rows(tmp_path / "plan.ods", rows=1, repeat=3)
    read = read_file(path.read_bytes(), "plan.ods")
    assert [row["_row"] for row in read.rows] == [2, 3, 4]
    assert {row["action"] for row in read.rows} == {"Hold a case conference"}


def test_notes_are_capped_with_how_many_more():
    """A row with a Lead but no action is noted; past the first 200 notes the rest are counted."""
    from actions.imports.reading import read_file

    text = "Delivery group,Objective,Action,Lead\nVictim,1 Identify repeat victims,Do it,Lena Lead\n"
    text += "Victim,,,Lena Lead\n" * 1_000
    notes = [str(note) for note in read_file(text.encode(), "leads.csv").notes]
    assert len(notes) == 201
    assert notes[0] == "Row 3: this row has no action, so it was not read"
    assert notes[-1] == "and 800 more notes like these"


# The command, in a fresh process on a copy of the test database ------------------------------------
# The copy is SQLite's backup of the in-memory test database; the readers these exercise do not
# depend on the database, so the SQLite pass covers them.
on_a_sqlite_copy = pytest.mark.skipif(
    "sqlite" not in settings.DATABASES["default"]["ENGINE"], reason="copies the SQLite test database to a file"
)


@on_a_sqlite_copy
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", ["ods-1000-rows-repeated", "xlsx-7.5m-leads-no-dimension", "csv-shift-jis"])
def test_the_import_command_refuses_each_kind_in_bounded_memory(plan, hostile_file, tmp_path, name):
    database = tmp_path / "copy.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(database)
    connection.connection.backup(copy)
    copy.close()
    code = hostile.PEAK + (
        "import runpy, sys\n"
        "sys.argv = ['manage.py', 'import_action_plan', sys.argv[1], '--strategy', 'test-2024-2027']\n"
        "try:\n    runpy.run_path('manage.py', run_name='__main__')\n"
        "finally:\n    print('peak', peak_mb(), file=sys.stderr)\n"
    )
    finished = subprocess.run(
        [sys.executable, "-c", code, str(hostile_file(name, "plan"))],
        cwd=hostile.ROOT,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{database}"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finished.returncode == 1, finished.stderr[-2000:]
    assert f"Nothing was imported. 1 problem(s):\n  {REFUSALS[name, 'plan']}\n" in finished.stderr
    peak = float(finished.stderr.rsplit("peak ", 1)[1])
    assert peak < PEAK_MB
    records = sqlite3.connect(database).execute("SELECT state FROM actions_actionplanimport").fetchall()
    assert records == [("refused",)]


# The browser's imports ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ods-1000-rows-repeated", "xlsx-7.5m-leads-no-dimension", "csv-shift-jis"])
def test_an_officers_plan_upload_is_refused_with_the_limit_and_nothing_saved(client, officer, plan, hostile_file, name):
    client.force_login(officer)
    actions = Action.objects.count()
    path = hostile_file(name, "plan")
    response = client.post(
        "/imports/new/",
        {"strategy": plan["strategy"].pk, "file": SimpleUploadedFile(path.name, path.read_bytes())},
        follow=True,
    )
    assert response.status_code == 200
    record = ActionPlanImport.objects.get()
    assert record.state == ActionPlanImport.State.REFUSED
    assert [problem["text"] for problem in record.problems] == [REFUSALS[name, "plan"]]
    assert escape(REFUSALS[name, "plan"]) in response.content.decode()
    assert Action.objects.count() == actions


@pytest.fixture
def owned_indicator(plan):
    indicator = Indicator.objects.create(strategy=plan["strategy"], ref="KPI-V1", name="Repeat victims")
    indicator.owners.add(plan["lena"])
    return indicator


@pytest.mark.parametrize(
    "name", ["ods-1000-rows-repeated", "xlsx-7.5m-leads-no-dimension", "xlsx-1-mb-cell", "csv-1-mb-cell"]
)
def test_a_leads_indicator_upload_is_refused_with_the_limit(client, lead, plan, owned_indicator, hostile_file, name):
    client.force_login(lead)
    path = hostile_file(name, "values")
    response = client.post(
        "/indicators/imports/new/",
        {"strategy": plan["strategy"].pk, "file": SimpleUploadedFile(path.name, path.read_bytes())},
        follow=True,
    )
    assert response.status_code == 200
    record = IndicatorValueImport.objects.get()
    assert record.state == IndicatorValueImport.State.REFUSED
    assert [problem["text"] for problem in record.problems] == [REFUSALS[name, "values"]]
    assert not owned_indicator.values.exists()


# The task worker's memory ceiling ---------------------------------------------------------------------

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def work():
    """What `manage.py db_worker` does in production, until the queue is empty."""
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO(), stderr=io.StringIO())


def out_of_memory(*args, **kwargs):
    """What reading does when the worker reaches its ceiling (RLIMIT_AS): Python raises MemoryError."""
    raise MemoryError


@pytest.mark.django_db(transaction=True)
def test_an_import_that_reaches_the_workers_ceiling_ends_as_failed_with_a_plain_message(
    client, lead, plan, owned_indicator, settings, monkeypatch
):
    settings.TASKS = DATABASE_TASKS
    client.force_login(lead)
    content = b"Indicator,Period,Value\nKPI-V1,2024/25 Q1,14\n"
    response = client.post(
        "/indicators/imports/new/",
        {"strategy": plan["strategy"].pk, "file": SimpleUploadedFile("values.csv", content)},
    )
    record = IndicatorValueImport.objects.get()
    assert record.state == IndicatorValueImport.State.CHECKING
    monkeypatch.setattr(tables, "csv_rows", out_of_memory)
    work()
    record.refresh_from_db()
    assert record.state == IndicatorValueImport.State.FAILED
    assert record.problems == [OUT_OF_MEMORY.as_dict()]
    assert bytes(record.file_content) == b""
    page = client.get(response.url).content.decode()
    assert "the file needed more memory than the server allows an import" in page


@pytest.mark.django_db(transaction=True)
def test_an_action_plan_import_that_reaches_the_ceiling_ends_as_failed(client, officer, plan, settings, monkeypatch):
    settings.TASKS = DATABASE_TASKS
    client.force_login(officer)
    content = b"Delivery group,Objective,Action\nVictim,1 Identify repeat victims,Hold a case conference\n"
    client.post("/imports/new/", {"strategy": plan["strategy"].pk, "file": SimpleUploadedFile("plan.csv", content)})
    monkeypatch.setattr(tables, "csv_rows", out_of_memory)
    work()
    record = ActionPlanImport.objects.get()
    assert record.state == ActionPlanImport.State.FAILED
    assert record.problems == [OUT_OF_MEMORY.as_dict()]


def test_the_command_says_so_in_plain_words_when_memory_runs_out(plan, tmp_path, monkeypatch):
    from django.core.management.base import CommandError

    path = tmp_path / "plan.csv"
    path.write_bytes(b"Delivery group,Objective,Action\nVictim,1 Identify repeat victims,Hold a case conference\n")
    monkeypatch.setattr(tables, "csv_rows", out_of_memory)
    with pytest.raises(CommandError) as stopped:
        call_command("import_action_plan", str(path), "--strategy", "test-2024-2027", "--dry-run")
    assert str(stopped.value) == f"The import stopped: {OUT_OF_MEMORY}"


@on_a_sqlite_copy
@pytest.mark.django_db(transaction=True)
def test_a_real_memory_ceiling_ends_the_command_import_as_failed(plan, tmp_path):
    """The command, in a process whose address space is capped (`ulimit -v`, as `make serve` caps the
    worker) a little above what it holds once started, imports a plan too large for the cap."""
    database = tmp_path / "copy.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(database)
    connection.connection.backup(copy)
    copy.close()
    rows = ["Delivery group,Objective,Action,Lead,KPI,Progress"] + [
        f"Victim,{n % 40 + 1} Objective {n % 40 + 1},Action {n}: work with partners to reduce harm,Lena Lead,"
        f"KPI {n},{'Progress made with partners this quarter ' * 5}"
        for n in range(20_000)
    ]
    path = tmp_path / "plan.csv"
    path.write_text("\n".join(rows) + "\n")
    code = (
        "import resource, sys, django\n"
        "django.setup()\n"
        "from django.core.management import call_command\n"
        "from django.core.management.base import CommandError\n"
        "size = int(open('/proc/self/statm').read().split()[0]) * resource.getpagesize()\n"
        "resource.setrlimit(resource.RLIMIT_AS, (size + 48 * 1024 * 1024, resource.RLIM_INFINITY))\n"
        "try:\n"
        "    call_command('import_action_plan', sys.argv[1], '--strategy', 'test-2024-2027')\n"
        "except CommandError as error:\n"
        "    print('stopped:', error)\n"
    )
    finished = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        cwd=hostile.ROOT,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_SETTINGS_MODULE": "swp.settings"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert f"  {OUT_OF_MEMORY}\n" in finished.stderr, finished.stderr[-2000:]
    assert "stopped: The file was not imported" in finished.stdout
    records = sqlite3.connect(database).execute("SELECT state, problems FROM actions_actionplanimport").fetchall()
    assert [state for state, _ in records] == ["failed"]


@pytest.mark.django_db(transaction=True)
def test_an_import_whose_preview_reaches_the_ceiling_as_it_is_saved_ends_as_failed(
    client, officer, plan, settings, monkeypatch
):
    settings.TASKS = DATABASE_TASKS
    client.force_login(officer)
    content = b"Delivery group,Objective,Action\nVictim,1 Identify repeat victims,Hold a case conference\n"
    client.post("/imports/new/", {"strategy": plan["strategy"].pk, "file": SimpleUploadedFile("plan.csv", content)})
    save = ActionPlanImport.save

    def save_runs_out_with_the_preview(record, *args, **kwargs):
        if record.state == ActionPlanImport.State.READY:
            raise MemoryError
        return save(record, *args, **kwargs)

    monkeypatch.setattr(ActionPlanImport, "save", save_runs_out_with_the_preview)
    work()
    record = ActionPlanImport.objects.get()
    assert record.state == ActionPlanImport.State.FAILED
    assert record.problems == [OUT_OF_MEMORY.as_dict()]
