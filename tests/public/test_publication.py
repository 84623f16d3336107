"""Officers' publication controls: publishing, holding back, public wording, public notes, the audit trail."""

import datetime

import pytest
import time_machine

from actions.imports import action_plan_apply
from actions.models import Action, DeliveryGroup, Objective, Update
from strategy.models import Partnership, Strategy
from tests.actions.importing import seed_sheet, xlsx

PUBLICATION = "/strategies/test-2024-2027/publication/"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(datetime.datetime(2025, 1, 20, 10, tzinfo=datetime.UTC), tick=False):
        yield


def test_a_strategy_is_not_published_until_an_officer_publishes_it(plan):
    assert plan["strategy"].published is False


@pytest.mark.parametrize(
    ("name", "code", "held"),
    [
        ("Contest board", "CB", True),
        ("Prevent", "P", True),
        ("Counter-terrorism (CONTEST)", "CT", True),
        ("Location", "L", False),
    ],
)
def test_contest_and_prevent_groups_start_held_back(plan, name, code, held):
    group = DeliveryGroup.objects.create(strategy=plan["strategy"], name=name, code=code, position=9)
    assert group.held_back is held


def test_an_officer_can_publish_a_group_that_started_held_back(plan):
    contest = plan["contest"]
    contest.held_back = False
    contest.save()
    contest.refresh_from_db()
    assert contest.held_back is False


def test_an_imported_prevent_group_starts_held_back(plan):
    content = xlsx(
        {
            "Prevent": seed_sheet([["1 Safeguard people at risk", "Run training", "Lena Lead", "", "Mar-25"]]),
            "Location": seed_sheet([["1 Reduce crime", "Map hotspots", "Lena Lead", "", "Mar-25"]]),
        }
    )
    outcome = action_plan_apply(strategy=plan["strategy"], content=content, file_name="plan.xlsx", by=None)
    assert outcome.ok, [str(p) for p in outcome.problems]
    held = dict(DeliveryGroup.objects.filter(name__in=["Prevent", "Location"]).values_list("name", "held_back"))
    assert held == {"Prevent": True, "Location": False}


def test_officers_publish_and_write_the_help_block_with_each_change_audited(plan, officer, client):
    client.force_login(officer)
    assert client.get(PUBLICATION).status_code == 200
    response = client.post(PUBLICATION, {"published": "on", "public_help": "Call 999 in an emergency."})
    assert response.status_code == 302
    strategy = Strategy.objects.get(pk=plan["strategy"].pk)
    assert strategy.published is True
    assert Partnership.objects.get(pk=plan["partnership"].pk).public_help == "Call 999 in an emergency."
    change = strategy.history.order_by("-history_id").first()
    assert (change.published, change.history_user, change.history_type) == (True, officer, "~")
    help_change = plan["partnership"].history.order_by("-history_id").first()
    assert (help_change.public_help, help_change.history_user) == ("Call 999 in an emergency.", officer)


@pytest.mark.parametrize("kind", ["group", "objective", "action"])
def test_officers_hold_back_and_word_each_item_with_each_change_audited(plan, officer, client, kind):
    item = {"group": plan["victim"], "objective": plan["v1"], "action": plan["v1_1"]}[kind]
    client.force_login(officer)
    address = f"{PUBLICATION}{kind}/{item.pk}/"
    assert client.get(address).status_code == 200
    response = client.post(address, {"held_back": "on", "public_wording": "Plain words"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.held_back, item.public_wording) == (True, "Plain words")
    change = item.history.order_by("-history_id").first()
    assert (change.held_back, change.public_wording, change.history_user) == (True, "Plain words", officer)


def test_the_publication_page_says_what_is_shown(plan, officer, client, django_assert_num_queries):
    client.force_login(officer)
    # session; user; membership; strategy; the groups, objectives and actions shown; actions;
    # objectives; groups
    with django_assert_num_queries(10):
        body = client.get(PUBLICATION).content.decode()
    assert body.count("Not shown") == 3  # CONTEST (sensitive, held back), its objective and its action
    assert 'href="/public/tcsp/test-2024-2027/?preview"' in body


@pytest.mark.parametrize("role", ["chair", "lead", "executive", "viewer"])
def test_only_officers_manage_publication(plan, users, client, role):
    client.force_login(users[role])
    assert client.get(PUBLICATION).status_code == 403
    assert client.post(f"{PUBLICATION}action/{plan['v1_1'].pk}/", {"held_back": "on"}).status_code == 403
    assert Action.objects.get(pk=plan["v1_1"].pk).held_back is False


def test_another_partnerships_items_are_not_found(plan, elsewhere, officer, client):
    client.force_login(officer)
    assert client.get(f"{PUBLICATION}action/{elsewhere['action'].pk}/").status_code == 404
    assert client.get(f"{PUBLICATION}thing/{plan['v1_1'].pk}/").status_code == 404


def test_the_strategy_page_links_publication_and_the_preview(plan, officer, client):
    client.force_login(officer)
    body = client.get("/strategies/test-2024-2027/").content.decode()
    assert f'href="{PUBLICATION}"' in body
    assert 'href="/public/tcsp/test-2024-2027/?preview"' in body


def test_leads_write_a_public_note_with_their_update(plan, lead, client):
    client.force_login(lead)
    action = plan["v1_1"]
    response = client.post(
        f"/actions/{action.pk}/update/",
        {
            "status": "in_progress",
            "rag": "green",
            "progress": "20",
            "public_note": "  Training has started.  ",
            "seen_update": "none",
        },
    )
    assert response.status_code == 302
    assert Update.objects.get(action=action).public_note == "Training has started."


def test_objectives_of_a_held_back_group_are_not_public(plan):
    plan["victim"].held_back = True
    plan["victim"].save()
    assert list(Objective.objects.public(preview=True).values_list("number", "delivery_group__name")) == [
        (1, "Offender")
    ]


STRIP = '<p class="app-marking"><span class="govuk-visually-hidden">Handling marking: </span>{}</p>'


@pytest.mark.parametrize(
    ("clearance", "marking"), [("official_sensitive", "OFFICIAL-SENSITIVE"), ("official", "OFFICIAL")]
)
def test_the_publication_page_carries_the_marking_of_what_it_lists(plan, client, clearance, marking):
    from strategy.models import Membership
    from tests.conftest import make_user

    officer = make_user("pub", partnership=plan["partnership"], role=Membership.Role.OFFICER, clearance=clearance)
    client.force_login(officer)
    body = client.get(PUBLICATION).content.decode()
    assert ("C1.1" in body) == (marking == "OFFICIAL-SENSITIVE")
    assert body.count('class="app-marking"') == 1
    assert STRIP.format(marking) in body


@pytest.mark.parametrize(
    ("item", "marking"), [("c1_1", "OFFICIAL-SENSITIVE"), ("c1", "OFFICIAL-SENSITIVE"), ("v1_1", "OFFICIAL")]
)
def test_an_items_publication_page_carries_its_marking(plan, officer, client, item, marking):
    kind = "objective" if item == "c1" else "action"
    client.force_login(officer)
    body = client.get(f"{PUBLICATION}{kind}/{plan[item].pk}/").content.decode()
    assert STRIP.format(marking) in body
