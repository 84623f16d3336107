"""Standing data for the whole suite: a small plan in two partnerships and one login per role.

`plan` is a dict of the rows tests refer to by name; the users are separate fixtures so a test
asks only for the ones it needs.
"""

import datetime
import os
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import connection, models

from actions.models import Action, ActionLead, DeliveryGroup, Objective
from strategy.models import Marking, Membership, Organisation, Partnership, Person, StrategicObjective, Strategy

PASSWORD = "correct-horse-battery-staple"

_shifted_clock = None


def pytest_configure(config):
    """SWP_TEST_CLOCK=2031-08-02 runs the whole suite as if on that day (the clock still ticks).

    It proves that no test depends on the day it runs: CI runs the suite once on a shifted clock.
    """
    global _shifted_clock
    if day := os.environ.get("SWP_TEST_CLOCK"):
        _shifted_clock = time_machine.travel(datetime.datetime.fromisoformat(day).replace(hour=12), tick=True)
        _shifted_clock.start()


def pytest_unconfigure(config):
    if _shifted_clock is not None:
        _shifted_clock.stop()


@pytest.fixture(autouse=True)
def fresh_public_pages():
    """Each test starts with no public page kept from another (publicsite.views.drawn_for_everyone)."""
    caches["public"].clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashers are slow on purpose; tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_cache():
    """The API's throttle counts live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def make_user(username, *, partnership, role, person=None, clearance=Marking.OFFICIAL):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, email=f"{username}@example.org")
    Membership.objects.create(user=user, partnership=partnership, role=role, clearance=clearance)
    if person is not None:
        person.user = user
        person.save()
    return user


def make_action(objective, ref, *, leads=(), **fields):
    action = Action.objects.create(objective=objective, ref=ref, text=fields.pop("text", f"Action {ref}"), **fields)
    for position, person in enumerate(leads, start=1):
        ActionLead.objects.create(action=action, person=person, position=position)
    return action


def violates(model, name):
    """A `match=` pattern for the IntegrityError raised when a row breaks `model`'s constraint `name`.

    PostgreSQL names the constraint in every message, SQLite only for CHECK: it reports a UNIQUE
    constraint by its columns, so there the pattern is those columns, in the constraint's order.
    """
    [constraint] = [c for c in model._meta.constraints if c.name == name]
    if connection.vendor == "sqlite" and isinstance(constraint, models.UniqueConstraint):
        table = model._meta.db_table
        columns = ", ".join(f"{table}.{model._meta.get_field(field).column}" for field in constraint.fields)
        return re.escape(f"UNIQUE constraint failed: {columns}") + "$"
    return rf"\b{re.escape(name)}\b"


@pytest.fixture
def plan(db):
    partnership = Partnership.objects.create(name="Test Community Safety Partnership", short_name="TCSP", slug="tcsp")
    council = Organisation.objects.create(partnership=partnership, name="Test Council", responsible_authority=True)
    police = Organisation.objects.create(partnership=partnership, name="Test Police", responsible_authority=True)
    lena = Person.objects.create(partnership=partnership, name="Lena Lead", organisation=council)
    carla = Person.objects.create(partnership=partnership, name="Carla Chair", organisation=police)
    omar = Person.objects.create(partnership=partnership, name="Omar Other", organisation=police)
    strategy = Strategy.objects.create(
        partnership=partnership,
        title="Test strategy 2024-2027",
        slug="test-2024-2027",
        start_date=datetime.date(2024, 4, 1),
        end_date=datetime.date(2027, 3, 31),
        status=Strategy.Status.ACTIVE,
    )
    priority = StrategicObjective.objects.create(strategy=strategy, number=1, title="Reduce repeat victimisation")
    victim = DeliveryGroup.objects.create(strategy=strategy, name="Victim", code="V", position=1, chair=carla)
    offender = DeliveryGroup.objects.create(strategy=strategy, name="Offender", code="O", position=2, chair=omar)
    contest = DeliveryGroup.objects.create(
        strategy=strategy, name="CONTEST", code="C", position=3, marking=Marking.OFFICIAL_SENSITIVE
    )
    v1 = Objective.objects.create(
        delivery_group=victim, number=1, title="Identify repeat victims", strategic_objective=priority
    )
    v2 = Objective.objects.create(delivery_group=victim, number=2, title="An objective with no actions yet")
    o1 = Objective.objects.create(delivery_group=offender, number=1, title="Reduce re-offending")
    c1 = Objective.objects.create(delivery_group=contest, number=1, title="Protect crowded places")
    rows = {
        "partnership": partnership,
        "council": council,
        "police": police,
        "lena": lena,
        "carla": carla,
        "omar": omar,
        "strategy": strategy,
        "victim": victim,
        "offender": offender,
        "contest": contest,
        "v1": v1,
        "v2": v2,
        "o1": o1,
        "c1": c1,
    }
    rows["v1_1"] = make_action(
        v1, "V1.1", leads=[lena], deadline_text="Mar-25", kpi="Repeat victimisation levels", lead_organisation=council
    )
    rows["v1_2"] = make_action(v1, "V1.2", leads=[omar, lena], deadline_text="Quarterly reporting")
    rows["o1_1"] = make_action(o1, "O1.1", leads=[omar], deadline_text="31/03/2025")
    rows["o1_2"] = make_action(o1, "O1.2", leads=[lena], deadline_text="")
    rows["c1_1"] = make_action(c1, "C1.1", leads=[omar], deadline_text="Ongoing")
    return rows


@pytest.fixture
def elsewhere(db):
    """A second partnership on the same deployment, with a plan of its own."""
    partnership = Partnership.objects.create(name="Elsewhere Safety Partnership", slug="elsewhere")
    strategy = Strategy.objects.create(
        partnership=partnership,
        title="Elsewhere strategy",
        slug="elsewhere-2024",
        start_date=datetime.date(2024, 4, 1),
        end_date=datetime.date(2027, 3, 31),
        status=Strategy.Status.ACTIVE,
    )
    group = DeliveryGroup.objects.create(strategy=strategy, name="Victim", code="X")
    objective = Objective.objects.create(delivery_group=group, number=1, title="Elsewhere objective")
    return {"partnership": partnership, "strategy": strategy, "action": make_action(objective, "X1.1")}


@pytest.fixture
def officer(plan):
    return make_user(
        "officer", partnership=plan["partnership"], role=Membership.Role.OFFICER, clearance=Marking.OFFICIAL_SENSITIVE
    )


@pytest.fixture
def chair(plan):
    return make_user("chair", partnership=plan["partnership"], role=Membership.Role.CHAIR, person=plan["carla"])


@pytest.fixture
def lead(plan):
    return make_user("lead", partnership=plan["partnership"], role=Membership.Role.LEAD, person=plan["lena"])


@pytest.fixture
def executive(plan):
    return make_user(
        "executive",
        partnership=plan["partnership"],
        role=Membership.Role.EXECUTIVE,
        clearance=Marking.OFFICIAL_SENSITIVE,
    )


@pytest.fixture
def viewer(plan):
    return make_user("viewer", partnership=plan["partnership"], role=Membership.Role.VIEWER)


@pytest.fixture
def outsider(elsewhere):
    """An officer of the other partnership: sees nothing of `plan`."""
    return make_user(
        "outsider",
        partnership=elsewhere["partnership"],
        role=Membership.Role.OFFICER,
        clearance=Marking.OFFICIAL_SENSITIVE,
    )


@pytest.fixture
def users(officer, chair, lead, executive, viewer, outsider):
    return {
        "officer": officer,
        "chair": chair,
        "lead": lead,
        "executive": executive,
        "viewer": viewer,
        "outsider": outsider,
    }
