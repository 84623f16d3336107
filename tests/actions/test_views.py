"""The leads' pages through the test client: what each shows, filters, downloads and the update form."""

import csv
import datetime
import io

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from actions.models import RAG, Action, Objective, Status, Update
from strategy.models import Organisation
from tests.conftest import make_action

D = datetime.date


def test_home_sends_each_role_where_their_work_is(client, users, plan):
    expected = {
        "lead": reverse("actions:my_actions"),
        "chair": reverse("actions:my_actions"),
        "officer": reverse("actions:strategy_detail", args=["test-2024-2027"]),
        "executive": reverse("actions:strategy_detail", args=["test-2024-2027"]),
        "viewer": reverse("actions:strategy_detail", args=["test-2024-2027"]),
        "outsider": reverse("actions:strategy_detail", args=["elsewhere-2024"]),
    }
    for role, url in expected.items():
        client.force_login(users[role])
        assert client.get("/").url == url, role


def test_anonymous_users_are_sent_to_sign_in_and_back(client, plan):
    response = client.get(reverse("actions:my_actions"))
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next=/my/"


# My actions --------------------------------------------------------------------------------------


def test_my_actions_explains_a_login_not_linked_to_anyone(client, viewer, plan):
    client.force_login(viewer)
    response = client.get(reverse("actions:my_actions"))
    assert "not linked to a lead or chair" in response.content.decode()


def _grow_plan(plan, lead, count):
    """Add `count` actions led by the lead, each with an update, for query-count tests."""
    objective = Objective.objects.create(delivery_group=plan["victim"], number=9, title="Bulk objective")
    for n in range(count):
        action = make_action(objective, f"V9.{n}", leads=[plan["lena"], plan["omar"]], deadline_text="Mar-30")
        action.record_update(by=lead, status=Status.IN_PROGRESS, rag=RAG.AMBER, progress=n % 100, commentary="x")


# The action list ---------------------------------------------------------------------------------


def _refs(response):
    return [a.ref for a in response.context["page_obj"].object_list]


@pytest.mark.parametrize(
    ("query", "refs"),
    [
        ({}, ["V1.1", "V1.2", "O1.1", "O1.2"]),
        ({"status": "in_progress"}, ["V1.2"]),
        ({"rag": "amber"}, ["V1.2"]),
        ({"status": ["in_progress", "not_started"]}, ["V1.1", "V1.2", "O1.1", "O1.2"]),
        ({"overdue": "on"}, ["V1.1", "O1.1"]),
        ({"q": "recruitment delayed"}, ["V1.2"]),
        ({"q": "victimisation"}, ["V1.1"]),
        ({"due_after": "01/03/2025", "due_before": "31/03/2025"}, ["V1.1", "O1.1"]),
        ({"not_updated_since": "01/01/2020"}, ["V1.1", "O1.1", "O1.2"]),
        ({"sort": "-ref"}, ["V1.2", "V1.1", "O1.2", "O1.1"]),
    ],
)
def test_the_action_list_filters(query, refs, client, viewer, lead, plan):
    plan["v1_2"].record_update(
        by=lead,
        status=Status.IN_PROGRESS,
        rag=RAG.AMBER,
        progress=40,
        commentary="Recruitment delayed; interim cover agreed",
    )
    client.force_login(viewer)
    response = client.get(reverse("actions:action_list"), {"strategy": "test-2024-2027", **query})
    assert response.status_code == 200
    assert _refs(response) == refs


def test_the_action_list_filters_by_group_objective_and_lead(client, viewer, plan):
    client.force_login(viewer)
    url = reverse("actions:action_list")
    assert _refs(client.get(url, {"group": plan["offender"].pk})) == ["O1.1", "O1.2"]
    assert _refs(client.get(url, {"objective": plan["v1"].pk})) == ["V1.1", "V1.2"]
    assert _refs(client.get(url, {"lead": plan["lena"].pk})) == ["V1.1", "V1.2", "O1.2"]


