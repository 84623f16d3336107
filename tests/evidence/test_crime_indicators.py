"""Indicators computed from the crime counts: each kind of period, figures from incomplete months,
recomputing when a month is imported again or the definition changes, two partnerships kept apart, and
nobody typing over a computed value."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from evidence import police
from evidence.area import area_import
from evidence.crime_indicators import RECOMPUTED, crime_indicator_save
from evidence.models import CrimeIndicator, Ward
from performance.indicators import Period
from performance.models import Indicator, IndicatorValue
from tests.evidence.files import lookup_csv, street_csv

pytestmark = pytest.mark.django_db

VIOLENCE = "Violence and sexual offences"
ASB = "Anti-social behaviour"
WEST_END = [("E01000001", VIOLENCE), ("E01000002", VIOLENCE)]  # both LSOAs of West End


def import_month(partnership, month, rows, force="metropolitan"):
    outcome = police.check_content(
        partnership=partnership, content=street_csv(month, rows), file_name=f"{month}-{force}-street.csv"
    )
    return police.police_apply(partnership=partnership, preview=outcome.as_dict(partnership))


def define(strategy, *, ref="KPI-C1", crimes="types", types=(VIOLENCE,), wards=(), period_kind="quarterly"):
    indicator = Indicator(strategy=strategy, ref=ref, name=f"{ref} crime", polarity="lower")
    definition = CrimeIndicator(crimes=crimes, crime_types=list(types), period_kind=period_kind)
    return crime_indicator_save(definition=definition, indicator=indicator, wards=list(wards))


def figures(indicator):
    """(period, value, months held, months expected, data to) of the current values, oldest first."""
    return [
        (str(v.period), v.value, v.months_held, v.months_expected, v.data_to, v.coverage)
        for v in indicator.values.current().order_by("period_start")
    ]


@pytest.fixture
def partnership(plan, area):
    return plan["partnership"]


@pytest.fixture
def west_end(partnership):
    return Ward.objects.get(partnership=partnership, code="E05000001")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(datetime.datetime(2025, 2, 15, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


def test_quarterly_figures_say_how_many_of_their_months_are_held(plan, partnership, west_end):
    import_month(partnership, "2024-04", WEST_END + [("E01000003", VIOLENCE)])  # Soho: not counted
    import_month(partnership, "2024-05", WEST_END[:1] + [("E01000001", ASB)])
    definition = define(plan["strategy"], wards=[west_end])
    indicator = Indicator.objects.get(pk=definition.indicator.pk)
    assert (indicator.frequency, indicator.period_basis, indicator.unit) == ("quarterly", "period", "count")
    assert indicator.computed_from == Indicator.ComputedFrom.CRIME_DATA
    assert indicator.definition.startswith(
        "Crimes recorded on police.uk (Violence and sexual offences) in West End, counted over each financial-year "
        "quarter."
    )
    assert figures(indicator) == [
        ("2024/25 Q1", Decimal(3), 2, 3, datetime.date(2024, 5, 31), "2 of 3 months"),
    ]

    import_month(partnership, "2024-06", WEST_END)
    import_month(partnership, "2024-07", [])
    assert figures(indicator) == [
        ("2024/25 Q1", Decimal(5), 3, 3, datetime.date(2024, 6, 30), ""),
        ("2024/25 Q2", Decimal(0), 1, 3, datetime.date(2024, 7, 31), "1 of 3 months"),
    ]
    # The incomplete figure is kept in the history, corrected by the complete one.
    first = IndicatorValue.objects.get(indicator=indicator, value=3)
    assert first.superseded_at is not None
    assert first.replaced_by.correction_reason == RECOMPUTED
    assert first.replaced_by.source == IndicatorValue.Source.CRIME_DATA


def test_monthly_figures_of_all_crime_across_the_whole_area(plan, partnership):
    import_month(partnership, "2024-01", WEST_END + [("E01000003", "Shoplifting"), ("E01000002", ASB)])
    import_month(partnership, "2024-02", [("E01000003", "Burglary")])
    definition = define(plan["strategy"], crimes="all_crime", types=(), period_kind="monthly")
    assert figures(definition.indicator) == [
        ("Jan 2024", Decimal(3), 1, 1, datetime.date(2024, 1, 31), ""),
        ("Feb 2024", Decimal(1), 1, 1, datetime.date(2024, 2, 29), ""),
    ]
    assert definition.crime_types == []


def test_anti_social_behaviour_by_financial_year(plan, partnership, west_end):
    import_month(partnership, "2024-03", [("E01000001", ASB)])
    import_month(partnership, "2024-04", [("E01000001", ASB), ("E01000002", ASB), ("E01000001", VIOLENCE)])
    import_month(partnership, "2024-05", [("E01000003", ASB)])
    definition = define(plan["strategy"], crimes="asb", types=(), period_kind="financial_year", wards=[west_end])
    indicator = definition.indicator
    assert (indicator.frequency, indicator.period_basis) == ("annual", "period")
    assert figures(indicator) == [
        ("2023/24", Decimal(1), 1, 12, datetime.date(2024, 3, 31), "1 of 12 months"),
        ("2024/25", Decimal(2), 2, 12, datetime.date(2024, 5, 31), "2 of 12 months"),
    ]


def test_rolling_12_months_figures_each_month(plan, partnership):
    for number in range(1, 13):
        import_month(partnership, f"2023-{number:02d}", [("E01000001", VIOLENCE)] * number)
    definition = define(plan["strategy"], period_kind="rolling_12")
    indicator = definition.indicator
    assert (indicator.frequency, indicator.period_basis) == ("monthly", "rolling_12")
    found = figures(indicator)
    assert len(found) == 12
    assert found[0] == ("Jan 2023", Decimal(1), 1, 12, datetime.date(2023, 1, 31), "1 of 12 months")
    assert found[-1] == ("Dec 2023", Decimal(78), 12, 12, datetime.date(2023, 12, 31), "")

    import_month(partnership, "2024-01", [("E01000003", VIOLENCE)] * 2)  # January 2023's 1 drops out
    assert figures(indicator)[-1] == ("Jan 2024", Decimal(79), 12, 12, datetime.date(2024, 1, 31), "")


def test_a_month_imported_again_changes_the_figures(plan, partnership, west_end):
    import_month(partnership, "2024-04", WEST_END)
    definition = define(plan["strategy"], wards=[west_end], period_kind="monthly")
    indicator = definition.indicator
    assert figures(indicator)[0][1] == Decimal(2)

    applied = import_month(partnership, "2024-04", WEST_END * 3)  # police.uk re-published April
    assert applied.figures == 1
    assert figures(indicator) == [("Apr 2024", Decimal(6), 1, 1, datetime.date(2024, 4, 30), "")]
    assert indicator.values.count() == 2  # the first figure kept in the history

    assert import_month(partnership, "2024-04", WEST_END * 3).figures == 0  # the same again: nothing to write
    assert indicator.values.count() == 2


def test_changing_the_definition_computes_it_again(plan, partnership, west_end):
    import_month(partnership, "2024-04", WEST_END)
    import_month(partnership, "2024-05", [("E01000003", VIOLENCE)])
    definition = define(plan["strategy"], wards=[west_end])
    assert [f[:2] for f in figures(definition.indicator)] == [("2024/25 Q1", Decimal(2))]

    definition.period_kind = CrimeIndicator.PeriodKind.MONTHLY
    crime_indicator_save(definition=definition, indicator=definition.indicator, wards=[])
    indicator = Indicator.objects.get(pk=definition.indicator.pk)
    assert indicator.frequency == "monthly"
    assert [f[:2] for f in figures(indicator)] == [("Apr 2024", Decimal(2)), ("May 2024", Decimal(1))]
    assert indicator.values.filter(period_type="quarter", superseded_at__isnull=False).count() == 1


def test_two_partnerships_count_only_their_own_crime(plan, partnership, elsewhere):
    other = elsewhere["partnership"]
    area_import(partnership=other, content=lookup_csv(), file_name="lookup.csv", local_authority_codes=["E09000033"])
    import_month(partnership, "2024-04", WEST_END)
    mine = define(plan["strategy"], period_kind="monthly")
    theirs = define(elsewhere["strategy"], period_kind="monthly")
    assert figures(theirs.indicator) == []

    applied = import_month(other, "2024-04", WEST_END * 5)
    assert applied.figures == 1  # theirs only
    assert [f[1] for f in figures(theirs.indicator)] == [Decimal(10)]
    assert [f[1] for f in figures(mine.indicator)] == [Decimal(2)]
    assert mine.indicator.values.count() == 1


def test_a_value_for_a_month_not_held_is_not_made_up(plan, partnership):
    import_month(partnership, "2024-04", WEST_END)
    import_month(partnership, "2024-06", WEST_END)
    definition = define(plan["strategy"], period_kind="rolling_12")
    assert [f[0] for f in figures(definition.indicator)] == ["Apr 2024", "Jun 2024"]
    assert figures(definition.indicator)[1][1:3] == (Decimal(4), 2)
    assert Period.parse("2024-05") not in [v.period for v in definition.indicator.values.all()]
