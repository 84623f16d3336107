"""Speed and memory of importing action plans: a benchmark run by hand, never a timed test.

    .venv/bin/python benchmarks/import_actions.py [--actions 10000] [--memory 10000 50000]

In one run it:
- builds a workbook of N actions in the seed layout (4 delivery-group sheets, Chair and Aim rows,
  25 objectives per group, two leads per action, status, progress and commentary columns);
- on SQLite (a new file) and on PostgreSQL (it creates, and afterwards drops, the database named
  by BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/swp_bench) times the preview
  (`action_plan_check`), the import (`action_plan_apply`, all rows new), a re-import of the same
  file (all rows unchanged) and the preview of a file with 10% of its rows edited;
- times the same rows through a plain django-import-export ModelResource with default settings
  (`modelresource_factory(Action)`: one look-up and one savepoint per row), as a flat dataset;
- measures the peak memory (maximum resident set size of a fresh process, Django included) of
  reading, previewing and importing workbooks of each --memory size on SQLite.

Each measurement runs in a child process of its own, so one database's settings or one run's
memory never leak into another. Figures go in the README.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/swp_bench")

GROUPS = ["Victim", "Offender", "Location", "CONTEST"]
DEADLINES = ["Mar-18", "31/03/2018", "Sep 2017", "Quarterly reporting", "Ongoing", "TBD", "July / November"]
RAGS = ["Green", "Amber", "Red", "Complete", "Not started", ""]


def build_workbook(path, actions, *, edited_every=0):
    """Write a seed-layout workbook of `actions` actions.

    Written as Excel writes it, with each sheet's dimension at its top (openpyxl's write-only mode
    leaves it out, which makes every reader scan each sheet once more to find its size).
    """
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    per_group = actions // len(GROUPS)
    objectives = 25
    for group in GROUPS:
        sheet = workbook.create_sheet(group)
        sheet.append(["Chair", f"Chair of {group}"])
        sheet.append(["Aim", f"The aim of the {group} group"])
        sheet.append(["Objectives", "Actions", "Lead", "KPI", "Deadline", "RAG", "Progress", "Progress update"])
        for n in range(per_group):
            objective = n * objectives // per_group + 1
            first = n == 0 or (n - 1) * objectives // per_group + 1 != objective
            text = f"{group} action {n}: work with partners to reduce harm in the borough"
            kpi = f"KPI {n}: number of people supported"
            if edited_every and n % edited_every == 0:
                kpi += " (edited)"
            sheet.append(
                [
                    f"{objective} {group} objective {objective}: improve co-ordination across the partnership"
                    if first
                    else None,
                    text,
                    f"Lead {n % 150} / Officer {(n * 7) % 90}",
                    kpi,
                    DEADLINES[n % len(DEADLINES)],
                    RAGS[n % len(RAGS)],
                    f"{n % 101}%",
                    f"Quarter update for action {n}" if n % 3 else "",
                ]
            )
    workbook.save(path)


def child_environment(database_url):
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "false",
        "SECRET_KEY": "benchmark-only",
        "TASKS_BACKEND": "immediate",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "swp.settings",
    }


def run_child(mode, database_url, *args):
    output = subprocess.run(
        [sys.executable, __file__, "--child", mode, *args],
        env=child_environment(database_url),
        capture_output=True,
        text=True,
        check=False,
    )
    if output.returncode:
        raise SystemExit(f"{mode} on {database_url} failed:\n{output.stderr[-3000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


# Child processes -----------------------------------------------------------------------------------


def setup_django(migrate=True):
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def make_strategy(slug="bench"):
    import datetime

    from strategy.models import Partnership, Strategy

    partnership, _ = Partnership.objects.get_or_create(slug="bench", defaults={"name": "Benchmark Partnership"})
    return Strategy.objects.create(
        partnership=partnership,
        title=f"Benchmark {slug}",
        slug=slug,
        start_date=datetime.date(2017, 4, 1),
        end_date=datetime.date(2020, 3, 31),
    )


def timed(function):
    start = time.perf_counter()
    value = function()
    return value, time.perf_counter() - start


def child_speed(workbook, edited):
    setup_django()
    from django.db import connection, reset_queries

    from actions.imports import action_plan_apply, action_plan_check

    content, edited_content = Path(workbook).read_bytes(), Path(edited).read_bytes()
    strategy = make_strategy()
    figures = {"vendor": connection.vendor}
    preview, figures["preview_new_s"] = timed(lambda: action_plan_check(strategy=strategy, content=content))
    assert preview.ok, [str(p) for p in preview.problems][:5]
    rows = preview.rows
    outcome, figures["import_new_s"] = timed(lambda: action_plan_apply(strategy=strategy, content=content))
    assert outcome.ok and outcome.applied["actions_created"] == rows, outcome.applied
    again, figures["import_unchanged_s"] = timed(lambda: action_plan_apply(strategy=strategy, content=content))
    assert again.ok and not again.changes_anything
    changed, figures["preview_10pc_changed_s"] = timed(
        lambda: action_plan_check(strategy=strategy, content=edited_content)
    )
    figures["changed_rows"] = changed.report["totals"]["actions_changed"]
    # Queries of a preview, counted (their number does not depend on the file's size).
    connection.force_debug_cursor = True
    reset_queries()
    action_plan_check(strategy=strategy, content=edited_content)
    figures["preview_queries"] = len(connection.queries)
    connection.force_debug_cursor = False
    figures["actions"] = rows
    figures["import_actions_per_s"] = round(rows / figures["import_new_s"])
    figures["preview_actions_per_s"] = round(rows / figures["preview_new_s"])
    return figures


def child_plain(workbook):
    """The same rows through django-import-export's ModelResource with default settings."""
    setup_django()
    import tablib
    from import_export.resources import modelresource_factory

    from actions.imports.reading import read_file
    from actions.models import Action, DeliveryGroup, Objective

    strategy = make_strategy("plain")
    read = read_file(Path(workbook).read_bytes())
    # The plain resource cannot make groups or objectives from a sheet: give it their ids.
    objectives = {}
    for number, group in enumerate(GROUPS, start=1):
        delivery_group = DeliveryGroup.objects.create(strategy=strategy, name=group, position=number)
        for objective in range(1, 26):
            objectives[(group, objective)] = Objective.objects.create(
                delivery_group=delivery_group, number=objective, title=f"Objective {objective}"
            ).pk
    dataset = tablib.Dataset(headers=["id", "objective", "ref", "text", "kpi", "deadline_text"])
    for index, row in enumerate(read.rows, start=1):
        number = int(row["_objective"].split(" ", 1)[0])
        dataset.append(
            ["", objectives[(row["_group"], number)], f"P{index}", row["action"], row["kpi"], str(row["deadline"])]
        )
    resource = modelresource_factory(Action)()
    preview, preview_s = timed(lambda: resource.import_data(dataset, dry_run=True))
    assert not preview.has_errors() and not preview.has_validation_errors(), preview.invalid_rows[:2]
    resource = modelresource_factory(Action)()
    result, import_s = timed(lambda: resource.import_data(dataset, dry_run=False))
    assert not result.has_errors() and Action.objects.filter(strategy=strategy).count() == len(dataset)
    return {
        "actions": len(dataset),
        "plain_preview_s": preview_s,
        "plain_import_s": import_s,
        "plain_import_actions_per_s": round(len(dataset) / import_s),
    }


