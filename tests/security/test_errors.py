"""Error pages (400, 403, 404, 500) with DEBUG off: in the site's style, with no stack trace, no
settings and nothing of the request echoed back."""

import pytest
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.test import Client
from django.urls import path

from swp.urls import urlpatterns as site_urlpatterns

SECRET_MARKER = "a-secret-that-must-never-show"


def raise_error(request, status):
    errors = {
        400: BadRequest(f"bad {SECRET_MARKER}"),
        403: PermissionDenied(f"denied {SECRET_MARKER}"),
        404: Http404(f"missing {SECRET_MARKER}"),
        500: RuntimeError(f"boom {SECRET_MARKER}"),
        4001: SuspiciousOperation(f"suspicious {SECRET_MARKER}"),
    }
    raise errors[status]


urlpatterns = [path("__raise/<int:status>/", raise_error), *site_urlpatterns]


def error_client(settings):
    settings.ROOT_URLCONF = "tests.security.test_errors"
    settings.DEBUG = False
    return Client(raise_request_exception=False)


LEAKS = ["Traceback", 'File "', "SECRET_KEY", "DATABASES", "settings.py", "django.core", SECRET_MARKER, "Exception"]


@pytest.mark.parametrize(
    ("status", "expected", "heading"),
    [
        (400, 400, "Sorry, there is a problem with your request"),
        (4001, 400, "Sorry, there is a problem with your request"),
        (403, 403, "You do not have permission to see this page"),
        (404, 404, "Page not found"),
        (500, 500, "Sorry, there is a problem with the service"),
    ],
)
def test_error_pages_are_in_the_sites_style_and_leak_nothing(settings, db, status, expected, heading):
    response = error_client(settings).get(f"/__raise/{status}/?q={SECRET_MARKER}")
    assert response.status_code == expected
    page = response.content.decode()
    assert "govuk-template" in page and "govuk-generic-header" in page
    assert heading in page
    for leak in LEAKS:
        assert leak not in page, leak


def test_a_view_that_raises_for_a_signed_in_user_shows_the_500_page(settings, officer):
    client = error_client(settings)
    client.force_login(officer)
    response = client.get("/__raise/500/")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


def test_a_bad_host_gets_the_400_page(settings, db):
    client = error_client(settings)
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "evil.example" not in response.content.decode()


def test_the_csrf_failure_page_explains_without_detail(settings, officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    response = client.post("/accounts/password_change/", {})
    assert response.status_code == 403
    page = response.content.decode()
    assert "govuk-template" in page
    assert "CSRF token" not in page and "Traceback" not in page
