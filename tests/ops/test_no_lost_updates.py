"""No lost updates: many clients updating the same actions at once, through two app servers.

Two gunicorn servers (two workers each) on one PostgreSQL. In each round every client opens the
same action's update form (so all saw the same latest update), waits for the others, then all
submit at once. Action.record_update locks the action (SELECT ... FOR UPDATE) and refuses an update
whose form saw an older latest update, so in each round exactly one submission per action is
saved (302) and every other is told so (409, with the other update shown). Afterwards: every
accepted update is in the history, no refused one is, and each action's current status is its
latest update's.
"""

import itertools
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection
from django.utils.module_loading import import_string

from actions.models import Action, Update
from tests.ops import live

ROUNDS = 6
CLIENTS_PER_ACTION = 6


def session_cookie(user):
    """A signed-in session for `user`, as the sign-in page would leave it."""
    store = import_string(settings.SESSION_ENGINE + ".SessionStore")()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return {settings.SESSION_COOKIE_NAME: store.session_key}


@pytest.mark.django_db(transaction=True)
def test_concurrent_updates_through_two_servers_lose_nothing(plan, lead, chair):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: two app processes need a database server")
    targets = [plan["v1_1"], plan["v1_2"]]  # both led by the lead and in the chair's group
    with live.gunicorn(workers=2) as first, live.gunicorn(workers=2) as second:
        ports = itertools.cycle([first, second])
        clients = [
            {"action": action, "port": next(ports), "cookies": session_cookie(user), "name": f"{action.ref}-{n}"}
            for action in targets
            for n, user in zip(range(CLIENTS_PER_ACTION), itertools.cycle([lead, chair]), strict=False)
        ]
        opened = threading.Barrier(len(clients))
        outcomes = []  # (round, client name, action pk, commentary, status code)

        def client_rounds(client):
            for round_number in range(ROUNDS):
                path = f"/actions/{client['action'].pk}/update/"
                form_page = live.get(client["port"], path, client["cookies"])
                assert form_page.status == 200, (form_page.status, form_page.headers.get("Location"))
                seen = live.hidden_field(form_page.text, "seen_update")
                token = live.hidden_field(form_page.text, "csrfmiddlewaretoken")
                commentary = f"round {round_number} from {client['name']}"
                opened.wait(timeout=60)
                posted = live.request(
                    client["port"],
                    "POST",
                    path,
                    cookies=client["cookies"],
                    form={
                        "csrfmiddlewaretoken": token,
                        "seen_update": seen,
                        "status": "in_progress",
                        "rag": "green",
                        "progress": str((round_number * 7 + len(outcomes)) % 100),
                        "commentary": commentary,
                    },
                )
                if posted.status == 409:
                    assert "Someone else updated this action" in posted.text
                outcomes.append((round_number, client["name"], client["action"].pk, commentary, posted.status))
                opened.wait(timeout=60)  # everyone has submitted before the next round opens

        with ThreadPoolExecutor(len(clients)) as pool:
            list(pool.map(client_rounds, clients))

    assert {status for *_, status in outcomes} <= {302, 409}, outcomes
    for action in targets:
        mine = [outcome for outcome in outcomes if outcome[2] == action.pk]
        accepted = {commentary for *_, commentary, status in mine if status == 302}
        refused = {commentary for *_, commentary, status in mine if status == 409}
        # Exactly one winner per round: all saw the same latest update.
        assert sorted(r for r, *_, status in mine if status == 302) == list(range(ROUNDS))
        assert len(refused) == ROUNDS * (CLIENTS_PER_ACTION - 1)
        history = list(Update.objects.filter(action=action).order_by("-recorded_at", "-pk"))
        assert {update.commentary for update in history} == accepted
        current = Action.objects.get(pk=action.pk)
        latest = history[0]
        assert current.latest_update_id == latest.pk
        assert (current.status, current.rag, current.progress) == (latest.status, latest.rag, latest.progress)
