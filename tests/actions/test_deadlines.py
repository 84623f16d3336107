"""Every deadline form in the seed plans, and the due date each names (or not)."""

import datetime

import pytest

from actions.deadlines import InvalidDeadline, parse_deadline

D = datetime.date


@pytest.mark.parametrize(
    ("written", "due"),
    [
        ("Mar-18", D(2018, 3, 31)),
        ("Nov-17", D(2017, 11, 30)),
        ("Sep-17", D(2017, 9, 30)),
        ("Feb-20", D(2020, 2, 29)),
        ("Dec-17", D(2017, 12, 31)),
        ("Sep 2017", D(2017, 9, 30)),
        ("September 2017", D(2017, 9, 30)),
        ("sept 2017", D(2017, 9, 30)),
        ("March 2018", D(2018, 3, 31)),
        ("Mar 18", D(2018, 3, 31)),
        ("31/03/2018", D(2018, 3, 31)),
        ("30/06/2017", D(2017, 6, 30)),
        ("1/7/2017", D(2017, 7, 1)),
        ("05/04/18", D(2018, 4, 5)),
        ("31.03.2018", D(2018, 3, 31)),
        ("2018-03-31", D(2018, 3, 31)),
        ("2018-03-31 00:00:00", D(2018, 3, 31)),
        ("31 March 2018", D(2018, 3, 31)),
        ("1st April 2019", D(2019, 4, 1)),
        ("  Mar-18  ", D(2018, 3, 31)),
        ("Quarterly reporting", None),
        ("Quarterly", None),
        ("Monthly", None),
        ("Annual review", None),
        ("Ongoing", None),
        ("On going", None),
        ("On Going", None),
        ("In line with meeting dates", None),
        ("Before school summer holidays", None),
        ("July / November", None),
        ("June / December", None),
        ("March", None),
        ("On Exception", None),
        ("TBD", None),
        ("", None),
        (None, None),
    ],
)
def test_due_date_is_derived_from_each_written_form(written, due):
    deadline = parse_deadline(written)
    assert deadline.due_date == due
    assert deadline.text == ("" if written is None else " ".join(str(written).split()))


@pytest.mark.parametrize("value", [datetime.datetime(2018, 3, 31, 0, 0), D(2018, 3, 31)])
def test_a_real_spreadsheet_date_is_written_day_first(value):
    assert parse_deadline(value).text == "31/03/2018"
    assert parse_deadline(value).due_date == D(2018, 3, 31)


@pytest.mark.parametrize(
    ("written", "says"),
    [
        ("31/02/2018", "31/02/2018 is not a date"),
        ("30/02/2019", "30/02/2019 is not a date"),
        ("12/31/2018", "day first"),
        ("2018-02-30", "2018-02-30 is not a date"),
        ("31 April 2018", "31 April 2018 is not a date"),
    ],
)
def test_a_day_that_cannot_exist_is_an_error_not_a_guess(written, says):
    with pytest.raises(InvalidDeadline, match=says):
        parse_deadline(written)
