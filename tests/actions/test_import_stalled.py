"""An import whose worker died (kill -9, out of memory, a deploy) stalls instead of holding its
strategy for ever: its page says so, an officer cancels it, and the next import goes through. An
import that is in fact still running cannot be cancelled under its worker."""

import datetime
import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from actions.imports import lifecycle, records
from actions.imports.records import ImportStillRunning, import_apply_run, import_cancel, import_create
from actions.models import Action, ActionPlanImport
from tests.actions.importing import SEED_HEADER, seed_sheet, xlsx

STALLED_MESSAGE = (
    "This import stopped without finishing (the worker may have been restarted). Nothing was saved. "
    "Cancel it and upload the file again."
)


def plan_file(action="A brand new action"):
    rows = [
        ["1 Identify repeat victims", "Action V1.1", "Omar Other", "", "Mar-25"],
        [None, action, "Lena Lead", "", ""],
    ]
    return xlsx({"Victim": seed_sheet(rows, header=SEED_HEADER)})


def ready(plan, officer, action="A brand new action"):
    record = import_create(
        strategy=plan["strategy"], file_name="plan.xlsx", content=plan_file(action), by=officer, background=False
    )
    assert record.state == "ready", record.problems
    return record


def confirmed_then_worker_died(plan, officer, *, silent_for=datetime.timedelta(minutes=11)):
    """An import confirmed, whose worker was killed before it finished: left "importing", silent since."""
    record = ready(plan, officer, action="An action the dead worker never saved")
    lifecycle.confirm(ActionPlanImport, record, busy_message="")
    ActionPlanImport.objects.filter(pk=record.pk).update(updated_at=timezone.now() - silent_for)
    record.refresh_from_db()
    assert record.state == "importing"
    return record


def test_a_running_import_has_stalled_once_silent_for_longer_than_the_setting(plan, officer, settings):
    record = confirmed_then_worker_died(plan, officer, silent_for=datetime.timedelta(minutes=5))
    assert settings.IMPORT_STALLED_AFTER == 600 and not record.stalled
    settings.IMPORT_STALLED_AFTER = 240
    assert record.stalled
    # Only a running import stalls: a preview waiting a week for its officer has not.
    ActionPlanImport.objects.filter(pk=record.pk).update(
        state="ready", updated_at=timezone.now() - datetime.timedelta(days=7)
    )
    record.refresh_from_db()
    assert not record.stalled


def test_progress_and_every_save_are_heartbeats(plan, officer):
    record = confirmed_then_worker_died(plan, officer)
    lifecycle.progress(ActionPlanImport, record.pk)("Checking 10 rows against the plan")
    record.refresh_from_db()
    assert not record.stalled and record.stage == "Checking 10 rows against the plan"
    ActionPlanImport.objects.filter(pk=record.pk).update(updated_at=timezone.now() - datetime.timedelta(hours=1))
    record.refresh_from_db()
    record.save(update_fields=["stage"])
    record.refresh_from_db()
    assert not record.stalled


def test_the_page_of_a_stalled_import_says_so_and_stops_refreshing(client, plan, officer):
    record = confirmed_then_worker_died(plan, officer)
    client.force_login(officer)
    page = client.get(reverse("actions:import_detail", args=[record.pk])).content.decode()
    assert STALLED_MESSAGE in page
    assert "http-equiv" not in page
    assert f'action="{reverse("actions:import_cancel", args=[record.pk])}"' in page
    assert "Stopped without finishing" in client.get(reverse("actions:import_list")).content.decode()


def test_the_page_of_a_running_import_does_not_say_it_stalled(client, plan, officer):
    record = confirmed_then_worker_died(plan, officer, silent_for=datetime.timedelta(seconds=5))
    client.force_login(officer)
    page = client.get(reverse("actions:import_detail", args=[record.pk])).content.decode()
    assert STALLED_MESSAGE not in page
    assert 'http-equiv="refresh"' in page
    assert reverse("actions:import_cancel", args=[record.pk]) not in page


