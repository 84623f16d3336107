"""Real app servers for the operations tests: gunicorn processes on the test database, or the
development server and the task worker on a SQLite file, as `make run` starts them.

The gunicorn tests need committed data (`transactional_db`) and PostgreSQL: SQLite's test database
lives in this process's memory, where no other process can reach it. The SQLite ones make their own
database file with `manage`.
"""

import contextlib
import http.client
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def postgres_url():
    """The address of the database this test runs on (pytest-django's test database)."""
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "127.0.0.1"
    return f"postgres://{settings['USER']}{password}@{host}:{settings['PORT'] or 5432}/{settings['NAME']}"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(**overrides):
    """Production settings (DJANGO_DEBUG off) on plain HTTP at 127.0.0.1, on the test database."""
    return {
        **os.environ,
        "DATABASE_URL": postgres_url(),
        "DJANGO_DEBUG": "false",
        # The suite's key, so sessions the test makes are valid on the server.
        "SECRET_KEY": settings.SECRET_KEY,
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_MANIFEST": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "TASKS_BACKEND": "immediate",
        "TWO_FACTOR_REQUIRED": "false",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_ACCESS_LOG": "",
        "PYTHONPATH": str(ROOT),
        **overrides,
    }


def wait_for(port, *, seconds=30, process=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server on port {port} stopped: {process.stderr.read().decode()[-2000:]}")
        with contextlib.suppress(OSError):
            if get(port, "/healthz").status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"the server on port {port} did not answer /healthz within {seconds} s")


@contextlib.contextmanager
def gunicorn(*, workers=2, **environment):
    """A gunicorn server (gunicorn.conf.py) on a free port; yields the port."""
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"), "swp.wsgi"],
        cwd=ROOT,
        env=server_environment(PORT=str(port), BIND_HOST="127.0.0.1", WEB_CONCURRENCY=str(workers), **environment),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(port, process=process)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def manage(*arguments, environment, timeout=300):
    """Run `manage.py` to the end (migrate, load_demo); its output is in the error if it fails."""
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(arguments)} failed: {result.stderr[-3000:]}")
    return result


class Process:
    """A process started by a test; what it wrote stays readable after it stops."""

    def __init__(self, command, environment, log):
        self.log = log  # a file, not a pipe: a pipe nobody reads stalls the process once it fills
        self.process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)

    def poll(self):
        return self.process.poll()

    def stderr_text(self):
        """All it has written so far (stdout and stderr), or all it wrote once stopped."""
        if self.log.closed:
            return self.output
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.output = self.stderr_text()


@contextlib.contextmanager
def manage_process(*arguments, environment):
    """`manage.py` running beside the test (the task worker); yields the Process."""
    with tempfile.TemporaryFile() as log:
        process = Process([sys.executable, "manage.py", *arguments], environment, log)
        try:
            yield process
        finally:
            process.stop()


@contextlib.contextmanager
def runserver(*, environment):
    """The development server as `make run` starts it (threaded); yields (port, Process)."""
    port = free_port()
    with manage_process("runserver", "--noreload", f"127.0.0.1:{port}", environment=environment) as process:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"runserver stopped: {process.stderr_text()[-2000:]}")
            with contextlib.suppress(OSError):
                if get(port, "/healthz").status == 200:
                    break
            time.sleep(0.2)
        else:
            raise RuntimeError(f"runserver did not answer /healthz within 60 s: {process.stderr_text()[-2000:]}")
        yield port, process


def wait_until(condition, *, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"not so within {seconds} s")


class Response:
    def __init__(self, raw):
        self.status = raw.status
        self.headers = raw.headers
        self.text = raw.read().decode("utf-8", "replace")


def get(port, path, cookies=None):
    return request(port, "GET", path, cookies=cookies)


def request(port, method, path, *, cookies=None, form=None):
    """One HTTP request to 127.0.0.1:port with these cookies; updates `cookies` from Set-Cookie.

    By hand rather than through a cookie jar: the production cookies are Secure, which a jar keeps
    from a plain-HTTP address, while browsers send them to localhost.
    """
    cookies = {} if cookies is None else cookies
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = Response(conn.getresponse())
    finally:
        conn.close()
    for header in response.headers.get_all("Set-Cookie") or []:
        for name, morsel in SimpleCookie(header).items():
            cookies[name] = morsel.value
    return response


def hidden_field(html, name):
    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{re.escape(name)}"', html
    )
    return found.group(1) if found else None


def error_summary(html):
    """What an error page says went wrong: Django's debug page's exception, else the page's heading."""
    found = re.search(r'<pre class="exception_value">(.*?)</pre>', html, re.S) or re.search(
        r"<h1[^>]*>(.*?)</h1>", html, re.S
    )
    return found.group(1).strip() if found else html[:300]
