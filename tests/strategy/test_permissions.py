"""The rules of `strategy.permissions`, as a matrix of role x action."""

import pytest
from django.contrib import admin
from django.core.exceptions import ImproperlyConfigured

from actions.models import Action, Update
from performance.models import Challenge, Meeting
from strategy import audit, permissions
from strategy.admin import ScopedAdmin
from strategy.models import PasswordResetRequest, Strategy
from strategy.scoping import Scoping

# Which of the plan's actions each role may update. C1.1 is OFFICIAL-SENSITIVE.
MAY_UPDATE = {
    "officer": {"V1.1", "V1.2", "O1.1", "O1.2", "C1.1"},
    "chair": {"V1.1", "V1.2"},  # chairs Victim
    "lead": {"V1.1", "V1.2", "O1.2"},  # leads (or co-leads) these
    "executive": set(),
    "viewer": set(),
    "outsider": set(),
}
MAY_SEE = {
    "officer": {"V1.1", "V1.2", "O1.1", "O1.2", "C1.1"},
    "chair": {"V1.1", "V1.2", "O1.1", "O1.2"},
    "lead": {"V1.1", "V1.2", "O1.1", "O1.2"},
    "executive": {"V1.1", "V1.2", "O1.1", "O1.2", "C1.1"},
    "viewer": {"V1.1", "V1.2", "O1.1", "O1.2"},
    "outsider": set(),
}


@pytest.mark.parametrize("role", MAY_UPDATE)
def test_who_may_update_each_action(role, plan, users):
    user = users[role]
    refs = {"V1.1", "V1.2", "O1.1", "O1.2", "C1.1"}
    allowed = {ref for ref in refs if permissions.can_update_action(user, Action.objects.get(ref=ref))}
    assert allowed == MAY_UPDATE[role]
    queryset = Action.objects.filter(strategy=plan["strategy"]).updatable_by(user)
    assert set(queryset.values_list("ref", flat=True)) == MAY_UPDATE[role]


@pytest.mark.parametrize("role", MAY_SEE)
def test_who_may_see_each_action(role, plan, users):
    user = users[role]
    visible = set(Action.objects.filter(strategy=plan["strategy"]).visible_to(user).values_list("ref", flat=True))
    assert visible == MAY_SEE[role]
    for ref in {"V1.1", "V1.2", "O1.1", "O1.2", "C1.1"}:
        assert permissions.can_view_action(user, Action.objects.get(ref=ref)) == (ref in MAY_SEE[role])


def test_an_outsider_sees_only_their_own_partnership(plan, elsewhere, outsider):
    assert list(Strategy.objects.visible_to(outsider)) == [elsewhere["strategy"]]
    assert list(Action.objects.visible_to(outsider)) == [elsewhere["action"]]


def test_anonymous_and_unattached_users_see_nothing(plan, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    stray = django_user_model.objects.create_user("stray", password="x")
    for user in (AnonymousUser(), stray):
        assert not Action.objects.visible_to(user).exists()
        assert not Update.objects.visible_to(user).exists()
        assert not permissions.can_update_action(user, plan["v1_1"])


def test_a_superuser_sees_and_updates_everything(plan, elsewhere, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="x")
    assert Action.objects.visible_to(root).count() == 6
    assert permissions.can_update_action(root, plan["c1_1"])


def test_only_officers_manage_a_strategy(plan, users):
    allowed = {role for role, user in users.items() if permissions.can_manage_strategy(user, plan["strategy"])}
    assert allowed == {"officer"}


def test_an_archived_action_cannot_be_updated(plan, users):
    from django.utils import timezone

    action = plan["v1_1"]
    action.archived_at = timezone.now()
    action.save()
    assert not permissions.can_update_action(users["officer"], action)


def test_every_audited_and_back_office_model_declares_its_scoping():
    audited = [each.history for each in audit.AUDITED.values()]
    scoped_admin = [
        model for model, model_admin in admin.site._registry.items() if isinstance(model_admin, ScopedAdmin)
    ]
    assert audited and scoped_admin
    assert [model for model in (*audited, *scoped_admin) if permissions.scoping_of(model) is None] == []


def test_a_scoping_seen_through_a_link():
    assert Update.scoping == Scoping(
        partnership="action__strategy__partnership",
        marking=(
            "action__marking",
            "action__objective__marking",
            "action__objective__delivery_group__marking",
            "action__strategy__marking",
        ),
    )
    assert Meeting.scoping.through("meeting", marking=("marking",)) == Scoping(
        partnership="meeting__strategy__partnership",
        marking=("marking", "meeting__strategy__marking"),
        marking_if_linked=("meeting__delivery_group__marking",),
    )


def test_a_scoping_beyond_a_row_already_seen_leaves_that_rows_markings_out():
    # An action page's challenges: the action's markings were checked when the action was found, and
    # a challenge about an action is about no objective or group.
    assert Challenge.scoping.beyond("action") == Scoping(
        partnership="meeting__strategy__partnership",
        marking=("meeting__strategy__marking",),
        marking_if_linked=("meeting__delivery_group__marking",),
        one_of=("action", "objective", "delivery_group"),
    )
    # Beyond a link that is not one of them, the others stay.
    assert Challenge.scoping.beyond("meeting").marking_if_linked == (
        "action__marking",
        "action__objective__marking",
        "action__objective__delivery_group__marking",
        "action__strategy__marking",
        "objective__marking",
        "objective__delivery_group__marking",
        "delivery_group__marking",
    )


def test_a_model_without_a_scoping_is_refused_rather_than_shown_whole(plan, users):
    with pytest.raises(ImproperlyConfigured, match="PasswordResetRequest declares no scoping"):
        permissions.scope(PasswordResetRequest.objects.all(), users["officer"])
