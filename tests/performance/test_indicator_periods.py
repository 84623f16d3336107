"""Periods of indicator values: months, UK financial-year quarters and financial years, as people write them."""

import datetime

import pytest

from performance.indicators import InvalidPeriod, Period

D = datetime.date


@pytest.mark.parametrize(
    ("text", "start", "kind"),
    [
        ("2019/20 Q2", D(2019, 7, 1), "quarter"),
        ("2019/2020 q2", D(2019, 7, 1), "quarter"),
        ("Q2 2019/20", D(2019, 7, 1), "quarter"),
        ("2019/20 Q4", D(2020, 1, 1), "quarter"),
        ("Sep 2019", D(2019, 9, 1), "month"),
        ("September 2019", D(2019, 9, 1), "month"),
        ("sept 2019", D(2019, 9, 1), "month"),
        ("Sep-19", D(2019, 9, 1), "month"),
        ("2019-09", D(2019, 9, 1), "month"),
        ("2019-9", D(2019, 9, 1), "month"),
        ("2019-09-30", D(2019, 9, 1), "month"),
        ("2019/20", D(2019, 4, 1), "year"),
        ("2019/2020", D(2019, 4, 1), "year"),
        ("2019-20", D(2019, 4, 1), "year"),
        ("FY 2019/20", D(2019, 4, 1), "year"),
        ("1999/00", D(1999, 4, 1), "year"),
        ("  2019/20  Q1 ", D(2019, 4, 1), "quarter"),
    ],
)
def test_periods_are_read_from_what_people_write(text, start, kind):
    period = Period.parse(text)
    assert (period.start, period.type) == (start, kind)


def test_a_date_cell_reads_as_its_month():
    assert Period.parse(D(2019, 9, 17)) == Period.month(2019, 9)
    assert Period.parse(datetime.datetime(2020, 3, 31, 12)) == Period.month(2020, 3)


WHAT_TO_WRITE = (
    'write a month like "Sep 2019" or "2019-09", a quarter like "2019/20 Q2", or a financial year like "2019/20"'
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", f"the period is blank: {WHAT_TO_WRITE}"),
        ("2019/21", '"2019/21" is not a financial year: the second year must follow the first, as in "2019/20"'),
        ("2019/21 Q2", '"2019/21 Q2" is not a quarter: the second year must follow the first, as in "2019/20 Q2"'),
        ("2019/20 Q5", f'"2019/20 Q5" is not a period: {WHAT_TO_WRITE}'),
        ("Sep", f'"Sep" is not a period: {WHAT_TO_WRITE}'),
        ("Smarch 2019", f'"Smarch 2019" is not a period: {WHAT_TO_WRITE}'),
        ("2019-02-30", '"2019-02-30" is not a date'),
        ("last quarter", f'"last quarter" is not a period: {WHAT_TO_WRITE}'),
    ],
)
def test_what_is_not_a_period_is_refused_saying_what_to_write(text, message):
    with pytest.raises(InvalidPeriod) as error:
        Period.parse(text)
    assert str(error.value) == message


def test_quarters_cross_financial_years():
    q1 = Period.of_quarter_text("2020/21 Q1")
    assert (q1.start, q1.end) == (D(2020, 4, 1), D(2020, 6, 30))
    assert str(q1.previous()) == "2019/20 Q4"
    assert (q1.previous().start, q1.previous().end) == (D(2020, 1, 1), D(2020, 3, 31))
    assert str(Period.of_quarter_text("2019/20 Q4").next()) == "2020/21 Q1"
    assert str(q1.year_earlier()) == "2019/20 Q1"
    assert str(Period.of_quarter_text("2020/21 Q3").shifted(-6)) == "2019/20 Q1"


def test_months_cross_financial_and_calendar_years():
    april = Period.month(2020, 4)
    assert str(april.previous()) == "Mar 2020"  # the last month of the previous financial year
    assert str(Period.month(2020, 1).previous()) == "Dec 2019"
    assert str(Period.month(2019, 12).next()) == "Jan 2020"
    assert str(april.year_earlier()) == "Apr 2019"
    assert Period.month(2020, 2).end == D(2020, 2, 29)
    assert Period.month(2019, 2).end == D(2019, 2, 28)


def test_financial_years():
    year = Period.financial_year(2019)
    assert (year.start, year.end, str(year)) == (D(2019, 4, 1), D(2020, 3, 31), "2019/20")
    assert str(year.previous()) == str(year.year_earlier()) == "2018/19"
    assert str(Period.financial_year(1999)) == "1999/00"


def test_the_period_containing_a_day():
    day = D(2020, 3, 31)
    assert str(Period.containing("month", day)) == "Mar 2020"
    assert str(Period.containing("quarter", day)) == "2019/20 Q4"
    assert str(Period.containing("year", day)) == "2019/20"
    assert str(Period.containing("year", D(2020, 4, 1))) == "2020/21"


def test_a_period_must_start_where_its_kind_starts():
    with pytest.raises(ValueError):
        Period(D(2020, 5, 1), "quarter")
    with pytest.raises(ValueError):
        Period(D(2020, 1, 1), "year")
    with pytest.raises(ValueError):
        Period(D(2020, 4, 1), "week")


def test_labels_and_short_labels():
    first, last = Period.of_quarter_text("2017/18 Q1"), Period.of_quarter_text("2017/18 Q4")
    assert last.short_label(after=first) == "Q4"
    assert Period.of_quarter_text("2018/19 Q1").short_label(after=first) == "2018/19 Q1"
    assert Period.month(2019, 9).short_label(after=Period.month(2019, 4)) == "Sep 2019"


def test_periods_order_by_their_start():
    periods = [Period.of_quarter_text("2019/20 Q4"), Period.month(2019, 4), Period.financial_year(2018)]
    assert [str(p) for p in sorted(periods)] == ["2018/19", "Apr 2019", "2019/20 Q4"]


def test_future_periods():
    today = D(2020, 9, 15)
    assert not Period.month(2020, 9).is_future(today)
    assert Period.month(2020, 10).is_future(today)
    assert not Period.of_quarter_text("2020/21 Q2").is_future(today)
    assert Period.of_quarter_text("2020/21 Q3").is_future(today)
