"""Filters: the indicator list's, and the decision log's (further down).

The indicator list's filters: delivery group, objective, strategic objective and RAG.

Every choice comes from what the signed-in user may see. RAG is derived, not stored, so the view
applies that filter to the rows it has worked out (`IndicatorFilter.rag_wanted`).
"""

import django_filters
from django import forms
from django.db.models import Q

from actions.models import DeliveryGroup, Objective
from performance.models import Challenge, Indicator
from strategy import permissions
from strategy.models import Organisation, Person, StrategicObjective, Strategy

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
        self.filters["group"].queryset = groups.distinct().visible_to(user)
        objectives = Objective.objects.filter(delivery_group__strategy=strategy).filter(
            Q(indicators__in=visible) | Q(actions__indicators__in=visible)
        )
        self.filters["objective"].queryset = objectives.distinct().select_related("delivery_group").visible_to(user)
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


class DecisionFilter(django_filters.FilterSet):
    """The decision log's filters: state, overdue, owner (a person) and agency (a partner organisation,
    owning the decision itself or through the person who owns it). Choices are the user's partnership's."""

    strategy = django_filters.ModelChoiceFilter(
        label="Strategy",
        field_name="meeting__strategy",
        to_field_name="slug",
        queryset=Strategy.objects.none(),
        empty_label="All strategies",
    )
    state = django_filters.ChoiceFilter(label="State", choices=Challenge.State.choices, empty_label="Any state")
    overdue = django_filters.BooleanFilter(label="Overdue only", method="filter_overdue", widget=forms.CheckboxInput)
    owner = django_filters.ModelChoiceFilter(
        label="Owner", field_name="owner_person", queryset=Person.objects.none(), empty_label="Anyone"
    )
    agency = django_filters.ModelChoiceFilter(
        label="Agency", queryset=Organisation.objects.none(), method="filter_agency", empty_label="Any agency"
    )

    class Meta:
        model = Challenge
        fields = []

    def __init__(self, data=None, *args, user, today, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.today = today
        partnership = permissions.partnership_id(user)
        self.filters["strategy"].queryset = Strategy.objects.order_by("title").visible_to(user)
        self.filters["owner"].queryset = Person.objects.filter(partnership_id=partnership).order_by("name")
        self.filters["agency"].queryset = Organisation.objects.filter(partnership_id=partnership).order_by("name")

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue(self.today) if value else queryset

    def filter_agency(self, queryset, name, value):
        return queryset.filter(Q(owner_organisation=value) | Q(owner_person__organisation=value))
