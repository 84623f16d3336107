"""Indicator rules: direction of travel, RAG against target with the amber tolerance, the database's
constraints, values and their corrections, and the demo data."""

import datetime
import json
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from performance.indicators import (
    Period,
    direction,
    format_value,
    period_problem,
    rag,
    target_for,
    target_text,
    trend_summary,
    value_from_parts,
    value_problem,
)
from performance.models import Indicator, IndicatorValue
from performance.value_imports import indicators_document_load
from tests.conftest import violates

D = Decimal


def indicator(**fields):
    """An unsaved indicator: the derived figures need only its fields."""
    defaults = {
        "ref": "KPI-1",
        "name": "Repeat victims",
        "unit": "percentage",
        "polarity": "lower",
        "kind": "performance",
        "target_kind": "absolute",
        "target_value": D("12"),
        "amber_tolerance": D("10"),
    }
    return Indicator(**{**defaults, **fields})


# Direction of travel -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("polarity", "now", "before", "expected"),
    [
        ("lower", 13, 14, ("↓", "Improving")),
        ("lower", 15, 14, ("↑", "Worsening")),
        ("higher", 15, 14, ("↑", "Improving")),
        ("higher", 13, 14, ("↓", "Worsening")),
        ("higher", 14, 14, ("→", "No change")),
        ("lower", 14, 14, ("→", "No change")),
        ("neither", 15, 14, ("↑", "Up")),
        ("neither", 13, 14, ("↓", "Down")),
        ("higher", 14, None, None),
        ("higher", None, 14, None),
    ],
)
def test_direction_is_judged_by_polarity(polarity, now, before, expected):
    assert direction(polarity, now if now is None else D(now), before if before is None else D(before)) == expected


# RAG -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("11", ("green", "Green")),
        ("12", ("green", "Green")),  # on target is Green
        ("12.5", ("amber", "Amber")),
        ("13.2", ("amber", "Amber")),  # exactly at the tolerance (10% of 12 = 1.2) is still Amber
        ("13.21", ("red", "Red")),
        ("20", ("red", "Red")),
    ],
)
def test_rag_lower_is_better(value, expected):
    assert rag(indicator(), D(value)) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("85", ("green", "Green")), ("80", ("green", "Green")), ("72", ("amber", "Amber")), ("71.9", ("red", "Red"))],
)
def test_rag_higher_is_better(value, expected):
    young_people = indicator(polarity="higher", target_value=D("80"), amber_tolerance=D("10"))
    assert rag(young_people, D(value)) == expected


def test_no_tolerance_means_anything_worse_than_target_is_red():
    strict = indicator(amber_tolerance=D("0"))
    assert rag(strict, D("12")) == ("green", "Green")
    assert rag(strict, D("12.001")) == ("red", "Red")


def test_a_target_as_a_change_on_the_baseline():
    repeat = indicator(target_kind="change", target_value=D("-10"), baseline_value=D("14"), amber_tolerance=D("5"))
    assert target_for(repeat) == D("12.6")
    assert target_text(repeat) == "10% lower than the baseline (12.6%)"
    assert rag(repeat, D("12.6")) == ("green", "Green")
    assert rag(repeat, D("13.2")) == ("amber", "Amber")  # within 5% of 12.6 (0.63)
    assert rag(repeat, D("13.3")) == ("red", "Red")


def test_a_benchmark_target_is_the_comparator_for_the_same_period():
    marac = indicator(target_kind="benchmark", target_value=None, comparator_name="SafeLives national average")
    assert target_text(marac) == "At or below SafeLives national average"
    assert rag(marac, D("18"), comparator_value=D("25")) == ("green", "Green")
    assert rag(marac, D("26"), comparator_value=D("25")) == ("amber", "Amber")
    assert rag(marac, D("30"), comparator_value=D("25")) == ("red", "Red")
    assert rag(marac, D("18")) == ("grey", "No target")  # no comparator figure for that period


def test_contextual_indicators_are_never_rated():
    demand = indicator(kind="contextual", target_kind="", target_value=None, polarity="neither")
    assert rag(demand, D("70")) is None
    assert target_text(demand) == ""


def test_a_performance_indicator_without_a_figure_or_a_target():
    assert rag(indicator(), None) == ("grey", "No data")
    assert rag(indicator(target_kind="", target_value=None), D("3")) == ("grey", "No target")


def test_targets_as_written():
    assert target_text(indicator()) == "12% or lower"
    assert target_text(indicator(polarity="higher", unit="count", target_value=D("65"))) == "65 or higher"


# Figures in their units -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "places", "value", "shown"),
    [
        ("percentage", 0, "14", "14%"),
        ("percentage", 1, "14.25", "14.3%"),
        ("count", 0, "1234", "1,234"),
        ("rate_1000", 1, "3.21", "3.2 per 1,000"),
        ("rate_10000_females", 1, "45", "45.0 per 10,000 adult females"),
        ("money", 0, "1000000", "£1,000,000"),
        ("money", 0, "-250", "-£250"),
    ],
)
def test_values_are_shown_in_their_unit(unit, places, value, shown):
    assert format_value(indicator(unit=unit, decimal_places=places), D(value)) == shown


