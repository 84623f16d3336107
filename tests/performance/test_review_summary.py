"""The dashboard's review (counted by the database, only the listed actions read) gives exactly the
figures of the pack's review (every action read and counted in Python), on random plans, on SQLite and
on PostgreSQL: the counts, the comparison, every list's first actions in plan order and its total."""

import datetime
import random

import pytest

from actions.models import RAG, Action, Objective, Status, Update
from performance import review as review_module
from performance.review import review
from strategy.models import Marking, Organisation
from tests.conftest import make_action
from tests.performance.review_history import Q3, at, make_history, record

pytestmark = pytest.mark.django_db

STATES = [
    (Status.IN_PROGRESS, RAG.GREEN),
    (Status.IN_PROGRESS, RAG.AMBER),
    (Status.IN_PROGRESS, RAG.RED),
    (Status.ONGOING, RAG.RED),
    (Status.ONGOING, ""),
    (Status.COMPLETE, ""),
    (Status.DEFERRED, ""),
    (Status.WITHDRAWN, ""),
    (Status.NOT_STARTED, ""),
]


def random_plan(plan, officer, seed):
    make_history(plan, officer)
    chance = random.Random(seed)
    objectives = list(Objective.objects.filter(delivery_group__strategy=plan["strategy"]))
    organisations = list(Organisation.objects.filter(partnership=plan["partnership"]))
    for number in range(60):
        action = make_action(
            chance.choice(objectives),
            f"R{number}",
            strategy=plan["strategy"],
            position=chance.randint(1, 5),
            due_date=datetime.date(2024, 6, 1) + datetime.timedelta(days=chance.randint(0, 400))
            if chance.random() < 0.8
            else None,
            lead_organisation=chance.choice([*organisations, None]),
            marking=Marking.OFFICIAL_SENSITIVE if chance.random() < 0.1 else Marking.OFFICIAL,
        )
        created = at(2024, 4, 1) + datetime.timedelta(days=chance.randint(0, 260))
        if chance.random() < 0.3:
            action.contributing_organisations.add(chance.choice(organisations))
        for _ in range(chance.randint(0, 4)):
            status, rag = chance.choice(STATES)
            when = created + datetime.timedelta(days=chance.randint(0, 300))
            revised = datetime.date(2025, 1, 1) + datetime.timedelta(days=chance.randint(-120, 120))
            record(
                action,
                officer,
                when,
                status,
                rag,
                revised_due_date=revised
                if status not in (Status.COMPLETE, Status.WITHDRAWN) and chance.random() < 0.3
                else None,
                approved_by="The chair" if status in (Status.COMPLETE, Status.DEFERRED, Status.WITHDRAWN) else "",
            )
        Action.objects.filter(pk=action.pk).update(
            created_at=created,
            archived_at=at(2024, 11, 1) if chance.random() < 0.05 else None,
        )
    Update.objects.filter(action__strategy=plan["strategy"], recorded_at__gt=at(2024, 4, 1)).update(
        created_at=at(2025, 1, 10)
    )


def figures(data, limit, exception_limit):
    def row(r):
        return (
            r.label,
            r.total,
            r.by_status,
            r.by_rag,
            r.url,
            dict(r.categories),
            {key: getattr(value, "pk", value) for key, value in r.extra.items()},
        )

    def pks(states, cut):
        return ([s.pk for s in states[:cut]], states.total)

    return {
        "groups": [row(r) for r in data.group_rows],
        "objectives": [row(r) for r in data.objective_rows],
        "total": row(data.total_row),
        "was": row(data.was_total_row),
        "comparison": data.comparison,
        "exceptions": [(g.pk, pks(found, exception_limit)) for g, found in data.exceptions],
        "exception_count": (data.exception_count, data.exception_url),
        "changes": [(change, pks(found, limit), url) for change, _, found, url in data.changes],
        "flags": [
            (pks(block["actions"], limit), block["count"], block["url"])
            for block in (data.overdue, data.no_update, data.due_next)
        ],
        "agencies": [row(r) for r in data.agencies],
        "marking": data.marking,
        "chart": data.chart,
    }


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("include_amber", [False, True])
def test_the_dashboard_counts_in_sql_what_the_pack_counts_in_python(plan, officer, seed, include_amber, monkeypatch):
    monkeypatch.setattr(review_module, "LIST_LIMIT", 3)
    monkeypatch.setattr(review_module, "EXCEPTION_LIMIT", 2)
    random_plan(plan, officer, seed)
    for quarter in (Q3.previous(), Q3, Q3.next()):
        every = review(strategy=plan["strategy"], quarter=quarter, user=officer, include_amber=include_amber)
        summary = review(
            strategy=plan["strategy"], quarter=quarter, user=officer, include_amber=include_amber, every_action=False
        )
        assert summary.actions is None
        assert figures(summary, 3, 2) == figures(every, 3, 2)
        assert every.total_row.total > 0
        # Every listed action's state is the pack's state of that action.
        by_pk = {state.pk: state for state in every.actions}
        for _, found in summary.exceptions:
            for state in found:
                assert state == by_pk[state.pk]


def test_a_challenge_names_an_action_by_reference_whatever_its_case(plan, officer):
    make_history(plan, officer)
    summary = review(strategy=plan["strategy"], quarter=Q3, user=officer, every_action=False)
    assert summary.action_by_ref("v1.1").pk == plan["v1_1"].pk
    assert summary.action_by_ref("V9.9") is None
    assert summary.action_by_ref("O1.2").is_new  # added in November 2024