def test_filter_choices_never_name_what_the_user_may_not_see(client, viewer, plan):
    client.force_login(viewer)
    form = client.get(reverse("actions:action_list")).context["filter"].form
    assert plan["contest"] not in form.fields["group"].queryset
    assert plan["c1"] not in form.fields["objective"].queryset
    # What the page offers: the groups and objectives of the actions the viewer may see, in plan order.
    assert [label for _, label in form.fields["group"].choices] == ["All groups", "Victim", "Offender"]
    assert [label for _, label in form.fields["objective"].choices] == [
        "All objectives",
        f"Victim 1: {plan['v1'].title}",
        f"Offender 1: {plan['o1'].title}",
    ]


def test_the_agency_choices_are_those_leading_or_contributing_to_an_action_the_user_may_see(client, viewer, plan):
    def organisation(name):
        return Organisation.objects.create(partnership=plan["partnership"], name=name)

    plan["o1_1"].contributing_organisations.add(organisation("Probation"))
    plan["c1_1"].lead_organisation = organisation("Fire")  # CONTEST: above the viewer's clearance
    plan["c1_1"].save()
    plan["c1_1"].contributing_organisations.add(organisation("Health"))
    organisation("Unlinked")
    client.force_login(viewer)
    form = client.get(reverse("actions:action_list")).context["filter"].form
    assert [label for _, label in form.fields["agency"].choices] == ["All agencies", "Test Council", "Probation"]


def test_a_bad_filter_value_is_explained_and_the_rest_still_applies(client, viewer, plan):
    client.force_login(viewer)
    response = client.get(reverse("actions:action_list"), {"due_after": "31/02/2025", "group": plan["victim"].pk})
    assert response.status_code == 200
    assert "Enter a valid date" in response.content.decode()
    assert _refs(response) == ["V1.1", "V1.2"]


def test_another_partnerships_strategy_is_not_found(client, viewer, plan, elsewhere):
    client.force_login(viewer)
    assert client.get(reverse("actions:action_list"), {"strategy": "elsewhere-2024"}).status_code == 404


@pytest.mark.parametrize("count", [10, 500])
def test_the_action_list_costs_the_same_at_any_size(count, client, viewer, lead, plan, django_assert_num_queries):
    _grow_plan(plan, lead, count)
    client.force_login(viewer)
    # session, user, membership, strategies (the menu), the strategy it opens on (none named), count,
    # the page's actions, their lead links (with people), updates awaiting sign-off, 3 filter choice
    # lists (objectives with their groups, leads, organisations)
    with django_assert_num_queries(12):
        response = client.get(reverse("actions:action_list"), {"rag": "amber", "sort": "-progress"})
    assert response.context["page_obj"].paginator.count == count


def test_pages_of_a_sorted_list_hold_every_action_once_in_plan_order_within_ties(client, viewer, lead, plan):
    # Sixty actions with the same progress: sorting by progress alone would leave their order, and so
    # which page each falls on, to the database.
    objective = Objective.objects.create(delivery_group=plan["victim"], number=9, title="Bulk objective")
    for n in range(60):
        action = make_action(objective, f"V9.{n:02d}", leads=[plan["lena"]], deadline_text="Mar-30")
        action.record_update(by=lead, status=Status.IN_PROGRESS, rag=RAG.AMBER, progress=50, commentary="x")
    client.force_login(viewer)
    query = {"strategy": "test-2024-2027", "objective": objective.pk, "sort": "-progress"}
    first = _refs(client.get(reverse("actions:action_list"), query))
    second = _refs(client.get(reverse("actions:action_list"), {**query, "page": 2}))
    assert first + second == [f"V9.{n:02d}" for n in range(60)]


def test_the_filtered_list_downloads_as_csv_and_xlsx(client, viewer, lead, plan):
    plan["v1_1"].record_update(
        by=lead,
        status=Status.IN_PROGRESS,
        rag=RAG.RED,
        progress=5,
        commentary='=HYPERLINK("http://evil")',
        revised_due_date=D(2026, 3, 31),
    )
    client.force_login(viewer)
    query = {"strategy": "test-2024-2027", "group": plan["victim"].pk}
    response = client.get(reverse("actions:action_list_csv"), query)
    assert response["Content-Disposition"] == 'attachment; filename="test-2024-2027-actions-official.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["Ref"] for row in rows] == ["V1.1", "V1.2"]
    assert rows[0]["Latest update"] == '\'=HYPERLINK("http://evil")'
    assert rows[1]["Lead"] == "Omar Other / Lena Lead"
    response = client.get(reverse("actions:action_list_xlsx"), query)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet["C"]][1:] == ["V1.1", "V1.2"]


