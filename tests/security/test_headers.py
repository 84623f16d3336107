"""Security headers on real responses: a strict Content Security Policy (django-csp) and the rest.

`assert_security_headers` is applied to every HTML response of the role x URL matrix
(test_matrix.py); the tests here add the pages the matrix does not reach (error pages, the
locked-out page, the two-factor pages with a QR code) and check the pages carry no inline script
or style that the policy would block.
"""

import re

import pytest
from django.test import Client

from tests.conftest import PASSWORD
from tests.security.conftest import confirmed_device


def directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part}


def assert_security_headers(response):
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    for sources in policy.values():
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:"} & set(sources)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


INLINE = [
    re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),  # a script element without src
    re.compile(r"\sstyle\s*=", re.I),  # a style attribute
    re.compile(r"<style", re.I),  # a style element
    re.compile(r"\son[a-z]+\s*=", re.I),  # an event handler attribute
    re.compile(r"javascript:", re.I),
]


def assert_no_inline_code(response):
    page = response.content.decode()
    for pattern in INLINE:
        assert not pattern.search(page), f"{pattern.pattern} in {response.wsgi_request.path}"


PAGES = [
    "/accounts/login/",
    "/accounts/password_reset/",
    "/accessibility/",
    "/privacy/",
    "/strategies/",
    "/strategies/test-2024-2027/",
    "/my/",
    "/actions/?strategy=test-2024-2027",
    "/actions/{v1_1}/",
    "/actions/{v1_1}/update/",
    "/imports/",
    "/imports/new/",
    "/imports/{import}/",
    "/rounds/",
    "/rounds/{round}/",
    "/sign-off/",
    "/indicators/",
    "/indicators/{indicator}/",
    "/indicators/{indicator}/values/new/",
    "/indicators/imports/",
    "/review/test-2024-2027/2024-Q1/",
    "/meetings/",
    "/meetings/{meeting}/",
    "/admin/",
    "/admin/actions/action/",
    "/admin/actions/action/{v1_1}/change/",
    "/admin/strategy/strategy/",
    "/accounts/two-factor/set-up/",
    "/no-such-page/",
]


@pytest.mark.parametrize("url", PAGES)
def test_pages_carry_the_headers_and_no_inline_code(url, client, officer, world):
    client.force_login(officer)
    response = client.get(url.format(**world["ids"]))
    assert response.status_code == (404 if url == "/no-such-page/" else 200)
    assert_security_headers(response)
    if not url.startswith("/admin/"):  # Django's admin has its own scripts, all external files
        assert_no_inline_code(response)


def test_the_admin_has_no_inline_script(client, officer, world):
    client.force_login(officer)
    page = client.get(f"/admin/actions/action/{world['ids']['v1_1']}/change/").content.decode()
    assert not INLINE[0].search(page)


def test_hsts_and_https_redirect_in_production(client, settings, db):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/accessibility/")
    assert response.status_code == 301 and response.url.startswith("https://")
    response = client.get("/accessibility/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_behind_a_proxy_the_forwarded_proto_is_trusted_only_when_configured(client, settings, db):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/accessibility/", HTTP_X_FORWARDED_PROTO="https").status_code == 301
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client.get("/accessibility/", HTTP_X_FORWARDED_PROTO="https").status_code == 200


def test_the_locked_out_page(client, officer, settings):
    settings.AXES_FAILURE_LIMIT = 1
    response = client.post("/accounts/login/", {"username": "officer", "password": "wrong"})
    assert response.status_code == 429
    assert_security_headers(response)
    assert_no_inline_code(response)


def test_the_two_factor_pages(client, officer, two_factor):
    confirmed_device(officer)
    client.post("/accounts/login/", {"username": "officer", "password": PASSWORD})
    response = client.get("/accounts/two-factor/")
    assert_security_headers(response)
    assert_no_inline_code(response)


@pytest.mark.parametrize("status", [400, 403, 404, 500])
def test_error_pages(status, settings, db):
    from tests.security.test_errors import error_client

    response = error_client(settings).get(f"/__raise/{status}/")
    assert response.status_code == status
    assert_security_headers(response)
    assert_no_inline_code(response)


def test_sessions_and_csrf_cookies_are_secure_in_production(settings, officer):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    client = Client()
    client.get("/accounts/login/", secure=True)
    client.post("/accounts/login/", {"username": "officer", "password": PASSWORD}, secure=True)
    assert client.cookies["sessionid"]["secure"]
    assert client.cookies["csrftoken"]["secure"]
