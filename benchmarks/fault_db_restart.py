"""Fault: PostgreSQL restarted while the app serves. Requests fail cleanly, then succeed, no app restart.

    .venv/bin/python benchmarks/fault_db_restart.py [--outage 5] [--no-seed]

Seeds a small database (benchmarks/load/seed.py with 500 actions), starts `scripts/serve.sh` (the
production stack, 2 gunicorn workers, DJANGO_DEBUG off, CONN_MAX_AGE 60 with health checks on),
signs a lead in through the real form, and keeps three clients busy: /healthz, the lead's My actions
page, and posting an update. Meanwhile it restarts PostgreSQL with
`pg_ctlcluster --skip-systemctl-redirect <version> main restart` (or, with --outage N, stops it
for N seconds and starts it again, so the outage is long enough to see). It then reports, per
phase (before, during, after), each status seen, checks every failure was the site's own 500 page
or a bare 503 (never a traceback or a setting), that everything succeeds again afterwards, and that
the gunicorn workers are the same processes as before (the app was not restarted).

Restarting PostgreSQL drops every connection on it, other programs' too: the script waits until no
other client is connected (up to --quiet-wait seconds) before it does. It always starts PostgreSQL
again if it is not running when it finishes.
"""

import argparse
import collections
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/swp_fault")
PASSWORD = os.environ.get("BENCH_PASSWORD", "bench-password-2017")
SORRY = "Sorry, there is a problem with the service"
LEAKS = re.compile(r"Traceback|OperationalError|psycopg|DATABASES|SECRET_KEY|File \"/")


def version():
    return sorted(os.listdir("/etc/postgresql"))[-1]


def pg_ctl(action):
    return subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version(), "main", action], capture_output=True, text=True
    )


def pg_ready():
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"]).returncode == 0


def other_clients(own_database):
    out = subprocess.run(
        [
            "psql",
            DATABASE_URL.rsplit("/", 1)[0] + "/postgres",
            "-Atc",
            "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' "
            f"AND pid <> pg_backend_pid() AND coalesce(datname, '') <> '{own_database}'",
        ],
        capture_output=True,
        text=True,
    )
    return int(out.stdout.strip() or 0)


class Client:
    """A signed-in browser, by hand (stdlib only): cookies kept, Secure ones sent to 127.0.0.1."""

    def __init__(self, port):
        import http.client

        self.port, self.cookies, self.http = port, {}, http.client

    def request(self, method, path, form=None):
        from http.cookies import SimpleCookie
        from urllib.parse import urlencode

        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body, headers["Content-Type"] = urlencode(form), "application/x-www-form-urlencoded"
        conn = self.http.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, text

    def field(self, text, name):
        found = re.search(rf'name="{name}" value="([^"]*)"', text) or re.search(
            rf'value="([^"]*)"[^>]*name="{name}"', text
        )
        return found.group(1) if found else ""

    def sign_in(self, username):
        _, page = self.request("GET", "/accounts/login/")
        status, _ = self.request(
            "POST",
            "/accounts/login/",
            {
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.field(page, "csrfmiddlewaretoken"),
            },
        )
        assert status == 302, f"sign-in gave {status}"


def workers_of(port):
    masters = subprocess.run(["pgrep", "-f", "gunicorn.*swp.wsgi"], capture_output=True, text=True).stdout.split()
    pids = []
    for master in masters:
        try:
            if f"PORT={port}".encode() in Path(f"/proc/{master}/environ").read_bytes().split(b"\0"):
                pids += Path(f"/proc/{master}/task/{master}/children").read_text().split()
        except OSError:
            continue
    return sorted(int(pid) for pid in pids)