def test_a_download_as_at_a_past_quarter_is_refused_with_the_way_on(client, viewer, plan):
    client.force_login(viewer)
    query = {"strategy": "test-2024-2027", "as_at": "2024-Q2", "rag": "red"}
    for name in ("actions:action_list_csv", "actions:action_list_xlsx"):
        response = client.get(reverse(name), query, follow=True)
        assert response.redirect_chain[0][0].startswith(reverse("actions:action_list") + "?")
        assert response.context["as_at"].slug == "2024-Q2"  # the filters the user chose are kept
        content = response.content.decode()
        assert "Downloads give each action&#x27;s current state, not its state at the end of 2024/25 Q2" in content
        assert "Show the current state instead" in content


# An action and its update form ------------------------------------------------------------------


def test_the_action_page_shows_the_whole_action_and_its_history(client, viewer, lead, plan):
    plan["v1_1"].record_update(by=lead, status=Status.IN_PROGRESS, rag=RAG.GREEN, progress=10, commentary="First")
    plan["v1_1"].record_update(by=lead, status=Status.IN_PROGRESS, rag=RAG.AMBER, progress=20, commentary="Second")
    client.force_login(viewer)
    response = client.get(reverse("actions:action_detail", args=[plan["v1_1"].pk]))
    content = response.content.decode()
    for text in [
        "Identify repeat victims",
        "Lena Lead",
        "Repeat victimisation levels",
        "Mar-25",
        "31 March 2025",
        "Test Council",
    ]:
        assert text in content
    assert content.index("Second") < content.index("First")
    history = content[content.index('id="history"') :]
    assert history.count("In progress") == 2  # a rated status: its word, then the RAG's tag
    plan["v1_1"].record_update(by=lead, status=Status.COMPLETE, progress=100, commentary="Delivered")
    history = client.get(reverse("actions:action_detail", args=[plan["v1_1"].pk])).content.decode()
    history = history[history.index('id="history"') :]
    assert history.count("Complete") == 1  # the tag alone says it, not "Complete Complete"
    assert "Update this action" not in content


@pytest.mark.parametrize(("role", "status"), [("viewer", 404), ("lead", 404), ("executive", 200), ("outsider", 404)])
def test_a_sensitive_or_foreign_action_is_not_found_for_those_not_cleared(role, status, client, users, plan):
    client.force_login(users[role])
    assert client.get(reverse("actions:action_detail", args=[plan["c1_1"].pk])).status_code == status


STRIP = '<p class="app-marking"><span class="govuk-visually-hidden">Handling marking: </span>{}</p>'


@pytest.mark.parametrize(
    ("role", "query", "marking"),
    [
        ("executive", {}, "OFFICIAL-SENSITIVE"),  # C1.1, of the OFFICIAL-SENSITIVE CONTEST group, is listed
        ("executive", {"group": "victim"}, "OFFICIAL"),  # filtered to what is OFFICIAL
        ("viewer", {}, "OFFICIAL"),  # not cleared: C1.1 is not on the page
    ],
)
def test_the_action_list_carries_the_marking_of_what_it_lists(role, query, marking, client, users, plan):
    client.force_login(users[role])
    if "group" in query:
        query = {"group": plan[query["group"]].pk}
    content = client.get(reverse("actions:action_list"), query).content.decode()
    assert ("C1.1" in content) == (marking == "OFFICIAL-SENSITIVE")
    assert content.count('class="app-marking"') == 1
    assert STRIP.format(marking) in content


def _post_update(client, action, **fields):
    data = {
        "status": "in_progress",
        "rag": "green",
        "progress": "25",
        "commentary": "",
        "seen_update": action.latest_update_id or "none",
    }
    data.update(fields)
    return client.post(reverse("actions:action_update", args=[action.pk]), data)


