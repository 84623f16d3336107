import datetime

import pytest

from strategy.dates import InvalidDate, full_year, last_day_of_month, month_number, read_day, read_iso_month, read_month


@pytest.mark.parametrize(
    ("name", "number"),
    [("Jan", 1), ("january", 1), ("SEPT", 9), ("Sep", 9), ("september", 9), ("Dec", 12), ("Smarch", None), ("", None)],
)
def test_month_number(name, number):
    assert month_number(name) == number


@pytest.mark.parametrize(("text", "year"), [("18", 2018), ("00", 2000), ("99", 2099), ("2017", 2017), ("1999", 1999)])
def test_full_year(text, year):
    assert full_year(text) == year


def test_last_day_of_month_knows_leap_years():
    assert last_day_of_month(2024, 2) == datetime.date(2024, 2, 29)
    assert last_day_of_month(2023, 2) == datetime.date(2023, 2, 28)
    assert last_day_of_month(2018, 12) == datetime.date(2018, 12, 31)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("31/03/2018", datetime.date(2018, 3, 31)),
        ("1/4/18", datetime.date(2018, 4, 1)),
        ("31.03.2018", datetime.date(2018, 3, 31)),
        ("31-03-2018", datetime.date(2018, 3, 31)),
        ("2018-03-31", datetime.date(2018, 3, 31)),
        ("2018-03-31 00:00:00", datetime.date(2018, 3, 31)),
        ("31st March 2018", datetime.date(2018, 3, 31)),
        ("  1  Sept  19 ", datetime.date(2019, 9, 1)),
        ("2nd-Feb-2020", datetime.date(2020, 2, 2)),
        ("Mar-18", None),
        ("1 Smarch 2018", None),
        ("Ongoing", None),
        ("", None),
        (None, None),
    ],
)
def test_read_day(text, day):
    assert read_day(text) == day


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31/02/2018", "31/02/2018 is not a date (there is no such day)"),
        ("03/31/2018", "03/31/2018 is not a date (dates are day first: dd/mm/yyyy)"),
        ("2018-02-30", "2018-02-30 is not a date (there is no such day)"),
        ("30 Feb 2019", "30 Feb 2019 is not a date (there is no such day)"),
    ],
)
def test_read_day_refuses_days_that_do_not_exist(text, message):
    with pytest.raises(InvalidDate) as raised:
        read_day(text)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("Sep 2017", (2017, 9)),
        ("September 2017", (2017, 9)),
        ("Mar-18", (2018, 3)),
        ("sept. 19", (2019, 9)),
        ("Dec/20", (2020, 12)),
        ("Smarch 2018", None),
        ("2019-09", None),
        ("Quarterly", None),
    ],
)
def test_read_month(text, month):
    assert read_month(text) == month


@pytest.mark.parametrize(
    ("text", "month"),
    [("2019-09", (2019, 9)), ("2019-9", (2019, 9)), ("2019-09-30", (2019, 9)), ("2019-20", None), ("Sep 2019", None)],
)
def test_read_iso_month(text, month):
    assert read_iso_month(text) == month


def test_read_iso_month_refuses_a_day_that_does_not_exist():
    with pytest.raises(InvalidDate, match=r"^2019-02-30 is not a date \(there is no such day\)$"):
        read_iso_month("2019-02-30")
