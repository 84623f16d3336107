"""CSRF protection on every state-changing view: a POST without the token is refused (403) and changes
nothing, for every URL of the site (from the matrix, so a new URL is covered as soon as it has a row)."""

import pytest
from django.apps import apps
from django.test import Client

from tests.security.test_matrix import ROWS


def row_counts():
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


# The footer's unsubscribe link takes mail programs' one-click POST (RFC 8058), which carries no CSRF
# token: its signed token authorises it, not a session (tests/notifications/test_unsubscribe.py).
CSRF_EXEMPT = {"notifications:unsubscribe": "notifications/unsubscribe/<str:token>/"}

POSTS = [
    (name, url)
    for name, url, _, post in ROWS
    if any(status not in (405,) for status in post.values()) and name not in CSRF_EXEMPT
]


@pytest.mark.parametrize(("name", "url"), POSTS, ids=[f"{name} {url}" for name, url in POSTS])
def test_a_post_without_the_csrf_token_is_refused(name, url, world, users, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    address = url.format(**world["ids"])
    clients = []
    for user in (users["officer"], users["outsider"], None):
        client = Client(enforce_csrf_checks=True)
        if user is not None:
            client.force_login(user)
        clients.append(client)
    before = row_counts()
    for client in clients:
        response = client.post(address, {"username": "officer", "password": "x", "email": "officer@example.org"})
        assert response.status_code == 403, f"{address} accepted a POST without a CSRF token"
    after = row_counts()
    after.pop("sessions.Session", None), before.pop("sessions.Session", None)
    assert after == before


def test_no_view_is_exempt_from_csrf():
    from django.urls import URLPattern, URLResolver, get_resolver

    def callbacks(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from callbacks(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                yield pattern

    def only_reads(callback):
        """A Django REST framework view (exempt by the framework, as it has no session) that answers
        nothing but GET, HEAD and OPTIONS: the read-only API, which changes nothing."""
        if getattr(callback, "actions", None) is not None:  # a viewset's routes
            return set(callback.actions) <= {"get", "head", "options"}
        view = getattr(callback, "cls", None)
        return view is not None and not any(hasattr(view, method) for method in ("post", "put", "patch", "delete"))

    exempt = [
        str(p.pattern)
        for p in callbacks(get_resolver().url_patterns)
        if getattr(p.callback, "csrf_exempt", False) and not only_reads(p.callback)
    ]
    assert exempt == list(CSRF_EXEMPT.values())