def test_a_rate_from_its_numerator_and_denominator():
    assert value_from_parts(indicator(), D(11), D(62)).quantize(D("0.1")) == D("17.7")
    assert value_from_parts(indicator(unit="rate_1000"), D(5), D(2000)) == D("2.5")
    assert value_from_parts(indicator(unit="count"), D(5), D(2000)) is None


def test_values_are_checked_against_the_unit():
    assert value_problem(indicator(), D("101")) == "101 is not a percentage: enter a number from 0 to 100"
    assert value_problem(indicator(), D("-1")) == "-1 is not a percentage: enter a number from 0 to 100"
    assert value_problem(indicator(), D("100")) is None
    assert value_problem(indicator(unit="count"), D("-3")) == "-3 is below zero: a count cannot be negative"
    assert value_problem(indicator(unit="money"), D("-3")) is None
    assert value_problem(indicator(unit="count"), D("1.2345")) == "use at most 3 decimal places"


def test_periods_are_checked_against_the_frequency_and_today():
    quarterly = indicator(frequency="quarterly")
    today = datetime.date(2020, 10, 27)
    assert period_problem(quarterly, Period.of_quarter_text("2020/21 Q2"), today=today) is None
    assert period_problem(quarterly, Period.month(2020, 9), today=today) == (
        'Sep 2020 is a month but KPI-1 is reported quarterly: give a quarter like "2019/20 Q2"'
    )
    assert period_problem(quarterly, Period.of_quarter_text("2020/21 Q4"), today=today) == (
        "2020/21 Q4 has not started yet: figures can only be entered for periods that have begun"
    )


def test_trend_summary_says_what_the_line_did():
    quarters = [Period.of_quarter_text(f"2017/18 Q{n}") for n in (1, 2, 3, 4)]
    from performance.indicators import Point

    points = [Point(period, D(value)) for period, value in zip(quarters, (14, 15, 15, 16), strict=True)]
    assert trend_summary(indicator(), points) == "Rose from 14% to 16% between 2017/18 Q1 and Q4; target 12%; worsening"
    falling = [Point(quarters[0], D(16)), Point(quarters[3], D(12))]
    assert (
        trend_summary(indicator(), falling) == "Fell from 16% to 12% between 2017/18 Q1 and Q4; target 12%; improving"
    )
    assert trend_summary(indicator(), points[:1]) == "14% in 2017/18 Q1; target 12%"
    assert trend_summary(indicator(), []) == "No figures yet."


# The database's rules ---------------------------------------------------------------------------------


@pytest.fixture
def kpi(plan):
    return Indicator.objects.create(
        strategy=plan["strategy"],
        ref="KPI-V1",
        name="Repeat victims",
        unit="percentage",
        polarity="lower",
        frequency="quarterly",
        target_kind="absolute",
        target_value=D("12"),
    )


Q1 = Period.of_quarter_text("2024/25 Q1")


def test_one_current_value_per_period(kpi):
    kpi.record_value(period=Q1, value=D(14))
    with (
        pytest.raises(IntegrityError, match=violates(IndicatorValue, "indicator_value_one_current_per_period")),
        transaction.atomic(),
    ):
        IndicatorValue.objects.create(
            indicator=kpi, period_type="quarter", period_start=Q1.start, period_end=Q1.end, data_to=Q1.end, value=15
        )


def test_a_duplicate_period_is_refused_with_a_message(kpi):
    kpi.record_value(period=Q1, value=D(14))
    with pytest.raises(ValidationError) as error:
        kpi.record_value(period=Q1, value=D(15))
    assert error.value.messages == [
        "KPI-V1 already has a figure for 2024/25 Q1: correct that value instead of adding another."
    ]
    assert kpi.values.count() == 1


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        (
            {"kind": "contextual", "polarity": "neither", "target_kind": "absolute", "target_value": 5},
            "indicator_contextual_has_no_target",
        ),
        ({"kind": "performance", "polarity": "neither"}, "indicator_performance_has_polarity"),
        ({"target_kind": "absolute"}, "indicator_target_needs_value"),
        ({"target_kind": "change", "target_value": -10}, "indicator_change_target_needs_baseline"),
        ({"amber_tolerance": 101}, "indicator_tolerance_0_100"),
        ({"ref": ""}, "indicator_ref_required"),
        ({"unit": "furlongs"}, "indicator_unit_valid"),
    ],
)
def test_indicator_constraints(plan, fields, constraint):
    with pytest.raises(IntegrityError, match=violates(Indicator, constraint)), transaction.atomic():
        Indicator.objects.create(strategy=plan["strategy"], **{"ref": "KPI-9", **fields})


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"data_to": datetime.date(2024, 7, 1)}, "indicator_value_data_to_in_period"),  # after the quarter
        ({"denominator": 0}, "indicator_value_denominator_positive"),
        ({"period_type": "fortnight"}, "indicator_value_period_type_valid"),
    ],
)
def test_value_constraints(kpi, fields, constraint):
    row = {
        "indicator": kpi,
        "period_type": "quarter",
        "period_start": Q1.start,
        "period_end": Q1.end,
        "data_to": Q1.end,
        "value": 14,
        **fields,
    }
    with pytest.raises(IntegrityError, match=violates(IndicatorValue, constraint)), transaction.atomic():
        IndicatorValue.objects.create(**row)


