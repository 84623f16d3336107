"""The back office for each role: what each may see and change, and that changes leave history."""

import datetime

import pytest
from django.urls import reverse

from actions.models import RAG, Action, Status, Update
from strategy.models import Strategy

ROLES = ["officer", "chair", "lead", "executive", "viewer", "outsider"]

CHANGELISTS = [
    "strategy_person",
    "strategy_organisation",
    "actions_deliverygroup",
    "actions_objective",
    "actions_action",
    "actions_update",
    "strategy_membership",
    "auth_user",
    "strategy_strategy",
    "strategy_strategicobjective",
    "strategy_partnership",
]


def form_data(response, **changes):
    """The data a browser would post back from an admin change form, with `changes` applied."""
    data = {}

    def add(form):
        for name in form.fields:
            bound = form[name]
            if bound.field.disabled:
                continue
            value = bound.value()
            if value is None or value is False:
                continue
            if isinstance(value, (list, tuple)):
                data[bound.html_name] = [str(item) for item in value]
            elif value is True:
                data[bound.html_name] = "on"
            else:
                data[bound.html_name] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    data.update(changes)
    return data


@pytest.mark.parametrize("role", ROLES)
def test_every_member_may_open_the_back_office(role, client, users):
    client.force_login(users[role])
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_back_office_asks_anonymous_users_to_sign_in(client, plan):
    response = client.get(reverse("admin:actions_action_changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_a_login_outside_any_partnership_is_refused(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("stray", password="x", is_staff=True))
    assert client.get(reverse("admin:index")).status_code == 302


@pytest.mark.parametrize(
    ("role", "refs"),
    [
        ("officer", {"V1.1", "V1.2", "O1.1", "O1.2", "C1.1"}),
        ("chair", {"V1.1", "V1.2", "O1.1", "O1.2"}),
        ("lead", {"V1.1", "V1.2", "O1.1", "O1.2"}),
        ("executive", {"V1.1", "V1.2", "O1.1", "O1.2", "C1.1"}),
        ("viewer", {"V1.1", "V1.2", "O1.1", "O1.2"}),
        ("outsider", {"X1.1"}),
    ],
)
def test_the_action_list_shows_each_role_only_what_they_may_see(role, refs, client, users, django_assert_num_queries):
    client.force_login(users[role])
    # session, user, membership+partnership, 2 counts, 2 permission lookups, the page of actions, their
    # lead links and people, 3 related-only filters; the outsider's one action has no lead, so no people
    # are fetched.
    with django_assert_num_queries(12 if role == "outsider" else 13):
        response = client.get(reverse("admin:actions_action_changelist"))
    assert response.status_code == 200
    shown = {action.ref for action in response.context["cl"].result_list}
    assert shown == refs


@pytest.mark.parametrize(
    ("role", "ref", "may_change"),
    [
        ("officer", "O1.1", True),
        ("chair", "V1.2", True),
        ("chair", "O1.1", False),
        ("lead", "V1.1", True),
        ("lead", "O1.1", False),
        ("executive", "V1.1", False),
        ("viewer", "V1.1", False),
    ],
)
def test_an_action_change_records_an_update_only_for_those_allowed(role, ref, may_change, client, users):
    action = Action.objects.get(ref=ref)
    url = reverse("admin:actions_action_change", args=[action.pk])
    client.force_login(users["officer"])
    data = form_data(
        client.get(url),
        status=Status.IN_PROGRESS,
        rag=RAG.AMBER,
        progress="40",
        update_commentary="Recruitment delayed; interim cover agreed",
    )
    client.force_login(users[role])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["has_change_permission"] is may_change
    response = client.post(url, data)
    action.refresh_from_db()
    if may_change:
        assert response.status_code == 302, response.context["adminform"].form.errors
        assert (action.status, action.rag, action.progress) == (Status.IN_PROGRESS, RAG.AMBER, 40)
        update = action.latest_update
        assert (update.created_by, update.source) == (users[role], Update.Source.ADMIN)
        assert update.commentary == "Recruitment delayed; interim cover agreed"
    else:
        assert response.status_code == 403
        assert action.status == Status.NOT_STARTED
        assert not action.updates.exists()


def test_a_lead_cannot_change_the_shape_of_the_plan_through_the_back_office(client, users, plan):
    action = plan["v1_1"]
    url = reverse("admin:actions_action_change", args=[action.pk])
    client.force_login(users["officer"])
    data = form_data(
        client.get(url), text="Rewritten by the lead", ref="V9.9", progress="10", update_commentary="Progressing"
    )
    client.force_login(users["lead"])
    client.post(url, data)
    action.refresh_from_db()
    assert (action.text, action.ref, action.progress) == ("Action V1.1", "V1.1", 10)


def test_an_officer_of_another_partnership_cannot_open_this_ones_actions(client, users, plan):
    client.force_login(users["outsider"])
    response = client.get(reverse("admin:actions_action_change", args=[plan["v1_1"].pk]))
    assert response.status_code == 302  # the admin's "does not exist" redirect: existence is not confirmed
    assert client.get(reverse("admin:strategy_strategy_change", args=[plan["strategy"].pk])).status_code == 302


@pytest.mark.parametrize(("role", "may_add"), [(role, role == "officer") for role in ROLES if role != "outsider"])
def test_only_officers_add_strategies(role, may_add, client, users, plan):
    client.force_login(users[role])
    response = client.post(
        reverse("admin:strategy_strategy_add"),
        {
            "title": "Strategy 2027-2030",
            "slug": "s-2027-2030",
            "start_date": "01/04/2027",
            "end_date": "31/03/2030",
            "status": "draft",
            "marking": "official",
            "principles-TOTAL_FORMS": "0",
            "principles-INITIAL_FORMS": "0",
            "strategic_objectives-TOTAL_FORMS": "0",
            "strategic_objectives-INITIAL_FORMS": "0",
        },
    )
    created = Strategy.objects.filter(slug="s-2027-2030").first()
    if may_add:
        assert response.status_code == 302
        assert created.partnership == plan["partnership"]
    else:
        assert response.status_code == 403
        assert created is None


def test_choices_offer_only_the_users_partnership(client, users, plan, elsewhere):
    client.force_login(users["officer"])
    response = client.get(reverse("admin:actions_objective_add"))
    groups = response.context["adminform"].form.fields["delivery_group"].queryset
    assert set(groups) == {plan["victim"], plan["offender"], plan["contest"]}


def test_the_history_cannot_be_edited_or_deleted_in_the_back_office(client, users, plan):
    update = plan["v1_1"].record_update(by=users["lead"], status=Status.IN_PROGRESS, rag=RAG.GREEN, progress=5)
    client.force_login(users["officer"])
    assert client.post(reverse("admin:actions_update_delete", args=[update.pk]), {"post": "yes"}).status_code == 403
    assert Update.objects.filter(pk=update.pk).exists()


@pytest.mark.parametrize(
    "model",
    [
        "strategy_person",
        "strategy_organisation",
        "actions_deliverygroup",
        "actions_objective",
        "actions_update",
        "strategy_membership",
        "auth_user",
        "strategy_strategy",
        "strategy_strategicobjective",
        "strategy_partnership",
    ],
)
def test_every_back_office_list_opens_for_an_officer(model, client, users, plan):
    client.force_login(users["officer"])
    assert client.get(reverse(f"admin:{model}_changelist")).status_code == 200


def test_an_officer_manages_only_their_partnerships_logins(client, users):
    client.force_login(users["officer"])
    response = client.get(reverse("admin:auth_user_changelist"))
    usernames = {user.username for user in response.context["cl"].result_list}
    assert usernames == {"officer", "chair", "lead", "executive", "viewer"}


@pytest.mark.parametrize("model", CHANGELISTS)
def test_no_back_office_list_or_filter_names_another_partnerships_rows(model, client, users, plan):
    plan["v1_1"].record_update(by=users["lead"], status=Status.IN_PROGRESS, rag=RAG.GREEN, progress=5)
    client.force_login(users["outsider"])
    content = client.get(reverse(f"admin:{model}_changelist")).content.decode()
    for secret in [
        "Test strategy 2024-2027",
        "Test Community Safety Partnership",
        "Lena Lead",
        "Test Police",
        "Identify repeat victims",
        "Carla Chair",
    ]:
        assert secret not in content


def test_an_update_in_the_back_office_follows_the_update_forms_rules(client, users):
    action = Action.objects.get(ref="V1.1")
    url = reverse("admin:actions_action_change", args=[action.pk])
    client.force_login(users["officer"])
    data = form_data(client.get(url), status=Status.DEFERRED, progress="20")
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["update_commentary"] == ["Enter a commentary saying why the action is deferred"]
    assert errors["update_approved_by"] == ["Enter who approved the action being deferred"]
    assert errors["revised_due_date"] == ["Enter a revised due date for a deferred action, like 31/03/2026"]
    action.refresh_from_db()
    assert action.status == Status.NOT_STARTED and not action.updates.exists()

    data = form_data(client.get(url), status=Status.ONGOING, rag=RAG.RED, progress="20")
    errors = client.post(url, data).context["adminform"].form.errors
    assert set(errors) == {"update_commentary", "revised_due_date"}

    data.update(
        status=Status.DEFERRED,
        rag="",
        update_commentary="Funding moved to next year",
        update_approved_by="Executive Group, 28 January 2025",
        revised_due_date="31/03/2026",
    )
    assert client.post(url, data).status_code == 302
    update = Action.objects.get(pk=action.pk).latest_update
    assert (update.status, update.approved_by, update.source) == (
        Status.DEFERRED,
        "Executive Group, 28 January 2025",
        Update.Source.ADMIN,
    )
    # A change to the action's wording alone is not an update, and needs none of this.
    data = form_data(client.get(url), text="Identify repeat victims sooner")
    assert client.post(url, data).status_code == 302
    assert Action.objects.get(pk=action.pk).updates.count() == 1


def test_a_back_office_save_does_not_silently_override_a_later_update(client, users, plan):
    """A lead opens the action in the back office; the chair then marks it Red on the site. The lead's
    save is refused with what changed, keeping what they typed; saving again, having seen it, replaces it."""
    action = plan["v1_1"]
    url = reverse("admin:actions_action_change", args=[action.pk])
    client.force_login(users["lead"])
    data = form_data(
        client.get(url), status=Status.IN_PROGRESS, rag=RAG.GREEN, progress="60", update_commentary="On track"
    )
    red = action.record_update(
        by=users["chair"],
        status=Status.IN_PROGRESS,
        rag=RAG.RED,
        progress=30,
        commentary="Partner withdrew funding",
        revised_due_date=datetime.date(2026, 3, 31),
    )
    response = client.post(url, data)
    assert response.status_code == 200
    form = response.context["adminform"].form
    (message,) = form.non_field_errors()
    assert message.startswith("chair updated this action after you opened this page (In progress, Red, 30%")
    assert form["progress"].value() == "60"  # what the lead typed is kept
    action.refresh_from_db()
    assert (action.rag, action.latest_update_id, action.updates.count()) == (RAG.RED, red.pk, 1)

    again = form_data(response)
    assert again["seen_update"] == str(red.pk)
    assert client.post(url, again).status_code == 302
    action.refresh_from_db()
    assert (action.rag, action.progress, action.updates.count()) == (RAG.GREEN, 60, 2)


def test_a_back_office_update_while_one_awaits_sign_off_is_a_message_not_an_error(client, users, plan):
    Strategy.objects.filter(pk=plan["strategy"].pk).update(requires_sign_off=True)
    action = Action.objects.get(pk=plan["v1_1"].pk)
    pending = action.record_update(by=users["lead"], status=Status.IN_PROGRESS, rag=RAG.GREEN, progress=10)
    assert pending.review_state == Update.ReviewState.SUBMITTED
    url = reverse("admin:actions_action_change", args=[action.pk])
    client.force_login(users["lead"])
    data = form_data(client.get(url), status=Status.IN_PROGRESS, rag=RAG.GREEN, progress="20")
    response = client.post(url, data)
    assert response.status_code == 200
    (message,) = response.context["adminform"].form.non_field_errors()
    assert message.startswith("An update to V1.1 is already waiting for sign-off")
    assert list(action.updates.values_list("pk", flat=True)) == [pending.pk]
