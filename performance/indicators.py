"""What an indicator's values say: periods, latest value, change, direction of travel and RAG.

Nothing here is stored: it is worked out from `Indicator` and its current `IndicatorValue` rows.

- `Period`: a month, a UK financial-year quarter (strategy.periods.Quarter) or a financial year,
  with the arithmetic the review needs (previous period, same period a year earlier) and the
  forms people write them in ("Sep 2019", "2019-09", "2019/20 Q2", "2019/20").
- `direction`: improving / worsening / no change, judged by the indicator's polarity.
- `rag`: on or better than target is Green, within the amber tolerance Amber, else Red; contextual
  (demand) indicators are never rated.
- `indicator_rows(strategy=, user=, as_at=)`: one row per indicator a user may see, in a fixed
  number of queries, for the indicator list, the quarterly review and the meeting pack.
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from performance.models import Indicator, IndicatorValue
from strategy.dates import InvalidDate, read_iso_month, read_month
from strategy.periods import Quarter

MONTH = "month"
QUARTER = "quarter"
YEAR = "year"
PERIOD_TYPE_OF_FREQUENCY = {"monthly": MONTH, "quarterly": QUARTER, "annual": YEAR}
PERIODS_PER_YEAR = {MONTH: 12, QUARTER: 4, YEAR: 1}

YEAR_TEXT = re.compile(r"^(?:FY\s*)?(?P<start>\d{4})\s*[/-]\s*(?P<end>\d{2}|\d{4})$", re.IGNORECASE)
QUARTER_FIRST = re.compile(r"^Q(?P<n>[1-4])\s+(?P<rest>.+)$", re.IGNORECASE)

PERIOD_FORMS = 'a month like "Sep 2019" or "2019-09", a quarter like "2019/20 Q2", or a financial year like "2019/20"'


class InvalidPeriod(ValueError):
    """Text that names no period; the message says what was written and what is expected."""


def period_start(period_type, day):
    """The first day of the month, financial-year quarter or financial year containing `day`."""
    if period_type == MONTH:
        return day.replace(day=1)
    if period_type == QUARTER:
        return Quarter.containing(day).start
    if period_type == YEAR:
        return datetime.date(day.year if day.month >= 4 else day.year - 1, 4, 1)
    raise ValueError(f"{period_type} is not a kind of period.")


@dataclass(frozen=True, order=True)
class Period:
    """A month, a financial-year quarter or a financial year, named by its first day."""

    start: datetime.date
    type: str

    def __post_init__(self):
        if period_start(self.type, self.start) != self.start:
            raise ValueError(f"{self.start} does not start a {self.type}.")

    # Making periods ----------------------------------------------------------------------------

    @classmethod
    def containing(cls, period_type, day):
        return cls(period_start(period_type, day), period_type)

    @classmethod
    def month(cls, year, month):
        return cls(datetime.date(year, month, 1), MONTH)

    @classmethod
    def of_quarter(cls, quarter):
        return cls(quarter.start, QUARTER)

    @classmethod
    def of_quarter_text(cls, text):
        """From "2019/20 Q2"."""
        return cls.of_quarter(Quarter.from_text(text))

    @classmethod
    def financial_year(cls, year):
        """The financial year starting in April of `year` (2019 for 2019/20)."""
        return cls(datetime.date(year, 4, 1), YEAR)

    @classmethod
    def parse(cls, text):
        """A period from what people write: "Sep 2019", "September 2019", "Sep-19", "2019-09",
        "2019/20 Q2", "Q2 2019/20", "2019/20", or a date (read as its month). Raises InvalidPeriod."""
        if isinstance(text, datetime.datetime):
            text = text.date()
        if isinstance(text, datetime.date):
            return cls.containing(MONTH, text)
        written = " ".join(str(text or "").split())
        if not written:
            raise InvalidPeriod(f"the period is blank: write {PERIOD_FORMS}")
        candidate = written
        if match := QUARTER_FIRST.match(candidate):
            candidate = f"{match['rest']} Q{match['n']}"
        if "q" in candidate.casefold():
            try:
                return cls.of_quarter(Quarter.from_text(candidate))
            except ValueError as error:
                if "financial year" in str(error):
                    raise InvalidPeriod(
                        f'"{written}" is not a quarter: the second year must follow the first, as in "2019/20 Q2"'
                    ) from None
        # "2019-09" is a month (as ISO 8601 writes it); "2019-20" and "2019/20" are financial years.
        try:
            iso_month = read_iso_month(candidate)
        except InvalidDate:
            raise InvalidPeriod(f'"{written}" is not a date') from None
        if iso_month:
            return cls.month(*iso_month)
        if match := YEAR_TEXT.match(candidate):
            start, end = int(match["start"]), int(match["end"])
            if (end < 100 and end == (start + 1) % 100) or end == start + 1:
                return cls.financial_year(start)
            raise InvalidPeriod(
                f'"{written}" is not a financial year: the second year must follow the first, as in "2019/20"'
            )
        if named_month := read_month(candidate):
            return cls.month(*named_month)
        raise InvalidPeriod(f'"{written}" is not a period: write {PERIOD_FORMS}')

    # Arithmetic --------------------------------------------------------------------------------

    @property
    def end(self):
        return self.next().start - datetime.timedelta(days=1)

    def shifted(self, periods):
        """The period `periods` later (earlier when negative), of the same kind."""
        if self.type == MONTH:
            index = self.start.year * 12 + self.start.month - 1 + periods
            return Period.month(index // 12, index % 12 + 1)
        if self.type == QUARTER:
            index = self.start.year * 4 + (self.start.month - 1) // 3 + periods
            return Period(datetime.date(index // 4, (index % 4) * 3 + 1, 1), QUARTER)
        return Period.financial_year(self.start.year + periods)

    def next(self):
        return self.shifted(1)

    def previous(self):
        return self.shifted(-1)

    def year_earlier(self):
        return self.shifted(-PERIODS_PER_YEAR[self.type])

    @property
    def quarter(self):
        return Quarter.containing(self.start) if self.type == QUARTER else None

    @property
    def financial_year_label(self):
        year = self.start.year if self.start.month >= 4 else self.start.year - 1
        return f"{year}/{(year + 1) % 100:02d}"

    def label(self):
        if self.type == MONTH:
            return f"{self.start:%b %Y}"
        if self.type == QUARTER:
            return str(self.quarter)
        return self.financial_year_label

    def short_label(self, after=None):
        """The label with what it shares with `after` left out: "Q4" after "2017/18 Q1"."""
        same_year = after is not None and self.financial_year_label == after.financial_year_label
        if same_year and self.type == QUARTER == after.type:
            return f"Q{self.quarter.number}"
        return self.label()

    def is_future(self, today=None):
        return self.start > (today or timezone.localdate())

    def __str__(self):
        return self.label()


def period_type_of(indicator):
    return PERIOD_TYPE_OF_FREQUENCY[indicator.frequency]


# Numbers as the reader sees them -----------------------------------------------------------------

UNIT_SUFFIX = {
    "count": "",
    "percentage": "%",
    "rate_1000": " per 1,000",
    "rate_10000_females": " per 10,000 adult females",
    "money": "",
}


def rounded(value, places=0):
    if value is None:
        return None
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_number(value, places=0):
    return f"{rounded(value, places):,}"


def plain(number):
    """A Decimal without trailing zeros or exponent: 140.000 is "140", 12.500 is "12.5"."""
    return "" if number is None else f"{Decimal(number).normalize():f}"


def format_value(indicator, value, *, short=False, exact=False):
    """A value in the indicator's unit: "14%", "1,234", "3.2 per 1,000", "£12,500". With `exact`, as many
    decimal places as the value needs (up to 3), so a worked-out target of 12.6% does not show as 13%."""
    if value is None:
        return ""
    places = indicator.decimal_places
    if exact:
        places = max(places, min(3, -Decimal(value).normalize().as_tuple().exponent))
    number = format_number(value, places)
    if indicator.unit == "money":
        return f"-£{number[1:]}" if number.startswith("-") else f"£{number}"
    if short and indicator.unit != "percentage":
        return number
    return number + UNIT_SUFFIX.get(indicator.unit, "")


def parse_number(text):
    """A Decimal from what people type: "14", "14.5", "14%", "1,234", "£1,234"; raises ValueError."""
    if isinstance(text, (int, float, Decimal)) and not isinstance(text, bool):
        number = Decimal(str(text))
    else:
        cleaned = str(text or "").strip().replace(",", "").replace("£", "").rstrip("%").strip()
        if not cleaned:
            raise ValueError("blank")
        try:
            number = Decimal(cleaned)
        except InvalidOperation:
            raise ValueError(f'"{str(text).strip()}" is not a number') from None
    if not number.is_finite():
        raise ValueError(f'"{text}" is not a number')
    return number


MAX_VALUE = Decimal("99999999999")  # what the database column holds (14 digits, 3 after the point)


RATE_MULTIPLIERS = {"percentage": 100, "rate_1000": 1000, "rate_10000_females": 10000}


def value_from_parts(indicator, numerator, denominator):
    """The rate a numerator and denominator give in the indicator's unit, or None (no rate, or parts missing)."""
    multiplier = RATE_MULTIPLIERS.get(indicator.unit)
    if multiplier is None or numerator is None or not denominator:
        return None
    return Decimal(numerator) / Decimal(denominator) * multiplier


