"""The indicator list's filters: delivery group, objective, strategic objective and RAG.

Every choice comes from what the signed-in user may see. RAG is derived, not stored, so the view
applies that filter to the rows it has worked out (`IndicatorFilter.rag_wanted`).
"""

import django_filters
from django import forms
from django.db.models import Q

from actions.models import DeliveryGroup, Objective
from performance.models import Indicator
from strategy import permissions
from strategy.models import StrategicObjective

RAG_CHOICES = [
    ("green", "Green"),
    ("amber", "Amber"),
    ("red", "Red"),
    ("none", "No data or no target"),
]


class IndicatorFilter(django_filters.FilterSet):
    group = django_filters.ModelChoiceFilter(
        label="Delivery group", queryset=DeliveryGroup.objects.none(), method="filter_group", empty_label="All groups"
    )
    objective = django_filters.ModelChoiceFilter(
        label="Objective", queryset=Objective.objects.none(), method="filter_objective", empty_label="All objectives"
    )
    priority = django_filters.ModelChoiceFilter(
        label="Strategic objective",
        queryset=StrategicObjective.objects.none(),
        method="filter_priority",
        empty_label="All strategic objectives",
    )
    rag = django_filters.MultipleChoiceFilter(
        label="RAG", choices=RAG_CHOICES, method="filter_rag", widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Indicator
        fields = []

    def __init__(self, data=None, *args, strategy, user, **kwargs):
        super().__init__(data, *args, **kwargs)
        visible = Indicator.objects.for_strategy(strategy).visible_to(user)
        groups = DeliveryGroup.objects.filter(strategy=strategy).filter(
            Q(pk__in=visible.values("delivery_group"))
            | Q(objectives__in=Objective.objects.filter(indicators__in=visible))
            | Q(objectives__actions__indicators__in=visible)
        )
        self.filters["group"].queryset = permissions.scope(
            groups.distinct(), user, partnership="strategy__partnership", marking=("marking",)
        )
        objectives = Objective.objects.filter(delivery_group__strategy=strategy).filter(
            Q(indicators__in=visible) | Q(actions__indicators__in=visible)
        )
        self.filters["objective"].queryset = permissions.scope(
            objectives.distinct().select_related("delivery_group"),
            user,
            partnership="delivery_group__strategy__partnership",
            marking=("marking", "delivery_group__marking"),
        )
        self.filters["objective"].field.label_from_instance = lambda objective: (
            f"{objective.delivery_group.name} {objective.number}: {objective.title}"
        )
        self.filters["priority"].queryset = StrategicObjective.objects.filter(strategy=strategy)

    def filter_group(self, queryset, name, value):
        return queryset.filter(
            Q(delivery_group=value) | Q(objectives__delivery_group=value) | Q(actions__objective__delivery_group=value)
        ).distinct()

    def filter_objective(self, queryset, name, value):
        return queryset.filter(Q(objectives=value) | Q(actions__objective=value)).distinct()

    def filter_priority(self, queryset, name, value):
        return queryset.filter(
            Q(strategic_objectives=value)
            | Q(objectives__strategic_objective=value)
            | Q(actions__objective__strategic_objective=value)
        ).distinct()

    def filter_rag(self, queryset, name, value):
        return queryset  # applied to the worked-out rows: see rag_wanted

    def rag_wanted(self, row):
        wanted = self.form.cleaned_data.get("rag") if self.form.is_valid() else None
        if not wanted:
            return True
        colour = row.rag[0] if row.rag else None
        return colour in wanted or ("none" in wanted and colour not in ("green", "amber", "red"))
