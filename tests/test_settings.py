"""The settings module, run as a deployment would run it: in a fresh process with a given environment."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# What pyproject.toml sets for the suite: a deployment starts without them.
PYTEST_ENV = {
    "SECRET_KEY",
    "DJANGO_DEBUG",
    "DATABASE_URL",
    "SECURE_SSL_REDIRECT",
    "STATIC_MANIFEST",
    "TASKS_BACKEND",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def run_settings(code, **env):
    environment = {k: v for k, v in os.environ.items() if k not in PYTEST_ENV}
    environment.update(env, DJANGO_SETTINGS_MODULE="swp.settings")
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_missing_secret_key_with_debug_off_is_a_clear_error():
    result = run_settings("", DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_on_runs_without_a_secret_key_on_sqlite():
    result = run_settings(
        "from django.conf import settings as s; print(s.DEBUG, s.DATABASES['default']['ENGINE'])", DJANGO_DEBUG="true"
    )
    assert result.stdout.split() == ["True", "django.db.backends.sqlite3"]


def test_database_url_switches_to_postgresql():
    result = run_settings(
        "from django.conf import settings as s; d = s.DATABASES['default']; print(d['ENGINE'], d['NAME'], d['HOST'])",
        DJANGO_DEBUG="true",
        DATABASE_URL="postgres://swp@db.internal:5432/swp_live",
    )
    assert result.stdout.split() == ["django.db.backends.postgresql", "swp_live", "db.internal"]


def test_production_settings_are_secure_and_uk_formatted():
    result = run_settings(
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS > 0, s.SECURE_SSL_REDIRECT, s.ALLOWED_HOSTS, s.LANGUAGE_CODE, s.TIME_ZONE)",
        DJANGO_DEBUG="false",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="swp.example.gov.uk",
    )
    assert result.stdout.split() == ["True", "True", "True", "True", "['swp.example.gov.uk']", "en-gb", "Europe/London"]


def test_a_bad_number_in_the_environment_is_named():
    result = run_settings("", DJANGO_DEBUG="true", SESSION_IDLE_TIMEOUT="half an hour")
    assert "SESSION_IDLE_TIMEOUT must be a whole number" in result.stderr


def test_dates_are_written_the_uk_way(settings):
    import datetime

    from django.utils import formats

    assert formats.date_format(datetime.date(2018, 3, 31)) == "31 March 2018"
    assert formats.date_format(datetime.date(2018, 3, 31), "SHORT_DATE_FORMAT") == "31/03/2018"


def test_postgresql_connections_get_the_planner_settings_beside_the_options_database_url_gives():
    result = run_settings(
        "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS']['options'])",
        DJANGO_DEBUG="true",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/swp?options=-c%20statement_timeout%3D5000",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "-c statement_timeout=5000 -c jit=off -c random_page_cost=1.1 -c max_parallel_workers_per_gather=0"
    )


def test_sqlite_connections_begin_writes_at_once_in_wal_mode_and_wait_for_the_lock(tmp_path):
    database = tmp_path / "db.sqlite3"
    result = run_settings(
        "from django.db import connection; "
        "from django.conf import settings; o = settings.DATABASES['default']['OPTIONS']; "
        "print(o['transaction_mode'], o['timeout']); "
        "cursor = connection.cursor(); "
        "pragmas = ('journal_mode', 'synchronous', 'busy_timeout'); "
        "print(*(cursor.execute(f'PRAGMA {name}').fetchone()[0] for name in pragmas))",
        DJANGO_DEBUG="true",
        DATABASE_URL=f"sqlite:///{database}",
        SQLITE_TIMEOUT="30",
    )
    assert result.returncode == 0, result.stderr
    # synchronous 1 is NORMAL; the busy timeout is in milliseconds.
    assert result.stdout.split() == ["IMMEDIATE", "30", "wal", "1", "30000"]
