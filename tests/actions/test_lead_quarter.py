"""A lead's quarter through the test client: My actions as the quarter's to-do list, the update form
filled in, "Save and next", a returned update reopened, the form's rules, and natural reference order."""

import csv
import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from actions.forms import update_rule_errors
from actions.models import RAG, Action, Objective, Status, Update, ref_sort_key
from performance.models import Indicator
from performance.review import build_review
from strategy.models import Strategy
from strategy.periods import Quarter
from tests.conftest import make_action

LONDON = zoneinfo.ZoneInfo("Europe/London")
# 2026/27 Q3 (October to December 2026); the plan's strategy runs to March 2027.
IN_Q3 = datetime.datetime(2026, 11, 16, 10, 0, tzinfo=LONDON)
IN_Q2 = datetime.datetime(2026, 8, 3, 10, 0, tzinfo=LONDON)
pytestmark = pytest.mark.django_db


def _update(action, by, *, when, **fields):
    with time_machine.travel(when, tick=False):
        return action.record_update(by=by, **fields)


def _section(entry, name):
    return [action.ref for action in getattr(entry, name)]


def test_natural_reference_order_sorts_numbers_as_numbers():
    assert sorted(["L1.11", "L1.8", "L10.1", "L2.1", "l1.9"], key=ref_sort_key) == [
        "L1.8",
        "l1.9",
        "L1.11",
        "L2.1",
        "L10.1",
    ]


@time_machine.travel(IN_Q3, tick=False)
def test_my_actions_is_the_quarters_to_do_list(client, lead, plan):
    _update(plan["v1_2"], lead, when=IN_Q2, status=Status.IN_PROGRESS, rag=RAG.GREEN, progress=10, commentary="Q2")
    plan["o1_2"].record_update(by=lead, status=Status.IN_PROGRESS, rag=RAG.GREEN, progress=30, commentary="Q3")
    done = make_action(plan["v1"], "V1.3", leads=[plan["lena"]])
    _update(done, lead, when=IN_Q2, status=Status.COMPLETE, progress=100, commentary="Delivered")
    client.force_login(lead)
    response = client.get(reverse("actions:my_actions"))
    [entry] = response.context["entries"]
    assert entry.quarter.slug == "2026-Q3"
    assert _section(entry, "returned") == []
    assert _section(entry, "needs_update") == ["V1.1", "V1.2"]
    assert _section(entry, "updated") == ["O1.2"]
    assert _section(entry, "closed") == ["V1.3"]
    content = response.content.decode()
    assert "1 of 3 updated for 2026/27 Q3" in content
    # Needs an update, then Updated this quarter, then the closed ones folded away.
    needs, updated, closed = (
        content.index(f'id="{key}-test-2024-2027"') for key in ("needs-update", "updated", "closed")
    )
    assert needs < updated < closed
    assert '<details class="govuk-details" id="closed-test-2024-2027">' in content
    assert f'href="/actions/{plan["v1_1"].pk}/update/?todo=1"' in content
    assert "Returned by the chair" not in content


@time_machine.travel(IN_Q3, tick=False)
def test_an_update_waiting_for_sign_off_counts_as_updated_and_a_returned_one_comes_first(client, lead, chair, plan):
    strategy = plan["strategy"]
    strategy.requires_sign_off = True
    strategy.save()
    plan["v1_1"].record_update(by=lead, status=Status.IN_PROGRESS, rag=RAG.GREEN, progress=10, commentary="Begun")
    sent = plan["v1_2"].record_update(by=lead, status=Status.IN_PROGRESS, rag=RAG.AMBER, progress=5, commentary="Hm")
    sent.return_to_lead(by=chair, comment="Say what the risk is and who is dealing with it.")
    client.force_login(lead)
    response = client.get(reverse("actions:my_actions"))
    [entry] = response.context["entries"]
    assert (_section(entry, "returned"), _section(entry, "needs_update")) == (["V1.2"], ["O1.2"])
    assert _section(entry, "updated") == ["V1.1"]
    assert entry.updated[0].awaiting_sign_off
    content = response.content.decode()
    assert content.index('id="returned-test-2024-2027"') < content.index('id="needs-update-test-2024-2027"')
    assert "1 of 3 updated for 2026/27 Q3" in content


@time_machine.travel(IN_Q3, tick=False)
def test_a_chair_sees_every_action_of_their_group(client, chair, plan):
    client.force_login(chair)
    [entry] = client.get(reverse("actions:my_actions")).context["entries"]
    assert _section(entry, "needs_update") == ["V1.1", "V1.2"]