def test_cancelling_a_stalled_import_frees_the_strategy_for_the_next_one(client, plan, officer):
    stalled = confirmed_then_worker_died(plan, officer)
    client.force_login(officer)
    waiting = ready(plan, officer)

    # The database lets one import at a time into a strategy: the stalled one is named, with a link.
    response = client.post(reverse("actions:import_detail", args=[waiting.pk]), follow=True)
    page = response.content.decode()
    assert "stopped without finishing and is holding the strategy. Cancel that import" in page
    assert f'href="{reverse("actions:import_detail", args=[stalled.pk])}"' in page
    waiting.refresh_from_db()
    assert waiting.state == "ready"
    assert not Action.objects.filter(text="A brand new action").exists()

    response = client.post(reverse("actions:import_cancel", args=[stalled.pk]))
    assert response.status_code == 302 and response.url == reverse("actions:import_list")
    stalled.refresh_from_db()
    assert stalled.state == "cancelled" and stalled.finished_at and bytes(stalled.file_content) == b""

    client.post(reverse("actions:import_detail", args=[waiting.pk]))
    waiting.refresh_from_db()
    assert waiting.state == "imported", waiting.problems
    assert Action.objects.filter(text="A brand new action").exists()
    assert not Action.objects.filter(text="An action the dead worker never saved").exists()


def test_a_running_import_that_has_not_stalled_cannot_be_cancelled(client, plan, officer):
    running = confirmed_then_worker_died(plan, officer, silent_for=datetime.timedelta(seconds=30))
    client.force_login(officer)
    response = client.post(reverse("actions:import_cancel", args=[running.pk]), follow=True)
    assert "This import is still running, so it cannot be cancelled" in response.content.decode()
    running.refresh_from_db()
    assert running.state == "importing"
    # And a second import is told to wait, not to cancel anything.
    waiting = ready(plan, officer)
    page = client.post(reverse("actions:import_detail", args=[waiting.pk]), follow=True).content.decode()
    assert "Another import into this strategy is running. Wait for it to finish" in page
    assert "Cancel that import" not in page


@pytest.mark.parametrize("role", ["chair", "lead", "executive", "viewer"])
def test_only_officers_may_cancel_a_stalled_import(client, plan, officer, users, role):
    stalled = confirmed_then_worker_died(plan, officer)
    client.force_login(users[role])
    assert client.get(reverse("actions:import_detail", args=[stalled.pk])).status_code == 403
    assert client.post(reverse("actions:import_cancel", args=[stalled.pk])).status_code == 403
    stalled.refresh_from_db()
    assert stalled.state == "importing"


def test_another_partnerships_officer_cannot_cancel_a_stalled_import(client, plan, officer, users):
    stalled = confirmed_then_worker_died(plan, officer)
    client.force_login(users["outsider"])
    assert client.post(reverse("actions:import_cancel", args=[stalled.pk])).status_code == 404
    stalled.refresh_from_db()
    assert stalled.state == "importing"


def test_a_worker_that_wakes_after_its_import_was_cancelled_saves_nothing(plan, officer):
    stalled = confirmed_then_worker_died(plan, officer)
    import_cancel(stalled)
    # The task was only slow to start: it reads the state again under the row lock, and stops.
    assert import_apply_run(stalled.pk) == "cancelled"
    assert not Action.objects.filter(text="An action the dead worker never saved").exists()


def test_the_back_office_cancels_stalled_imports_only(client, plan, officer, users):
    stalled = confirmed_then_worker_died(plan, officer)
    waiting = ready(plan, officer)
    changelist = reverse("admin:actions_actionplanimport_changelist")
    for who in ("viewer", "officer"):
        client.force_login(users[who])
        client.post(changelist, {"action": "cancel_stalled", "_selected_action": [stalled.pk, waiting.pk]})
        stalled.refresh_from_db()
        assert stalled.state == ("importing" if who == "viewer" else "cancelled")
    waiting.refresh_from_db()
    assert waiting.state == "ready"


@pytest.mark.django_db(transaction=True)
def test_a_live_import_holds_its_row_so_a_cancel_is_refused_not_run_under_it(plan, officer, settings, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no row locks, and its test database is not shared between threads")
    settings.IMPORT_STALLED_AFTER = 0  # so the live import looks stalled by the clock alone
    record = ready(plan, officer)
    lifecycle.confirm(ActionPlanImport, record, busy_message="")
    started, release = threading.Event(), threading.Event()
    real_apply = records.action_plan_apply

    def slow_apply(**kwargs):
        started.set()
        assert release.wait(30)
        return real_apply(**kwargs)

    monkeypatch.setattr(records, "action_plan_apply", slow_apply)
    outcome = {}

    def worker():
        try:
            outcome["state"] = import_apply_run(record.pk)
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert started.wait(30)
        record.refresh_from_db()
        assert record.stalled  # by the clock; the lock says otherwise
        with pytest.raises(ImportStillRunning):
            import_cancel(record)
    finally:
        release.set()
        thread.join(60)
    assert outcome["state"] == "imported"
    assert Action.objects.filter(text="A brand new action").exists()
