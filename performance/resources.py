"""The back office's spreadsheets of indicators (import and export) and of their values (export only).

Indicators are imported as the partner organisations and people are (strategy.resources): every row
lands in the officer's own partnership, in the strategy it names (one the officer may change), and is
matched by its reference within that strategy among the indicators the officer may see.

Values are exported, never imported here: a figure obeys rules that live in the value form and the
value import (performance.value_imports) rather than in the model (its period fits the indicator's
frequency and has begun, its number fits the unit, only owners and officers enter it, nobody types
over a figure computed from crime data, a correction keeps the old figure with a reason). The export
writes the value import's column names, so a file exported here can be corrected and uploaded there.
"""

from decimal import Decimal
from functools import cached_property

from django.core.exceptions import ValidationError
from import_export import fields, widgets

from performance.indicators import parse_number, plain
from performance.models import Indicator, IndicatorValue
from strategy import permissions
from strategy.models import Marking, Partnership, Strategy
from strategy.resources import (
    BackOfficeResource,
    ChoiceLabelWidget,
    MarkingWidget,
    PartnershipOrganisationWidget,
    PartnershipRowsResource,
    cell_text,
)


class NumberWidget(widgets.Widget):
    """A number as people type it (parse_number: "14", "14.5", "1,234", "15%"); blank is none."""

    def __init__(self, *, whole=False, **kwargs):
        self.whole = whole
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        if not cell_text(value):
            return None
        try:
            number = parse_number(value)
        except ValueError as error:
            raise ValueError(f"{error}: write a number, like 14 or 14.5.") from None
        if self.whole:
            if number != number.to_integral_value():
                raise ValueError(f"“{value}” is not a whole number: write one, like 1.")
            return int(number)
        return number

    def render(self, value, obj=None, **kwargs):
        # A number, so a spreadsheet opens it as one: 140.000 is 140, 12.500 is 12.5.
        return None if value is None else Decimal(plain(value))


def _choice(field, choices, default):
    return fields.Field(attribute=field, column_name=field, widget=ChoiceLabelWidget(choices, default=default))


class IndicatorResource(PartnershipRowsResource):
    partnership = fields.Field(
        attribute="strategy__partnership",
        column_name="partnership",
        widget=widgets.ForeignKeyWidget(Partnership, "name"),
        readonly=True,
    )
    # Read by `strategy_of` (a row's strategy is where a new indicator lands, never a change to one).
    strategy = fields.Field(
        attribute="strategy", column_name="strategy", widget=widgets.ForeignKeyWidget(Strategy, "title"), readonly=True
    )
    kind = _choice("kind", Indicator.Kind, Indicator.Kind.PERFORMANCE)
    unit = _choice("unit", Indicator.Unit, Indicator.Unit.COUNT)
    decimal_places = fields.Field(
        attribute="decimal_places", column_name="decimal_places", widget=NumberWidget(whole=True)
    )
    polarity = _choice("polarity", Indicator.Polarity, Indicator.Polarity.HIGHER_IS_BETTER)
    frequency = _choice("frequency", Indicator.Frequency, Indicator.Frequency.QUARTERLY)
    period_basis = _choice("period_basis", Indicator.PeriodBasis, Indicator.PeriodBasis.PERIOD)
    baseline_value = fields.Field(attribute="baseline_value", column_name="baseline_value", widget=NumberWidget())
    target_kind = _choice("target_kind", Indicator.TargetKind, Indicator.TargetKind.NONE)
    target_value = fields.Field(attribute="target_value", column_name="target_value", widget=NumberWidget())
    amber_tolerance = fields.Field(attribute="amber_tolerance", column_name="amber_tolerance", widget=NumberWidget())
    marking = fields.Field(attribute="marking", column_name="marking", widget=MarkingWidget())

    required_columns = ("strategy",)

    class Meta(PartnershipRowsResource.Meta):
        model = Indicator
        name = "Indicators"
        import_id_fields = ["ref"]
        fields = [
            "ref",
            "name",
            "strategy",
            "definition",
            "description",
            "kind",
            "unit",
            "decimal_places",
            "polarity",
            "frequency",
            "period_basis",
            "data_source",
            "owning_organisation",
            "baseline_value",
            "baseline_period",
            "target_kind",
            "target_value",
            "amber_tolerance",
            "comparator_name",
            "marking",
            "partnership",
        ]
        export_order = fields

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.row_strategy = None
        self.fields["owning_organisation"] = fields.Field(
            attribute="owning_organisation",
            column_name="owning_organisation",
            widget=PartnershipOrganisationWidget(self),
        )

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("strategy__partnership", "owning_organisation")

    @cached_property
    def strategies(self):
        """{partnership pk: [the strategies the user may see, so change: only officers import]} (one query
        per file)."""
        found = {}
        for strategy in permissions.scope(Strategy.objects.order_by("title"), self.acting_user):
            found.setdefault(strategy.partnership_id, []).append(strategy)
        return found

    def strategy_of(self, row):
        """The strategy a row names, among the row's partnership's that the user may see."""
        named = cell_text(row.get("strategy"))
        mine = self.strategies.get(self.row_partnership.pk, [])
        found = [strategy for strategy in mine if named.casefold() in (strategy.title.casefold(), strategy.slug)]
        if len(found) == 1:
            return found[0]
        titles = ", ".join(f"“{strategy.title}”" for strategy in mine) or "none that you may change"
        if len(found) > 1:
            slugs = ", ".join(strategy.slug for strategy in found)
            why = f"Several strategies are called “{named}”: write the one you mean by its slug ({slugs})."
        elif named:
            why = f"{self.row_partnership} has no strategy called “{named}”: name one of its strategies ({titles})."
        else:
            why = f"Name the strategy the indicator belongs to: one of {titles}."
        raise ValidationError({"strategy": why})

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        self.row_strategy = self.strategy_of(row)

    def get_instance(self, instance_loader, row):
        ref = cell_text(row["ref"])
        named = Indicator.objects.filter(strategy=self.row_strategy, ref__iexact=ref)
        found = permissions.scope(named, self.acting_user).first()
        if found is None and named.exists():
            why = f"{self.row_strategy} has an indicator {ref} that you are not cleared to see: give this one "
            raise ValidationError({"ref": why + "another reference, or ask an officer cleared for it."})
        return found

    def place(self, instance):
        instance.strategy = self.row_strategy

    def import_instance(self, instance, row, **kwargs):
        """The row's cells, less what the user may not set: a marking above their clearance, or what a
        computed indicator's definition sets."""
        defined = {name: getattr(instance, name) for name in Indicator.COMPUTED_DEFINITION_FIELDS if instance.computed}
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if "marking" not in errors and not permissions.cleared_for(self.acting_user, instance.marking):
            allowed = " or ".join(Marking(marking).label for marking in permissions.allowed_markings(self.acting_user))
            errors["marking"] = [f"You are cleared for {allowed} only: mark the indicator so."]
        for name, before in defined.items():
            if name not in errors and getattr(instance, name) != before:
                errors[name] = [
                    f"{instance.ref}'s values are computed from police.uk crime data, so its {name} is set by "
                    "its definition on the evidence pages: leave it as it is."
                ]
        if errors:
            raise ValidationError(errors)


