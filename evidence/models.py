"""The partnership's area and the crime counts kept of police.uk's street-level data.

The area is loaded from the ONS best-fit lookup (LSOA 2021 -> electoral ward -> local authority).
Codes are the key: a ward or local authority keeps its row, and so the counts held against it,
across lookups; a renamed one takes its new name; one a newer lookup leaves out (merged, abolished)
is retired by that lookup, not deleted, so the months counted under it stay. LSOAs are only the way
to a ward and are replaced whole by each lookup.

Only counts are kept of the crime data (month x ward x crime type, per force, as police.uk publishes
each force's month as one file): never a record of an individual crime.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from actions.models import RecordedImport
from evidence.crime_types import ANTI_SOCIAL_BEHAVIOUR
from strategy.models import Partnership


class AreaLookup(models.Model):
    """One import of the ONS lookup into a partnership's area: its version of the area."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="area_lookups")
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="area_lookups"
    )
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField("SHA-256", max_length=64)
    ward_year = models.CharField(
        max_length=4, help_text='The year of the ward boundaries, from the column names ("WD24CD": 2024).'
    )
    local_authority_codes = models.JSONField(default=list, help_text="The local authorities the import kept.")
    lsoas = models.PositiveIntegerField(default=0, help_text="LSOAs in the area.")
    wards = models.PositiveIntegerField(default=0, help_text="Wards in the area.")

    class Meta:
        ordering = ["-imported_at", "-pk"]
        verbose_name = "area lookup"

    def __str__(self):
        return f"{self.file_name} ({self.partnership}, wards {self.ward_year})"


class AreaQuerySet(models.QuerySet):
    def current(self):
        """In the area as its latest lookup gives it."""
        return self.filter(retired_by__isnull=True)


class LocalAuthority(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="local_authorities")
    code = models.CharField(max_length=9, help_text="ONS code, e.g. E09000033.")
    name = models.CharField(max_length=200)
    first_lookup = models.ForeignKey(AreaLookup, on_delete=models.PROTECT, related_name="+")
    retired_by = models.ForeignKey(
        AreaLookup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The lookup that left it out of the area; blank while it is in the area.",
    )

    objects = AreaQuerySet.as_manager()

    class Meta:
        ordering = ["name", "code"]
        verbose_name_plural = "local authorities"
        constraints = [
            models.UniqueConstraint(fields=["partnership", "code"], name="local_authority_unique_code"),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Ward(models.Model):
    """An electoral ward, kept by its code: its counts stay with it when it is renamed or retired."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="wards")
    code = models.CharField(max_length=9, help_text="ONS code, e.g. E05013806.")
    name = models.CharField(max_length=200, help_text="Its name in the latest lookup that had it.")
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="wards")
    first_lookup = models.ForeignKey(AreaLookup, on_delete=models.PROTECT, related_name="+")
    retired_by = models.ForeignKey(
        AreaLookup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The lookup that no longer had it (merged or abolished); blank while it is in the area.",
    )
    former_names = models.JSONField(
        default=list, blank=True, help_text="Names it had in earlier lookups, oldest first."
    )

    objects = AreaQuerySet.as_manager()

    class Meta:
        ordering = ["name", "code"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "code"], name="ward_unique_code"),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Lsoa(models.Model):
    """A Lower layer Super Output Area (2021) of the area, and the ward it best fits."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="lsoas")
    code = models.CharField(max_length=9, help_text="ONS code, e.g. E01004736.")
    name = models.CharField(max_length=200)
    ward = models.ForeignKey(Ward, on_delete=models.CASCADE, related_name="lsoas")

    class Meta:
        ordering = ["code"]
        verbose_name = "LSOA"
        constraints = [
            models.UniqueConstraint(fields=["partnership", "code"], name="lsoa_unique_code"),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"


class PoliceMonth(models.Model):
    """One force's month of police.uk street-level data held for the partnership, and what its file held."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="police_months")
    month = models.DateField(help_text="The first day of the month.")
    force = models.CharField(max_length=60, help_text='As in police.uk\'s file names, e.g. "metropolitan".')
    file_name = models.CharField(max_length=255)
    imported_at = models.DateTimeField(auto_now=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rows_read = models.PositiveIntegerField(default=0)
    rows_kept = models.PositiveIntegerField(default=0, help_text="Rows in the area, counted.")
    rows_outside = models.PositiveIntegerField(default=0, help_text="Rows in other local authorities' LSOAs.")
    rows_no_lsoa = models.PositiveIntegerField(default=0, help_text="Rows police.uk could not place in an LSOA.")
    rows_unknown = models.PositiveIntegerField(
        default=0, help_text="Rows whose LSOA code the area's lookup does not have."
    )

    class Meta:
        ordering = ["-month", "force"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "month", "force"], name="police_month_unique"),
            models.CheckConstraint(condition=Q(month__day=1), name="police_month_first_day"),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.force} ({self.partnership})"


class CrimeCountQuerySet(models.QuerySet):
    def for_partnership(self, partnership):
        return self.filter(partnership=partnership)

    def between(self, first, last):
        """Months from `first` to `last` (first days of months), both included."""
        return self.filter(month__gte=first, month__lte=last)

    def by_month_ward_type(self):
        """One row per month, ward and crime type, the forces added up: what the export writes."""
        return (
            self.values("month", "ward__code", "ward__name", "crime_type")
            .annotate(total=models.Sum("count"))
            .filter(total__gt=0)
            .order_by("month", "ward__code", "crime_type")
        )


class CrimeCount(models.Model):
    """How many crimes (or anti-social behaviour incidents) of a type one force recorded in a ward in a month."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="crime_counts")
    month = models.DateField(help_text="The first day of the month.")
    force = models.CharField(max_length=60)
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="crime_counts")
    crime_type = models.CharField(max_length=100, help_text='As police.uk names it, e.g. "Anti-social behaviour".')
    count = models.PositiveIntegerField()

    objects = CrimeCountQuerySet.as_manager()

    class Meta:
        ordering = ["month", "ward", "crime_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "month", "force", "ward", "crime_type"], name="crime_count_unique"
            ),
            models.CheckConstraint(condition=Q(count__gt=0), name="crime_count_positive"),
            models.CheckConstraint(condition=Q(month__day=1), name="crime_count_first_day"),
        ]
        indexes = [models.Index(fields=["partnership", "month"], name="crime_count_month")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.ward.code} {self.crime_type}: {self.count}"