def value_problem(indicator, value, *, as_fraction_allowed=False):
    """Why `value` cannot be a figure of `indicator` (in the words the forms and the import use), or None."""
    if abs(value) > MAX_VALUE:
        return f"{format_number(value)} is too large for a figure"
    if value != value.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP):
        return "use at most 3 decimal places"
    if indicator.unit == "percentage" and not (0 <= value <= 100):
        return f"{value.normalize():f} is not a percentage: enter a number from 0 to 100"
    if indicator.unit in ("count", "rate_1000", "rate_10000_females") and value < 0:
        return f"{value.normalize():f} is below zero: a {indicator.get_unit_display().lower()} cannot be negative"
    return None


def period_problem(indicator, period, *, today=None):
    """Why `period` cannot hold a figure of `indicator`, or None."""
    expected = period_type_of(indicator)
    if period.type != expected:
        examples = {MONTH: '"Sep 2019"', QUARTER: '"2019/20 Q2"', YEAR: '"2019/20"'}
        return (
            f"{period} is a {period.type} but {indicator.ref} is reported {indicator.get_frequency_display().lower()}"
            f": give a {expected} like {examples[expected]}"
        )
    if period.is_future(today):
        return f"{period} has not started yet: figures can only be entered for periods that have begun"
    return None


# Direction of travel and RAG ---------------------------------------------------------------------