def test_a_lead_saves_an_update_and_sees_it_at_the_top_of_the_history(client, lead, plan):
    client.force_login(lead)
    response = _post_update(client, plan["v1_1"], rag="amber", commentary="Two providers yet to sign; chased")
    assert response.status_code == 302
    action = Action.objects.get(pk=plan["v1_1"].pk)
    assert (action.status, action.rag, action.progress) == (Status.IN_PROGRESS, RAG.AMBER, 25)
    page = client.get(response.url)
    assert "Your update to V1.1 has been saved." in page.content.decode()
    assert page.context["updates"][0].commentary == "Two providers yet to sign; chased"


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"rag": "amber"}, "Enter a commentary for Amber"),
        ({"rag": "red", "commentary": "Stuck"}, "Enter a revised due date for a Red action"),
        ({"rag": ""}, "Choose a RAG rating"),
        ({"status": "complete", "rag": ""}, "Enter a commentary saying what was delivered"),
        ({"status": "deferred", "rag": "", "commentary": "Funding moved"}, "Enter who approved"),
        ({"status": "withdrawn", "rag": "", "approved_by": "Executive Group"}, "saying why the action is withdrawn"),
        ({"progress": "101"}, "less than or equal to 100"),
        ({"evidence_url": "not a link"}, "Enter a valid URL"),
        ({"status": "not_started", "rag": "green"}, "an action that is Not started is not rated"),
        ({"status": "complete", "rag": "green", "progress": "100", "commentary": "Done"}, "that is Complete is not"),
        ({"status": "complete", "rag": "", "progress": "80", "commentary": "Done"}, "Enter 100 for progress"),
        ({"revised_due_date": "31/02/2026", "rag": "red", "commentary": "x"}, "Enter a valid date"),
    ],
)
def test_an_invalid_update_is_explained_keeps_what_was_typed_and_saves_nothing(fields, error, client, lead, plan):
    client.force_login(lead)
    typed = {"decision_needed": "Agree the extra budget", **fields}
    response = _post_update(client, plan["v1_1"], **typed)
    content = response.content.decode()
    assert response.status_code == 200
    assert error in content
    assert "There is a problem" in content
    assert "Agree the extra budget" in content
    assert not Update.objects.exists()


def test_completing_an_action_records_full_progress(client, lead, plan):
    client.force_login(lead)
    _post_update(client, plan["v1_1"], status="complete", rag="", progress="100", commentary="Standard published")
    action = Action.objects.get(pk=plan["v1_1"].pk)
    assert (action.status, action.rag, action.progress) == (Status.COMPLETE, "", 100)


def test_a_concurrent_update_is_refused_without_losing_what_was_typed(client, lead, chair, plan):
    action = plan["v1_1"]
    client.force_login(lead)
    opened = client.get(reverse("actions:action_update", args=[action.pk]))
    seen = opened.context["form"].initial["seen_update"]
    action.record_update(
        by=chair,
        status=Status.IN_PROGRESS,
        rag=RAG.RED,
        progress=5,
        commentary="Chair: blocked",
        revised_due_date=D(2026, 6, 30),
    )
    response = _post_update(client, action, seen_update=seen, rag="green", commentary="Lead: all fine")
    content = response.content.decode()
    assert response.status_code == 409
    assert "Someone else updated this action" in content
    assert "Chair: blocked" in content and "Lead: all fine" in content
    assert Update.objects.count() == 1
    resubmitted = _post_update(
        client,
        Action.objects.get(pk=action.pk),
        seen_update=response.context["form"]["seen_update"].value(),
        commentary="Lead: agreed",
    )
    assert resubmitted.status_code == 302
    assert Action.objects.get(pk=action.pk).latest_update.commentary == "Lead: agreed"


