"""One page served by two versions of the code in turn: is a change faster, on a machine whose speed drifts?

Run by hand after benchmarks/national.py has left its database (--keep):

    git worktree add /tmp/before main
    .venv/bin/python benchmarks/side_by_side.py /tmp/before . /review/p0/2023-Q3/ [--database swp_bench_national]
        [--user p0-officer] [--rounds 20]

Each checkout runs in its own process (with this checkout's .venv), signed in as --user, readied as a
gunicorn worker is (swp/runtime.py). The two are asked for three requests at a time, alternately
(ABBA order), so a machine that slows for a minute slows both alike. Prints each one's median and
95th percentile of the server's own time over 3 x --rounds requests.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BATCH = 3


def serve(checkout, url, database, username):
    """The child: answer each line from the parent (a number n) with n timings of `url`, in ms."""
    sys.path[:0] = [str(Path(checkout) / "benchmarks"), str(checkout)]
    os.chdir(checkout)
    from seeding import database_url, django_setup

    django_setup(database_url(database))
    from django.contrib.auth import get_user_model
    from django.test import Client

    from swp.runtime import settle

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, (checkout, url, response.status_code)
    settle()
    print("ready", flush=True)
    for line in sys.stdin:
        timings = []
        for _ in range(int(line)):
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        print(" ".join(f"{ms:.2f}" for ms in timings), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", help="A checkout of the code before the change.")
    parser.add_argument("after", help="A checkout of the code after it.")
    parser.add_argument("url")
    parser.add_argument("--database", default="swp_bench_national")
    parser.add_argument("--user", default="p0-officer")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.before, args.url, args.database, args.user)
        return
    children = {}
    for name in ("before", "after"):
        checkout = str(Path(getattr(args, name)).resolve())
        command = [sys.executable, __file__, checkout, checkout, args.url, "--database", args.database]
        command += ["--user", args.user, "--serve"]
        children[name] = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        for child in children.values():
            assert child.stdout.readline().strip() == "ready", "a checkout could not serve the page"
        timings = {name: [] for name in children}
        for round_ in range(args.rounds):
            for name in ("before", "after") if round_ % 2 == 0 else ("after", "before"):
                children[name].stdin.write(f"{BATCH}\n")
                children[name].stdin.flush()
                timings[name] += [float(ms) for ms in children[name].stdout.readline().split()]
    finally:
        for child in children.values():
            child.stdin.close()
            child.wait()
    for name, found in timings.items():
        found.sort()
        p95 = found[max(0, round(len(found) * 0.95) - 1)]
        print(f"{name:6} median {statistics.median(found):6.1f} ms  p95 {p95:6.1f} ms  ({len(found)} requests)")


if __name__ == "__main__":
    main()