IMPROVING, WORSENING, NO_CHANGE = "Improving", "Worsening", "No change"
UP, DOWN, LEVEL = "↑", "↓", "→"


def direction(polarity, now, before):
    """(arrow, word) for the move from `before` to `now`: the arrow shows which way the figure went,
    the word whether that is better, by the polarity. None when either figure is missing."""
    if now is None or before is None:
        return None
    if now == before:
        return LEVEL, NO_CHANGE
    rose = now > before
    arrow = UP if rose else DOWN
    if polarity == "neither":
        return arrow, "Up" if rose else "Down"
    better = rose if polarity == "higher" else not rose
    return arrow, IMPROVING if better else WORSENING


def target_for(indicator, comparator_value=None):
    """The figure to reach for one period, or None: the absolute target, the baseline moved by the
    % change, or the comparator's figure for that period."""
    if not indicator.rated:
        return None
    kind = indicator.target_kind
    if kind == "absolute":
        return indicator.target_value
    if kind == "change" and indicator.baseline_value is not None and indicator.target_value is not None:
        return rounded(indicator.baseline_value * (1 + indicator.target_value / 100), 3)
    if kind == "benchmark":
        return comparator_value
    return None


def rag(indicator, value, comparator_value=None):
    """(colour, word): Green on or better than target, Amber within the tolerance (a % of the target),
    else Red. None for a contextual indicator, which is never rated."""
    if not indicator.rated:
        return None
    if value is None:
        return "grey", "No data"
    target = target_for(indicator, comparator_value)
    if target is None:
        return "grey", "No target"
    band = abs(target) * Decimal(indicator.amber_tolerance) / 100
    if indicator.polarity == "higher":
        if value >= target:
            return "green", "Green"
        return ("amber", "Amber") if value >= target - band else ("red", "Red")
    if value <= target:
        return "green", "Green"
    return ("amber", "Amber") if value <= target + band else ("red", "Red")


def target_text(indicator):
    """The target as written on the page: "12% or lower", "10% lower than the baseline (12.6%)"."""
    if not indicator.rated or not indicator.target_kind:
        return ""
    better = {"higher": "or higher", "lower": "or lower"}.get(indicator.polarity, "")
    if indicator.target_kind == "absolute":
        return f"{format_value(indicator, indicator.target_value, exact=True)} {better}".strip()
    if indicator.target_kind == "change":
        change = indicator.target_value
        way = "lower" if change < 0 else "higher"
        target = target_for(indicator)
        percent = format_number(abs(change), 1).removesuffix(".0")
        return f"{percent}% {way} than the baseline ({format_value(indicator, target, exact=True)})"
    name = indicator.comparator_name or "the comparator"
    return f"At or {'above' if indicator.polarity == 'higher' else 'below'} {name}"