def test_a_form_naming_an_update_the_action_does_not_have_is_refused_without_losing_what_was_typed(client, lead, plan):
    """An altered form (or one opened before its update was deleted) names a latest update the action has not."""
    client.force_login(lead)
    response = _post_update(client, plan["v1_1"], seen_update="999999", commentary="Lead: all fine")
    content = response.content.decode()
    assert response.status_code == 200
    assert "This form was out of date. Check your update and save it again." in content
    assert "Lead: all fine" in content
    assert not Update.objects.exists()
    again = _post_update(client, plan["v1_1"], seen_update=response.context["form"]["seen_update"].value())
    assert again.status_code == 302
    assert Update.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "ref", "status"),
    [
        ("lead", "V1.1", 200),
        ("lead", "O1.1", 403),
        ("chair", "V1.2", 200),
        ("chair", "O1.1", 403),
        ("officer", "C1.1", 200),
        ("executive", "V1.1", 403),
        ("viewer", "V1.1", 403),
        ("viewer", "C1.1", 404),
        ("outsider", "V1.1", 404),
    ],
)
def test_who_may_open_the_update_form(role, ref, status, client, users, plan):
    client.force_login(users[role])
    action = Action.objects.get(ref=ref)
    assert client.get(reverse("actions:action_update", args=[action.pk])).status_code == status
    response = _post_update(client, action, commentary="Attempt")
    assert response.status_code == (302 if status == 200 else status)
    assert Update.objects.filter(action=action).exists() == (status == 200)


def test_an_archived_action_cannot_be_updated(client, lead, plan):
    Action.objects.filter(pk=plan["v1_1"].pk).update(archived_at=timezone.now())
    client.force_login(lead)
    assert client.get(reverse("actions:action_update", args=[plan["v1_1"].pk])).status_code == 403


# The strategy overview ---------------------------------------------------------------------------


def test_the_strategy_overview_counts_actions_by_status_and_links_to_them(
    client, viewer, lead, plan, django_assert_num_queries
):
    plan["v1_1"].record_update(by=lead, status=Status.COMPLETE, progress=100, commentary="Done")
    client.force_login(viewer)
    # session, user, membership, strategy, the counts by group and status, groups, principles, strategic
    # objectives
    with django_assert_num_queries(8):
        response = client.get(reverse("actions:strategy_detail", args=["test-2024-2027"]))
    rows = {row["group"].name: row for row in response.context["group_rows"]}
    assert set(rows) == {"Victim", "Offender"}  # CONTEST is above the viewer's clearance
    assert rows["Victim"]["total"] == 2
    assert {value: n for value, _, n in rows["Victim"]["by_status"]}["complete"] == 1
    assert f"?strategy=test-2024-2027&amp;group={plan['victim'].pk}&amp;status=complete" in response.content.decode()


def _aware(year, month, day):
    return timezone.make_aware(datetime.datetime(year, month, day, 12))


@pytest.fixture
def in_2026_27_q3():
    """A day after 2026/27 Q2 ended: which quarters an action's page lists as ended depends on today."""
    with time_machine.travel(datetime.datetime(2026, 11, 18, 10, tzinfo=datetime.UTC)):
        yield


