"""The quarterly review at scale: 20,000 actions and 200,000 updates over 5 years on PostgreSQL.

Run by hand on a quiet machine (figures go in the README, never in a timed test):

    .venv/bin/python benchmarks/review.py [--actions 20000] [--updates 200000] [--runs 40] [--keep | --reuse]

It creates (and afterwards drops, unless --keep) its own database `swp_bench_review` on the PostgreSQL
named by BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/swp_bench_review), seeds one
strategy of 2021/22 to 2025/26 with benchmarks/seeding.py (every action in one plan, the hardest case
for one dashboard), then times:
- the review dashboard for a past quarter (2023/24 Q3, half way through) through Django's test client
  in this process: median and 95th percentile of the server's own time, with its number of queries;
- the meeting pack for that quarter (PDF and XLSX, as pack_generate makes them), in a fresh process
  so its peak memory (maximum resident set size) is the pack's alone.
"""

import argparse
import contextlib
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from seeding import (
    REVIEWED,
    backend_cpu_seconds,
    database_url,
    django_setup,
    drop_database,
    measure,
    print_table,
    recreate_database,
    seed_plan,
)

DATABASE_URL = database_url("swp_bench_review")


def peak_rss_mb():
    """The process's peak resident memory: VmHWM on Linux (reset by reset_peak()), else ru_maxrss."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak():
    """Forget the peak memory so far (on Linux a process started by exec keeps its parent's peak)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def pack_child():
    """In a fresh process: make the meeting's pack as the task does, and report time and peak memory."""
    reset_peak()
    django_setup(DATABASE_URL)
    from django.contrib.auth import get_user_model

    from performance.models import Meeting, MeetingPack
    from performance.pack import pack_create

    meeting = Meeting.objects.get(strategy__slug="bench")
    officer = get_user_model().objects.get(username="officer")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    before = peak_rss_mb()
    started, started_cpu, started_db = time.perf_counter(), time.process_time(), backend_cpu_seconds(backend)
    pack = pack_create(meeting=meeting, by=officer)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - started_cpu + backend_cpu_seconds(backend) - started_db
    pack = MeetingPack.objects.get(pk=pack.pk)
    assert pack.state == MeetingPack.State.ISSUED, pack.error
    print(
        f"pack {seconds:.1f} s ({cpu:.1f} s of CPU), peak memory {peak_rss_mb():.0f} MB "
        f"(the process before it: {before:.0f} MB), "
        f"{pack.pages} PDF pages ({pack.pdf_size // 1024} KB), XLSX {pack.xlsx_size // 1024} KB"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=20000)
    parser.add_argument("--updates", type=int, default=200000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--pack-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    parser.add_argument("--reuse", action="store_true", help="Time the database an earlier --keep run left.")
    args = parser.parse_args()
    if args.pack_child:
        pack_child()
        return
    if not args.reuse:
        recreate_database(DATABASE_URL)
    django_setup(DATABASE_URL)
    try:
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from django.db import connections
        from django.test import Client

        if not args.reuse:
            call_command("migrate", verbosity=0)
            started = time.perf_counter()
            seed_plan(n_actions=args.actions, n_updates=args.updates)
            print(f"seeded {args.actions} actions and {args.updates} updates in {time.perf_counter() - started:.1f} s")
        officer = Client()
        officer.force_login(get_user_model().objects.get(username="officer"))
        year, number = REVIEWED
        pages = [
            ("Review dashboard, a past quarter", f"/review/bench/{year}-Q{number}/"),
            ("Review dashboard, with Amber exceptions", f"/review/bench/{year}-Q{number}/?amber=on"),
            (
                "Action list as at that quarter, newly Red",
                f"/actions/?strategy=bench&as_at={year}-Q{number}&change=newly_red",
            ),
        ]
        print_table([(name, measure(officer, url, args.runs)) for name, url in pages])
        connections.close_all()
        subprocess.run([sys.executable, __file__, "--pack-child"], check=True, env=os.environ)
    finally:
        if not args.keep:
            drop_database(DATABASE_URL)


if __name__ == "__main__":
    main()
