"""The API's filters. The strategy's actions are filtered by the action list's own FilterSet, read
through the caller's audience (strategy.permissions.api_actions_q) and its closed quarters."""

import django_filters
from django_filters.rest_framework import DjangoFilterBackend

from actions.filters import ActionFilter
from actions.models import Action, DeliveryGroup, Objective, locked_quarters
from performance.models import Indicator, IndicatorValue
from strategy import permissions

# Without a key, only filters on what the public pages show: no search of internal text or
# commentary, no leads, agencies, progress or live dates.
PUBLIC_ACTION_FILTERS = ("group", "objective", "as_at", "status", "rag", "change", "was_status", "was_rag")


def locked_quarters_once(strategy):
    """locked_quarters, read once per request and kept on the strategy: the view and its filter set
    each ask more than once."""
    if not hasattr(strategy, "_locked_quarters"):
        strategy._locked_quarters = locked_quarters(strategy)
    return strategy._locked_quarters


class APIActionFilter(ActionFilter):
    """ActionFilter for an API caller: `user` is the caller's key, or None."""

    def __init__(self, data=None, *args, strategy, user, **kwargs):
        super().__init__(data, *args, strategy=strategy, user=user, **kwargs)
        self.filters["as_at"].extra["error_messages"] = {
            "invalid_choice": "Give a closed quarter of this strategy, like 2025-Q2 (the strategy's closed_quarters)"
        }
        if user is None:
            # Status and RAG only as at a closed quarter: with none closed, there is nothing reviewed to filter.
            keep = PUBLIC_ACTION_FILTERS if self.quarter is not None else ("group", "objective")
            for name in [name for name in self.filters if name not in keep]:
                del self.filters[name]

    @staticmethod
    def readable_actions(strategy, user):
        return Action.objects.for_strategy(strategy).filter(permissions.api_actions_q(user, Action.scoping))

    @staticmethod
    def quarters(strategy):
        return locked_quarters_once(strategy)


class ActionFilterBackend(DjangoFilterBackend):
    """Hands the FilterSet the strategy and the caller's key, and the quarter the view reads as at."""

    def get_filterset_kwargs(self, request, queryset, view):
        data = request.query_params.copy()
        if view.quarter is not None:
            data["as_at"] = view.quarter.slug
        return {"data": data, "queryset": queryset, "strategy": view.strategy, "user": request.auth}


class StrategyItemFilter(django_filters.FilterSet):
    """By strategy id: a plain number, so an id the caller may not read is no different from none."""

    strategy = django_filters.NumberFilter(field_name="strategy_id", help_text="A strategy's id.")


class DeliveryGroupFilter(StrategyItemFilter):
    class Meta:
        model = DeliveryGroup
        fields = []


class ObjectiveFilter(django_filters.FilterSet):
    strategy = django_filters.NumberFilter(field_name="delivery_group__strategy_id", help_text="A strategy's id.")
    group = django_filters.NumberFilter(field_name="delivery_group_id", help_text="A delivery group's id.")

    class Meta:
        model = Objective
        fields = []


class APIIndicatorFilter(StrategyItemFilter):
    class Meta:
        model = Indicator
        fields = []


class IndicatorValueFilter(django_filters.FilterSet):
    strategy = django_filters.NumberFilter(field_name="indicator__strategy_id", help_text="A strategy's id.")
    indicator = django_filters.NumberFilter(field_name="indicator_id", help_text="An indicator's id.")

    class Meta:
        model = IndicatorValue
        fields = []