class IndicatorValueResource(BackOfficeResource):
    """Values as the change list shows them; the columns the value import reads keep its names."""

    strategy = fields.Field(
        attribute="indicator__strategy", column_name="strategy", widget=widgets.ForeignKeyWidget(Strategy, "title")
    )
    indicator = fields.Field(attribute="indicator__ref", column_name="indicator")
    period = fields.Field(attribute="period", column_name="period")
    value = fields.Field(attribute="value", column_name="value", widget=NumberWidget())
    data_to = fields.Field(attribute="data_to", column_name="data_to", widget=widgets.DateWidget("%d/%m/%Y"))
    numerator = fields.Field(attribute="numerator", column_name="numerator", widget=NumberWidget())
    denominator = fields.Field(attribute="denominator", column_name="denominator", widget=NumberWidget())
    comparator = fields.Field(attribute="comparator_value", column_name="comparator", widget=NumberWidget())
    note = fields.Field(attribute="commentary", column_name="note")
    data_quality = fields.Field(attribute="data_quality_note", column_name="data_quality")
    source = fields.Field(
        attribute="source",
        column_name="source",
        widget=ChoiceLabelWidget(IndicatorValue.Source, default=IndicatorValue.Source.WEB),
    )
    entered_by = fields.Field(attribute="entered_by__username", column_name="entered_by")
    entered_at = fields.Field(
        attribute="entered_at", column_name="entered_at", widget=widgets.DateTimeWidget("%d/%m/%Y %H:%M")
    )
    correction_reason = fields.Field(attribute="correction_reason", column_name="correction_reason")
    superseded_at = fields.Field(
        attribute="superseded_at", column_name="superseded_at", widget=widgets.DateTimeWidget("%d/%m/%Y %H:%M")
    )

    class Meta:
        model = IndicatorValue
        name = "Indicator values"
        fields = [
            "strategy",
            "indicator",
            "period",
            "value",
            "data_to",
            "numerator",
            "denominator",
            "comparator",
            "note",
            "data_quality",
            "source",
            "entered_by",
            "entered_at",
            "correction_reason",
            "superseded_at",
        ]
        export_order = fields

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("indicator__strategy", "entered_by")