class PoliceDataImport(RecordedImport):
    """One upload of police.uk street-level files (a CSV, several, or the archive zip) into a partnership's
    crime counts. The fields and the life it shares with the other imports are RecordedImport's."""

    scope = "partnership"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="police_imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="police_imports"
    )

    class Meta(RecordedImport.Meta):
        verbose_name = "police.uk data import"
        constraints = [
            models.UniqueConstraint(
                fields=["partnership"], condition=Q(state="importing"), name="police_import_one_importing"
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["imported", "refused", "failed", "cancelled"]) | Q(finished_at__isnull=False),
                name="police_import_finished_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.file_name} into {self.partnership} ({self.get_state_display()})"


class CrimeIndicator(models.Model):
    """What an indicator computed from the crime counts counts: which crimes, where, over what period.

    The indicator itself (target, polarity, tolerance, comparator, RAG, review, pack) is a
    performance.Indicator like any other; its values are written by evidence.crime_indicators from
    the counts, and nobody types them.
    """

    class Crimes(models.TextChoices):
        ALL_CRIME = "all_crime", "All crime (every crime type except anti-social behaviour)"
        ANTI_SOCIAL_BEHAVIOUR = "asb", "Anti-social behaviour"
        TYPES = "types", "The crime types chosen"

    class PeriodKind(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly (financial-year quarters)"
        FINANCIAL_YEAR = "financial_year", "Financial year (April to March)"
        ROLLING_12_MONTHS = "rolling_12", "Rolling 12 months (a figure each month for the 12 months to it)"

    indicator = models.OneToOneField("performance.Indicator", on_delete=models.CASCADE, related_name="crime_definition")
    crimes = models.CharField(max_length=10, choices=Crimes.choices, default=Crimes.ALL_CRIME)
    crime_types = models.JSONField(
        default=list, blank=True, help_text="police.uk's crime types counted, when `crimes` is the types chosen."
    )
    wards = models.ManyToManyField(
        Ward, blank=True, related_name="crime_indicators", help_text="The wards counted; none for the whole area."
    )
    period_kind = models.CharField(max_length=15, choices=PeriodKind.choices, default=PeriodKind.QUARTERLY)
    computed_at = models.DateTimeField(null=True, blank=True, help_text="When its values were last computed.")

    class Meta:
        ordering = ["indicator"]
        constraints = [
            models.CheckConstraint(
                condition=Q(crimes__in=["all_crime", "asb", "types"]), name="crime_indicator_crimes_valid"
            ),
            models.CheckConstraint(
                condition=Q(period_kind__in=["monthly", "quarterly", "financial_year", "rolling_12"]),
                name="crime_indicator_period_kind_valid",
            ),
            models.CheckConstraint(
                condition=~Q(crimes="types") | ~Q(crime_types=[]), name="crime_indicator_types_chosen"
            ),
        ]

    def __str__(self):
        return f"{self.indicator}: {self.crimes_text()}"

    def crimes_text(self):
        if self.crimes == self.Crimes.TYPES:
            return ", ".join(self.crime_types)
        return "All crime" if self.crimes == self.Crimes.ALL_CRIME else ANTI_SOCIAL_BEHAVIOUR

    def counts_filter(self):
        """The filter on CrimeCount rows for the crimes it counts."""
        if self.crimes == self.Crimes.ALL_CRIME:
            return ~Q(crime_type=ANTI_SOCIAL_BEHAVIOUR)
        if self.crimes == self.Crimes.ANTI_SOCIAL_BEHAVIOUR:
            return Q(crime_type=ANTI_SOCIAL_BEHAVIOUR)
        return Q(crime_type__in=self.crime_types)
