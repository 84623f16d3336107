"""The embedded default under real use: `make run` on a SQLite file, with the task worker beside it.

A real development server (`manage.py runserver`, threaded, DJANGO_DEBUG on, as `make run` starts
it) and a real task worker (`manage.py db_worker`) on one SQLite file holding the demo data. Twenty
clients, each signed in through the sign-in page, open a different action's update form, wait for
one another, and all submit at once while an officer issues a meeting pack, which the worker makes
and writes. Every update is saved (none lost, no error page), the pack is issued, and neither the
server nor the worker ever met "database is locked".
"""

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from tests.ops import live

CLIENTS = 20
LEADS = 6  # of the clients; the others are officers
PASSWORD = "sqlite-load-test-password"


def _rows(database, sql, *params):
    with sqlite3.connect(database) as db:
        return db.execute(sql, params).fetchall()


def _sign_in(port, username):
    cookies = {}
    page = live.get(port, "/accounts/login/", cookies)
    assert page.status == 200, page.status
    signed_in = live.request(
        port,
        "POST",
        "/accounts/login/",
        cookies=cookies,
        form={
            "csrfmiddlewaretoken": live.hidden_field(page.text, "csrfmiddlewaretoken"),
            "username": username,
            "password": PASSWORD,
        },
    )
    assert signed_in.status == 302, (username, signed_in.status, signed_in.text[-500:])
    return cookies


@pytest.fixture
def demo_database(tmp_path):
    """A SQLite file with the schema and the demo data, as `make run` leaves it."""
    if connection.vendor != "sqlite":
        pytest.skip("run in the SQLite pass: it makes its own database file, whatever the suite runs on")
    database = tmp_path / "db.sqlite3"
    environment = live.server_environment(
        DATABASE_URL=f"sqlite:///{database}", DJANGO_DEBUG="true", TASKS_BACKEND="database"
    )
    live.manage("migrate", "--no-input", environment=environment)
    live.manage("load_demo", "--password", PASSWORD, environment=environment)
    return database, environment


def test_twenty_updates_at_once_on_sqlite_with_the_worker_running(demo_database):
    database, environment = demo_database
    sample = "select a.id from actions_action a join strategy_strategy s on s.id = a.strategy_id"
    open_actions = (
        " where s.is_sample and a.archived_at is null and a.status not in ('complete', 'withdrawn')"
        " and not exists (select 1 from actions_update u where u.action_id = a.id and u.review_state = 'submitted')"
    )
    led = (
        " and a.id in (select l.action_id from actions_actionlead l join strategy_person p on p.id = l.person_id"
        " join auth_user u on u.id = p.user_id where u.username = 'lead')"
    )
    lead_actions = [pk for (pk,) in _rows(database, sample + open_actions + led + " order by a.id")][:LEADS]
    officer_actions = [
        pk for (pk,) in _rows(database, sample + open_actions + " order by a.id desc") if pk not in lead_actions
    ][: CLIENTS - LEADS]
    clients = [("lead", pk) for pk in lead_actions] + [("officer", pk) for pk in officer_actions]
    assert len(clients) == CLIENTS
    [(meeting,)] = _rows(
        database,
        "select m.id from performance_meeting m join strategy_strategy s on s.id = m.strategy_id where s.is_sample"
        " order by m.date limit 1",  # the meeting on the last quarter, whose pack may be issued
    )
    # load_demo issued the sample's pack; the worker makes its files once it starts.
    assert _rows(database, "select state from performance_meetingpack") == [("generating",)]

    with live.manage_process("db_worker", "--interval", "0.1", environment=environment) as worker:
        with live.runserver(environment=environment) as (port, server):
            opened = threading.Barrier(CLIENTS + 1)

            def ready(open_page):
                """Sign in and open the page; then wait for the others (or stop them all if it failed)."""
                try:
                    page = open_page()
                except BaseException:
                    opened.abort()
                    raise
                opened.wait(timeout=300)
                return page

            def submit(client):
                username, pk = client
                cookies = _sign_in(port, username)
                path = f"/actions/{pk}/update/"
                form_page = live.get(port, path, cookies)
                assert form_page.status == 200, (path, form_page.status)
                return form_page, path, cookies

            def post_update(client):
                username, pk = client
                form_page, path, cookies = ready(lambda: submit(client))
                return live.request(
                    port,
                    "POST",
                    path,
                    cookies=cookies,
                    form={
                        "csrfmiddlewaretoken": live.hidden_field(form_page.text, "csrfmiddlewaretoken"),
                        "seen_update": live.hidden_field(form_page.text, "seen_update"),
                        "status": "in_progress",
                        "rag": "green",
                        "progress": "40",
                        "commentary": f"load test update to action {pk} by {username}",
                    },
                )

            def open_meeting():
                cookies = _sign_in(port, "officer")
                page = live.get(port, f"/meetings/{meeting}/", cookies)
                assert page.status == 200, page.status
                return page, cookies

            def issue_pack():
                page, cookies = ready(open_meeting)
                return live.request(
                    port,
                    "POST",
                    f"/meetings/{meeting}/packs/",
                    cookies=cookies,
                    form={"csrfmiddlewaretoken": live.hidden_field(page.text, "csrfmiddlewaretoken")},
                )

            with ThreadPoolExecutor(CLIENTS + 1) as pool:
                pack_issued = pool.submit(issue_pack)
                responses = list(pool.map(post_update, clients))
                assert pack_issued.result().status == 302
            assert [response.status for response in responses] == [302] * CLIENTS, [
                (response.status, live.error_summary(response.text)) for response in responses if response.status != 302
            ]
            assert [response.headers["Location"] for response in responses] == [f"/actions/{pk}/" for _, pk in clients]
            # Both packs made by the worker: the demo's, queued by load_demo, and the one issued above.
            live.wait_until(
                lambda: _rows(database, "select state from performance_meetingpack") == [("issued",), ("issued",)],
                seconds=180,
            )
        server_log = server.stderr_text()
    worker_log = worker.stderr_text()

    saved = _rows(
        database,
        "select action_id, commentary, review_state, status, progress from actions_update"
        " where commentary like 'load test update to action %' order by action_id",
    )
    assert saved == sorted(
        (
            pk,
            f"load test update to action {pk} by {username}",
            "submitted" if username == "lead" else "approved",
            "in_progress",
            40,
        )
        for username, pk in clients
    )
    # An officer's update counts at once and is the action's current state; a lead's waits for sign-off.
    current = _rows(
        database,
        "select a.id, u.commentary from actions_action a join actions_update u on u.id = a.latest_update_id"
        f" where a.id in ({', '.join(str(pk) for pk in officer_actions)}) order by a.id",
    )
    assert current == sorted((pk, f"load test update to action {pk} by officer") for pk in officer_actions)
    assert "database is locked" not in server_log
    assert "Traceback" not in server_log
    assert "database is locked" not in worker_log
    assert "Traceback" not in worker_log
    assert _rows(database, "select status from django_tasks_database_dbtaskresult") == [("SUCCESSFUL",)] * 2
