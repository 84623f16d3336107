"""Imports respect the quarterly cycle: a closed quarter takes no imported update, and an update
awaiting sign-off does not become an action's state through an import."""

import datetime

from django.utils import timezone

from actions.imports import action_plan_apply
from actions.models import RAG, Status, Update
from performance.models import UpdateRound
from tests.actions.importing import SEED_HEADER, seed_sheet, xlsx
from tests.actions.test_import import action, apply, check, snapshot


def test_an_update_for_a_closed_quarter_is_refused_and_nothing_is_saved(plan, officer):
    UpdateRound.objects.create(
        strategy=plan["strategy"],
        year=2024,
        number=1,
        deadline=datetime.date(2024, 7, 10),
        closed_at=timezone.now(),
        closed_by=officer,
    )
    content = xlsx(
        {
            "Victim": seed_sheet(
                [["1 Identify repeat victims", "Action V1.1", "Lena Lead", "", "Mar-25", "Late words"]],
                header=[*SEED_HEADER, "Q1 2024/25 update"],
            )
        }
    )
    before = snapshot()
    outcome = check(plan, content)
    assert [str(problem) for problem in outcome.problems] == [
        "Sheet 'Victim', row 4, Q1 2024/25 update: 2024/25 Q1 is closed (its update round has been closed), so this "
        "update cannot be imported into it. Remove the cell, or ask an officer to record a correction on the "
        "action's page"
    ]
    refused = action_plan_apply(strategy=plan["strategy"], content=content, file_name="plan.xlsx", by=officer)
    assert not refused.ok
    assert snapshot() == before


def test_an_import_does_not_make_an_update_awaiting_sign_off_the_current_state(plan, officer, lead):
    strategy = plan["strategy"]
    strategy.requires_sign_off = True
    strategy.save()
    v1_1 = plan["v1_1"]
    v1_1.record_update(by=officer, status=Status.IN_PROGRESS, rag=RAG.GREEN, progress=10, commentary="Approved")
    v1_1.record_update(
        by=lead,
        status=Status.IN_PROGRESS,
        rag=RAG.RED,
        progress=5,
        commentary="Waiting",
        revised_due_date=datetime.date(2026, 3, 31),
    )
    assert Update.objects.awaiting_sign_off().count() == 1
    content = xlsx(
        {
            "Victim": seed_sheet(
                [["1 Identify repeat victims", "Action V1.1", "Lena Lead", "", "Mar-25", "Imported words"]],
                header=[*SEED_HEADER, "Q1 2024/25 update"],
            )
        }
    )
    apply(plan, content, by=officer)
    current = action("V1.1")
    assert current.latest_update.review_state == Update.ReviewState.APPROVED
    assert current.rag != RAG.RED
