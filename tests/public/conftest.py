"""A published plan with every way an item can be kept off the public pages, and texts to search for."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from actions.models import Action, DeliveryGroup, Objective, Update
from performance.indicators import Period
from performance.models import Indicator, UpdateRound
from strategy.models import Marking, Strategy
from tests.conftest import make_action

TZ = datetime.UTC
NOW = datetime.datetime(2025, 1, 20, 10, tzinfo=TZ)

# Texts that must appear on no public page and in no public file.
SECRETS = [
    "SENSITIVE-ACTION-TEXT",
    "HELD-OBJECTIVE-ACTION",
    "HELD-ACTION-TEXT",
    "CONTEST-ACTION",
    "PREVENT-ACTION",
    "INTERNAL-COMMENTARY",
    "INTERNAL-ACTION-TEXT",
    "SENSITIVE-INDICATOR",
    "ELSEWHERE-ACTION",
    "Protect crowded places",
]


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def published(plan, elsewhere, officer, clock):
    """Test CSP's strategy published, with its last closed quarter 2024/25 Q3 (October to December 2024).

    Public: V1.1 (with public wording and a note) and O1.2. Not public: V1.2 (OFFICIAL-SENSITIVE),
    O1.1 (held back), CONTEST (sensitive and held back), a Prevent group (OFFICIAL, held back by
    default), the other partnership's plan (published too, but not Test CSP's)."""
    strategy = plan["strategy"]
    Strategy.objects.filter(pk__in=[strategy.pk, elsewhere["strategy"].pk]).update(published=True)
    strategy.refresh_from_db()
    v1_1, v1_2, o1_1 = plan["v1_1"], plan["v1_2"], plan["o1_1"]
    v1_1.text, v1_1.public_wording = "INTERNAL-ACTION-TEXT", "We will find people who are targeted again and again"
    v1_1.save()
    v1_2.text, v1_2.marking = "SENSITIVE-ACTION-TEXT", Marking.OFFICIAL_SENSITIVE
    v1_2.save()
    o1_1.text, o1_1.held_back = "HELD-ACTION-TEXT", True
    o1_1.save()
    Action.objects.filter(pk=plan["c1_1"].pk).update(text="CONTEST-ACTION")
    Action.objects.filter(pk=elsewhere["action"].pk).update(text="ELSEWHERE-ACTION")
    prevent = DeliveryGroup.objects.create(strategy=strategy, name="Prevent", code="P", position=4)
    held_objective = Objective.objects.create(delivery_group=plan["victim"], number=3, title="Held", held_back=True)
    make_action(held_objective, "V3.1", text="HELD-OBJECTIVE-ACTION")
    make_action(
        Objective.objects.create(delivery_group=prevent, number=1, title="Prevent"), "P1.1", text="PREVENT-ACTION"
    )
    Action.objects.update(created_at=datetime.datetime(2024, 4, 1, tzinfo=TZ))
    in_quarter = datetime.datetime(2024, 11, 15, 12, tzinfo=TZ)
    for action in Action.objects.filter(strategy=strategy):
        action.record_update(
            by=officer,
            status="in_progress",
            rag="amber",
            commentary="INTERNAL-COMMENTARY",
            public_note=f"Note for {action.ref}" if action.ref == "V1.1" else "",
            recorded_at=in_quarter,
        )
    UpdateRound.objects.create(
        strategy=strategy, year=2024, number=3, deadline=datetime.date(2025, 1, 10), closed_at=NOW, closed_by=officer
    )
    # After the quarter closed: live edits the public pages do not show yet.
    v1_1.record_update(by=officer, status="complete", commentary="INTERNAL-COMMENTARY done", public_note="LATER-NOTE")
    kpi = Indicator.objects.create(strategy=strategy, ref="KPI-1", name="Repeat victims", unit="count")
    kpi.record_value(period=Period.of_quarter_text("2024/25 Q2"), value=Decimal(40))
    kpi.record_value(period=Period.of_quarter_text("2024/25 Q3"), value=Decimal(35))
    secret = Indicator.objects.create(
        strategy=strategy, ref="KPI-S", name="SENSITIVE-INDICATOR", marking=Marking.OFFICIAL_SENSITIVE
    )
    secret.record_value(period=Period.of_quarter_text("2024/25 Q3"), value=Decimal(3))
    grouped = Indicator.objects.create(
        strategy=strategy, ref="KPI-P", name="SENSITIVE-INDICATOR of Prevent", delivery_group=prevent
    )
    grouped.record_value(period=Period.of_quarter_text("2024/25 Q3"), value=Decimal(3))
    assert Update.objects.filter(public_note="Note for V1.1").count() == 1
    return {**plan, "prevent": prevent, "kpi": kpi}
