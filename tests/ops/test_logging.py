"""Structured logs: one JSON line per request with its id, and errors' tracebacks in the log only."""

import json
import logging

import pytest
from django.urls import path

from strategy.logging import JsonFormatter, RequestIdFilter


def boom(request):
    raise RuntimeError("the secret reason")


urlpatterns = [path("boom/", boom)]


def request_lines(caplog):
    return [record for record in caplog.records if record.name == "swp.requests"]


@pytest.mark.django_db
def test_one_line_per_request_without_the_query_string(client, lead, caplog):
    client.force_login(lead)
    with caplog.at_level(logging.INFO, logger="swp.requests"):
        response = client.get("/actions/?q=Jane+Smith&page=2")
    (record,) = request_lines(caplog)
    line = json.loads(JsonFormatter().format(record))
    assert line["method"] == "GET"
    assert line["path"] == "/actions/"
    assert line["status"] == 200
    assert line["user_id"] == lead.pk
    assert line["duration_ms"] >= 0
    assert line["request_id"] == response["X-Request-ID"]
    assert "Jane" not in json.dumps(line)


@pytest.mark.django_db
def test_keeps_a_sane_request_id_from_the_load_balancer_and_replaces_an_odd_one(client, caplog):
    with caplog.at_level(logging.INFO, logger="swp.requests"):
        kept = client.get("/accounts/login/", headers={"X-Request-ID": "lb-0123456789abcdef"})
        replaced = client.get("/accounts/login/", headers={"X-Request-ID": "<script>\nforged"})
    assert kept["X-Request-ID"] == "lb-0123456789abcdef"
    assert replaced["X-Request-ID"] != "<script>\nforged" and len(replaced["X-Request-ID"]) == 32
    assert [r.user_id for r in request_lines(caplog)] == [None, None]


@pytest.mark.django_db
def test_health_checks_log_quietly(client, caplog):
    with caplog.at_level(logging.INFO, logger="swp.requests"):
        client.get("/healthz")
    assert request_lines(caplog) == []


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_an_error_logs_its_traceback_with_the_request_id_and_the_page_shows_none(client, caplog):
    client.raise_request_exception = False
    caplog.handler.addFilter(RequestIdFilter())  # as the console handler has it
    with caplog.at_level(logging.INFO):
        response = client.get("/boom/")
    assert response.status_code == 500
    assert b"the secret reason" not in response.content
    assert b"Traceback" not in response.content
    error = next(record for record in caplog.records if record.name == "django.request")
    line = json.loads(JsonFormatter().format(error))
    assert line["level"] == "ERROR"
    assert line["request_id"] == response["X-Request-ID"]
    assert "RuntimeError: the secret reason" in line["traceback"]
    assert line["exc_type"] == "RuntimeError"
    (request_line,) = request_lines(caplog)
    assert request_line.status == 500 and request_line.levelname == "ERROR"


def test_formatter_writes_one_line_of_json_for_anything():
    record = logging.makeLogRecord(
        {"name": "x", "levelno": logging.WARNING, "levelname": "WARNING", "msg": "a\nb %s", "args": ("c",)}
    )
    record.odd = object()
    text = JsonFormatter().format(record)
    assert "\n" not in text
    assert json.loads(text)["message"] == "a\nb c"