@time_machine.travel(IN_Q3, tick=False)
def test_each_active_strategy_is_named_with_its_own_groups(client, lead, plan):
    later = Strategy.objects.create(
        partnership=plan["partnership"],
        title="Next strategy 2026-2029",
        slug="next-2026-2029",
        start_date=datetime.date(2026, 4, 1),
        end_date=datetime.date(2029, 3, 31),
        status=Strategy.Status.ACTIVE,
    )
    group = later.delivery_groups.create(name="Victim", code="V", position=1)
    objective = Objective.objects.create(delivery_group=group, number=1, title="Next objective")
    make_action(objective, "V1.1", leads=[plan["lena"]])
    client.force_login(lead)
    response = client.get(reverse("actions:my_actions"))
    entries = response.context["entries"]
    assert [entry.strategy.slug for entry in entries] == ["test-2024-2027", "next-2026-2029"]
    content = response.content.decode()
    assert content.count("Needs an update") == 2
    assert '<h2 class="govuk-heading-m" id="strategy-' in content
    assert "Next strategy 2026-2029</h2>" in content


def _grow_plan(plan, lead, count):
    objective = Objective.objects.create(delivery_group=plan["victim"], number=9, title="Bulk objective")
    for n in range(count):
        action = make_action(objective, f"V9.{n + 1}", leads=[plan["lena"], plan["omar"]], deadline_text="Mar-30")
        _update(action, lead, when=IN_Q2, status=Status.IN_PROGRESS, rag=RAG.AMBER, progress=n % 100, commentary="x")


@pytest.mark.parametrize("count", [10, 300])
def test_my_actions_costs_the_same_at_any_size(count, client, lead, plan, django_assert_num_queries):
    _grow_plan(plan, lead, count)
    # session, user, membership, person (mine), the strategies of my actions, their open rounds,
    # actions (with strategy, group, update, author), updates waiting or returned, decisions owned
    # (none here)
    with time_machine.travel(IN_Q3, tick=False):
        client.force_login(lead)  # on the day: a session begun on another may have expired by then
        with django_assert_num_queries(9):
            response = client.get(reverse("actions:my_actions"))
    [entry] = response.context["entries"]
    assert len(entry.needs_update) == count + 3
    # References in natural order: V9.2 before V9.10.
    refs = [action.ref for action in entry.needs_update]
    assert refs.index("V9.2") < refs.index("V9.10")


# The update form ---------------------------------------------------------------------------------


@time_machine.travel(IN_Q3, tick=False)
def test_the_update_form_opens_filled_in_with_the_last_commentary_above_the_box(client, lead, plan):
    action = plan["v1_1"]
    _update(
        action,
        lead,
        when=IN_Q2,
        status=Status.IN_PROGRESS,
        rag=RAG.RED,
        progress=40,
        commentary="Providers slow to sign.",
        revised_due_date=datetime.date(2027, 1, 31),
    )
    client.force_login(lead)
    response = client.get(reverse("actions:action_update", args=[action.pk]) + "?todo=1")
    form = response.context["form"]
    assert (form["status"].value(), form["rag"].value(), form["progress"].value()) == ("in_progress", "red", 40)
    assert form["revised_due_date"].value() == datetime.date(2027, 1, 31)
    assert form["commentary"].value() is None
    content = response.content.decode()
    assert "Providers slow to sign." in content[content.index('id="previous-commentary"') :]
    assert "Providers slow to sign.</textarea>" not in content
    assert 'name="then" value="next">Save and next</button>' in content
    assert "Save update</button>" in content


@time_machine.travel(IN_Q3, tick=False)
def test_the_form_says_not_started_once(client, lead, plan):
    client.force_login(lead)
    content = client.get(reverse("actions:action_update", args=[plan["v1_1"].pk])).content.decode()
    assert "Not started</strong>, 0% complete." in content
    assert "Not started Not started" not in content
    assert "Save and next" not in content  # not opened from the to-do list


@time_machine.travel(IN_Q3, tick=False)
def test_a_returned_update_reopens_with_everything_and_the_chairs_reason(client, lead, chair, plan):
    strategy = plan["strategy"]
    strategy.requires_sign_off = True
    strategy.save()
    sent = plan["v1_1"].record_update(
        by=lead,
        status=Status.IN_PROGRESS,
        rag=RAG.AMBER,
        progress=35,
        commentary="Two providers yet to sign.",
        decision_needed="None yet",
        evidence_url="https://example.org/report",
    )
    sent.return_to_lead(by=chair, comment="Name the two providers, please.")
    client.force_login(lead)
    response = client.get(reverse("actions:action_update", args=[plan["v1_1"].pk]))
    form = response.context["form"]
    values = {name: form[name].value() for name in ("status", "rag", "progress", "commentary", "decision_needed")}
    assert values == {
        "status": "in_progress",
        "rag": "amber",
        "progress": 35,
        "commentary": "Two providers yet to sign.",
        "decision_needed": "None yet",
    }
    assert form["evidence_url"].value() == "https://example.org/report"
    content = response.content.decode()
    banner = content[content.index('id="returned"') : content.index("Update this action")]
    assert "Name the two providers, please." in banner
    assert content.index('id="returned"') < content.index('<form method="post" action="/actions/')