def child_memory(workbook):
    setup_django()
    from actions.imports import action_plan_apply, action_plan_check

    content = Path(workbook).read_bytes()
    strategy = make_strategy()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    preview = action_plan_check(strategy=strategy, content=content)
    after_preview = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    outcome = action_plan_apply(strategy=strategy, content=content)
    assert outcome.ok, [str(p) for p in outcome.problems][:5]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "actions": preview.rows,
        "file_mb": round(len(content) / 1024 / 1024, 2),
        "rss_before_mb": round(before / 1024),
        "peak_preview_mb": round(after_preview / 1024),
        "peak_mb": round(peak / 1024),
    }


# The run ------------------------------------------------------------------------------------------


def postgres(action):
    """Create or drop the benchmark's own PostgreSQL database."""
    import psycopg2

    base, name = PG_URL.rsplit("/", 1)
    connection = psycopg2.connect(f"{base}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if action == "create":
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--actions", type=int, default=10_000)
    parser.add_argument("--memory", type=int, nargs="*", default=[10_000, 50_000])
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        mode, *args = options.child
        result = {"speed": child_speed, "plain": child_plain, "memory": child_memory}[mode](*args)
        print(json.dumps(result))
        return

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        workbook, edited = folder / "plan.xlsx", folder / "edited.xlsx"
        build_workbook(workbook, options.actions)
        build_workbook(edited, options.actions, edited_every=10)
        print(f"Workbook: {options.actions:,} actions, {workbook.stat().st_size / 1024 / 1024:.2f} MB")
        databases = [("SQLite", f"sqlite:///{folder / 'bench.sqlite3'}")]
        if not options.skip_postgres:
            databases.append(("PostgreSQL", PG_URL))
        for label, url in databases:
            for mode in ("speed", "plain"):
                if label == "PostgreSQL":
                    postgres("create")
                elif (folder / "bench.sqlite3").exists():
                    (folder / "bench.sqlite3").unlink()
                try:
                    figures = run_child(mode, url, str(workbook), *([str(edited)] if mode == "speed" else []))
                finally:
                    if label == "PostgreSQL":
                        postgres("drop")
                print(f"{label} {mode}: {json.dumps(figures)}")
        for size in options.memory:
            path = folder / f"memory-{size}.xlsx"
            build_workbook(path, size)
            (folder / "bench.sqlite3").unlink(missing_ok=True)
            figures = run_child("memory", f"sqlite:///{folder / 'bench.sqlite3'}", str(path))
            print(f"Memory, {size:,} actions on SQLite: {json.dumps(figures)}")


if __name__ == "__main__":
    main()