def test_the_action_page_shows_the_action_at_the_end_of_each_quarter(
    in_2026_27_q3, client, viewer, lead, plan, django_assert_num_queries
):
    Action.objects.filter(pk=plan["v1_1"].pk).update(created_at=_aware(2026, 2, 1))  # 2025/26 Q4
    plan["v1_1"].record_update(
        by=lead, status=Status.IN_PROGRESS, rag=RAG.RED, progress=30, recorded_at=_aware(2026, 5, 1)
    )
    client.force_login(viewer)
    url = reverse("actions:action_detail", args=[plan["v1_1"].pk])
    # session, user, membership, the action, its lead links (with people and their organisations),
    # contributing organisations, indicators, decisions, its updates (the history and any submissions
    # apart from it), its state at the last quarter's end, whether the viewer follows the action (the
    # Follow button)
    with django_assert_num_queries(11):
        response = client.get(url)
    ends = [(e.quarter.slug, e.status, e.rag, e.updated_in_quarter) for e in response.context["quarter_ends"]]
    assert ends == [("2026-Q2", Status.IN_PROGRESS, RAG.RED, False)]  # the last quarter only
    content = response.content.decode()
    assert "V1.1 as it stood at the end of the last quarter, from the update history" in content
    table = content[content.index('id="quarter-ends"') : content.index('id="history"')]
    assert table.count("In progress") == 1 and table.count(">Red</strong>") == 1 and "Not started" not in table
    # Every quarter of the strategy on asking (2025/26 Q3 is before the action).
    assert 'href="?quarters=all#quarter-ends">Show every quarter of the strategy' in content
    response = client.get(url, {"quarters": "all"})
    assert [(e.quarter.slug, e.status) for e in response.context["quarter_ends"]] == [
        ("2026-Q2", Status.IN_PROGRESS),
        ("2026-Q1", Status.IN_PROGRESS),
        ("2025-Q4", Status.NOT_STARTED),
    ]
    content = response.content.decode()
    assert "V1.1 as it stood at the end of each quarter, newest first, from the update history" in content
    table = content[content.index('id="quarter-ends"') : content.index('id="history"')]
    assert table.count("In progress") == 2 and table.count(">Red</strong>") == 2
    assert table.count("Not started") == 1 and table.count("Not rated") == 1
    assert content.index("2026/27 Q2") < content.index("2026/27 Q1") < content.index("2025/26 Q4")
    assert "Show every quarter" not in content

    # An action not in the plan at the end of the last quarter says so, and offers the others.
    response = client.get(reverse("actions:action_detail", args=[plan["v1_2"].pk]))
    assert response.context["quarter_ends"] == []
    content = response.content.decode()
    assert "V1.2 was not in the plan at the end of 2026/27 Q2." in content
    assert "as it stood at the end of" not in content and "Show every quarter of the strategy" in content
    response = client.get(reverse("actions:action_detail", args=[plan["v1_2"].pk]), {"quarters": "all"})
    assert response.context["quarter_ends"] == []
    assert 'id="quarter-ends"' not in response.content.decode()


def test_the_action_page_shows_the_latest_year_of_updates_and_the_whole_history_on_asking(
    in_2026_27_q3, client, viewer, lead, plan, django_assert_num_queries
):
    for month in range(1, 7):  # six updates, newest "Update 6" (June 2026)
        plan["v1_1"].record_update(
            by=lead,
            status=Status.IN_PROGRESS,
            progress=month * 10,
            commentary=f"Update {month}",
            recorded_at=_aware(2026, month, 10),
        )
    client.force_login(viewer)
    url = reverse("actions:action_detail", args=[plan["v1_1"].pk])
    with django_assert_num_queries(11):  # as with every update shown: they are all read, four drawn
        response = client.get(url)
    history = response.content.decode().split('id="history"')[1]
    assert [n for n in range(1, 7) if f"Update {n}<" in history] == [3, 4, 5, 6]
    assert history.index("Update 6") < history.index("Update 3")
    assert "The latest 4 of 6 updates, newest first." in history
    assert 'href="?history=all#history">Show all 6 updates<span class="govuk-visually-hidden"> to V1.1' in history

    response = client.get(url, {"history": "all"})
    history = response.content.decode().split('id="history"')[1]
    assert [n for n in range(1, 7) if f"Update {n}<" in history] == [1, 2, 3, 4, 5, 6]
    assert "Show all" not in history and "The latest" not in history
    # Each "show all" link keeps the other as asked.
    assert 'href="?history=all&amp;quarters=all#quarter-ends">Show every quarter' in response.content.decode()
    response = client.get(url, {"quarters": "all"})
    assert 'href="?quarters=all&amp;history=all#history">Show all 6 updates' in response.content.decode()

    # Four updates or fewer: all of them, and no link.
    Update.objects.filter(action=plan["v1_1"], commentary__in=["Update 1", "Update 2"]).delete()
    history = client.get(url).content.decode().split('id="history"')[1]
    assert [n for n in range(1, 7) if f"Update {n}<" in history] == [3, 4, 5, 6]
    assert "Show all" not in history and "The latest" not in history


