"""The quarterly review's figures: status as at a quarter's end from the update history, the counts,
the comparison with the quarter before, exceptions, changes, overdue, no update, due next, by agency,
and the rule that every count links to the action list showing exactly those actions."""

import datetime
import re
from html import unescape

import pytest
from django.urls import reverse

from actions.models import RAG, Action, Change, Objective, Status, Update
from performance import review as review_module
from performance.models import UpdateRound
from performance.review import build_review, load_details
from strategy.models import Marking, Strategy
from tests.conftest import make_action
from tests.performance.review_history import Q2, Q3, at, make_history, record


@pytest.fixture
def history(plan, officer):
    return make_history(plan, officer)


def states(data):
    return {state.ref: state for state in data.actions}


# Status as at the end of a quarter -----------------------------------------------------------------


def test_an_update_on_the_last_instant_of_a_quarter_counts_in_it_and_one_a_moment_later_does_not(history, officer):
    at_q3 = states(build_review(strategy=history["strategy"], quarter=Q3, user=officer))
    assert (at_q3["V1.1"].status, at_q3["V1.1"].rag) == (Status.IN_PROGRESS, RAG.RED)  # 23:59:59 on 31 December
    assert at_q3["V1.2"].rag == RAG.GREEN  # its Amber of 1 January 2025 belongs to Q4
    at_q4 = states(build_review(strategy=history["strategy"], quarter=Q3.next(), user=officer))
    assert at_q4["V1.2"].rag == RAG.AMBER


def test_each_quarter_shows_the_state_then_not_now(history, officer):
    at_q2 = states(build_review(strategy=history["strategy"], quarter=Q2, user=officer))
    assert (at_q2["O1.1"].status, at_q2["O1.1"].rag) == (Status.IN_PROGRESS, RAG.AMBER)
    assert at_q2["V1.1"].rag == RAG.GREEN
    assert "O1.2" not in at_q2  # added in November 2024
    assert Action.objects.get(pk=history["v1_2"].pk).rag == RAG.AMBER  # the current state is Q4's


def test_an_action_created_mid_quarter_is_new_and_not_started_with_no_update(history, officer):
    o1_2 = states(build_review(strategy=history["strategy"], quarter=Q3, user=officer))["O1.2"]
    assert (o1_2.status, o1_2.is_new, o1_2.no_update) == (Status.NOT_STARTED, True, True)
    assert o1_2.changes == {Change.NEW}


def test_a_later_correction_shows_now_but_not_as_known_before_it(history, officer):
    before = at(2025, 2, 1)
    record(
        history["v1_2"],
        officer,
        at(2024, 12, 20),
        Status.IN_PROGRESS,
        RAG.RED,
        source=Update.Source.CORRECTION,
        correction_reason="The lead reported Green by mistake.",
    )
    now = states(build_review(strategy=history["strategy"], quarter=Q3, user=officer))
    assert now["V1.2"].rag == RAG.RED
    Update.objects.filter(source=Update.Source.CORRECTION).update(created_at=at(2025, 3, 1))
    as_known = states(build_review(strategy=history["strategy"], quarter=Q3, user=officer, known_by=before))
    assert as_known["V1.2"].rag == RAG.GREEN


def test_only_approved_updates_count_when_the_strategy_needs_sign_off(history, officer, lead):
    Strategy.objects.filter(pk=history["strategy"].pk).update(requires_sign_off=True)
    submitted = record(history["o1_2"], lead, at(2024, 12, 10), Status.IN_PROGRESS, RAG.GREEN)
    assert submitted.review_state == Update.ReviewState.SUBMITTED
    o1_2 = states(build_review(strategy=history["strategy"], quarter=Q3, user=officer))["O1.2"]
    assert o1_2.status == Status.NOT_STARTED
    submitted.approve(by=officer)
    o1_2 = states(build_review(strategy=history["strategy"], quarter=Q3, user=officer))["O1.2"]
    assert (o1_2.status, o1_2.rag) == (Status.IN_PROGRESS, RAG.GREEN)