def target_short(indicator, comparator_value=None):
    """The target figure for a summary sentence ("12%"), or the comparator's name for a benchmark."""
    if indicator.target_kind == "benchmark":
        value = target_for(indicator, comparator_value)
        name = indicator.comparator_name or "the comparator"
        return f"{name} ({format_value(indicator, value, exact=True)})" if value is not None else name
    value = target_for(indicator, comparator_value)
    return format_value(indicator, value, exact=True) if value is not None else ""


# A value's place in a series ----------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """One period's current figure, as the lists and charts use it (no model instance needed)."""

    period: Period
    value: Decimal
    comparator_value: Decimal | None = None
    data_to: datetime.date | None = None
    pk: int | None = None
    months_held: int | None = None
    months_expected: int | None = None

    @property
    def coverage(self):
        return coverage_text(self.months_held, self.months_expected)


def coverage_text(months_held, months_expected):
    """ "2 of 3 months" for a figure computed from fewer months than its period covers; else ""."""
    if months_held is None or months_expected is None or months_held >= months_expected:
        return ""
    return f"{months_held} of {months_expected} months"


def points_from_values(values):
    """Points, oldest first, from IndicatorValue rows."""
    points = [
        Point(
            period=Period(row.period_start, row.period_type),
            value=row.value,
            comparator_value=row.comparator_value,
            data_to=row.data_to,
            pk=row.pk,
            months_held=row.months_held,
            months_expected=row.months_expected,
        )
        for row in values
    ]
    return sorted(points, key=lambda point: point.period.start)


def trend_summary(indicator, points):
    """One sentence saying what the series did, e.g. "Rose from 14% to 16% between 2017/18 Q1 and Q4;
    target 12%; worsening"."""
    if not points:
        return "No figures yet."
    first, last = points[0], points[-1]
    latest = format_value(indicator, last.value)
    if len(points) == 1:
        parts = [f"{latest} in {last.period}"]
    else:
        span = f"between {first.period} and {last.period.short_label(after=first.period)}"
        if last.value > first.value:
            parts = [f"Rose from {format_value(indicator, first.value)} to {latest} {span}"]
        elif last.value < first.value:
            parts = [f"Fell from {format_value(indicator, first.value)} to {latest} {span}"]
        else:
            parts = [f"Stayed at {latest} {span}"]
    if indicator.rated and indicator.target_kind:
        target = target_short(indicator, last.comparator_value)
        if target:
            parts.append(f"target {target}")
    elif indicator.comparator_name and last.comparator_value is not None:
        parts.append(f"{indicator.comparator_name} {format_value(indicator, last.comparator_value)}")
    if len(points) > 1:
        moved = direction(indicator.polarity, last.value, first.value)
        if moved and moved[1] in (IMPROVING, WORSENING, NO_CHANGE):
            parts.append(moved[1].lower())
    return "; ".join(parts)


# Rows for lists, the review and the pack -------------------------------------------------------------

# How many of each indicator's latest periods `indicator_rows` reads: enough for the same month a year
# earlier (a missing month only makes them reach further back) and a year of monthly sparkline.
RECENT_PERIODS = 13


@dataclass
class IndicatorRow:
    """What the indicator list, the review's KPI table and the pack show for one indicator."""

    indicator: object
    kind: str  # "performance" or "contextual"
    latest: Point | None
    previous: Point | None
    year_earlier: Point | None
    target: str  # as displayed; "" when none
    target_value: Decimal | None
    rag: tuple | None  # (colour, word); None for a contextual indicator
    since_previous: tuple | None  # (arrow, word); None when there is nothing to compare
    since_year_earlier: tuple | None
    comparator: str  # the comparator's latest figure with its name, as displayed
    comparator_value: Decimal | None
    points: list = field(default_factory=list)  # oldest first, at most RECENT_PERIODS

    @property
    def value(self):
        return self.latest.value if self.latest else None

    @property
    def value_display(self):
        return format_value(self.indicator, self.value) if self.latest else ""

    @property
    def period(self):
        return self.latest.period if self.latest else None

    @property
    def data_to(self):
        return self.latest.data_to if self.latest else None

    @property
    def rated(self):
        return self.kind == "performance"

    @property
    def coverage(self):
        """ "2 of 3 months" when the latest figure was computed before all its months were held."""
        return self.latest.coverage if self.latest else ""

    @property
    def summary(self):
        return trend_summary(self.indicator, self.points)

    def as_dict(self):
        return {
            "indicator": self.indicator,
            "ref": self.indicator.ref,
            "name": self.indicator.name,
            "kind": self.kind,
            "value": self.value,
            "value_display": self.value_display,
            "period": str(self.period) if self.period else "",
            "data_to": self.data_to,
            "coverage": self.coverage,
            "target": self.target,
            "rag": self.rag,
            "since_previous": self.since_previous,
            "since_year_earlier": self.since_year_earlier,
            "comparator": self.comparator,
            "comparator_value": self.comparator_value,
        }


