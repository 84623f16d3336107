"""The production settings path (DJANGO_DEBUG off), run as a deployment runs it: in a fresh process
with only the deployment's environment."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# What pyproject.toml sets for the suite; a deployment starts without them.
SUITE_ONLY = {
    "SECRET_KEY",
    "DJANGO_DEBUG",
    "DATABASE_URL",
    "SECURE_SSL_REDIRECT",
    "STATIC_MANIFEST",
    "TASKS_BACKEND",
    # Set by tests/browser/conftest.py for Playwright; a deployment never has it.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "TWO_FACTOR_REQUIRED",
}


def production_env(**extra):
    environment = {k: v for k, v in os.environ.items() if k not in SUITE_ONLY}
    environment.update(
        DJANGO_SETTINGS_MODULE="swp.settings",
        DJANGO_DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="swp.example.gov.uk",
        CSRF_TRUSTED_ORIGINS="https://swp.example.gov.uk",
    )
    environment.update(extra)
    return environment


def run_settings(code, **env):
    environment = {k: v for k, v in os.environ.items() if k not in SUITE_ONLY}
    environment.update(env, DJANGO_SETTINGS_MODULE="swp.settings")
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def read(code, **extra):
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); from django.conf import settings as s; {code}"],
        cwd=ROOT,
        env=production_env(**extra),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_check_deploy_reports_nothing():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_does_complain_about_a_weak_key():
    """The check above means something: the same check fails on a short, guessable key."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(SECRET_KEY="short"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "security.W009" in result.stderr


def test_cookies_are_https_only_and_hsts_is_on():
    values = read(
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, "
        "s.TWO_FACTOR_REQUIRED)"
    )
    assert values.split() == ["False", "True", "True", "True", "True", "31536000", "True", "True", "True"]


def test_secure_proxy_header_comes_from_the_environment():
    assert read("print(getattr(s, 'SECURE_PROXY_SSL_HEADER', None))") == "None"
    assert (
        read("print(s.SECURE_PROXY_SSL_HEADER)", SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO")
        == "('HTTP_X_FORWARDED_PROTO', 'https')"
    )


def test_sign_in_throttling_settings_come_from_the_environment():
    assert read(
        "print(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME, s.AXES_LOCKOUT_PARAMETERS, s.AXES_RESET_ON_SUCCESS, "
        "s.AXES_IPWARE_PROXY_COUNT)"
    ) == ("5 0:15:00 [['username', 'ip_address']] True None")
    assert (
        read(
            "print(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME, s.AXES_IPWARE_PROXY_COUNT)",
            AXES_FAILURE_LIMIT="10",
            AXES_COOLOFF_MINUTES="30",
            AXES_IPWARE_PROXY_COUNT="1",
        )
        == "10 0:30:00 1"
    )


def test_hosts_come_from_the_environment_and_default_to_none():
    assert read("print(s.ALLOWED_HOSTS)", ALLOWED_HOSTS="") == "[]"


@pytest.mark.parametrize("module", ["openpyxl"])
def test_spreadsheets_are_parsed_with_defusedxml(module):
    """openpyxl switches to defusedxml when it is installed (it is pinned in requirements.txt)."""
    from openpyxl import DEFUSEDXML
    from openpyxl.xml import functions

    assert DEFUSEDXML is True
    assert functions.fromstring.__module__.startswith("defusedxml")
    requirements = (ROOT / "requirements.txt").read_text()
    assert "defusedxml==" in requirements
