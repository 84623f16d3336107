"""Action rules: constraints, due dates derived from deadlines, and the update history."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import set_script_prefix

from actions.models import RAG, Action, StaleUpdate, Status, Update, action_url, action_urls
from strategy.periods import Quarter
from tests.conftest import make_action, violates


def test_a_reference_is_unique_within_its_strategy(plan):
    with pytest.raises(IntegrityError, match=violates(Action, "action_unique_ref")), transaction.atomic():
        make_action(plan["o1"], "V1.1")


def test_the_same_reference_may_be_used_by_another_partnership(plan, elsewhere):
    other = elsewhere["action"].objective
    assert make_action(other, "V1.1").strategy == elsewhere["strategy"]


def test_a_reference_is_required(plan):
    with pytest.raises(IntegrityError, match=violates(Action, "action_ref_required")), transaction.atomic():
        make_action(plan["v1"], "")


def test_progress_cannot_pass_100(plan):
    with pytest.raises(IntegrityError, match=violates(Action, "action_progress_0_100")), transaction.atomic():
        Action.objects.filter(pk=plan["v1_1"].pk).update(progress=101)


def test_only_actions_in_progress_or_ongoing_carry_a_rag(plan):
    with pytest.raises(IntegrityError, match=violates(Action, "action_rag_only_when_rated")), transaction.atomic():
        Action.objects.filter(pk=plan["v1_1"].pk).update(status=Status.COMPLETE, rag=RAG.RED)
    Action.objects.filter(pk=plan["v1_1"].pk).update(status=Status.ONGOING, rag=RAG.RED)


def test_a_due_date_needs_a_deadline_to_come_from(plan):
    with pytest.raises(IntegrityError, match=violates(Action, "action_due_date_needs_deadline")), transaction.atomic():
        Action.objects.filter(pk=plan["o1_2"].pk).update(due_date=datetime.date(2025, 1, 1))


def test_the_due_date_follows_the_deadline_as_written(plan):
    action = plan["v1_1"]
    assert action.due_date == datetime.date(2025, 3, 31)
    action.deadline_text = "Ongoing"
    action.save()
    action.refresh_from_db()
    assert action.due_date is None
    assert plan["o1_1"].due_date == datetime.date(2025, 3, 31)


def test_an_impossible_deadline_fails_validation(plan):
    action = plan["v1_1"]
    action.deadline_text = "31/02/2018"
    with pytest.raises(ValidationError, match="31/02/2018 is not a date"):
        action.full_clean()


def test_the_action_always_belongs_to_its_objectives_strategy(plan, elsewhere):
    action = make_action(plan["o1"], "O9.9")
    assert action.strategy == plan["strategy"]


def test_recording_an_update_keeps_history_and_sets_the_current_state(plan, lead):
    action = plan["v1_1"]
    first = action.record_update(by=lead, status=Status.IN_PROGRESS, rag=RAG.GREEN, progress=20, commentary="Started")
    second = action.record_update(
        by=lead,
        status=Status.IN_PROGRESS,
        rag=RAG.AMBER,
        progress=30,
        commentary="Behind by a month; recovery plan agreed",
    )
    action.refresh_from_db()
    assert (action.status, action.rag, action.progress) == (Status.IN_PROGRESS, RAG.AMBER, 30)
    assert action.latest_update == second
    assert action.last_updated_at == second.recorded_at
    assert list(action.updates.all()) == [second, first]


def test_an_older_update_entered_later_leaves_the_current_state_and_last_updated_at_alone(plan, lead):
    action = plan["v1_1"]
    latest = action.record_update(by=lead, status=Status.IN_PROGRESS, rag=RAG.GREEN, progress=20, commentary="")
    action.record_update(
        by=lead,
        status=Status.NOT_STARTED,
        progress=0,
        commentary="Entered late",
        recorded_at=latest.recorded_at - datetime.timedelta(days=30),
    )
    action.refresh_from_db()
    assert (action.latest_update, action.last_updated_at) == (latest, latest.recorded_at)


def test_migration_0009_fills_last_updated_at_from_each_actions_latest_update(plan, lead):
    import importlib

    from django.db import connection

    fill = importlib.import_module("actions.migrations.0009_last_updated_at").FILL
    updated = plan["v1_1"].record_update(by=lead, status=Status.IN_PROGRESS, rag=RAG.GREEN, progress=5, commentary="")
    Action.objects.update(last_updated_at=None)
    with connection.cursor() as cursor:
        cursor.execute(fill)
    assert Action.objects.get(pk=plan["v1_1"].pk).last_updated_at == updated.recorded_at
    assert Action.objects.exclude(pk=plan["v1_1"].pk).filter(last_updated_at__isnull=False).count() == 0


def test_a_rag_is_dropped_for_statuses_that_are_not_rated(plan, lead):
    update = plan["v1_1"].record_update(
        by=lead, status=Status.COMPLETE, rag=RAG.RED, progress=100, commentary="Delivered"
    )
    assert update.rag == ""


def test_an_update_made_on_a_stale_form_is_refused_and_nothing_is_saved(plan, lead, chair):
    action = plan["v1_1"]
    seen = action.latest_update_id
    action.record_update(by=chair, status=Status.IN_PROGRESS, rag=RAG.GREEN, progress=10)
    with pytest.raises(StaleUpdate) as refused:
        action.record_update(
            by=lead, status=Status.IN_PROGRESS, rag=RAG.RED, progress=5, expected_latest_update_id=seen
        )
    assert refused.value.latest_update.created_by == chair
    assert Update.objects.filter(action=action).count() == 1


def test_an_earlier_dated_update_joins_the_history_without_replacing_the_current_state(plan, lead):
    action = plan["v1_1"]
    action.record_update(by=lead, status=Status.IN_PROGRESS, rag=RAG.GREEN, progress=50)
    from django.utils import timezone

    earlier = timezone.now() - datetime.timedelta(days=90)
    action.record_update(by=lead, status=Status.NOT_STARTED, progress=0, recorded_at=earlier)
    action.refresh_from_db()
    assert (action.status, action.progress) == (Status.IN_PROGRESS, 50)
    assert action.updates.count() == 2


def test_overdue_and_due_soon(plan, lead):
    on = datetime.date(2025, 3, 15)
    flagged = Action.objects.with_flags(on, Quarter.containing(on).start_moment)
    assert set(flagged.filter(due_soon=True)) == {plan["v1_1"], plan["o1_1"]}
    assert set(flagged.filter(overdue=True)) == set()
    later = datetime.date(2025, 4, 1)
    flagged = Action.objects.with_flags(later, Quarter.containing(later).start_moment)
    assert set(flagged.filter(overdue=True)) == {plan["v1_1"], plan["o1_1"]}
    assert set(flagged.filter(due_soon=True)) == set()
    assert set(Action.objects.overdue(today=later)) == {plan["v1_1"], plan["o1_1"]}
    plan["v1_1"].record_update(by=lead, status=Status.COMPLETE, progress=100, commentary="Done")
    plan["o1_1"].record_update(
        by=lead,
        status=Status.DEFERRED,
        revised_due_date=datetime.date(2025, 9, 30),
        commentary="Deferred",
        approved_by="Executive Group",
    )
    assert set(Action.objects.overdue(today=later)) == set()
    assert plan["v1_1"].rating == ("blue", "Complete")


def test_an_action_links_to_its_page(plan):
    action = plan["v1_1"]
    assert action.get_absolute_url() == f"/actions/{action.pk}/"


def _local(year, month, day, hour=12, minute=0):
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


def test_the_actions_states_at_the_end_of_each_quarter(plan, lead):
    from actions.models import ended_quarters

    v1_1, v1_2, o1_1 = plan["v1_1"], plan["v1_2"], plan["o1_1"]
    Action.objects.filter(pk=v1_1.pk).update(created_at=_local(2024, 5, 1))
    Action.objects.filter(pk=v1_2.pk).update(created_at=_local(2024, 11, 15))  # mid-quarter
    Action.objects.filter(pk=o1_1.pk).update(created_at=_local(2024, 5, 1), archived_at=_local(2025, 2, 1))
    v1_1.refresh_from_db()
    # The last minute of 2024/25 Q2 (British Summer Time), with a revised date; then closed in Q3.
    v1_1.record_update(
        by=lead,
        status=Status.IN_PROGRESS,
        rag=RAG.GREEN,
        progress=40,
        revised_due_date=datetime.date(2025, 6, 30),
        recorded_at=_local(2024, 9, 30, 23, 59),
    )
    v1_1.record_update(by=lead, status=Status.COMPLETE, progress=100, recorded_at=_local(2024, 12, 1))
    quarters = [q for q in ended_quarters(plan["strategy"]) if q.year == 2024]
    assert [q.slug for q in quarters] == ["2024-Q4", "2024-Q3", "2024-Q2", "2024-Q1"]

    def ends(action):
        return [
            (s.quarter.slug, s.status, s.rag, s.progress, s.revised_due_date, s.updated_in_quarter, s.overdue)
            for s in Action.objects.filter(pk=action.pk).quarter_ends(quarters)
        ]

    assert ends(v1_1) == [
        ("2024-Q4", Status.COMPLETE, "", 100, None, False, False),
        ("2024-Q3", Status.COMPLETE, "", 100, None, True, False),
        ("2024-Q2", Status.IN_PROGRESS, RAG.GREEN, 40, datetime.date(2025, 6, 30), True, False),
        ("2024-Q1", Status.NOT_STARTED, "", 0, None, False, False),
    ]
    assert [slug for slug, *_ in ends(v1_2)] == ["2024-Q4", "2024-Q3"]
    assert [slug for slug, *_ in ends(o1_1)] == ["2024-Q3", "2024-Q2", "2024-Q1"]
    # Several actions at once: the quarters in the order given, then the actions by id.
    both = Action.objects.filter(pk__in=[v1_2.pk, o1_1.pk]).quarter_ends(quarters[:2])
    first, second = sorted([v1_2.pk, o1_1.pk])
    assert [(s.quarter.slug, s.action_id) for s in both] == [
        ("2024-Q4", v1_2.pk),
        ("2024-Q3", first),
        ("2024-Q3", second),
    ]
    # Only the flags asked for (the action page's table shows one): the others are not read.
    (q2,) = Action.objects.filter(pk=v1_1.pk).quarter_ends(quarters[2:3], flags=("updated_in_quarter",))
    assert (q2.status, q2.revised_due_date, q2.updated_in_quarter) == (
        Status.IN_PROGRESS,
        datetime.date(2025, 6, 30),
        True,
    )
    assert (q2.overdue, q2.due_next, q2.no_update) == (None, None, None)


@pytest.mark.parametrize("prefix", ["/", "/swp/"])
def test_action_urls_gives_the_addresses_action_url_does(prefix):
    set_script_prefix(prefix)
    try:
        url = action_urls()
        assert [url(pk) for pk in (1, 12, 2147483647)] == [action_url(pk) for pk in (1, 12, 2147483647)]
        assert url(12) == f"{prefix}actions/12/"
    finally:
        set_script_prefix("/")


def test_a_public_note_speaks_for_the_quarter_its_update_was_recorded_in(plan, lead):
    action = plan["v1_1"]
    Action.objects.filter(pk=action.pk).update(created_at=datetime.datetime(2024, 4, 1, tzinfo=datetime.UTC))
    summer = datetime.datetime(2024, 8, 1, 12, tzinfo=datetime.UTC)  # 2024/25 Q2
    action.record_update(by=lead, status=Status.IN_PROGRESS, public_note="Training has started.", recorded_at=summer)
    notes = {}
    for quarter in (Quarter(2024, 1), Quarter(2024, 2), Quarter(2024, 3)):
        found = Action.objects.filter(pk=action.pk).as_at_end_of(quarter).with_public_note_as_at(quarter)
        notes[quarter.slug] = found.get().as_at_public_note
    # Before the update, none; in its quarter, its note; the next quarter, with no update of its own, none.
    assert notes == {"2024-Q1": "", "2024-Q2": "Training has started.", "2024-Q3": ""}
