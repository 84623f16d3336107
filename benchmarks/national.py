"""The national-scale benchmark: 300 partnerships on one PostgreSQL database, each page's cost on the
largest and on a median plan, alone and among the other 299, in one run.

Run by hand on a quiet machine (figures go in the README, never in a timed test):

    .venv/bin/python benchmarks/national.py [--partnerships 300] [--runs 30] [--keep | --reuse]

It creates (and afterwards drops, unless --keep; --reuse times the one a --keep run left) its own
database, BENCH_DATABASE_URL or postgres://postgres@127.0.0.1:5432/swp_bench_national, and seeds
partnerships with benchmarks/seeding.py: plan sizes spread from 50 to 2,000 actions (log-normal,
median 150), two strategies each, five years of quarterly updates. Then:

1. on a database of its own (its name with `_alone`, dropped afterwards), with only the largest
   partnership seeded (`p0`, 2,000 actions), and then a median one (`p1`, 150) beside it, it times
   each page of each: the server's own time through Django's test client, median and 95th
   percentile, its CPU time and its number of queries;
2. on the national database, in a fresh process (not the one that seeded it), it times the same pages
   of the same two partnerships among all the others, printing the ratios (the cost of a page must
   not grow with the other partnerships);
3. it makes the largest plan's meeting pack and imports a 2,000-action plan, each in a fresh process
   so its peak memory is its own.

Each figure is printed beside its target.
"""

import argparse
import contextlib
import json
import math
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from seeding import (
    REVIEWED,
    database_url,
    django_setup,
    drop_database,
    measure,
    recreate_database,
    seed_partnership,
    settle_state,
)

DATABASE_URL = database_url("swp_bench_national")
ALONE_URL = f"{DATABASE_URL}_alone"
LARGEST, MEDIAN = 2_000, 150
SUBJECTS = ["p0", "p1"]  # the largest plan and a median one

# (page, target p95 ms): what the leads, officers, executives and the public open most.
TARGETS = {
    "My actions": 50,
    "Action list": 80,
    "Action page": 30,
    "Strategy overview": 50,
    "Review dashboard": 150,
    "Public strategy page": 50,
    "Public page, drawn": 50,
    "Public actions.csv": 50,
}


def plan_sizes(n, seed=2017):
    """n plan sizes: the largest and a median first, then log-normal around 150, within 50 to 2,000."""
    rng = random.Random(seed)
    sizes = [LARGEST, MEDIAN]
    while len(sizes) < n:
        sizes.append(min(LARGEST, max(50, round(rng.lognormvariate(math.log(MEDIAN), 0.7)))))
    return sizes[:n]


def pages(slug):
    """The pages timed for one partnership, each with the login that opens it."""
    from actions.models import Action

    action = Action.objects.filter(strategy__slug=slug).order_by("pk")[37]
    year, number = REVIEWED
    return [
        ("My actions", f"{slug}-lead0", "/my/"),
        ("Action list", f"{slug}-viewer", f"/actions/?strategy={slug}"),
        ("Action page", f"{slug}-viewer", f"/actions/{action.pk}/"),
        ("Strategy overview", f"{slug}-viewer", f"/strategies/{slug}/"),
        ("Review dashboard", f"{slug}-officer", f"/review/{slug}/{year}-Q{number}/"),
        ("Public strategy page", None, f"/public/{slug}/{slug}/"),
        # The same page drawn for each request, as when what was kept for readers has expired.
        ("Public page, drawn", None, f"/public/{slug}/{slug}/"),
        ("Public actions.csv", None, f"/public/{slug}/{slug}/actions.csv"),
    ]


def time_pages(slugs, runs):
    from django.contrib.auth import get_user_model
    from django.core.cache import caches
    from django.test import Client

    User = get_user_model()
    figures = {}
    for slug in slugs:
        for name, username, url in pages(slug):
            client = Client()
            if username:
                client.force_login(User.objects.get(username=username))
            before = caches["public"].clear if name.endswith("drawn") else None
            figures[(slug, name)] = measure(client, url, runs, before=before)
    return figures


def peak_rss_mb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def alone(runs):
    """In a fresh process, on a database of its own: the largest partnership alone, then a median one
    beside it (the same data as in the national database: each is seeded from its slug), each timed
    as soon as it is seeded; prints the figures as JSON."""
    recreate_database(ALONE_URL)
    django_setup(ALONE_URL)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    figures = {}
    try:
        for index, slug in enumerate(SUBJECTS):
            seed_partnership(slug=slug, n_actions=plan_sizes(2)[index])
            figures.update({f"{slug}|{name}": list(f) for (slug, name), f in time_pages([slug], runs).items()})
    finally:
        drop_database(ALONE_URL)
    print(json.dumps(figures))