def test_the_queryset_methods_agree_with_the_review(history, officer):
    actions = Action.objects.for_strategy(history["strategy"])
    latest = dict(Update.objects.latest_for(actions, Q3.end_moment).values_list("action__ref", "rag"))
    assert latest == {"V1.1": RAG.RED, "V1.2": RAG.GREEN, "O1.1": "", "C1.1": RAG.RED}
    annotated = {a.ref: a for a in actions.existing_at(Q3.end_moment).with_state_as_at(Q3.end_moment)}
    assert annotated["O1.2"].as_at_status == Status.NOT_STARTED
    assert annotated["V1.1"].as_at_revised_due_date == datetime.date(2025, 6, 30)
    assert set(actions.existing_at(Q2.end_moment).values_list("ref", flat=True)) == {"V1.1", "V1.2", "O1.1", "C1.1"}


def test_the_state_at_a_quarters_end_without_its_flags_is_the_same_state(history):
    actions = Action.objects.for_strategy(history["strategy"])
    columns = ("ref", "as_at_status", "as_at_rag", "as_at_update_id")
    with_flags = list(actions.as_at_end_of(Q3).values_list(*columns))
    assert list(actions.as_at_end_of(Q3, state_only=True).values_list(*columns)) == with_flags
    alone = actions.as_at_end_of(Q3, state_only=True).first()
    assert not hasattr(alone, "as_at_overdue")
    assert not hasattr(alone, "as_at_revised_due_date")


def test_a_challenge_names_an_action_by_reference_whatever_its_case(history, officer):
    dashboard = build_review(strategy=history["strategy"], quarter=Q3, user=officer, every_action=False)
    assert dashboard.action_by_ref("v1.1").pk == history["v1_1"].pk
    assert dashboard.action_by_ref("V9.9") is None
    assert dashboard.action_by_ref("O1.2").is_new  # added in November 2024


# The dashboard's figures ---------------------------------------------------------------------------


def test_counts_by_status_and_rag_per_group_within_the_users_clearance(history, officer, viewer):
    data = build_review(strategy=history["strategy"], quarter=Q3, user=viewer)
    rows = {row.label: row for row in data.group_rows}
    assert set(rows) == {"Victim", "Offender"}  # CONTEST is above the viewer's clearance
    victim = rows["Victim"]
    assert victim.total == 2
    assert {value: n for value, _, n, _ in victim.by_rag} == {"green": 1, "amber": 0, "red": 1}
    offender = {value: n for value, _, n, _ in rows["Offender"].by_status}
    assert (offender["complete"], offender["not_started"]) == (1, 1)
    assert data.total_row.total == 4
    assert data.was_total_row.total == 3  # O1.2 was not in the plan at the end of Q2
    everything = build_review(strategy=history["strategy"], quarter=Q3, user=officer)
    assert everything.total_row.total == 5
    assert everything.marking == "official_sensitive"
    assert data.marking == "official"


@pytest.mark.parametrize("every_action", [True, False])
def test_an_actions_marking_and_its_objectives_both_raise_the_reviews(history, officer, every_action):
    victim = history["strategy"].delivery_groups.get(name="Victim")
    v1_2 = history["v1_2"]

    def marking():
        data = build_review(
            strategy=history["strategy"], quarter=Q3, user=officer, group=victim, every_action=every_action
        )
        return data.marking

    assert marking() == Marking.OFFICIAL
    Action.objects.filter(pk=v1_2.pk).update(marking=Marking.OFFICIAL_SENSITIVE)
    assert marking() == Marking.OFFICIAL_SENSITIVE
    Action.objects.filter(pk=v1_2.pk).update(marking=Marking.OFFICIAL)
    Objective.objects.filter(pk=v1_2.objective_id).update(marking=Marking.OFFICIAL_SENSITIVE)
    assert marking() == Marking.OFFICIAL_SENSITIVE


def test_the_comparison_with_the_quarter_before(history, officer):
    data = build_review(strategy=history["strategy"], quarter=Q3, user=officer)
    found = {change: n for change, _, n, _ in data.comparison}
    assert found == {Change.NEWLY_RED: 2, Change.COMPLETED: 1, Change.IMPROVED: 1, Change.WORSENED: 2}


