"""The strategic assessment's figures: a 12-month window of police.uk counts against the 12 months before it.

The one interface (the assessment page, its workbook and the annual report all use it):

    found = Assessment.for_window(partnership, end_month=date(2025, 3, 1))   # 2024/25, April to March
    # None when the partnership holds no police.uk data at all.
    found.headline()           # a few sentences for a report section, e.g. the concentration sentence
    found.headline_figures()   # [(label, text)] for a table of the same figures
    found.by_type, found.by_ward              # CountChange rows: current, previous, change, percent
    found.ward_by_type                        # the ward x crime type table of the window
    found.concentration.sentence   # "58% of all crime in Westminster occurred in just 2 of its 20 wards, ..."
    found.missing, found.previous_missing     # months of each window with no data held
    found.total, found.anti_social, found.trends, found.marking (always OFFICIAL)
    evidence.exports.assessment_xlsx(found)   # the workbook; evidence.charts.assessment_chart: a trend's SVG

`end_month` is any day of the window's last month; None means the latest month held. `crime_types`
and `wards` (ward codes) narrow what is counted; empty means all. "All crime" is every crime type
but anti-social behaviour, which police.uk publishes with the crimes and the assessment shows
beside them; choosing crime types counts exactly those (anti-social behaviour too, if chosen).
Concentration is always across the whole area (the ward filter does not narrow it), of what the
crime types count. Everything is OFFICIAL: police.uk's data is public.

The database adds the counts up to month x ward x crime type (forces summed): two years of that is
small whatever the force's size; the rest is added up here. Five queries in all (one
when the caller passes the AssessmentOptions it already has).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum

from evidence.crime_types import ANTI_SOCIAL_BEHAVIOUR
from evidence.models import CrimeCount, LocalAuthority, PoliceMonth, Ward
from strategy.models import Marking

MONTHS = 12
DEFAULT_TOP = 2


def month_add(month, months):
    """The first day of the month `months` after (or before, if negative) `month`'s."""
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_range(first, last):
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = month_add(month, 1)
    return months


