"""The rules of `strategy.permissions`, as a matrix of role x action."""

import pytest

from actions.models import Action, Update
from strategy import permissions
from strategy.models import Strategy

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