def test_exceptions_are_red_by_default_and_amber_by_the_switch_grouped_by_group(history, officer):
    data = build_review(strategy=history["strategy"], quarter=Q3, user=officer)
    assert [(group.name, [s.ref for s in found]) for group, found in data.exceptions] == [
        ("Victim", ["V1.1"]),
        ("CONTEST", ["C1.1"]),
    ]
    load_details(data, data.exceptions[0][1])
    v1_1 = data.exceptions[0][1][0]
    assert v1_1.leads == "Lena Lead"
    assert v1_1.revised_due_date == datetime.date(2025, 6, 30)
    assert v1_1.update.decision_needed.startswith("Agree to name")
    assert "Corrective action" in v1_1.update.commentary
    record(history["o1_2"], officer, at(2024, 12, 1), Status.IN_PROGRESS, RAG.AMBER)
    with_amber = build_review(strategy=history["strategy"], quarter=Q3, user=officer, include_amber=True)
    assert [s.ref for _, found in with_amber.exceptions for s in found] == ["V1.1", "O1.2", "C1.1"]


def test_changes_this_quarter_with_who_approved(history, officer):
    data = build_review(strategy=history["strategy"], quarter=Q3, user=officer)
    changes = {change: [s.ref for s in found] for change, _, found, _ in data.changes}
    assert changes == {Change.COMPLETED: ["O1.1"], Change.DEFERRED: [], Change.WITHDRAWN: [], Change.NEW: ["O1.2"]}
    completed = next(found for change, _, found, _ in data.changes if change == Change.COMPLETED)
    load_details(data, completed)
    assert completed[0].update.approved_by == "Offender group, December 2024"


def test_overdue_no_update_and_due_next_quarter(history, officer):
    # V1.1 was due by March 2025 ("Mar-25") but revised to 30 June 2025; O1.1 is complete.
    Action.objects.filter(pk=history["o1_2"].pk).update(
        deadline_text="31/10/2024", due_date=datetime.date(2024, 10, 31)
    )
    Action.objects.filter(pk=history["v1_2"].pk).update(deadline_text="15/02/2025", due_date=datetime.date(2025, 2, 15))
    data = build_review(strategy=history["strategy"], quarter=Q3, user=officer)
    assert [s.ref for s in data.overdue["actions"]] == ["O1.2"]
    assert [s.ref for s in data.no_update["actions"]] == ["O1.2"]
    assert [s.ref for s in data.due_next["actions"]] == ["V1.2"]


def test_by_partner_agency_with_updates_on_time(history, officer):
    data = build_review(strategy=history["strategy"], quarter=Q3, user=officer)
    rows = {row.label: row for row in data.agencies}
    council = rows["Test Council"]  # leads V1.1, contributes to O1.1
    assert (council.extra["leads"], council.extra["contributes"], council.total) == (1, 1, 2)
    assert (council.extra["owed"], council.extra["on_time"], council.extra["on_time_percent"]) == (1, 1, 100)
    police = rows["Test Police"]  # contributes to V1.2 only
    assert (police.extra["leads"], police.extra["contributes"], police.extra["owed"]) == (0, 1, 0)


def test_with_an_update_round_on_time_means_entered_by_its_deadline(history, officer):
    Action.objects.filter(pk=history["o1_2"].pk).update(lead_organisation=history["council"])
    late = record(history["o1_2"], officer, at(2024, 12, 31, 18), Status.IN_PROGRESS, RAG.GREEN)
    UpdateRound.objects.create(strategy=history["strategy"], year=2024, number=3, deadline=datetime.date(2025, 1, 14))
    Update.objects.filter(pk=late.pk).update(created_at=at(2025, 1, 20))  # entered after the deadline
    council = next(
        r
        for r in build_review(strategy=history["strategy"], quarter=Q3, user=officer).agencies
        if r.label == "Test Council"
    )
    assert (council.extra["owed"], council.extra["on_time"]) == (2, 1)


def test_a_delivery_groups_meeting_sees_its_group_only(history, officer):
    data = build_review(strategy=history["strategy"], quarter=Q3, user=officer, group=history["victim"])
    assert [s.ref for s in data.actions] == ["V1.1", "V1.2"]
    assert [g.name for g in data.groups] == ["Victim"]


