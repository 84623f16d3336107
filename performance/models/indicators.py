"""Indicators and their values: what the partnership measures, and the figures per period.

An indicator is the structured measure behind an action's free-text KPI; its values are figures per
period (a month, a financial-year quarter, a financial year). A value is never overwritten: a
correction adds a new row that replaces the old one, which stays in the history. Everything derived
(latest value, change, direction of travel, RAG) lives in performance/indicators.py.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone

from actions.models import Action, DeliveryGroup, Objective, RecordedImport, ref_sort_key
from strategy import permissions
from strategy.audit import AuditedHistory, record_changed
from strategy.models import Marking, Organisation, Person, StrategicObjective, Strategy


class IndicatorQuerySet(models.QuerySet):
    def visible_to(self, user):
        return permissions.scope(self, user)

    def enterable_by(self, user):
        """The indicators whose values this user may enter and correct."""
        return self.visible_to(user).filter(permissions.value_enterers_q(user)).distinct()

    def for_strategy(self, strategy):
        return self.filter(strategy=strategy)

    def public(self, *, preview=False):
        """What anyone may read without signing in (strategy.permissions.public_indicators_q)."""
        return self.filter(permissions.public_indicators_q(self.model.scoping, preview=preview))


class Indicator(models.Model):
    class Unit(models.TextChoices):
        COUNT = "count", "Count"
        PERCENTAGE = "percentage", "Percentage"
        RATE_PER_1000 = "rate_1000", "Rate per 1,000 population"
        RATE_PER_10000_FEMALES = "rate_10000_females", "Rate per 10,000 adult females"
        MONEY = "money", "Money (£)"

    class Polarity(models.TextChoices):
        HIGHER_IS_BETTER = "higher", "Higher is better"
        LOWER_IS_BETTER = "lower", "Lower is better"
        NEITHER = "neither", "Neither (a rise or fall is not judged)"

    class Kind(models.TextChoices):
        PERFORMANCE = "performance", "Performance (rated against its target)"
        CONTEXTUAL = "contextual", "Contextual or demand (shown, never rated)"

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"
        ANNUAL = "annual", "Annual (financial year)"

    class PeriodBasis(models.TextChoices):
        PERIOD = "period", "The period itself"
        YEAR_TO_DATE = "ytd", "Financial year to date"
        ROLLING_12_MONTHS = "rolling_12", "Rolling 12 months"

    class TargetKind(models.TextChoices):
        NONE = "", "No target"
        ABSOLUTE = "absolute", "A value to reach"
        CHANGE_ON_BASELINE = "change", "A % change on the baseline"
        BENCHMARK = "benchmark", "The comparator (at least as good as it)"

    class ComputedFrom(models.TextChoices):
        ENTERED = "", "Entered by people"
        CRIME_DATA = "crime_data", "Computed from police.uk crime data"

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="indicators")
    ref = models.CharField("reference", max_length=20, help_text="e.g. KPI-V1; unique within the strategy.")
    ref_sort = models.CharField(
        max_length=200, editable=False, default="", help_text="The reference as it sorts naturally (ref_sort_key)."
    )
    name = models.CharField(max_length=200, help_text="e.g. Repeat referrals to MARAC")
    definition = models.TextField(
        blank=True,
        help_text="What is counted and how, with the counting rule (e.g. a MARAC repeat is a further referral "
        "within 12 months of the last).",
    )
    description = models.TextField(
        blank=True, help_text="Anything else a reader should know, e.g. where the figures come from."
    )
    unit = models.CharField(max_length=20, choices=Unit.choices, default=Unit.COUNT)
    decimal_places = models.PositiveSmallIntegerField(default=0, help_text="How many decimal places to show.")
    polarity = models.CharField(max_length=10, choices=Polarity.choices, default=Polarity.HIGHER_IS_BETTER)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.PERFORMANCE)
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.QUARTERLY)
    period_basis = models.CharField(max_length=12, choices=PeriodBasis.choices, default=PeriodBasis.PERIOD)
    data_source = models.CharField(max_length=200, blank=True, help_text="e.g. Police crime data (CRIS)")
    owning_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_indicators",
        verbose_name="owning agency",
    )
    owners = models.ManyToManyField(
        Person,
        blank=True,
        related_name="owned_indicators",
        help_text="People who report the figures; those with a login may enter and correct values.",
    )
    delivery_group = models.ForeignKey(
        DeliveryGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicators",
        help_text="The delivery group that reports on it.",
    )
    baseline_value = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    baseline_period = models.CharField(
        max_length=20, blank=True, help_text='The period of the baseline, e.g. "2016/17", "2016/17 Q4" or "Mar 2017".'
    )
    target_kind = models.CharField(max_length=10, choices=TargetKind.choices, blank=True, default=TargetKind.NONE)
    target_value = models.DecimalField(
        max_digits=14,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="The value to reach, or for a change on the baseline the % change (e.g. -10 for 10% lower).",
    )
    amber_tolerance = models.DecimalField(
        "amber tolerance (%)",
        max_digits=5,
        decimal_places=2,
        default=5,
        help_text="How far worse than the target (as a % of the target) is still Amber rather than Red.",
    )
    comparator_name = models.CharField(
        max_length=200, blank=True, help_text="e.g. SafeLives national average, Met-wide figure"
    )
    marking = models.CharField(max_length=20, choices=Marking.choices, default=Marking.OFFICIAL)
    strategic_objectives = models.ManyToManyField(
        StrategicObjective, blank=True, related_name="indicators", help_text="The strategy priorities it measures."
    )
    objectives = models.ManyToManyField(
        Objective, blank=True, related_name="indicators", help_text="The delivery groups' objectives it measures."
    )
    actions = models.ManyToManyField(
        Action, blank=True, related_name="indicators", help_text="The actions whose KPI it measures."
    )
    computed_from = models.CharField(
        max_length=20,
        choices=ComputedFrom.choices,
        blank=True,
        default=ComputedFrom.ENTERED,
        editable=False,
        help_text="Where its values come from: people enter them, or they are computed (and nobody types them).",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = IndicatorQuerySet.as_manager()

    # What a computed indicator counts and how is set by its definition (on the evidence pages): changed
    # anywhere else (the back office, its import), it would no longer match the values computed for it.
    COMPUTED_DEFINITION_FIELDS = (
        "strategy",
        "definition",
        "unit",
        "decimal_places",
        "frequency",
        "period_basis",
        "data_source",
    )

    scoping = Strategy.scoping.through("strategy", marking=("marking",))
    history = AuditedHistory(
        title=("name",),
        kind="Indicator",
        excluded_fields=["ref_sort"],
    )

    class Meta:
        ordering = ["strategy", "ref_sort", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "ref"], name="indicator_unique_ref"),
            models.CheckConstraint(condition=~Q(ref=""), name="indicator_ref_required"),
            models.CheckConstraint(
                condition=Q(unit__in=["count", "percentage", "rate_1000", "rate_10000_females", "money"]),
                name="indicator_unit_valid",
            ),
            models.CheckConstraint(
                condition=Q(polarity__in=["higher", "lower", "neither"]), name="indicator_polarity_valid"
            ),
            models.CheckConstraint(condition=Q(kind__in=["performance", "contextual"]), name="indicator_kind_valid"),
            models.CheckConstraint(
                condition=Q(frequency__in=["monthly", "quarterly", "annual"]), name="indicator_frequency_valid"
            ),
            models.CheckConstraint(
                condition=Q(period_basis__in=["period", "ytd", "rolling_12"]), name="indicator_period_basis_valid"
            ),
            models.CheckConstraint(
                condition=Q(target_kind__in=["", "absolute", "change", "benchmark"]), name="indicator_target_kind_valid"
            ),
            # A contextual (demand) indicator is never rated, so it has no target.
            models.CheckConstraint(
                condition=Q(kind="performance") | Q(target_kind=""),
                name="indicator_contextual_has_no_target",
                violation_error_message="A contextual indicator is never rated, so it has no target: leave the "
                "target kind blank, or make its kind Performance.",
            ),
            models.CheckConstraint(
                condition=~Q(target_kind__in=["absolute", "change"]) | Q(target_value__isnull=False),
                name="indicator_target_needs_value",
                violation_error_message="A target to reach or a % change on the baseline needs its target value: "
                "give one, or leave the target kind blank.",
            ),
            models.CheckConstraint(
                condition=~Q(target_kind="change") | Q(baseline_value__isnull=False),
                name="indicator_change_target_needs_baseline",
                violation_error_message="A % change on the baseline needs the baseline value: give one.",
            ),
            # A rated indicator must say which way is better.
            models.CheckConstraint(
                condition=Q(kind="contextual") | ~Q(polarity="neither"),
                name="indicator_performance_has_polarity",
                violation_error_message="A performance indicator is rated, so its polarity says which way is "
                "better: Higher is better or Lower is better (or make its kind Contextual).",
            ),
            models.CheckConstraint(
                condition=Q(amber_tolerance__gte=0) & Q(amber_tolerance__lte=100),
                name="indicator_tolerance_0_100",
                violation_error_message="The amber tolerance is a % from 0 to 100.",
            ),
            models.CheckConstraint(
                condition=Q(decimal_places__lte=3),
                name="indicator_decimal_places_0_3",
                violation_error_message="Show from 0 to 3 decimal places.",
            ),
            models.CheckConstraint(
                condition=Q(computed_from__in=["", "crime_data"]), name="indicator_computed_from_valid"
            ),
        ]

    def __str__(self):
        return f"{self.ref} {self.name}"

    def save(self, *args, **kwargs):
        self.ref_sort = ref_sort_key(self.ref)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "ref_sort"}
        super().save(*args, **kwargs)

    @property
    def rated(self):
        return self.kind == self.Kind.PERFORMANCE

    @property
    def computed(self):
        return self.computed_from != self.ComputedFrom.ENTERED

    @transaction.atomic
    def record_value(
        self,
        *,
        period,
        value,
        by=None,
        data_to=None,
        numerator=None,
        denominator=None,
        comparator_value=None,
        commentary="",
        data_quality_note="",
        source="web",
        replaces=None,
        correction_reason="",
        entered_at=None,
        value_import=None,
        months_held=None,
        months_expected=None,
    ):
        """Record the figure for `period` (a performance.indicators.Period).

        With `replaces` (the period's current value) this is a correction: the old value stays in
        the history, superseded. Raises ValidationError if the period already has a value (enter a
        correction instead) or if `replaces` was corrected by someone else meanwhile.
        """
        now = entered_at or timezone.now()
        if replaces is not None:
            locked = IndicatorValue.objects.select_for_update().get(pk=replaces.pk)
            if locked.superseded_at is not None:
                raise ValidationError(
                    "Someone else corrected this value after you opened it: look at the latest figure and try again."
                )
            IndicatorValue.objects.filter(pk=locked.pk).update(superseded_at=now)
            locked.superseded_at = now
            record_changed([locked], IndicatorValue, by=by, reason="Corrected")
        row = IndicatorValue(
            indicator=self,
            period_type=period.type,
            period_start=period.start,
            period_end=period.end,
            # A period still running has data only to today.
            data_to=data_to or min(period.end, timezone.localdate()),
            value=value,
            numerator=numerator,
            denominator=denominator,
            comparator_value=comparator_value,
            commentary=commentary,
            data_quality_note=data_quality_note,
            entered_by=by if by is not None and by.is_authenticated else None,
            entered_at=now,
            source=source,
            replaces=replaces,
            correction_reason=correction_reason,
            value_import=value_import,
            months_held=months_held,
            months_expected=months_expected,
        )
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            raise ValidationError(
                f"{self.ref} already has a figure for {period}: correct that value instead of adding another."
            ) from None
        return row


class IndicatorValueQuerySet(models.QuerySet):
    def visible_to(self, user):
        return permissions.scope(self, user)

    def current(self):
        """Values as they stand: each period's latest figure, not the ones corrected since."""
        return self.filter(superseded_at__isnull=True)

    def known_at(self, moment):
        """Values as they stood at `moment`: entered by then and not yet corrected."""
        return self.filter(entered_at__lte=moment).filter(Q(superseded_at__isnull=True) | Q(superseded_at__gt=moment))


class IndicatorValue(models.Model):
    """An indicator's figure for one period. Corrections add a row; the replaced one keeps its place in
    the history with `superseded_at` set."""

    class PeriodType(models.TextChoices):
        MONTH = "month", "Month"
        QUARTER = "quarter", "Financial-year quarter"
        YEAR = "year", "Financial year"

    class Source(models.TextChoices):
        WEB = "web", "Value form"
        ADMIN = "admin", "Back office"
        IMPORT = "import", "Spreadsheet import"
        DEMO = "demo", "Demo data"
        CRIME_DATA = "crime_data", "Computed from police.uk crime data"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    period_type = models.CharField(max_length=10, choices=PeriodType.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    data_to = models.DateField(
        "data to", help_text="The last day the figure covers (usually the period's end; earlier for a part period)."
    )
    value = models.DecimalField(max_digits=14, decimal_places=3)
    numerator = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    denominator = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    comparator_value = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    commentary = models.TextField(blank=True)
    data_quality_note = models.TextField(blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicator_values_entered",
    )
    entered_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        help_text="The value this one corrects.",
    )
    correction_reason = models.TextField(blank=True, help_text="Why the value was corrected.")
    superseded_at = models.DateTimeField(null=True, blank=True, help_text="When a correction replaced this value.")
    value_import = models.ForeignKey(
        "IndicatorValueImport", on_delete=models.SET_NULL, null=True, blank=True, related_name="values"
    )
    # A computed figure says how many of its period's months of data it was computed from, so one
    # computed before all of them were held says so wherever it is shown.
    months_held = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="For a computed figure: the months of data it was computed from."
    )
    months_expected = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="For a computed figure: the months its period covers."
    )

    objects = IndicatorValueQuerySet.as_manager()

    scoping = Indicator.scoping.through("indicator")
    history = AuditedHistory(
        title=("period_start", "value"),
        kind="Indicator value",
        author="entered_by",
    )

    class Meta:
        ordering = ["indicator", "period_start", "entered_at", "pk"]
        constraints = [
            # One current figure per period: a correction supersedes the old one first.
            models.UniqueConstraint(
                fields=["indicator", "period_start"],
                condition=Q(superseded_at__isnull=True),
                name="indicator_value_one_current_per_period",
            ),
            models.CheckConstraint(
                condition=Q(period_type__in=["month", "quarter", "year"]), name="indicator_value_period_type_valid"
            ),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="indicator_value_period_order"),
            models.CheckConstraint(
                condition=Q(data_to__gte=F("period_start")) & Q(data_to__lte=F("period_end")),
                name="indicator_value_data_to_in_period",
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gt=0),
                name="indicator_value_denominator_positive",
            ),
            models.CheckConstraint(
                condition=Q(replaces__isnull=True) | ~Q(correction_reason=""),
                name="indicator_value_correction_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(months_held__isnull=True, months_expected__isnull=True)
                | Q(months_held__lte=F("months_expected"), months_expected__gt=0),
                name="indicator_value_months_held_within_expected",
            ),
        ]
        indexes = [
            models.Index(fields=["indicator", "data_to"], name="indicator_value_data_to"),
        ]

    def __str__(self):
        return f"{self.indicator.ref} {self.period}: {self.value.normalize():f}"

    @property
    def period(self):
        # Imported here: performance.indicators reads these models to work out each indicator's figures.
        from performance.indicators import Period

        return Period(self.period_start, self.period_type)

    @property
    def coverage(self):
        """ "2 of 3 months" for a figure computed before all its period's months were held; else ""."""
        # Imported here, as in `period`.
        from performance.indicators import coverage_text

        return coverage_text(self.months_held, self.months_expected)


class IndicatorValueImport(RecordedImport):
    """One spreadsheet of values brought into a strategy's indicators: uploaded, checked (the preview),
    confirmed, imported, all or nothing. The fields and the life it shares with the action-plan import
    are actions.models.RecordedImport's."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="value_imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="value_imports"
    )
    digest = models.CharField(max_length=64, blank=True, help_text="Fingerprint of the preview.")

    scoping = Strategy.scoping.through("strategy")

    class Meta(RecordedImport.Meta):
        verbose_name = "indicator value import"
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["checking", "ready", "refused", "importing", "imported", "failed", "cancelled"]),
                name="value_import_state_valid",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["imported", "refused", "failed", "cancelled"]) | Q(finished_at__isnull=False),
                name="value_import_finished_has_time",
            ),
        ]
