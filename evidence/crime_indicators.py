"""Indicators computed from the crime counts: defining one, and computing its values.

Which way the apps lean: `evidence` builds on `performance` here. The indicator is a
performance.Indicator like any other (target, polarity, tolerance, comparator, RAG, review, pack);
what it counts is an evidence.CrimeIndicator linked one-to-one to it, and its values are written
through Indicator.record_value with the months of data each was computed from. performance knows
only that the indicator's values are computed (Indicator.computed_from), so nobody types over them.

A value is never overwritten: a recomputed figure that differs (a month re-published, a definition
changed) corrects the one before, which stays in the history. A period's figure is computed from
the months held of it; fewer than it covers ("2 of 3 months") is stored with the value and shown.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from evidence.models import CrimeCount, CrimeIndicator, PoliceMonth
from performance.indicators import MONTH, QUARTER, YEAR, Period
from performance.models import Indicator, IndicatorValue
from strategy.audit import record_changed

Kind = CrimeIndicator.PeriodKind

# How each kind of period is reported, in performance's terms: (frequency, each figure covers).
REPORTED_AS = {
    Kind.MONTHLY: (Indicator.Frequency.MONTHLY, Indicator.PeriodBasis.PERIOD),
    Kind.QUARTERLY: (Indicator.Frequency.QUARTERLY, Indicator.PeriodBasis.PERIOD),
    Kind.FINANCIAL_YEAR: (Indicator.Frequency.ANNUAL, Indicator.PeriodBasis.PERIOD),
    Kind.ROLLING_12_MONTHS: (Indicator.Frequency.MONTHLY, Indicator.PeriodBasis.ROLLING_12_MONTHS),
}
PERIOD_TYPE = {Kind.MONTHLY: MONTH, Kind.QUARTERLY: QUARTER, Kind.FINANCIAL_YEAR: YEAR}
RECOMPUTED = "Recomputed from the police.uk crime data now held"
DATA_SOURCE = "police.uk street-level crime data (data.police.uk)"


def _index(day):
    return day.year * 12 + day.month - 1


def _month(index):
    return datetime.date(index // 12, index % 12 + 1, 1)


def _month_end(index):
    return _month(index + 1) - datetime.timedelta(days=1)


@dataclass(frozen=True)
class Figure:
    period: Period
    value: int
    months_held: int
    months_expected: int
    data_to: datetime.date


def figures(period_kind, *, held, totals):
    """The figures of a definition, oldest first: `held` the months held (first days), `totals` {month: count}
    of what it counts. A period gets a figure when at least one of its months is held; a rolling 12 months
    one for each month held, covering it and the 11 before."""
    held_indexes = sorted({_index(month) for month in held})
    if not held_indexes:
        return []
    held_set = set(held_indexes)
    by_index = {_index(month): count for month, count in totals.items()}
    if period_kind == Kind.ROLLING_12_MONTHS:
        found = []
        for last in held_indexes:
            window = [index for index in range(last - 11, last + 1) if index in held_set]
            found.append(
                Figure(
                    period=Period(_month(last), MONTH),
                    value=sum(by_index.get(index, 0) for index in window),
                    months_held=len(window),
                    months_expected=12,
                    data_to=_month_end(last),
                )
            )
        return found
    period_type = PERIOD_TYPE[period_kind]
    found = []
    for period in sorted({Period.containing(period_type, _month(index)) for index in held_indexes}):
        months = range(_index(period.start), _index(period.end) + 1)
        window = [index for index in months if index in held_set]
        found.append(
            Figure(
                period=period,
                value=sum(by_index.get(index, 0) for index in window),
                months_held=len(window),
                months_expected=len(months),
                data_to=_month_end(window[-1]),
            )
        )
    return found


def _held_months(partnership_id):
    return set(PoliceMonth.objects.filter(partnership_id=partnership_id).values_list("month", flat=True).distinct())


def _totals(definition, partnership_id):
    counts = CrimeCount.objects.filter(partnership_id=partnership_id).filter(definition.counts_filter())
    wards = [ward.pk for ward in definition.wards.all()]
    if wards:
        counts = counts.filter(ward__in=wards)
    return dict(counts.values("month").annotate(total=Sum("count")).values_list("month", "total").order_by())


@transaction.atomic
def crime_indicator_compute(*, definition, by=None, held=None):
    """Bring the indicator's values in line with the counts held: a new figure for a period that has none,
    a correction for one whose figure changed, and the figures of periods it no longer has (its period
    kind changed) set aside. Returns how many figures were written."""
    indicator = definition.indicator
    partnership_id = indicator.strategy.partnership_id
    held = _held_months(partnership_id) if held is None else held
    wanted = {
        figure.period.start: figure
        for figure in figures(definition.period_kind, held=held, totals=_totals(definition, partnership_id))
    }
    now = timezone.now()
    current = {value.period_start: value for value in indicator.values.current()}
    gone = [
        value
        for start, value in current.items()
        if start not in wanted or value.period_type != wanted[start].period.type
    ]
    if gone:
        IndicatorValue.objects.filter(pk__in=[value.pk for value in gone]).update(superseded_at=now)
        for value in gone:
            value.superseded_at = now
            del current[value.period_start]
        record_changed(gone, IndicatorValue, by=by, reason="Set aside: the indicator's definition changed")
    written = 0
    for start, figure in wanted.items():
        before = current.get(start)
        if before is not None and (before.value, before.months_held, before.months_expected, before.data_to) == (
            figure.value,
            figure.months_held,
            figure.months_expected,
            figure.data_to,
        ):
            continue
        indicator.record_value(
            period=figure.period,
            value=figure.value,
            by=by,
            data_to=figure.data_to,
            months_held=figure.months_held,
            months_expected=figure.months_expected,
            source=IndicatorValue.Source.CRIME_DATA,
            replaces=before,
            correction_reason=RECOMPUTED if before is not None else "",
            entered_at=now,
        )
        written += 1
    CrimeIndicator.objects.filter(pk=definition.pk).update(computed_at=now)
    return written


def crime_indicators_recompute(*, partnership, by=None):
    """Recompute every indicator of the partnership computed from the crime counts (after an import)."""
    held = _held_months(partnership.pk)
    definitions = CrimeIndicator.objects.filter(indicator__strategy__partnership=partnership).select_related(
        "indicator__strategy"
    )
    return sum(crime_indicator_compute(definition=definition, by=by, held=held) for definition in definitions)


def definition_text(definition, wards):
    """The indicator's definition and counting rule, in words, from what it counts."""
    where = ", ".join(ward.name for ward in wards) if wards else "the whole area"
    per = {
        Kind.MONTHLY: "each month",
        Kind.QUARTERLY: "each financial-year quarter",
        Kind.FINANCIAL_YEAR: "each financial year (April to March)",
        Kind.ROLLING_12_MONTHS: "the 12 months to each month",
    }[definition.period_kind]
    return (
        f"Crimes recorded on police.uk ({definition.crimes_text()}) in {where}, counted over {per}. "
        "Computed from the street-level crime data imported; a figure computed before all its months were "
        "held says how many it covers."
    )


@transaction.atomic
def crime_indicator_save(*, definition, indicator, wards, by=None):
    """Save a new or changed definition with its indicator, then compute its values.

    `indicator` and `definition` come from the form, unsaved or changed; the indicator takes the period
    kind's frequency, a count unit and the definition in words."""
    indicator.frequency, indicator.period_basis = REPORTED_AS[definition.period_kind]
    indicator.unit = Indicator.Unit.COUNT
    indicator.decimal_places = 0
    indicator.computed_from = Indicator.ComputedFrom.CRIME_DATA
    indicator.data_source = DATA_SOURCE
    indicator.definition = definition_text(definition, wards)
    indicator.full_clean()
    indicator.save()
    definition.indicator = indicator
    if definition.crimes != CrimeIndicator.Crimes.TYPES:
        definition.crime_types = []
    definition.full_clean()
    definition.save()
    definition.wards.set(wards)
    crime_indicator_compute(definition=definition, by=by)
    return definition