def indicator_row(indicator, points):
    """The row for one indicator from its points (oldest first, latest last)."""
    latest = points[-1] if points else None
    by_period = {point.period: point for point in points}
    previous = by_period.get(latest.period.previous()) if latest else None
    year_earlier = by_period.get(latest.period.year_earlier()) if latest else None
    polarity = indicator.polarity
    comparator_value = latest.comparator_value if latest else None
    comparator = ""
    if comparator_value is not None:
        comparator = format_value(indicator, comparator_value)
        if indicator.comparator_name:
            comparator += f" ({indicator.comparator_name})"
    return IndicatorRow(
        indicator=indicator,
        kind=indicator.kind,
        latest=latest,
        previous=previous,
        year_earlier=year_earlier,
        target=target_text(indicator),
        target_value=target_for(indicator, comparator_value),
        rag=rag(indicator, latest.value if latest else None, comparator_value),
        since_previous=direction(polarity, latest.value, previous.value) if latest and previous else None,
        since_year_earlier=direction(polarity, latest.value, year_earlier.value) if latest and year_earlier else None,
        comparator=comparator,
        comparator_value=comparator_value,
        points=points,
    )


def recent_points(indicators, *, as_at, known_at=None, keep=RECENT_PERIODS):
    """{indicator pk: [Point, ...]} of each indicator's latest `keep` periods whose data ends on or
    before `as_at`: one query, whatever the number of indicators and values."""
    values = IndicatorValue.objects.filter(indicator__in=indicators, data_to__lte=as_at)
    values = values.known_at(known_at) if known_at is not None else values.current()
    ranked = values.annotate(
        recency=Window(RowNumber(), partition_by=[F("indicator_id")], order_by=F("period_start").desc())
    ).filter(recency__lte=keep)
    return points_by_indicator(ranked)


def points_by_indicator(values):
    """{indicator pk: [Point, ...], oldest first} from a query of IndicatorValue rows: only the columns
    a Point has are read, with no model instance per value, and in no order: the points are sorted here."""
    rows = values.order_by().values_list(
        "indicator_id",
        "period_start",
        "period_type",
        "value",
        "comparator_value",
        "data_to",
        "pk",
        "months_held",
        "months_expected",
    )
    found = {}
    periods = {}  # most indicators share their periods: make each one once
    for indicator_id, start, period_type, value, comparator_value, data_to, pk, held, expected in rows:
        period = periods.get((start, period_type))
        if period is None:
            period = periods[start, period_type] = Period(start, period_type)
        found.setdefault(indicator_id, []).append(
            Point(period, value, comparator_value, data_to, pk, months_held=held, months_expected=expected)
        )
    for points in found.values():
        points.sort(key=lambda point: point.period.start)
    return found


def indicator_rows(*, strategy, user, as_at=None, known_at=None, indicators=None):
    """One IndicatorRow per indicator of `strategy` that `user` may see, in reference order.

    The latest value is that of the latest period whose "data to" date is on or before `as_at` (a
    date; default today). With `known_at` (a datetime) values are taken as they stood then, before
    any later correction, so a pack can be made again exactly as issued. `indicators` narrows the
    rows (a queryset of the strategy's indicators, e.g. filtered).

    Queries, whatever the number of indicators and values: the user's membership (once per
    request), the indicators, and their recent values.
    """
    as_at = as_at or timezone.localdate()
    queryset = indicators if indicators is not None else Indicator.objects.all()
    queryset = (
        queryset.for_strategy(strategy)
        .visible_to(user)
        .select_related("strategy", "owning_organisation", "delivery_group")
        .order_by("ref_sort", "pk")
    )
    listed = list(queryset)
    points = recent_points([indicator.pk for indicator in listed], as_at=as_at, known_at=known_at) if listed else {}
    return [indicator_row(indicator, points.get(indicator.pk, [])) for indicator in listed]
