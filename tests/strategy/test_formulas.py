"""Formula escaping: what a spreadsheet would run gets an apostrophe, and the importers take it off."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from strategy.formulas import escape_formula, unescape_formula

ESCAPED = [
    ("=1+1", "'=1+1"),
    ("+44 7700 900123", "'+44 7700 900123"),
    ("-5", "'-5"),
    ("@SUM(A1)", "'@SUM(A1)"),
    (" =1+1", "' =1+1"),
    ("    +1", "'    +1"),
    ("\n=1+1", "'\n=1+1"),
    ("\r\n@SUM(A1)", "'\r\n@SUM(A1)"),
    (" \t\n-1", "' \t\n-1"),
    ("\u00a0=1", "'\u00a0=1"),  # a no-break space is blank to a spreadsheet too
    ("\tplain text after a tab", "'\tplain text after a tab"),
    ("\rplain text after a carriage return", "'\rplain text after a carriage return"),
    ("'=already quoted", "''=already quoted"),
    ("' =quoted after a space", "'' =quoted after a space"),
]

LEFT_AS_WRITTEN = ["", "plain", "a = b", "5-3", "  plain after spaces", "\nplain after a line break", "'quoted", " '=1"]


@pytest.mark.parametrize(("text", "escaped"), ESCAPED)
def test_text_a_spreadsheet_would_run_is_escaped_and_unescaped_exactly(text, escaped):
    assert escape_formula(text) == escaped
    assert unescape_formula(escaped) == text


@pytest.mark.parametrize("text", LEFT_AS_WRITTEN)
def test_text_a_spreadsheet_would_not_run_is_left_as_written(text):
    assert escape_formula(text) == text
    assert unescape_formula(text) == text


@pytest.mark.parametrize("value", [None, 5, -5, 1.5])
def test_anything_but_text_is_left_as_given(value):
    assert escape_formula(value) == value
    assert unescape_formula(value) == value


@given(st.text(alphabet=st.sampled_from(["'", "=", "+", "-", "@", " ", "\t", "\r", "\n", "\u00a0", "a", "1"])))
def test_a_round_trip_gives_back_exactly_what_was_written(text):
    escaped = escape_formula(text)
    assert unescape_formula(escaped) == text
    # What goes out never starts, after blanks, with a formula character or a tab or carriage return.
    assert not escaped.startswith(("\t", "\r")) and not escaped.lstrip().startswith(("=", "+", "-", "@"))