# Every count links to exactly those actions ----------------------------------------------------------


def _links(data):
    """(n, url) for every count of the dashboard that links to the action list."""
    rows = [*data.group_rows, *data.objective_rows, data.total_row, data.was_total_row, *data.agencies]
    for row in rows:
        if row.url:
            yield row.total, row.url
        for _, _, n, url in [*row.by_status, *row.by_rag]:
            if url:
                yield n, url
        for key in ("leads", "contributes"):
            if row.extra.get(f"{key}_url"):
                yield row.extra[key], row.extra[f"{key}_url"]
    for _, _, n, url in data.comparison:
        if url:
            yield n, url
    for _, _, found, url in data.changes:
        if url:
            yield len(found), url
    for block in (data.overdue, data.no_update, data.due_next):
        if block["url"]:
            yield block["count"], block["url"]
    if data.exception_url:
        yield data.exception_count, data.exception_url


def test_every_count_links_to_the_action_list_showing_exactly_those_actions(history, officer, client):
    Action.objects.filter(pk=history["o1_2"].pk).update(
        deadline_text="31/10/2024", due_date=datetime.date(2024, 10, 31)
    )
    client.force_login(officer)
    for include_amber, expected_links in ((False, 51), (True, 51)):
        data = build_review(strategy=history["strategy"], quarter=Q3, user=officer, include_amber=include_amber)
        links = list(_links(data))
        assert len(links) == expected_links, len(links)
        for n, url in links:
            response = client.get(url)
            assert response.status_code == 200, url
            assert response.context["page_obj"].paginator.count == n, unescape(url)
            assert response.context["as_at"] == Q3


def test_the_dashboard_page_links_each_count(history, officer, client):
    client.force_login(officer)
    response = client.get(reverse("performance:review", args=["test-2024-2027", "2024-Q3"]))
    content = response.content.decode()
    hrefs = {unescape(h) for h in re.findall(r'href="(/actions/\?[^"]+)"', content)}
    expected = {url for _, url in _links(response.context["review"])}
    assert hrefs == expected
    assert len(expected) == 48
    # And no count is left without its link: a number alone in a cell is a zero.
    unlinked = re.findall(r'govuk-table__cell--numeric"[^>]*>(\d+)</td>', content)
    assert unlinked == ["0"] * 62


# Fixed queries at any size ---------------------------------------------------------------------------


def _grow(plan, officer, count):
    objective = plan["v1"]
    for n in range(count):
        action = make_action(
            objective, f"V7.{n}", leads=[plan["lena"]], deadline_text="31/12/2024", lead_organisation=plan["council"]
        )
        action.contributing_organisations.add(plan["police"])
        Action.objects.filter(pk=action.pk).update(created_at=at(2024, 4, 2))
        record(action, officer, at(2024, 9, 1), Status.IN_PROGRESS, RAG.AMBER)
        record(
            action,
            officer,
            at(2024, 12, 1),
            Status.IN_PROGRESS,
            [RAG.RED, RAG.GREEN][n % 2],
            revised_due_date=datetime.date(2025, 3, 31) if n % 2 == 0 else None,
        )


@pytest.mark.parametrize("group_name", [None, "Victim"])
def test_a_whole_plans_details_read_by_plan_match_those_read_by_id(history, officer, monkeypatch, group_name):
    group = history["strategy"].delivery_groups.get(name=group_name) if group_name else None

    def details(chunk):
        # A pack reads every action's details; past CHUNK actions it reads them by plan, not by id.
        monkeypatch.setattr(review_module, "CHUNK", chunk)
        data = build_review(strategy=history["strategy"], quarter=Q3, user=officer, group=group)
        load_details(data, data.actions)
        return [(s.ref, s.text, s.deadline_text, s.leads, s.update, s.recorded_at) for s in data.actions]

    by_id, by_plan = details(5000), details(1)
    assert by_plan == by_id
    victim = [
        (
            "V1.1",
            "Action V1.1",
            "Mar-25",
            "Lena Lead",
            (
                "Housing providers have not signed up. Corrective action: the chair writes to each.",
                "Agree to name the providers who have not signed up.",
                "",
                at(2024, 12, 31, 23, 59, 59),
            ),
            at(2024, 12, 31, 23, 59, 59),
        ),
        (
            "V1.2",
            "Action V1.2",
            "Quarterly reporting",
            "Omar Other / Lena Lead",
            ("V1.2 in_progress green", "", "", at(2024, 11, 5)),
            at(2024, 11, 5),
        ),
    ]
    others = [
        (
            "O1.1",
            "Action O1.1",
            "31/03/2025",
            "Omar Other",
            ("O1.1 complete", "", "Offender group, December 2024", at(2024, 12, 2)),
            at(2024, 12, 2),
        ),
        ("O1.2", "Action O1.2", "", "Lena Lead", None, None),  # new this quarter, never updated
        (
            "C1.1",
            "Action C1.1",
            "Ongoing",
            "Omar Other",
            ("Venue withdrawn.", "", "", at(2024, 10, 15)),
            at(2024, 10, 15),
        ),
    ]
    assert by_id == (victim if group_name else victim + others)


