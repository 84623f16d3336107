"""Partnership, people and strategy rules that the database itself enforces."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from strategy.models import Marking, Person, Strategy
from tests.conftest import violates


def test_a_strategy_slug_is_unique_within_its_partnership_only(plan, elsewhere):
    with pytest.raises(IntegrityError, match=violates(Strategy, "strategy_unique_slug")), transaction.atomic():
        Strategy.objects.create(
            partnership=plan["partnership"],
            title="Again",
            slug="test-2024-2027",
            start_date=datetime.date(2024, 4, 1),
            end_date=datetime.date(2025, 3, 31),
        )
    Strategy.objects.create(
        partnership=elsewhere["partnership"],
        title="Same slug elsewhere",
        slug="test-2024-2027",
        start_date=datetime.date(2024, 4, 1),
        end_date=datetime.date(2025, 3, 31),
    )


def test_a_strategy_cannot_end_before_it_starts(plan):
    with pytest.raises(IntegrityError, match=violates(Strategy, "strategy_period_order")), transaction.atomic():
        Strategy.objects.create(
            partnership=plan["partnership"],
            title="Backwards",
            slug="backwards",
            start_date=datetime.date(2024, 4, 1),
            end_date=datetime.date(2023, 3, 31),
        )


def test_people_are_matched_by_name_ignoring_case_and_spacing(plan):
    with pytest.raises(IntegrityError, match=violates(Person, "person_unique_name")), transaction.atomic():
        Person.objects.create(partnership=plan["partnership"], name="  lena   LEAD ")
    assert Person.objects.get(name_key="lena lead") == plan["lena"]


def test_markings_are_ordered_for_clearance():
    assert Marking.up_to(Marking.OFFICIAL) == [Marking.OFFICIAL]
    assert Marking.up_to(Marking.OFFICIAL_SENSITIVE) == [Marking.OFFICIAL, Marking.OFFICIAL_SENSITIVE]
    assert Marking.highest([Marking.OFFICIAL, Marking.OFFICIAL_SENSITIVE]) == Marking.OFFICIAL_SENSITIVE
    assert Marking.highest([]) == Marking.OFFICIAL


def test_every_model_says_what_it_is(plan, officer):
    assert str(plan["partnership"]) == "Test Community Safety Partnership"
    assert str(plan["strategy"]) == "Test strategy 2024-2027"
    assert str(plan["v1"]) == "1. Identify repeat victims"
    assert str(plan["v1_1"]).startswith("V1.1 ")
    assert str(plan["lena"]) == "Lena Lead"
    assert "Officer" in str(officer.membership)
    assert plan["strategy"].period == "2024-2027"
