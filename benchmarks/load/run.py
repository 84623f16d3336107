"""The load test, end to end: seed, serve the production stack, run locust twice, measure the workers.

    .venv/bin/pip install -r benchmarks/load/requirements.txt
    .venv/bin/python benchmarks/load/run.py [--users 50] [--time 2m] [--runs 2] [--wait 0.5,2] [--no-seed]

1. Seeds PostgreSQL (benchmarks/load/seed.py: the largest real plan, 2,000 actions) unless --no-seed.
2. Starts `scripts/serve.sh` (what `make serve` runs: collectstatic, migrate, gunicorn with 2 workers,
   whitenoise, DJANGO_DEBUG off) pinned to one core with taskset, TWO_FACTOR_REQUIRED off (the load
   users are leads and executives, who need no second factor anyway) and GUNICORN_MAX_REQUESTS=0,
   so that no worker is replaced during the runs and any growth in memory shows.
3. Runs locust headless, pinned to the other core, --runs times against the same server.
4. After each run prints requests per second, median and 95th percentile latency, failures, and
   each gunicorn worker's resident memory (RSS) with its pid, so growth between runs shows.

Traffic goes to 127.0.0.1 only. CSV reports are written to benchmarks/load/out/ (gitignored).
"""

import argparse
import csv
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent / "out"
BIN = Path(sys.executable).parent


def cores():
    available = sorted(os.sched_getaffinity(0))
    if len(available) < 2:
        return None, None
    return str(available[0]), ",".join(str(c) for c in available[1:])


def rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def gunicorn_workers(port):
    """(pid, RSS in MB) of each gunicorn worker: the children of the master listening on `port`."""
    masters = subprocess.run(["pgrep", "-f", "gunicorn.*swp.wsgi"], capture_output=True, text=True).stdout.split()
    workers = []
    for master in masters:
        environ = Path(f"/proc/{master}/environ").read_bytes().split(b"\0")
        if f"PORT={port}".encode() not in environ:
            continue
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        workers += [(int(pid), round(rss_mb(pid), 1)) for pid in children]
    return sorted(workers)


def wait_for(url, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{url} did not answer within {seconds} s")


def summary(prefix):
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return rows


def free_port():
    """A port nothing listens on (another program's server must never get the load)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main():
    # One run read top to bottom (seed, serve, load, collect): the server lives for exactly this function.
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/swp_load")
    )
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--time", default="2m")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--no-seed", action="store_true")
    parser.add_argument("--people", type=int, default=200, help="people leading the actions (see seed.py)")
    parser.add_argument(
        "--steady",
        action="store_true",
        help="count only once every user has signed in (locust --reset-stats): the steady state",
    )
    parser.add_argument("--wait", default="0.5,2", help="seconds between a user's requests, min,max")
    args = parser.parse_args()
    args.port = args.port or free_port()
    OUT.mkdir(exist_ok=True)
    if not args.no_seed:
        subprocess.run(
            [sys.executable, str(Path(__file__).with_name("seed.py")), "--database-url", args.database_url]
            + ["--people", str(args.people)],
            check=True,
        )
    load_core, server_cores = cores()
    pin = (lambda c: ["taskset", "-c", c]) if load_core else (lambda c: [])
    environment = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "PORT": str(args.port),
        "BIND_HOST": "127.0.0.1",
        "WEB_CONCURRENCY": "2",
        "TWO_FACTOR_REQUIRED": "false",
        "GUNICORN_MAX_REQUESTS": "0",
        "GUNICORN_ACCESS_LOG": "",
        "LOG_LEVEL": "WARNING",
        "SERVE_WORKER": "1",
        "BENCH_WAIT": args.wait,
    }
    server_log = open(OUT / "server.log", "w")  # noqa: SIM115 (open for the server's lifetime)
    server = subprocess.Popen(
        [*pin(server_cores), str(ROOT / "scripts" / "serve.sh")],
        cwd=ROOT,
        env=environment,
        stdout=server_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    host = f"http://127.0.0.1:{args.port}"
    try:
        wait_for(f"{host}/healthz")
        if server.poll() is not None or not gunicorn_workers(args.port):
            raise SystemExit(f"no gunicorn of ours answers on {host}: see {OUT / 'server.log'}")
        print(f"server on {host}, cores {server_cores}; load generator on core {load_core}")
        print(f"workers before: {gunicorn_workers(args.port)}")
        for run in range(1, args.runs + 1):
            prefix = OUT / f"run{run}"
            subprocess.run(
                [
                    *pin(load_core),
                    str(BIN / "locust"),
                    "-f",
                    str(Path(__file__).with_name("locustfile.py")),
                    "--headless",
                    "-u",
                    str(args.users),
                    "-r",
                    str(args.spawn_rate),
                    "-t",
                    args.time,
                    "--host",
                    host,
                    "--csv",
                    str(prefix),
                    "--only-summary",
                    *(["--reset-stats"] if args.steady else []),
                    "--loglevel",
                    "WARNING",
                ],
                check=False,
                cwd=ROOT,
                env=environment,
            )
            rows = summary(prefix)
            print(f"\nRun {run}: {args.users} users for {args.time}, waiting {args.wait} s between requests")
            print(f"{'request':42} {'count':>7} {'fail':>5} {'rps':>7} {'median':>7} {'p95':>6} {'max':>6}")
            for row in rows:
                print(
                    f"{row['Name'][:42]:42} {row['Request Count']:>7} {row['Failure Count']:>5} "
                    f"{float(row['Requests/s']):7.1f} {row['Median Response Time']:>7} {row['95%']:>6} "
                    f"{float(row['Max Response Time']):6.0f}"
                )
            print(f"workers after run {run} (pid, RSS MB): {gunicorn_workers(args.port)}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        server_log.close()


if __name__ == "__main__":
    main()