def percent(part, whole):
    """`part` as a whole-number percentage of `whole` (halves up), or None when `whole` is 0."""
    if not whole:
        return None
    return int((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def number(value):
    return f"{value:,}"


def signed(value):
    return f"+{value:,}" if value > 0 else f"\u2212{-value:,}" if value < 0 else "0"


def list_words(names):
    """ "A", "A and B", "A, B and C"."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def count_words(count):
    """GOV.UK style: "one", numerals from 2."""
    return "one" if count == 1 else number(count)


@dataclass(frozen=True)
class Window:
    """Twelve months, first to last (first days of months)."""

    first: date
    last: date

    @classmethod
    def ending(cls, last):
        last = last.replace(day=1)
        return cls(month_add(last, 1 - MONTHS), last)

    @property
    def months(self):
        return month_range(self.first, self.last)

    def previous(self):
        return Window.ending(month_add(self.first, -1))

    def __str__(self):
        return f"{self.first:%B %Y} to {self.last:%B %Y}"

    @property
    def short(self):
        """ "the 12 months to December 2024"."""
        return f"the 12 months to {self.last:%B %Y}"


@dataclass
class CountChange:
    """One line of a table: this window's count against the one before."""

    label: str
    current: int
    previous: int
    code: str = ""

    @property
    def change(self):
        return self.current - self.previous

    @property
    def percent(self):
        """The change as a whole-number percentage of the previous count; None when that was 0."""
        return percent(self.change, self.previous)

    @property
    def change_signed(self):
        """ "+12", "−3" (a minus sign, which a screen reader says), "0"."""
        return signed(self.change)

    @property
    def percent_signed(self):
        """ "+5%", "−10%", "0%", or "none before" when the previous count was 0."""
        return "none before" if self.percent is None else f"{signed(self.percent)}%"

    @property
    def change_text(self):
        """ "up 12 (5%)", "down 3 (10%)", "no change", "up 4 (none before)"."""
        if not self.change:
            return "no change"
        direction = "up" if self.change > 0 else "down"
        share = f"{abs(self.percent)}%" if self.percent is not None else "none before"
        return f"{direction} {number(abs(self.change))} ({share})"


@dataclass
class Concentration:
    """The share of what is counted that the top `top` wards hold, in a sentence like the seed's."""

    top: int
    ward_count: int
    total: int
    top_total: int
    wards: list  # [(name, count)], highest first
    sentence: str

    @property
    def share(self):
        return percent(self.top_total, self.total)


@dataclass
class WardTypeTable:
    """The window's counts, a row per ward and a column per crime type, with totals."""

    types: list
    rows: list  # [(ward label, [count per type], row total)]
    column_totals: list
    total: int

    @property
    def labelled_rows(self):
        """[(ward label, [(crime type, count)], row total)]: each count with its column's name, so a
        phone can show the table as a list per ward."""
        return [(ward, list(zip(self.types, counts, strict=True)), total) for ward, counts, total in self.rows]

    @property
    def labelled_totals(self):
        return list(zip(self.types, self.column_totals, strict=True))


@dataclass
class Trend:
    """A monthly series of the window beside the same months a year before (None: no data held)."""

    name: str
    labels: list  # "Jan 2024", ...
    months: list  # first days of the window's months
    current: list
    previous: list

    @property
    def rows(self):
        """[(label, current, previous)] for the table beside the chart."""
        return list(zip(self.labels, self.current, self.previous, strict=True))


@dataclass
class Assessment:
    partnership: object
    window: Window
    area_name: str
    crime_types: list  # every crime type held
    chosen_types: list
    chosen_wards: list
    top: int
    months_held: list  # every month held, newest first
    missing: list = field(default_factory=list)
    previous_missing: list = field(default_factory=list)
    by_type: list = field(default_factory=list)
    total: CountChange = None
    anti_social: CountChange = None  # shown beside all crime when no crime types are chosen
    by_ward: list = field(default_factory=list)
    ward_by_type: WardTypeTable = None
    concentration: Concentration = None
    trends: list = field(default_factory=list)
    marking: str = Marking.OFFICIAL

    @classmethod
    def for_window(cls, partnership, end_month=None, *, crime_types=(), wards=(), top=DEFAULT_TOP, options=None):
        """The assessment of the 12 months ending with `end_month` (latest held if None) against the 12 before.

        `options` (AssessmentOptions) saves its queries when the caller already has it. Returns None
        when the partnership holds no police.uk data at all.
        """
        options = options or AssessmentOptions.for_partnership(partnership)
        if not options.months_held:
            return None
        window = Window.ending(end_month or options.months_held[0])
        previous = window.previous()
        counts = (
            CrimeCount.objects.for_partnership(partnership)
            .between(previous.first, window.last)
            .values_list("month", "ward_id", "crime_type")
            .annotate(total=Sum("count"))
            .order_by()
        )
        cells = defaultdict(int)  # (month, ward id, type) -> count
        for month, ward_id, crime_type, total in counts:
            cells[month, ward_id, crime_type] += total
        used_wards = {ward_id for _month, ward_id, _type in cells}
        # A ward a newer lookup retired is still the area's for the months counted under it.
        area_wards = [ward for ward in options.wards if ward.retired_by_id is None or ward.pk in used_wards]
        assessment = cls(
            partnership=partnership,
            window=window,
            area_name=options.area_name,
            crime_types=options.crime_types,
            chosen_types=sorted(crime_types),
            chosen_wards=sorted(wards),
            top=top,
            months_held=options.months_held,
        )
        held = set(options.months_held)
        assessment.missing = [month for month in window.months if month not in held]
        assessment.previous_missing = [month for month in previous.months if month not in held]
        assessment._compute(cells, area_wards, previous)
        return assessment

    # What is counted -----------------------------------------------------------------------------

    @property
    def counted_types(self):
        """The crime types the figures add up: those chosen, or every type but anti-social behaviour."""
        if self.chosen_types:
            return list(self.chosen_types)
        return [crime_type for crime_type in self.crime_types if crime_type != ANTI_SOCIAL_BEHAVIOUR]

    @property
    def measure(self):
        """What the figures count, as a sentence says it: "all crime", "shoplifting and burglary"."""
        if not self.chosen_types:
            return "all crime"
        return list_words(crime_type.lower() for crime_type in self.chosen_types)

    @property
    def previous_window(self):
        return self.window.previous()

    @property
    def complete(self):
        return not self.missing and not self.previous_missing

    def _compute(self, cells, area_wards, previous):
        current_months, previous_months = set(self.window.months), set(previous.months)
        counted = set(self.counted_types)
        chosen_ward_ids = {ward.pk for ward in area_wards if ward.code in self.chosen_wards}
        wards = [ward for ward in area_wards if not self.chosen_wards or ward.pk in chosen_ward_ids]
        in_wards = {ward.pk for ward in wards}

        by_type = defaultdict(lambda: [0, 0])
        by_ward = defaultdict(lambda: [0, 0])
        area_by_ward = defaultdict(int)  # the whole area's wards, for concentration
        ward_type = defaultdict(int)
        monthly = defaultdict(int)
        anti_social = [0, 0]
        anti_social_monthly = defaultdict(int)
        for (month, ward_id, crime_type), total in cells.items():
            slot = 0 if month in current_months else 1 if month in previous_months else None
            if slot is None:
                continue
            if crime_type in counted and slot == 0:
                area_by_ward[ward_id] += total
            if ward_id not in in_wards:
                continue
            if crime_type == ANTI_SOCIAL_BEHAVIOUR and not self.chosen_types:
                anti_social[slot] += total
                anti_social_monthly[month] += total
            if crime_type not in counted:
                continue
            by_type[crime_type][slot] += total
            by_ward[ward_id][slot] += total
            monthly[month] += total
            if slot == 0:
                ward_type[ward_id, crime_type] += total

        # A type held in other months but not in these two windows is left out, unless chosen.
        self.by_type = sorted(
            (
                CountChange(crime_type, *by_type[crime_type])
                for crime_type in self.counted_types
                if self.chosen_types or any(by_type[crime_type])
            ),
            key=lambda row: (-row.current, row.label),
        )
        self.total = CountChange(
            "All crime" if not self.chosen_types else "Total",
            sum(row.current for row in self.by_type),
            sum(row.previous for row in self.by_type),
        )
        if not self.chosen_types:
            self.anti_social = CountChange(ANTI_SOCIAL_BEHAVIOUR, *anti_social)
        self.by_ward = sorted(
            (CountChange(ward.name, *by_ward[ward.pk], code=ward.code) for ward in wards),
            key=lambda row: (-row.current, row.label),
        )
        types = [row.label for row in sorted(self.by_type, key=lambda row: row.label)]
        rows = [
            (ward.name, [ward_type[ward.pk, crime_type] for crime_type in types], by_ward[ward.pk][0])
            for ward in sorted(wards, key=lambda ward: (-by_ward[ward.pk][0], ward.name))
        ]
        self.ward_by_type = WardTypeTable(
            types=types,
            rows=rows,
            column_totals=[sum(row[1][index] for row in rows) for index in range(len(types))],
            total=sum(row[2] for row in rows),
        )
        self.concentration = self._concentration(area_wards, area_by_ward)
        self.trends = [self._trend(self.measure[:1].upper() + self.measure[1:], monthly, previous)]
        if self.anti_social is not None:
            self.trends.append(self._trend(ANTI_SOCIAL_BEHAVIOUR, anti_social_monthly, previous))

    def _trend(self, name, monthly, previous):
        held = set(self.months_held)
        return Trend(
            name=name,
            labels=[f"{month:%b %Y}" for month in self.window.months],
            months=self.window.months,
            current=[monthly[month] if month in held else None for month in self.window.months],
            previous=[monthly[month] if month in held else None for month in previous.months],
        )

    def _concentration(self, area_wards, area_by_ward):
        ward_count = len(area_wards)
        if ward_count < 2 or not 1 <= self.top < ward_count:
            return None
        ranked = sorted(area_wards, key=lambda ward: (-area_by_ward[ward.pk], ward.name))[: self.top]
        total = sum(area_by_ward.values())
        top_total = sum(area_by_ward[ward.pk] for ward in ranked)
        if not total:
            return None
        share = percent(top_total, total)
        names = list_words(ward.name for ward in ranked)
        sentence = (
            f"{share}% of {self.measure} in {self.area_name} occurred in just {count_words(self.top)} of its "
            f"{ward_count} wards, {names}."
        )
        return Concentration(
            top=self.top,
            ward_count=ward_count,
            total=total,
            top_total=top_total,
            wards=[(ward.name, area_by_ward[ward.pk]) for ward in ranked],
            sentence=sentence,
        )

    # For a report ---------------------------------------------------------------------------------

    @property
    def missing_sentence(self):
        """Which months of the two windows have no data held, or "" when none."""
        parts = []
        if self.missing:
            parts.append(
                f"No police.uk data is held for {list_words(f'{m:%B %Y}' for m in self.missing)}: the figures "
                f"for {self.window.short} leave {'it' if len(self.missing) == 1 else 'them'} out."
            )
        if self.previous_missing:
            if len(self.previous_missing) == MONTHS:
                parts.append(f"No police.uk data is held for {self.previous_window}, so there is nothing to compare.")
            else:
                months = list_words(f"{m:%B %Y}" for m in self.previous_missing)
                parts.append(
                    f"No police.uk data is held for {months} of the 12 months before: the change is not like for like."
                )
        return " ".join(parts)

    def headline(self):
        """A few sentences for a report section: the total and its change, concentration, anti-social
        behaviour, the largest crime type and the largest rise, and any months missing."""
        noun = "crimes" if not self.chosen_types else f"counted ({self.measure})"
        sentences = [
            f"There were {number(self.total.current)} {noun} in {self.area_name} in {self.window.short}"
            + (f", {self.total.change_text} on the 12 months before." if len(self.previous_missing) < MONTHS else ".")
        ]
        if self.concentration:
            sentences.append(self.concentration.sentence)
        if self.anti_social is not None and self.anti_social.current:
            sentences.append(
                f"Anti-social behaviour: {number(self.anti_social.current)} incidents, {self.anti_social.change_text}."
            )
        if self.by_type and len(self.by_type) > 1 and self.by_type[0].current:
            largest = self.by_type[0]
            sentences.append(
                f"The most common crime type was {largest.label.lower()}: {number(largest.current)}, "
                f"{percent(largest.current, self.total.current)}% of the total."
            )
            rise = max(self.by_type, key=lambda row: (row.change, row.label))
            if rise.change > 0 and len(self.previous_missing) < MONTHS:
                sentences.append(f"The largest rise was in {rise.label.lower()}: {rise.change_text}.")
        if self.missing_sentence:
            sentences.append(self.missing_sentence)
        return sentences

    def headline_figures(self):
        """[(label, text)]: the headline's figures as a two-column table."""
        figures = [
            ("Period", str(self.window)),
            (self.total.label, number(self.total.current)),
            (f"{self.total.label}, 12 months before", number(self.total.previous)),
            ("Change", self.total.change_text),
        ]
        if self.anti_social is not None:
            figures += [
                (ANTI_SOCIAL_BEHAVIOUR, number(self.anti_social.current)),
                ("Anti-social behaviour, change", self.anti_social.change_text),
            ]
        if self.concentration:
            figures.append(
                (
                    f"Share in the top {count_words(self.top)} ward{'s' if self.top > 1 else ''}",
                    f"{self.concentration.share}% ({list_words(name for name, _ in self.concentration.wards)})",
                )
            )
        if self.missing or self.previous_missing:
            figures.append(
                ("Months with no data", list_words(f"{m:%b %Y}" for m in [*self.previous_missing, *self.missing]))
            )
        return figures


@dataclass
class AssessmentOptions:
    """What an assessment may be asked for: the months held (newest first), the crime types held, the
    area's wards (retired ones too) and what the area is called. Three or four queries."""

    months_held: list
    crime_types: list
    wards: list
    area_name: str

    @classmethod
    def for_partnership(cls, partnership):
        return cls(
            months_held=sorted(
                set(PoliceMonth.objects.filter(partnership=partnership).values_list("month", flat=True)),
                reverse=True,
            ),
            crime_types=sorted(
                CrimeCount.objects.for_partnership(partnership)
                .order_by()
                .values_list("crime_type", flat=True)
                .distinct()
            ),
            wards=list(Ward.objects.filter(partnership=partnership).order_by("name", "code")),
            area_name=area_name(partnership),
        )

    @property
    def end_months(self):
        """Every month a window may end with, newest first: from the latest month held back to the first."""
        if not self.months_held:
            return []
        return list(reversed(month_range(self.months_held[-1], self.months_held[0])))


def area_name(partnership):
    """What the area is called in a sentence: the partnership's area, else its local authorities' names."""
    if partnership.area:
        return partnership.area
    names = list(LocalAuthority.objects.filter(partnership=partnership).current().values_list("name", flat=True))
    return list_words(names) or partnership.name