@pytest.mark.parametrize("count", [5, 60])
def test_the_review_costs_the_same_at_any_size(count, history, officer, django_assert_num_queries):
    _grow(history, officer, count)
    officer = type(officer).objects.get(pk=officer.pk)
    # membership; groups; objectives; update round; the actions with their state at the end of Q3 and
    # of Q2, their revised dates and whether an update came in on time (one query: a correlated probe
    # per action for each); contributing agencies; agencies; meetings (none, so no challenges);
    # indicators (none, so no values); the listed actions' texts, leads and updates
    with django_assert_num_queries(12):
        data = build_review(strategy=history["strategy"], quarter=Q3, user=officer)
        load_details(data, data.actions)
    assert data.total_row.total == count + 5


@pytest.mark.parametrize("count", [5, 60])
def test_the_dashboard_page_costs_the_same_at_any_size(count, history, officer, client, django_assert_num_queries):
    _grow(history, officer, count)
    client.force_login(officer)
    # session, user, membership, the strategies for the switcher (the one shown among them), the
    # review's (see above, membership cached), the quarter's packs
    with django_assert_num_queries(17):
        response = client.get(reverse("performance:review", args=["test-2024-2027", "2024-Q3"]))
    assert response.status_code == 200
    assert response.context["review"].exception_count == (count + 1) // 2 + 2


@pytest.mark.parametrize("count", [5, 60])
def test_the_action_list_as_at_a_quarter_costs_the_same_at_any_size(
    count, history, officer, client, django_assert_num_queries
):
    _grow(history, officer, count)
    client.force_login(officer)
    # session, user, membership, strategies (the menu, and the one named of them), filter choices
    # (objectives with their groups, leads, agencies), count, page of actions (with their state as at
    # the quarter), lead links (with people)
    with django_assert_num_queries(10):
        response = client.get(
            reverse("actions:action_list"), {"strategy": "test-2024-2027", "as_at": "2024-Q3", "rag": "red"}
        )
    assert response.context["page_obj"].paginator.count == (count + 1) // 2 + 2
    assert response.context["as_at"] == Q3


def test_the_action_list_as_at_a_quarter_sorts_by_the_state_then(history, officer, client):
    then = states(build_review(strategy=history["strategy"], quarter=Q3, user=officer))
    client.force_login(officer)
    for sort in ("rag", "-status"):
        query = {"strategy": "test-2024-2027", "as_at": "2024-Q3", "sort": sort}
        shown = [action.as_at_state for action in client.get(reverse("actions:action_list"), query).context["page_obj"]]
        field = sort.lstrip("-")
        assert {state.action_id for state in shown} == {state.pk for state in then.values()}
        assert [getattr(state, field) for state in shown] == sorted(
            (getattr(state, field) for state in then.values()), reverse=sort.startswith("-")
        )


def test_a_bad_as_at_is_explained_and_the_list_shows_the_current_state(history, viewer, client):
    client.force_login(viewer)
    response = client.get(reverse("actions:action_list"), {"strategy": "test-2024-2027", "as_at": "2031-Q1"})
    assert response.status_code == 200
    assert response.context["as_at"] is None
    assert "Choose a quarter of this strategy that has ended, from the list" in response.content.decode()
