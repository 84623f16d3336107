"""/healthz: what a load balancer asks each app server, with no sign-in."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_ok_when_the_database_answers(client, django_assert_num_queries):
    with django_assert_num_queries(1):  # SELECT 1
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-store" in response["Cache-Control"]
    assert "sessionid" not in response.cookies


def test_head_too(client):
    assert client.head("/healthz").status_code == 200


def test_refuses_other_methods(client):
    assert client.post("/healthz").status_code == 405


def test_503_and_no_details_when_the_database_is_down(client, caplog):
    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.ensure_connection",
        side_effect=OperationalError('connection to server at "db.internal" (10.0.0.5), port 5432 failed'),
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"unavailable"
    assert b"db.internal" not in response.content
    # The reason is in the server's log.
    [logged] = [record for record in caplog.records if record.name == "strategy.views"]
    assert logged.getMessage() == "Health check failed: the database cannot be reached"
    assert str(logged.exc_info[1]) == 'connection to server at "db.internal" (10.0.0.5), port 5432 failed'


@override_settings(SECURE_SSL_REDIRECT=True)
def test_answers_over_plain_http_where_everything_else_redirects(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/accounts/login/").status_code == 301


@override_settings(ALLOWED_HOSTS=["swp.example.gov.uk"])
def test_answers_a_load_balancer_asking_by_the_servers_address(client):
    response = client.get("/healthz", HTTP_HOST="10.0.0.5")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response
    assert client.head("/healthz", HTTP_HOST="10.0.0.5").status_code == 200
    assert client.post("/healthz", HTTP_HOST="10.0.0.5").status_code == 405
    # Every other page still refuses a host it does not serve.
    assert client.get("/accounts/login/", HTTP_HOST="10.0.0.5").status_code == 400
    assert client.get("/accounts/login/", HTTP_HOST="swp.example.gov.uk").status_code == 200
