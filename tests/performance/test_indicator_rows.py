"""`indicator_rows`: the API the indicator list, the quarterly review and the meeting pack share."""

import datetime
from decimal import Decimal

import pytest

from performance.indicators import Period, indicator_rows
from performance.models import Indicator
from strategy.models import Marking


def make_indicator(strategy, ref, **fields):
    fields.setdefault("name", f"Indicator {ref}")
    return Indicator.objects.create(strategy=strategy, ref=ref, **fields)


def add_values(indicator, values, *, first, comparator=None):
    period = first
    for number in values:
        indicator.record_value(period=period, value=Decimal(str(number)), comparator_value=comparator)
        period = period.next()


@pytest.fixture
def repeat_victims(plan):
    indicator = make_indicator(
        plan["strategy"],
        "KPI-V1",
        name="Repeat victims",
        unit=Indicator.Unit.PERCENTAGE,
        polarity=Indicator.Polarity.LOWER_IS_BETTER,
        frequency=Indicator.Frequency.QUARTERLY,
        target_kind=Indicator.TargetKind.ABSOLUTE,
        target_value=Decimal("12"),
        amber_tolerance=Decimal("10"),
        comparator_name="Met-wide figure",
    )
    add_values(indicator, [14, 15, 13, 16, 12, 13], first=Period.of_quarter_text("2017/18 Q1"), comparator=15)
    return indicator


def test_a_row_per_visible_indicator_with_latest_target_rag_and_directions(repeat_victims, plan, viewer):
    make_indicator(plan["strategy"], "KPI-C1", marking=Marking.OFFICIAL_SENSITIVE)
    rows = indicator_rows(strategy=plan["strategy"], user=viewer, as_at=datetime.date(2018, 12, 31))
    assert [row.indicator.ref for row in rows] == ["KPI-V1"]
    row = rows[0]
    assert row.kind == "performance"
    assert str(row.period) == "2018/19 Q2"
    assert row.value == Decimal("13")
    assert row.data_to == datetime.date(2018, 9, 30)
    assert row.target == "12% or lower"
    assert row.rag == ("amber", "Amber")  # 13 is within 10% of 12
    assert row.since_previous == ("↑", "Worsening")
    assert row.since_year_earlier == ("↓", "Improving")  # 15 in 2017/18 Q2
    assert row.comparator == "15% (Met-wide figure)"


def test_as_at_takes_the_latest_period_whose_data_ends_by_then(repeat_victims, plan, officer):
    rows = indicator_rows(strategy=plan["strategy"], user=officer, as_at=datetime.date(2018, 3, 31))
    assert str(rows[0].period) == "2017/18 Q4"
    assert rows[0].rag == ("red", "Red")
    assert rows[0].since_year_earlier is None
