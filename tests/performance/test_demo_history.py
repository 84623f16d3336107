"""The review's demo data: a labelled, seeded update history for the 2017-20 plan, the demo meetings,
and loading twice adding nothing."""

import datetime
import io
import zoneinfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from actions.models import CLOSED_STATUSES, RAG, Action, Status, Update
from performance.demo import DEMO_PREFIX, demo_history_load
from performance.models import Challenge, Meeting
from performance.review import build_review
from strategy.models import Strategy
from strategy.periods import Quarter


@pytest.fixture
def demo(db, settings, time_machine):
    settings.DEBUG = True
    # The sample current strategy is dated from today, and its pack is made by the task worker: neither is tested here.
    time_machine.move_to(datetime.datetime(2026, 12, 4, 10, tzinfo=zoneinfo.ZoneInfo("Europe/London")), tick=False)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    call_command("load_demo", "--password", "demo-password-for-tests", stdout=io.StringIO())


def fingerprint():
    return list(
        Update.objects.filter(action__strategy__slug="swp-2017-2020")
        .order_by("action__ref", "recorded_at")
        .values_list("action__ref", "recorded_at", "status", "rag", "progress", "created_by__username")
    )


def test_the_history_is_labelled_inside_its_quarters_and_written_by_demo_logins(demo):
    updates = Update.objects.filter(action__strategy__slug="swp-2017-2020").select_related("created_by")
    assert updates.count() == 477
    assert all(update.commentary.startswith(DEMO_PREFIX) for update in updates)
    first, last = Quarter(2017, 1).start_moment, Quarter(2019, 4).end_moment
    assert all(first <= update.recorded_at <= last for update in updates)
    assert all(update.created_at == update.recorded_at for update in updates)
    assert {update.created_by.username for update in updates} == {"lead", "chair", "officer"}
    reds = updates.filter(rag=RAG.RED)
    assert reds.exists() and not reds.filter(revised_due_date__isnull=True).exists()
    assert reds.exclude(decision_needed="").exists()
    for status in (Status.COMPLETE, Status.DEFERRED, Status.WITHDRAWN):
        assert updates.filter(status=status).exists(), status
        assert not updates.filter(status=status, approved_by="").exists(), status


def test_each_actions_current_state_is_its_latest_update(demo):
    for action in Action.objects.filter(strategy__slug="swp-2017-2020").select_related("latest_update"):
        latest = action.updates.order_by("-recorded_at", "-pk").first()
        if latest is None:
            assert action.status == Status.NOT_STARTED
            continue
        assert action.latest_update == latest
        assert action.last_updated_at == latest.recorded_at
        assert (action.status, action.rag, action.progress) == (latest.status, latest.rag, latest.progress)
        assert not action.updates.filter(recorded_at__gt=latest.recorded_at).exists()
        if latest.status in CLOSED_STATUSES:
            assert not action.updates.filter(recorded_at__gt=latest.recorded_at).exists()


def test_loading_twice_adds_nothing_and_the_history_is_the_same_every_time(demo, settings):
    before, meetings, challenges = fingerprint(), Meeting.objects.count(), Challenge.objects.count()
    call_command("load_demo", "--password", "demo-password-for-tests", stdout=io.StringIO())
    assert fingerprint() == before
    assert (Meeting.objects.count(), Challenge.objects.count()) == (meetings, challenges)
    Action.objects.filter(strategy__slug="swp-2017-2020").update(latest_update=None, last_updated_at=None)
    Update.objects.filter(action__strategy__slug="swp-2017-2020").delete()
    demo_history_load(partnership=Strategy.objects.get(slug="swp-2017-2020").partnership)
    assert fingerprint() == before


def test_the_demo_meetings(demo):
    executive = Meeting.objects.get(date=datetime.date(2020, 10, 27))
    assert (executive.strategy.slug, executive.kind, str(executive.quarter)) == (
        "swp-2020-2023",
        "executive",
        "2020/21 Q2",
    )
    board = Meeting.objects.get(date=datetime.date(2020, 11, 18))
    assert (board.kind, str(board.quarter)) == ("board", "2020/21 Q2")
    older = Meeting.objects.get(strategy__slug="swp-2017-2020")
    assert older.challenges.count() == 2


def test_the_demo_gives_the_dashboard_something_to_show(demo):
    from django.contrib.auth import get_user_model

    officer = get_user_model().objects.get(username="officer")
    strategy = Strategy.objects.get(slug="swp-2017-2020")
    data = build_review(strategy=strategy, quarter=Quarter(2018, 2), user=officer)
    assert data.total_row.total == Action.objects.filter(strategy=strategy).count()
    assert data.exception_count == 2
    moved = [(str(change.label), len(found)) for change, _, found, _ in data.changes]
    assert moved == [("Completed", 2), ("Deferred", 0), ("Withdrawn", 0), ("New action", 3)]
    assert sum(n for _, _, n, _ in data.comparison) == 10
    assert timezone.localdate() > Quarter(2019, 4).end
