"""The read-only JSON API (/api/v1/). Every queryset is cut by strategy.permissions.api_*_q for the
caller (request.auth: their key, or None); what is not theirs to read is a plain 404, as on the
public pages. Only GET: any other method is 405 for everyone."""

import datetime
import math

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, viewsets

from actions.models import PLAN_ORDER, Action, ActionLead, DeliveryGroup, Objective
from api import filters, serializers
from performance.models import Indicator, IndicatorValue, UpdateRound
from strategy import permissions
from strategy.models import Partnership, Strategy

PUBLIC_CACHE_SECONDS = 300


class TooManyRequests(exceptions.Throttled):
    """429 with Retry-After (DRF sets it from `wait`) and a sentence saying when to try again."""

    def __init__(self, wait):
        wait = max(1, math.ceil(wait or 1))
        at = timezone.localtime(timezone.now() + datetime.timedelta(seconds=wait))
        super().__init__(
            detail=f"Too many requests. Try again in {wait} second{'s' if wait != 1 else ''}, at {at:%H:%M:%S} UK time."
        )
        self.wait = wait


class ReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    key_serializer_class = None

    @property
    def key(self):
        return self.request.auth

    def get_serializer_class(self):
        if permissions.api_reads_internal_fields(self.key) and self.key_serializer_class:
            return self.key_serializer_class
        return self.serializer_class

    def throttled(self, request, wait):
        raise TooManyRequests(wait)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ["Authorization"])
        if request.auth is None and response.status_code == 200:
            patch_cache_control(response, public=True, max_age=PUBLIC_CACHE_SECONDS)
        else:
            patch_cache_control(response, private=True, no_store=True)
        return response


class PartnershipViewSet(ReadOnlyViewSet):
    """Partnerships: without a key, those with a public page; with a key, its own."""

    serializer_class = serializers.PartnershipSerializer

    def get_queryset(self):
        return Partnership.objects.filter(permissions.api_partnerships_q(self.key)).order_by("name", "pk")


class StrategyViewSet(ReadOnlyViewSet):
    """Strategies: without a key, the published ones; with a key, its partnership's up to its clearance."""

    serializer_class = serializers.StrategySerializer
    key_serializer_class = serializers.KeyStrategySerializer
    filterset_class = None

    def get_queryset(self):
        return (
            Strategy.objects.filter(permissions.api_strategies_q(self.key))
            .prefetch_related(
                "principles",
                "strategic_objectives",
                Prefetch("update_rounds", queryset=UpdateRound.objects.closed(), to_attr="closed_rounds"),
            )
            .order_by("partnership_id", "-start_date", "pk")
        )


class DeliveryGroupViewSet(ReadOnlyViewSet):
    serializer_class = serializers.DeliveryGroupSerializer
    key_serializer_class = serializers.KeyDeliveryGroupSerializer
    filterset_class = filters.DeliveryGroupFilter

    def get_queryset(self):
        groups = DeliveryGroup.objects.filter(permissions.api_groups_q(self.key, DeliveryGroup.scoping))
        if self.key is not None:
            groups = groups.select_related("chair")
        return groups.order_by("strategy_id", "position", "name", "pk")


class ObjectiveViewSet(ReadOnlyViewSet):
    serializer_class = serializers.ObjectiveSerializer
    key_serializer_class = serializers.KeyObjectiveSerializer
    filterset_class = filters.ObjectiveFilter

    def get_queryset(self):
        return (
            Objective.objects.filter(permissions.api_objectives_q(self.key, Objective.scoping))
            .select_related("delivery_group")
            .order_by("delivery_group__strategy_id", "delivery_group__position", "number", "pk")
        )


AS_AT = OpenApiParameter(
    "as_at",
    str,
    description="A closed quarter of the strategy, like 2025-Q2 (its `closed_quarters`): every action as it stood "
    "at the end of that quarter. Without it: with a key, the state now; without a key, as at the last "
    "closed quarter (the public pages' reviewed figures).",
)


@extend_schema_view(
    list=extend_schema(parameters=[AS_AT], description="A strategy's actions, in plan order, with their state."),
    retrieve=extend_schema(parameters=[AS_AT]),
)
class ActionViewSet(ReadOnlyViewSet):
    """A strategy's actions (/api/v1/strategies/<id>/actions/), filtered as the action list is."""

    serializer_class = serializers.ActionSerializer
    key_serializer_class = serializers.KeyActionSerializer
    filter_backends = [filters.ActionFilterBackend]
    filterset_class = filters.APIActionFilter

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not hasattr(self, request.method.lower()):
            return  # 405 for any method but GET, whatever the strategy, as on every other endpoint
        self.strategy = get_object_or_404(
            Strategy.objects.filter(permissions.api_strategies_q(self.key)), pk=self.kwargs["strategy_pk"]
        )
        self.quarter = self._quarter()

    def _quarter(self):
        """The closed quarter asked for; if none and there is no key, the last closed one."""
        closed = filters.locked_quarters_once(self.strategy)
        asked = self.request.query_params.get("as_at")
        if asked:
            quarter = filters.APIActionFilter.quarter_as_at({"as_at": asked}, self.strategy)
            if quarter is None:
                raise exceptions.ValidationError(
                    {"as_at": ["Give a closed quarter of this strategy, like 2025-Q2 (the strategy's closed_quarters)"]}
                )
            return quarter
        if self.key is None and closed:
            return closed[0]
        return None

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if hasattr(self, "strategy"):
            context.update(quarter=self.quarter, live=self.key is not None)
        return context

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema asks without a strategy
            return Action.objects.none()
        actions = (
            Action.objects.for_strategy(self.strategy)
            .filter(permissions.api_actions_q(self.key, Action.scoping))
            .as_at_end_of(self.quarter)
            .select_related("objective")
            .order_by(*PLAN_ORDER)
        )
        if self.quarter is not None:
            actions = actions.with_public_note_as_at(self.quarter)
        if self.key is not None:
            leads = ActionLead.objects.select_related("person").order_by("position")
            actions = actions.select_related("lead_organisation").prefetch_related(
                Prefetch("lead_links", queryset=leads)
            )
        return actions


class IndicatorViewSet(ReadOnlyViewSet):
    serializer_class = serializers.IndicatorSerializer
    key_serializer_class = serializers.KeyIndicatorSerializer
    filterset_class = filters.APIIndicatorFilter

    def get_queryset(self):
        return Indicator.objects.filter(permissions.api_indicators_q(self.key, Indicator.scoping)).order_by(
            "strategy_id", "ref_sort", "pk"
        )


class IndicatorValueViewSet(ReadOnlyViewSet):
    """Indicators' current values (each period's latest figure), by indicator and period."""

    serializer_class = serializers.IndicatorValueSerializer
    key_serializer_class = serializers.KeyIndicatorValueSerializer
    filterset_class = filters.IndicatorValueFilter

    def get_queryset(self):
        indicators = Indicator.objects.filter(permissions.api_indicators_q(self.key, Indicator.scoping))
        return (
            IndicatorValue.objects.current()
            .filter(indicator__in=indicators)
            .select_related("indicator")
            .order_by("indicator__strategy_id", "indicator__ref", "period_start", "pk")
        )