def test_a_correction_keeps_the_old_value_in_the_history(kpi, officer):
    first = kpi.record_value(period=Q1, value=D(14), by=officer)
    second = kpi.record_value(period=Q1, value=D(15), by=officer, replaces=first, correction_reason="Late crimes")
    first.refresh_from_db()
    assert first.superseded_at == second.entered_at
    assert first.replaced_by == second
    assert list(kpi.values.current()) == [second]
    assert kpi.values.count() == 2
    with (
        pytest.raises(IntegrityError, match=violates(IndicatorValue, "indicator_value_correction_has_reason")),
        transaction.atomic(),
    ):
        IndicatorValue.objects.filter(pk=second.pk).update(correction_reason="")


def test_correcting_a_value_someone_else_corrected_is_refused(kpi):
    first = kpi.record_value(period=Q1, value=D(14))
    kpi.record_value(period=Q1, value=D(15), replaces=first, correction_reason="Recount")
    with pytest.raises(ValidationError, match="Someone else corrected this value"):
        kpi.record_value(period=Q1, value=D(16), replaces=first, correction_reason="Another recount")
    assert kpi.values.count() == 2


def test_values_as_they_stood_at_a_moment(kpi):
    before = timezone.now()
    first = kpi.record_value(period=Q1, value=D(14), entered_at=before)
    later = before + datetime.timedelta(days=30)
    kpi.record_value(period=Q1, value=D(15), replaces=first, correction_reason="Recount", entered_at=later)
    assert [v.value for v in IndicatorValue.objects.known_at(before)] == [D(14)]
    assert [v.value for v in IndicatorValue.objects.known_at(later)] == [D(15)]
    assert not IndicatorValue.objects.known_at(before - datetime.timedelta(seconds=1)).exists()


def test_str():
    value = IndicatorValue(indicator=indicator(), period_type="quarter", period_start=Q1.start, value=D("14.500"))
    assert str(value) == "KPI-1 2024/25 Q1: 14.5"
    assert str(indicator()) == "KPI-1 Repeat victims"


# The demo data ----------------------------------------------------------------------------------------------


@pytest.fixture
def swp(db):
    from actions.services import partnership_document_load

    with open(settings.BASE_DIR / "fixtures" / "swp_demo.json", encoding="utf-8") as file:
        partnership_document_load(document=json.load(file))
    with open(settings.BASE_DIR / "fixtures" / "swp_indicators.json", encoding="utf-8") as file:
        return json.load(file)


def test_demo_indicators_carry_the_documents_figures_as_baselines(swp):
    assert indicators_document_load(document=swp) == 15
    repeat = Indicator.objects.get(strategy__slug="swp-2017-2020", ref="KPI-V1")
    assert repeat.baseline_value == D(14)
    assert repeat.values.current().order_by("period_start").first().value == D(14)
    assert list(repeat.actions.values_list("ref", flat=True)) == ["V1.2"]
    assert list(repeat.strategic_objectives.values_list("number", flat=True)) == [1]
    assert sorted(repeat.owners.values_list("name", flat=True)) == ["Adam Taylor", "Serena Simon"]
    marac = Indicator.objects.get(ref="KPI-V2")
    first = marac.values.current().order_by("period_start").first()
    assert (first.value, first.comparator_value) == (D(18), D(25))
    assert marac.target_kind == "benchmark" and marac.comparator_name == "SafeLives national average"
    assert Indicator.objects.get(ref="KPI-V4").baseline_value == D(96)
    assert Indicator.objects.get(ref="KPI-V5").target_value == D(80)
    assert [i.target_value for i in Indicator.objects.filter(ref__in=["KPI-L2", "KPI-L3", "KPI-L4"])] == [65, 30, 25]
    assert Indicator.objects.get(ref="KPI-L1").values.get(period_start=datetime.date(2018, 4, 1)).value == D(58)
    assert Indicator.objects.get(strategy__slug="swp-2020-2023", ref="KPI-1").baseline_value == D(20)
    assert sorted(Indicator.objects.filter(kind="contextual").values_list("ref", flat=True)) == [
        "KPI-2",
        "KPI-L1",
        "KPI-V3",
    ]
    assert list(Indicator.objects.filter(marking="official_sensitive").values_list("ref", flat=True)) == ["KPI-C1"]
    for item in Indicator.objects.all():
        if item.values.exclude(commentary__icontains="strategy").count() > 1:
            assert "demo values, not real data" in item.description.casefold(), item.ref


def test_loading_the_demo_twice_changes_nothing(swp):
    indicators_document_load(document=swp)
    counts = (Indicator.objects.count(), IndicatorValue.objects.count())
    indicators_document_load(document=swp)
    assert (Indicator.objects.count(), IndicatorValue.objects.count()) == counts
    assert not IndicatorValue.objects.filter(superseded_at__isnull=False).exists()
