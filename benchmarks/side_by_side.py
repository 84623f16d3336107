"""One page served by two versions of the code in turn: is a change faster, on a machine whose speed drifts?

Run by hand after benchmarks/national.py has left its database (--keep):

    git worktree add /tmp/before main
    .venv/bin/python benchmarks/side_by_side.py /tmp/before . /review/p0/2023-Q3/ [--database swp_bench_national]
        [--user p0-officer | --user ''] [--drawn] [--rounds 20]

Each checkout runs in its own process (with this checkout's .venv), signed in as --user (anonymous
with ''), readied as a gunicorn worker is (swp/runtime.py); with --drawn, what the public pages keep
for readers is emptied before each request, so the page is drawn afresh. The two are asked for three
requests at a time, alternately (ABBA order), so a machine that slows for a minute slows both alike.
Prints each one's median and 95th percentile of the server's own time over 3 x --rounds requests,
and its median CPU time (the process and its database backend), which moves less on a busy machine.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BATCH = 3


def serve(checkout, url, database, username, drawn):
    """The child: answer each line from the parent (a number n) with n timings of `url`, each its wall
    and CPU time in ms."""
    sys.path[:0] = [str(Path(checkout) / "benchmarks"), str(checkout)]
    os.chdir(checkout)
    from seeding import backend_cpu_seconds, database_url, django_setup

    django_setup(database_url(database))
    from django.contrib.auth import get_user_model
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client

    from swp.runtime import settle

    client = Client()
    if username:
        client.force_login(get_user_model().objects.get(username=username))
    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, (checkout, url, response.status_code)
    settle()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    print("ready", flush=True)
    for line in sys.stdin:
        timings = []
        for _ in range(int(line)):
            if drawn:
                caches["public"].clear()
            started, started_cpu = time.perf_counter(), time.process_time() + backend_cpu_seconds(backend)
            client.get(url)
            cpu = time.process_time() + backend_cpu_seconds(backend) - started_cpu
            timings.append(f"{(time.perf_counter() - started) * 1000:.2f}/{cpu * 1000:.2f}")
        print(" ".join(timings), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", help="A checkout of the code before the change.")
    parser.add_argument("after", help="A checkout of the code after it.")
    parser.add_argument("url")
    parser.add_argument("--database", default="swp_bench_national")
    parser.add_argument("--user", default="p0-officer", help="Who is signed in; '' for an anonymous reader.")
    parser.add_argument("--drawn", action="store_true", help="Empty the public pages' cache before each request.")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.before, args.url, args.database, args.user, args.drawn)
        return
    children = {}
    for name in ("before", "after"):
        checkout = str(Path(getattr(args, name)).resolve())
        command = [sys.executable, __file__, checkout, checkout, args.url, "--database", args.database]
        command += ["--user", args.user, "--serve"] + (["--drawn"] if args.drawn else [])
        children[name] = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        for child in children.values():
            assert child.stdout.readline().strip() == "ready", "a checkout could not serve the page"
        timings, cpu = {name: [] for name in children}, {name: [] for name in children}
        for round_ in range(args.rounds):
            for name in ("before", "after") if round_ % 2 == 0 else ("after", "before"):
                children[name].stdin.write(f"{BATCH}\n")
                children[name].stdin.flush()
                for pair in children[name].stdout.readline().split():
                    wall, used = pair.split("/")
                    timings[name].append(float(wall))
                    cpu[name].append(float(used))
    finally:
        for child in children.values():
            child.stdin.close()
            child.wait()
    for name, found in timings.items():
        found.sort()
        p95 = found[max(0, round(len(found) * 0.95) - 1)]
        print(
            f"{name:6} median {statistics.median(found):6.1f} ms  p95 {p95:6.1f} ms  CPU median"
            f" {statistics.median(cpu[name]):6.1f} ms  ({len(found)} requests)"
        )


if __name__ == "__main__":
    main()