@time_machine.travel(IN_Q3, tick=False)
def test_save_and_next_walks_the_to_do_list_then_says_all_are_done(client, lead, plan):
    for action in (plan["v1_1"], plan["v1_2"], plan["o1_2"]):
        _update(action, lead, when=IN_Q2, status=Status.IN_PROGRESS, rag=RAG.GREEN, progress=20, commentary="Q2")
    client.force_login(lead)
    url = reverse("actions:action_update", args=[plan["v1_2"].pk]) + "?todo=1"
    visited = []
    for _ in range(3):
        action = Action.objects.get(pk=int(url.split("/")[2]))
        visited.append(action.ref)
        form = client.get(url).context["form"]
        response = client.post(
            url,
            {**{name: form[name].value() or "" for name in ("status", "rag", "progress")}}
            | {"commentary": "On track.", "seen_update": action.latest_update_id, "then": "next"},
        )
        assert response.status_code == 302
        url = response.url
    # From V1.2 on in plan order, then round to V1.1; after the last, My actions.
    assert visited == ["V1.2", "O1.2", "V1.1"]
    assert url == reverse("actions:my_actions")
    content = client.get(url).content.decode()
    assert "All 3 actions updated for 2026/27 Q3." in content
    assert "Your update to V1.1 has been saved." in content
    assert Update.objects.filter(commentary="On track.").count() == 3


@time_machine.travel(IN_Q3, tick=False)
def test_save_and_next_after_a_returned_update_goes_on_from_the_top_of_the_list(client, lead, chair, plan):
    strategy = plan["strategy"]
    strategy.requires_sign_off = True
    strategy.save()
    back = make_action(plan["v1"], "V1.3", leads=[plan["lena"]])
    sent = back.record_update(by=lead, status=Status.IN_PROGRESS, rag=RAG.GREEN, progress=20, commentary="Q3")
    sent.return_to_lead(by=chair, comment="Say which wards.")
    client.force_login(lead)
    url = reverse("actions:action_update", args=[plan["v1_1"].pk]) + "?todo=1"
    visited = []
    while url != reverse("actions:my_actions"):
        action = Action.objects.get(pk=int(url.split("/")[2]))
        visited.append(action.ref)
        form = client.get(url).context["form"]
        response = client.post(
            url,
            {name: "" if form[name].value() is None else form[name].value() for name in ("status", "rag", "progress")}
            | {"commentary": "On track.", "seen_update": action.latest_update_id or "none", "then": "next"},
        )
        assert response.status_code == 302
        url = response.url
    # The returned one first, as on the list; then the list's "Needs an update" from its top, so
    # V1.2 (above the returned V1.3 in the plan) is not left until last.
    assert visited == ["V1.1", "V1.3", "V1.2", "O1.2"]


@time_machine.travel(IN_Q3, tick=False)
def test_plain_save_still_opens_the_action(client, lead, plan):
    client.force_login(lead)
    url = reverse("actions:action_update", args=[plan["v1_1"].pk]) + "?todo=1"
    data = {"status": "in_progress", "rag": "green", "progress": "10", "seen_update": "none"}
    response = client.post(url, data)
    assert response.url == reverse("actions:action_detail", args=[plan["v1_1"].pk])


# The rules every way of recording an update checks -----------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"status": Status.NOT_STARTED, "rag": RAG.GREEN, "progress": 0}, ["rag"]),
        ({"status": Status.COMPLETE, "rag": RAG.AMBER, "progress": 100, "commentary": "Done"}, ["rag"]),
        ({"status": Status.COMPLETE, "rag": "", "progress": 90, "commentary": "Done"}, ["progress"]),
        ({"status": Status.COMPLETE, "rag": "", "progress": 100, "commentary": "Done"}, []),
        ({"status": Status.IN_PROGRESS, "rag": RAG.GREEN, "progress": 10}, []),
    ],
)
def test_update_rule_errors(values, expected):
    found = update_rule_errors(**{"commentary": "", "revised_due_date": None, "approved_by": "", **values})
    assert [name for name, _ in found] == expected