def child(kind, runs):
    """In a fresh process: the pages alone or among the others, the largest plan's pack, or a
    2,000-action import; prints JSON figures."""
    if kind == "alone":
        alone(runs)
        return
    if kind == "among":
        # Not in the process that seeded 300 partnerships, whose heap would slow its pages.
        django_setup(DATABASE_URL)
        print(json.dumps({f"{slug}|{name}": list(f) for (slug, name), f in time_pages(SUBJECTS, runs).items()}))
        return
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")  # forget the parent's peak memory
    django_setup(DATABASE_URL)
    from django.contrib.auth import get_user_model

    officer = get_user_model().objects.get(username="p0-officer")
    if kind == "pack":
        from performance.models import Meeting, MeetingPack
        from performance.pack import pack_create

        started, started_cpu = time.perf_counter(), time.process_time()
        pack = pack_create(meeting=Meeting.objects.get(strategy__slug="p0"), by=officer)
        seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu
        pack = MeetingPack.objects.get(pk=pack.pk)
        assert pack.state == MeetingPack.State.ISSUED, pack.error
        print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "peak_mb": peak_rss_mb(), "pages": pack.pages}))
        return
    import datetime

    from import_actions import build_workbook

    from actions.imports import action_plan_apply, action_plan_check
    from strategy.models import Partnership, Strategy

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plan.xlsx"
        build_workbook(path, LARGEST)
        content = path.read_bytes()
    strategy = Strategy.objects.create(
        partnership=Partnership.objects.get(slug="p0"),
        title="Imported plan",
        slug=f"p0-imported-{os.getpid()}",
        start_date=datetime.date(2026, 4, 1),
        end_date=datetime.date(2029, 3, 31),
    )
    started = time.perf_counter()
    preview = action_plan_check(strategy=strategy, content=content)
    checked = time.perf_counter() - started
    assert preview.ok, [str(p) for p in preview.problems][:5]
    outcome = action_plan_apply(strategy=strategy, content=content)
    seconds = time.perf_counter() - started
    assert outcome.ok and outcome.applied["actions_created"] == preview.rows, outcome.applied
    print(json.dumps({"seconds": seconds, "preview_seconds": checked, "peak_mb": peak_rss_mb()}))


def run_child(kind, runs=0):
    if "django" in sys.modules:
        from django.db import connections

        connections.close_all()
    output = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--runs", str(runs)],
        env=os.environ,
        capture_output=True,
        text=True,
        check=False,
    )
    if output.returncode:
        raise SystemExit(f"{kind} failed:\n{output.stderr[-3000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def machine_reference_ms():
    """CPU time of a fixed pure-Python loop: virtual machines of one kind differ by half again in
    speed, so figures from two of them are compared through this."""
    started = time.process_time()
    total = 0
    for number in range(10_000_000):
        total += number
    return (time.process_time() - started) * 1000


def verdict(figure, target):
    return "ok" if figure <= target else "OVER"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partnerships", type=int, default=300)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--child", choices=["alone", "among", "pack", "import"], help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true", help="Keep the national database afterwards.")
    parser.add_argument("--reuse", action="store_true", help="Time the national database an earlier --keep run left.")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.runs)
        return
    sizes = plan_sizes(args.partnerships)
    alone = {tuple(key.split("|")): figures for key, figures in run_child("alone", args.runs).items()}
    if not args.reuse:
        recreate_database(DATABASE_URL)
    django_setup(DATABASE_URL)
    try:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)  # a kept database may predate the code's last migrations
        if not args.reuse:
            started = time.perf_counter()
            for index in range(len(sizes)):
                seed_partnership(slug=f"p{index}", n_actions=sizes[index], settle=False)
            settle_state()
            print(
                f"seeded {len(sizes)} partnerships, {sum(sizes):,} actions in current plans (and half as many in"
                f" past ones), median plan {sorted(sizes)[len(sizes) // 2]}, in {time.perf_counter() - started:.0f} s"
            )
        among = {tuple(key.split("|")): figures for key, figures in run_child("among", args.runs).items()}
        print(
            f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; this machine's speed:"
            f" {machine_reference_ms():.0f} ms for ten million additions in Python"
        )
        # CPU time (this process and its database backend) moves less than wall time on a busy
        # machine, so the ratio of the two runs is given for both.
        header = f"{'page':20} {'plan':>5} {'median ms':>9} {'p95 ms':>7} {'target':>6} {'CPU ms':>6} {'queries':>7}"
        print(f"{header} {'p95 alone':>9} {'ratio':>5} {'CPU alone':>9} {'ratio':>5}")
        for (slug, name), (median, p95, cpu, queries) in among.items():
            size = sizes[int(slug[1:])]
            solo_p95, solo_cpu = alone[(slug, name)][1], alone[(slug, name)][2]
            solo = f"{solo_p95:9.1f} {p95 / solo_p95:5.2f} {solo_cpu:9.0f} {cpu / max(solo_cpu, 1):5.2f}"
            target = TARGETS[name]
            print(
                f"{name:20} {size:5d} {median:9.1f} {p95:7.1f} {target:6d} {cpu:6.0f} {queries:7d} {solo}"
                f"  {verdict(p95, target)}"
            )
        pack = run_child("pack")
        print(
            f"meeting pack of the {LARGEST}-action plan: {pack['seconds']:.1f} s (target 5; its CPU"
            f" {pack['cpu_seconds']:.1f} s), {pack['peak_mb']:.0f} MB (target 300), {pack['pages']} PDF pages"
            f"  {verdict(pack['seconds'], 5)}/{verdict(pack['peak_mb'], 300)}"
        )
        imported = run_child("import")
        print(
            f"import of a {LARGEST}-action plan: {imported['seconds']:.1f} s (target 2; its preview"
            f" {imported['preview_seconds']:.1f} s), {imported['peak_mb']:.0f} MB  {verdict(imported['seconds'], 2)}"
        )
    finally:
        if not args.keep:
            drop_database(DATABASE_URL)


if __name__ == "__main__":
    main()
