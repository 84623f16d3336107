"""Financial-year quarter arithmetic, across year ends."""

import datetime

import pytest

from strategy.periods import Quarter

D = datetime.date


@pytest.mark.parametrize(
    ("day", "label", "start", "end"),
    [
        (D(2020, 4, 1), "2020/21 Q1", D(2020, 4, 1), D(2020, 6, 30)),
        (D(2020, 6, 30), "2020/21 Q1", D(2020, 4, 1), D(2020, 6, 30)),
        (D(2020, 7, 1), "2020/21 Q2", D(2020, 7, 1), D(2020, 9, 30)),
        (D(2020, 12, 31), "2020/21 Q3", D(2020, 10, 1), D(2020, 12, 31)),
        (D(2021, 1, 1), "2020/21 Q4", D(2021, 1, 1), D(2021, 3, 31)),
        (D(2021, 3, 31), "2020/21 Q4", D(2021, 1, 1), D(2021, 3, 31)),
        (D(1999, 2, 28), "1998/99 Q4", D(1999, 1, 1), D(1999, 3, 31)),
        (D(2099, 11, 5), "2099/00 Q3", D(2099, 10, 1), D(2099, 12, 31)),
    ],
)
def test_the_quarter_containing_a_day(day, label, start, end):
    quarter = Quarter.containing(day)
    assert (str(quarter), quarter.start, quarter.end) == (label, start, end)


def test_stepping_across_financial_years():
    q4 = Quarter(2020, 4)
    assert q4.next() == Quarter(2021, 1)
    assert Quarter(2021, 1).previous() == q4
    assert q4.year_earlier() == Quarter(2019, 4)
    assert Quarter(2020, 2).previous().previous() == Quarter(2019, 4)


def test_written_forms_round_trip():
    assert Quarter.from_slug("2020-Q2") == Quarter(2020, 2)
    assert Quarter.from_text("2020/21 Q2") == Quarter(2020, 2)
    assert Quarter.from_text("2019/2020 q4") == Quarter(2019, 4)
    assert Quarter(2020, 2).slug == "2020-Q2"
    assert Quarter(2020, 2).months == "July to September 2020"


@pytest.mark.parametrize("text", ["2020/22 Q1", "2020/21 Q5", "Q1", ""])
def test_nonsense_is_refused(text):
    with pytest.raises(ValueError):
        Quarter.from_text(text)


def test_moments_bound_the_quarter_in_london_time():
    quarter = Quarter(2020, 1)
    assert quarter.end_moment.date() == D(2020, 6, 30)
    assert quarter.end_moment < Quarter(2020, 2).start_moment
    assert str(quarter.start_moment.tzinfo) == "Europe/London"