def test_the_back_office_refuses_a_rag_on_a_complete_action(client, officer, plan):
    action = plan["v1_1"]
    client.force_login(officer)
    url = reverse("admin:actions_action_change", args=[action.pk])
    response = client.get(url)
    form = response.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(
        {"status": "complete", "rag": "green", "progress": "80", "update_commentary": "Delivered"},
        **_inline_management(response),
    )
    response = client.post(url, data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "an action that is Complete is not rated" in content
    assert "Enter 100 for progress when the action is Complete, not 80" in content
    assert not action.updates.exists()


def _inline_management(response):
    """The management form fields of the change page's inlines, as posted back unchanged."""
    data = {}
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data.update({management[name].html_name: management[name].value() for name in management.fields})
    return data


# Natural reference order, wherever actions are listed ---------------------------------------------


@pytest.fixture
def tenth(plan):
    """V1.10 and V1.9 beside V1.1 and V1.2: in text order V1.10 would come second."""
    return [make_action(plan["v1"], ref, leads=[plan["lena"]]) for ref in ("V1.10", "V1.9")]


NATURAL = ["V1.1", "V1.2", "V1.9", "V1.10"]


@time_machine.travel(IN_Q3, tick=False)
def test_the_action_list_and_its_download_sort_references_naturally(client, officer, plan, tenth):
    client.force_login(officer)
    for query in ("", "&sort=ref"):
        response = client.get(
            reverse("actions:action_list") + f"?strategy=test-2024-2027&group={plan['victim'].pk}{query}"
        )
        assert [action.ref for action in response.context["page_obj"].object_list] == NATURAL
    descending = client.get(reverse("actions:action_list") + f"?group={plan['victim'].pk}&sort=-ref")
    assert [action.ref for action in descending.context["page_obj"].object_list] == NATURAL[::-1]
    csv_text = client.get(reverse("actions:action_list_csv") + f"?group={plan['victim'].pk}").content.decode(
        "utf-8-sig"
    )
    assert [row["Ref"] for row in csv.DictReader(io.StringIO(csv_text))] == NATURAL


def test_the_review_lists_actions_in_natural_order(officer, plan, tenth):
    Action.objects.update(created_at=datetime.datetime(2024, 5, 1, tzinfo=LONDON))
    with time_machine.travel(IN_Q3, tick=False):
        found = build_review(strategy=plan["strategy"], quarter=Quarter(2026, 2), user=officer)
    assert [state.ref for state in found.actions if state.ref.startswith("V")] == NATURAL


def test_bulk_writes_keep_the_sort_column(plan):
    made = Action.objects.bulk_create([Action(objective=plan["v2"], strategy=plan["strategy"], ref="V2.10", text="x")])
    assert Action.objects.get(pk=made[0].pk).ref_sort == "v00000002.00000010"
    made[0].ref = "V2.3"
    Action.objects.bulk_update(made, ["ref"])
    assert Action.objects.get(pk=made[0].pk).ref_sort == "v00000002.00000003"


@time_machine.travel(IN_Q3, tick=False)
def test_indicators_list_in_natural_reference_order(client, officer, plan):
    for ref in ("KPI-V10", "KPI-V9", "KPI-V1"):
        Indicator.objects.create(
            strategy=plan["strategy"], ref=ref, name=f"Indicator {ref}", unit="count", kind="contextual"
        )
    client.force_login(officer)
    response = client.get(reverse("performance:indicator_list") + "?strategy=test-2024-2027")
    assert [row.indicator.ref for row in response.context["contextual_rows"]] == ["KPI-V1", "KPI-V9", "KPI-V10"]


@time_machine.travel(datetime.datetime(2026, 11, 18, 10, tzinfo=datetime.UTC), tick=False)
def test_a_strategy_past_its_period_asks_for_no_update(client, lead, plan):
    """An old strategy left marked active (as the real SWP plans are) stays off the to-do list."""
    ended = Strategy.objects.create(
        partnership=plan["partnership"],
        title="Old strategy 2017-2020",
        slug="old-2017-2020",
        start_date=datetime.date(2017, 4, 1),
        end_date=datetime.date(2020, 3, 31),
        status=Strategy.Status.ACTIVE,
    )
    group = ended.delivery_groups.create(name="Victim", code="V", position=1)
    objective = Objective.objects.create(delivery_group=group, number=1, title="Old objective")
    make_action(objective, "V1.1", text="An action of 2018", leads=[plan["lena"]])
    client.force_login(lead)
    response = client.get(reverse("actions:my_actions"))
    assert [entry.strategy.slug for entry in response.context["entries"]] == ["test-2024-2027"]
    assert "An action of 2018" not in response.content.decode()