def test_the_strategy_overview_shows_its_counts_as_at_the_end_of_a_past_quarter(
    client, viewer, lead, plan, django_assert_num_queries
):
    Action.objects.filter(pk__in=[plan["v1_1"].pk, plan["v1_2"].pk]).update(created_at=_aware(2024, 5, 1))
    plan["v1_1"].record_update(by=lead, status=Status.IN_PROGRESS, rag=RAG.GREEN, recorded_at=_aware(2024, 8, 1))
    plan["v1_1"].record_update(by=lead, status=Status.COMPLETE, progress=100, commentary="Done")
    client.force_login(viewer)
    url = reverse("actions:strategy_detail", args=["test-2024-2027"])
    with django_assert_num_queries(8):  # as now, the counts read as at the quarter's end
        response = client.get(url, {"as_at": "2024-Q2"})
    victim = next(row for row in response.context["group_rows"] if row["group"].name == "Victim")
    assert {value: n for value, _, n in victim["by_status"] if n} == {"in_progress": 1, "not_started": 1}
    content = response.content.decode()
    assert "as they stood at the end of 2024/25 Q2 (30 September 2024)" in content
    assert f"?strategy=test-2024-2027&amp;as_at=2024-Q2&amp;group={plan['victim'].pk}&amp;status=in_progress" in content
    assert '<option value="2024-Q2" selected>the end of 2024/25 Q2</option>' in content

    # A quarter that has not ended (or is not the strategy's) is refused, and the page shows now.
    response = client.get(url, {"as_at": "2099-Q1"})
    content = response.content.decode()
    assert "Choose a quarter of this strategy that has ended, or Now" in content
    assert content.count("govuk-error-summary__list") == 1 and "<title>Error: " in content
    victim = next(row for row in response.context["group_rows"] if row["group"].name == "Victim")
    assert {value: n for value, _, n in victim["by_status"] if n} == {"complete": 1, "not_started": 1}


def test_the_quarterly_review_filters_fold_away_until_used(client, viewer, plan):
    client.force_login(viewer)
    url = reverse("actions:action_list")

    def review_details(query):
        content = client.get(url, {"strategy": "test-2024-2027", **query}).content.decode()
        opening = content[content.index('<details class="govuk-details"') :]
        assert 'name="as_at"' in opening[: opening.index("</details>")]  # the review's filters are inside
        return opening[: opening.index(">") + 1]

    assert " open" not in review_details({"rag": "red"})
    assert " open" in review_details({"as_at": "2024-Q2"})
    assert " open" in review_details({"was_rag": "red"})
    assert " open" in review_details({"as_at": "1999-Q1"})  # its error must be in sight


def test_pages_open_on_the_newest_active_strategy_with_actions(client, viewer, plan):
    from strategy.models import Strategy

    # The next strategy is published before its action plans are imported (as SWP's 2020/23 one is).
    Strategy.objects.create(
        partnership=plan["strategy"].partnership,
        title="Test strategy 2027-2030",
        slug="test-2027-2030",
        start_date=datetime.date(2027, 4, 1),
        end_date=datetime.date(2030, 3, 31),
        status=Strategy.Status.ACTIVE,
    )
    client.force_login(viewer)
    assert client.get("/").url == reverse("actions:strategy_detail", args=["test-2024-2027"])
    assert client.get(reverse("actions:action_list")).context["strategy"] == plan["strategy"]
    assert client.get("/review/").url == "/review/test-2024-2027/"
    # Without actions anywhere, the newest active strategy.
    Action.objects.all().delete()
    assert client.get("/").url == reverse("actions:strategy_detail", args=["test-2027-2030"])


def test_column_headers_sort_the_list_and_say_how(client, viewer, plan):
    client.force_login(viewer)
    response = client.get(reverse("actions:action_list"), {"sort": "ref", "group": plan["victim"].pk})
    assert _refs(response) == ["V1.1", "V1.2"]
    ref = next(c for c in response.context["columns"] if c["label"] == "Ref")
    assert ref["aria_sort"] == "ascending"
    assert "sort=-ref" in ref["url"] and f"group={plan['victim'].pk}" in ref["url"]
    assert 'aria-sort="ascending"' in response.content.decode()
    assert _refs(client.get(reverse("actions:action_list") + ref["url"])) == ["V1.2", "V1.1"]
