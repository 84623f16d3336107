"""The idle timeout (strategy/sessions.py): a session lasts SESSION_COOKIE_AGE seconds from its last
use, and a page saves it at most once a minute rather than on every request."""

import datetime

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import PASSWORD

SIGNED_IN = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
AGE = datetime.timedelta(seconds=30 * 60)


@pytest.fixture
def clock():
    with time_machine.travel(SIGNED_IN, tick=False) as traveller:
        yield traveller


@pytest.fixture
def signed_in(client, viewer, clock, settings):
    settings.SESSION_COOKIE_AGE = int(AGE.total_seconds())
    response = client.post("/accounts/login/", {"username": "viewer", "password": PASSWORD})
    assert response.status_code == 302
    return client


def get(client, path="/actions/"):
    """The response, and the session writes the request made."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    writes = [q["sql"] for q in queries if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")]
    return response, writes


def expires(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_signing_in_sets_the_expiry_and_the_next_pages_write_nothing(signed_in, clock):
    assert expires(signed_in) == SIGNED_IN + AGE
    for seconds in (0, 30, 59):
        clock.move_to(SIGNED_IN + datetime.timedelta(seconds=seconds))
        response, writes = get(signed_in)
        assert (response.status_code, writes) == (200, [])
    assert expires(signed_in) == SIGNED_IN + AGE


def test_a_page_a_minute_after_the_last_save_pushes_the_expiry_on(signed_in, clock):
    minute_on = SIGNED_IN + datetime.timedelta(seconds=60)
    clock.move_to(minute_on)
    response, writes = get(signed_in)
    assert response.status_code == 200
    assert [sql.split()[0] for sql in writes] == ["UPDATE"]
    assert expires(signed_in) == minute_on + AGE
    clock.move_to(minute_on + datetime.timedelta(seconds=59))
    assert get(signed_in)[1] == []


def test_a_session_in_use_outlasts_the_timeout_and_an_idle_one_ends(signed_in, clock):
    moment = SIGNED_IN
    for _ in range(12):  # a page every ten minutes for two hours
        moment += datetime.timedelta(minutes=10)
        clock.move_to(moment)
        assert get(signed_in)[0].status_code == 200
    clock.move_to(moment + AGE + datetime.timedelta(seconds=1))  # idle since the last page
    response = signed_in.get("/actions/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/actions/")


def test_a_reader_who_is_not_signed_in_gets_no_session(client, clock, db):
    response, writes = get(client, "/privacy/")
    assert (response.status_code, writes) == (200, [])
    assert "sessionid" not in response.cookies
    assert Session.objects.count() == 0
