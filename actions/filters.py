"""The action list's filters: every choice limited to what the signed-in user may see."""

import django_filters
from django import forms
from django.db.models import CharField, Exists, F, OuterRef, Q, TextField, Value
from django.db.models.functions import Cast, Concat
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.functional import cached_property

from actions.models import (
    PLAN_ORDER,
    RAG,
    Action,
    Change,
    DeliveryGroup,
    Objective,
    Status,
    ended_quarters,
)
from strategy.models import Organisation, Person
from strategy.periods import Quarter
from strategy.widgets import LongSelect

SORTS = {
    "ref": "Reference",
    "due_date": "Due date",
    "status": "Status",
    "rag": "RAG",
    "progress": "Progress",
    "updated": "Last updated",
}
# References sort naturally (L1.8 before L1.11), by the column kept for it.
SORT_FIELDS = {
    "last_updated_at": "updated",
    "ref_sort": "ref",
    **{key: key for key in SORTS if key not in ("updated", "ref")},
}


class PlanOrderingFilter(django_filters.OrderingFilter):
    """Sorts by the chosen column, then in plan order; with no choice, in plan order."""

    def filter(self, qs, value):
        if value in django_filters.constants.EMPTY_VALUES:
            return qs.order_by(*PLAN_ORDER)
        return qs.order_by(*(self.get_ordering_value(param) for param in value), *PLAN_ORDER)


class LabelledChoiceIterator(ModelChoiceIterator):
    """Each option as its key and the `choice_label` its queryset annotates, read as plain rows: no
    model instance per option, where a large plan offers hundreds of leads and objectives."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.options is not None:
            yield from self.field.options()
        else:
            yield from self.queryset.values_list("pk", "choice_label")


class LabelledChoiceField(django_filters.fields.ModelChoiceField):
    iterator = LabelledChoiceIterator

    def __init__(self, *args, options=None, **kwargs):
        # `options`, when given, reads the (key, label) rows another way than from the queryset, which
        # still checks a submitted key.
        self.options = options
        super().__init__(*args, **kwargs)


class LabelledChoiceFilter(django_filters.ModelChoiceFilter):
    """A ModelChoiceFilter whose queryset annotates each option's text as `choice_label`."""

    field_class = LabelledChoiceField


