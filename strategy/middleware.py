"""Middleware of our own: two-factor sign-in, the health check, malformed query strings, downloads.

Two-factor sign-in is enforced on every request (after django_otp's OTPMiddleware).

With settings.TWO_FACTOR_REQUIRED on, a signed-in officer or administrator whose session has not
passed the second factor reaches nothing but the sign-in, sign-out and two-factor pages, the
public footer pages, static files and the health check: every other page, the back office and
every download send them to set up an authenticator app (no confirmed device yet) or to enter a
code (`strategy/two_factor.py`), and back to where they were going afterwards.
"""

import re

from django.conf import settings
from django.core.exceptions import BadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode

from strategy import permissions
from strategy.two_factor import has_confirmed_device
from strategy.views import healthz

# URL names a session may reach before its second factor is checked.
EXEMPT_URL_NAMES = (
    "login",
    "logout",
    "strategy:two_factor_setup",
    "strategy:two_factor_verify",
    "strategy:accessibility",
    "strategy:privacy",
)
EXEMPT_PREFIXES = ("/healthz",)


def exempt(path):
    """Whether `path` is open before the second factor: those pages exactly, static files, /healthz."""
    return path in {reverse(name) for name in EXEMPT_URL_NAMES} or path.startswith(
        (*EXEMPT_PREFIXES, settings.STATIC_URL)
    )


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.TWO_FACTOR_REQUIRED and not exempt(request.path_info):
            user = request.user
            if permissions.needs_two_factor(user) and not user.is_verified():
                name = "strategy:two_factor_verify" if has_confirmed_device(user) else "strategy:two_factor_setup"
                return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class HealthCheckMiddleware:
    """Answers /healthz before anything reads the Host header.

    A load balancer checks each app server at its own address (http://10.0.0.5/healthz), which
    ALLOWED_HOSTS need not list: through the rest of the stack that check would get 400. The reply
    is "ok" or "unavailable" and builds no URL, so the Host it was asked for does not matter. Placed
    after the security headers' and CSP's middleware, so its responses carry them like any other.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz":
            return healthz(request)
        return self.get_response(request)


# C0 controls (NUL, tab, line breaks, ...), DEL and the C1 controls: no filter, search or link of
# the site puts one in a query string, and some reach the database as an error (PostgreSQL refuses
# NUL in any text), so they are refused before any view reads the query.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class MalformedQueryMiddleware:
    """A query string with a control character in a name or a value gets the 400 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for key, values in request.GET.lists():
            if any(CONTROL_CHARACTERS.search(text) for text in (key, *values)):
                raise BadRequest("A control character in the query string.")
        return self.get_response(request)


class DownloadCacheMiddleware:
    """Every download (a response sent as an attachment) is kept by no browser cache and no proxy.

    Downloads carry marked data (a plan, the audit log, a pack): a copy left in a shared proxy or a
    browser's cache would outlast the reader's access to it and reach whoever uses that cache next.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.get("Content-Disposition", "").lower().startswith("attachment"):
            patch_cache_control(response, no_store=True, private=True)
        return response