def free_port():
    """A port nothing listens on (another program's server must never get the load)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main():
    # One scenario read top to bottom (serve, load, fault, recover, report): its threads share this state.
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--outage", type=float, default=0, help="stop PostgreSQL this many seconds (0: restart)")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--no-seed", action="store_true")
    parser.add_argument("--quiet-wait", type=float, default=120)
    args = parser.parse_args()
    args.port = args.port or free_port()
    if not args.no_seed:
        subprocess.run(
            [sys.executable, str(ROOT / "benchmarks/load/seed.py"), "--database-url", DATABASE_URL]
            + ["--actions", "500", "--updates", "1000", "--leads", "3", "--executives", "1"],
            check=True,
        )
    environment = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "PORT": str(args.port),
        "BIND_HOST": "127.0.0.1",
        "WEB_CONCURRENCY": "2",
        "TWO_FACTOR_REQUIRED": "false",
        "GUNICORN_ACCESS_LOG": "",
        "SERVE_WORKER": "0",
        # No worker is replaced after N requests during the run, so "same processes" means the app
        # itself rode through the outage.
        "GUNICORN_MAX_REQUESTS": "0",
    }
    log = open(ROOT / "benchmarks" / "fault_db_restart.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [str(ROOT / "scripts/serve.sh")],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    results = collections.defaultdict(collections.Counter)
    bad_pages = []
    titles = collections.Counter()  # (status, page title) of every failure
    phase = ["before"]
    stop = threading.Event()
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if Client(args.port).request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the server did not start; see benchmarks/fault_db_restart.log")
            time.sleep(0.5)
        lead = Client(args.port)
        lead.sign_in("lead0")
        _, my_page = lead.request("GET", "/my/")
        action = re.search(r'href="/actions/(\d+)/"', my_page).group(1)

        def record(kind, status, text):
            results[(phase[0], kind)][status] += 1
            title = re.search(r"<title>(.*?)</title>", text, re.S)
            if status >= 400:
                titles[(status, title.group(1).strip() if title else text[:40])] += 1
            styled = status == 503 and text == "unavailable" or title and "govuk-template" in text
            if status >= 400 and (LEAKS.search(text) or not styled or (status == 500 and SORRY not in text)):
                bad_pages.append((kind, status, text[:300]))

        def health():
            probe = Client(args.port)
            while not stop.is_set():
                try:
                    record("GET /healthz", *probe.request("GET", "/healthz"))
                except OSError as error:
                    results[(phase[0], "GET /healthz")][f"no answer ({type(error).__name__})"] += 1
                time.sleep(0.05)

        def reader():
            while not stop.is_set():
                try:
                    record("GET /my/", *lead.request("GET", "/my/"))
                except OSError as error:
                    results[(phase[0], "GET /my/")][f"no answer ({type(error).__name__})"] += 1
                time.sleep(0.05)

        def writer():
            writer_client = Client(args.port)
            writer_client.cookies = dict(lead.cookies)
            n = 0
            while not stop.is_set():
                n += 1
                try:
                    status, form = writer_client.request("GET", f"/actions/{action}/update/")
                    if status != 200:
                        record("POST update", status, form)
                        time.sleep(0.1)
                        continue
                    status, text = writer_client.request(
                        "POST",
                        f"/actions/{action}/update/",
                        {
                            "csrfmiddlewaretoken": writer_client.field(form, "csrfmiddlewaretoken"),
                            "seen_update": writer_client.field(form, "seen_update"),
                            "status": "in_progress",
                            "rag": "green",
                            "progress": str(n % 100),
                            "commentary": f"Fault test update {n}",
                        },
                    )
                    record("POST update", status, text)
                except OSError as error:
                    results[(phase[0], "POST update")][f"no answer ({type(error).__name__})"] += 1
                time.sleep(0.1)

        threads = [threading.Thread(target=target, daemon=True) for target in (health, reader, writer)]
        waited = time.monotonic()
        while other_clients(DATABASE_URL.rsplit("/", 1)[1]) and time.monotonic() - waited < args.quiet_wait:
            time.sleep(2)
        for thread in threads:
            thread.start()
        time.sleep(5)
        workers_before = workers_of(args.port)
        phase[0] = "during"
        started = time.monotonic()
        if args.outage:
            print("stopping PostgreSQL:", pg_ctl("stop").returncode)
            time.sleep(args.outage)
            print("starting PostgreSQL:", pg_ctl("start").returncode)
        else:
            print("restarting PostgreSQL:", pg_ctl("restart").returncode)
        while not pg_ready():
            time.sleep(0.1)
        print(f"PostgreSQL back after {time.monotonic() - started:.1f} s")
        phase[0] = "recovering"
        time.sleep(2)
        phase[0] = "after"
        time.sleep(10)
        stop.set()
        for thread in threads:
            thread.join(timeout=40)
        workers_after = workers_of(args.port)
    finally:
        stop.set()
        if not pg_ready():
            print("PostgreSQL was not running: starting it:", pg_ctl("start").returncode)
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        log.close()

    print(f"{'phase':11} {'request':14} statuses")
    for (when, kind), counter in sorted(
        results.items(), key=lambda item: (["before", "during", "recovering", "after"].index(item[0][0]), item[0][1])
    ):
        print(f"{when:11} {kind:14} {dict(counter)}")
    after_failures = sum(
        n for (when, _), c in results.items() if when == "after" for s, n in c.items() if s not in (200, 302)
    )
    same = "same processes" if workers_before == workers_after else "RESTARTED"
    print(f"workers before {workers_before}, after {workers_after}: {same}")
    print("failure pages (status, title):", dict(titles))
    print(f"failure pages that were not the site's 500 page or a bare 503, or leaked details: {len(bad_pages)}")
    for bad in bad_pages[:5]:
        print("  ", bad)
    print(f"failures after recovery: {after_failures}")
    ok = not bad_pages and not after_failures and workers_before == workers_after
    print("RESULT:", "pass" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