class ActionFilter(django_filters.FilterSet):
    """Filters on one strategy's actions; the view passes the strategy and the user."""

    q = django_filters.CharFilter(
        label="Search", method="filter_text", help_text="Words in the action, its KPI or its latest commentary."
    )
    group = LabelledChoiceFilter(
        label="Delivery group",
        field_name="objective__delivery_group",
        queryset=DeliveryGroup.objects.none(),
        empty_label="All groups",
        widget=LongSelect,
    )
    objective = LabelledChoiceFilter(
        label="Objective", queryset=Objective.objects.none(), empty_label="All objectives", widget=LongSelect
    )
    lead = LabelledChoiceFilter(
        label="Lead", field_name="leads", queryset=Person.objects.none(), empty_label="All leads", widget=LongSelect
    )
    status = django_filters.MultipleChoiceFilter(
        label="Status", choices=Status.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    # distinct=False: a column of the action itself cannot repeat a row, and SELECT DISTINCT made
    # PostgreSQL sort every matching action before it could count or page them.
    rag = django_filters.MultipleChoiceFilter(
        label="RAG", choices=RAG.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    overdue = django_filters.BooleanFilter(label="Overdue only", method="filter_overdue", widget=forms.CheckboxInput)
    due_after = django_filters.DateFilter(
        label="Due on or after", field_name="due_date", lookup_expr="gte", help_text="For example, 01/04/2025"
    )
    due_before = django_filters.DateFilter(
        label="Due on or before", field_name="due_date", lookup_expr="lte", help_text="For example, 31/03/2026"
    )
    not_updated_since = django_filters.DateFilter(
        label="Not updated since", method="filter_not_updated_since", help_text="For example, 01/01/2026"
    )
    # The quarterly review's links: status as at the end of a past quarter, and what changed in it.
    as_at = django_filters.ChoiceFilter(
        label="As at the end of",
        method="filter_as_at",
        empty_label="Now",
        widget=LongSelect,
        help_text="Show each action's status, RAG and progress as they stood at the end of a past quarter.",
        error_messages={"invalid_choice": "Choose a quarter of this strategy that has ended, from the list"},
    )
    change = django_filters.ChoiceFilter(
        label="Change in the quarter",
        choices=Change.choices,
        method="filter_change",
        empty_label="Any",
        widget=LongSelect,
        help_text="Compared with the end of the quarter before (the current quarter when no quarter is chosen).",
    )
    was_status = django_filters.MultipleChoiceFilter(
        label="Status at the end of the quarter before",
        choices=Status.choices,
        method="filter_was",
        widget=forms.CheckboxSelectMultiple,
        help_text="Actions that were in the plan a quarter earlier, by their status then.",
    )
    was_rag = django_filters.MultipleChoiceFilter(
        label="RAG at the end of the quarter before",
        choices=RAG.choices,
        method="filter_was",
        widget=forms.CheckboxSelectMultiple,
        help_text="Actions that were in the plan a quarter earlier, by their RAG then.",
    )
    no_update = django_filters.BooleanFilter(
        label="No update in the quarter", method="filter_no_update", widget=forms.CheckboxInput
    )
    due_next = django_filters.BooleanFilter(
        label="Due in the next quarter", method="filter_due_next", widget=forms.CheckboxInput
    )
    agency = LabelledChoiceFilter(
        label="Partner agency",
        queryset=Organisation.objects.none(),
        method="filter_agency",
        empty_label="All agencies",
        widget=LongSelect,
        help_text="Actions the agency leads or contributes to.",
    )
    agency_role = django_filters.ChoiceFilter(
        label="The agency's part",
        choices=[("lead", "Leads"), ("contributor", "Contributes")],
        method="filter_agency_role",
        empty_label="Leads or contributes",
        widget=LongSelect,
    )
    sort = PlanOrderingFilter(
        label="Sort by",
        fields=SORT_FIELDS,
        field_labels={field: SORTS[param] for field, param in SORT_FIELDS.items()},
        empty_label="Plan order",
        widget=LongSelect,
    )

    class Meta:
        model = Action
        fields = []

    # The quarterly review's filters, which the page folds away until one is used: most visitors
    # are leads looking at their actions now, and the review links here with them set.
    REVIEW_FIELDS = ("as_at", "change", "was_status", "was_rag", "no_update", "due_next")

    @property
    def review_filters_used(self):
        """Whether any review filter was given a value (so also whether one can show an error)."""
        return any(self.form.data.get(name) for name in self.REVIEW_FIELDS)

    def __init__(self, data=None, *args, strategy, user, **kwargs):
        super().__init__(data, *args, **kwargs)
        # Choices come only from actions the user may see, so no hidden group's name shows up here.
        visible = self.readable_actions(strategy, user)
        # Each choice is kept if one visible action uses it: an EXISTS probe per choice stops at the
        # first such action (through the foreign key's index), where IN (...) read the whole plan.
        # Each list starts from the strategy's or partnership's own rows, so its cost stays flat in
        # the number of other partnerships on the deployment.
        # Both lists are one strategy's, so they are ordered without the strategy and partnership
        # that the groups' default ordering names first (and would join).
        self.filters["group"].queryset = (
            DeliveryGroup.objects.filter(
                Exists(visible.filter(objective__delivery_group=OuterRef("pk"))), strategy=strategy
            )
            .annotate(choice_label=F("name"))
            .order_by("position", "name")
        )
        self.filters["objective"].queryset = (
            Objective.objects.filter(
                Exists(visible.filter(objective=OuterRef("pk"))), delivery_group__strategy=strategy
            )
            .annotate(
                choice_label=Concat(
                    "delivery_group__name",
                    Value(" "),
                    Cast("number", CharField()),
                    Value(": "),
                    "title",
                    output_field=TextField(),
                )
            )
            .order_by("delivery_group__position", "delivery_group__name", "number")
        )
        # A group is offered when one of its objectives is (an action's group is its objective's), so
        # both lists are read from the objectives' rows, in one query.
        self.filters["group"].extra["options"] = self._group_options
        self.filters["objective"].extra["options"] = self._objective_options
        self.filters["lead"].queryset = Person.objects.filter(
            Exists(visible.filter(leads=OuterRef("pk"))), partnership_id=strategy.partnership_id
        ).annotate(choice_label=F("name"))
        # One probe through either link: two, each over the visible plan, took the database longer
        # to plan than to run.
        leads_or_contributes = Q(lead_organisation=OuterRef("pk")) | Q(contributing_organisations=OuterRef("pk"))
        self.filters["agency"].queryset = Organisation.objects.filter(
            Exists(visible.filter(leads_or_contributes)), partnership_id=strategy.partnership_id
        ).annotate(choice_label=F("name"))
        self.filters["as_at"].extra["choices"] = [(q.slug, f"{q} ({q.end:%d/%m/%Y})") for q in self.quarters(strategy)]
        self.quarter = self.quarter_as_at(data, strategy)
        if self.quarter is not None:
            # Status, RAG and progress are read as they stood then (ActionQuerySet.with_state_as_at).
            self.filters["status"].field_name = "as_at_status"
            self.filters["rag"].field_name = "as_at_rag"
            self.filters["sort"].param_map = {
                **self.filters["sort"].param_map,
                "status": "as_at_status",
                "rag": "as_at_rag",
                "progress": "as_at_progress",
                "updated": "as_at_recorded_at",
            }

    @cached_property
    def _objective_rows(self):
        """(key, label, group key, group name) of each objective offered, in the groups' order."""
        objectives = self.filters["objective"].queryset
        return list(objectives.values_list("pk", "choice_label", "delivery_group_id", "delivery_group__name"))

    def _objective_options(self):
        return [(pk, label) for pk, label, _, _ in self._objective_rows]

    def _group_options(self):
        return list(dict.fromkeys((group, name) for _, _, group, name in self._objective_rows))

    # The API's filter set (api/filters.py) reads other actions and quarters through these two.
    @staticmethod
    def readable_actions(strategy, user):
        return Action.objects.for_strategy(strategy).visible_to(user)

    @staticmethod
    def quarters(strategy):
        """The quarters `as_at` may name, newest first: here every ended one."""
        return ended_quarters(strategy)

    @classmethod
    def quarter_as_at(cls, data, strategy):
        """The quarter of `strategy` named by the `as_at` parameter (2020-Q2), if it is one of
        `quarters`, or None."""
        try:
            quarter = Quarter.from_slug((data or {}).get("as_at", ""))
        except ValueError:
            return None
        return quarter if quarter in cls.quarters(strategy) else None

    def filter_as_at(self, queryset, name, value: str):
        return queryset  # the view reads the base queryset as at the quarter (ActionQuerySet.existing_at)

    def filter_change(self, queryset, name, value):
        return queryset.changed(value, self.quarter or Quarter.current()) if value else queryset

    def filter_was(self, queryset, name, value):
        if not value:
            return queryset
        quarter = self.quarter or Quarter.current()
        if name == "was_status":
            return queryset.was_before(quarter, statuses=value)
        return queryset.was_before(quarter, rags=value)

    def filter_no_update(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.not_updated_in(self.quarter) if self.quarter else queryset.needing_update(Quarter.current())

    def filter_due_next(self, queryset, name, value):
        if not value:
            return queryset
        if self.quarter:
            return queryset.due_in_quarter_after(self.quarter)
        return queryset.due_in(Quarter.current().next())

    def filter_agency(self, queryset, name, value: Organisation | None):
        if not value:
            return queryset
        role = self.form.cleaned_data.get("agency_role")
        contributes = Q(
            pk__in=Action.contributing_organisations.through.objects.filter(organisation=value).values("action_id")
        )
        if role == "lead":
            return queryset.filter(lead_organisation=value)
        if role == "contributor":
            return queryset.filter(contributes)
        return queryset.filter(Q(lead_organisation=value) | contributes)

    def filter_agency_role(self, queryset, name, value):
        return queryset  # read by filter_agency

    def filter_text(self, queryset, name, value):
        if not value.strip():
            return queryset
        words = Q()
        for word in value.split():
            words &= Q(text__icontains=word) | Q(kpi__icontains=word) | Q(latest_update__commentary__icontains=word)
        return queryset.filter(words)

    def filter_overdue(self, queryset, name, value):
        if value and self.quarter is not None:
            return queryset.overdue_as_at(self.quarter)
        return queryset.overdue(timezone.localdate()) if value else queryset

    def filter_not_updated_since(self, queryset, name, value):
        return queryset.filter(Q(last_updated_at__isnull=True) | Q(last_updated_at__date__lt=value))
