"""A small history for the review tests: the `plan` of tests/conftest.py through 2024/25 Q2 and Q3.

At the end of 2024/25 Q2 (30 September 2024) and of Q3 (31 December 2024):
  V1.1  In progress Green      -> Red (recorded at 23:59:59 on 31 December), revised date, decision needed
  V1.2  In progress Amber      -> Green                                        (improved)
  O1.1  In progress Amber      -> Complete, approved by the Offender group     (completed)
  O1.2  not in the plan        -> added on 10 November 2024, no update         (new, no update)
  C1.1  Ongoing Green          -> Red (OFFICIAL-SENSITIVE group: officers and executives only)
An update dated 1 January 2025 (V1.2 Amber) belongs to Q4 and must not show in Q3.
"""

import datetime

from django.db.models import F
from django.utils import timezone

from actions.models import RAG, Action, Status, Update
from strategy.periods import Quarter

Q2, Q3 = Quarter(2024, 2), Quarter(2024, 3)


def at(year, month, day, hour=12, minute=0, second=0):
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute, second))


def record(action, by, when, status, rag="", **fields):
    fields.setdefault("progress", 50)
    fields.setdefault("commentary", f"{action.ref} {status} {rag}".strip())
    return Action.objects.get(pk=action.pk).record_update(by=by, status=status, rag=rag, recorded_at=when, **fields)


def make_history(plan, officer):
    start = at(2024, 4, 1, 9)
    Action.objects.filter(strategy=plan["strategy"]).update(created_at=start)
    Action.objects.filter(pk=plan["o1_2"].pk).update(created_at=at(2024, 11, 10))
    v1_1, v1_2, o1_1, c1_1 = plan["v1_1"], plan["v1_2"], plan["o1_1"], plan["c1_1"]
    o1_1.contributing_organisations.add(plan["council"])
    v1_2.contributing_organisations.add(plan["police"])
    record(v1_1, officer, at(2024, 8, 15), Status.IN_PROGRESS, RAG.GREEN, progress=20)
    record(v1_2, officer, at(2024, 9, 1), Status.IN_PROGRESS, RAG.AMBER, progress=30)
    record(o1_1, officer, at(2024, 7, 20), Status.IN_PROGRESS, RAG.AMBER, progress=60)
    record(c1_1, officer, at(2024, 9, 10), Status.ONGOING, RAG.GREEN, progress=40)
    record(
        v1_1,
        officer,
        at(2024, 12, 31, 23, 59, 59),
        Status.IN_PROGRESS,
        RAG.RED,
        progress=25,
        commentary="Housing providers have not signed up. Corrective action: the chair writes to each.",
        revised_due_date=datetime.date(2025, 6, 30),
        decision_needed="Agree to name the providers who have not signed up.",
    )
    record(v1_2, officer, at(2024, 11, 5), Status.IN_PROGRESS, RAG.GREEN, progress=45)
    record(o1_1, officer, at(2024, 12, 2), Status.COMPLETE, progress=100, approved_by="Offender group, December 2024")
    record(c1_1, officer, at(2024, 10, 15), Status.ONGOING, RAG.RED, progress=40, commentary="Venue withdrawn.")
    record(v1_2, officer, at(2025, 1, 1, 0, 0, 0), Status.IN_PROGRESS, RAG.AMBER, progress=50)
    # Each update was entered when it is dated, as a lead would have.
    Update.objects.filter(action__strategy=plan["strategy"]).update(created_at=F("recorded_at"))
    return plan
