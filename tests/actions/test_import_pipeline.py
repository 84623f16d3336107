"""The imports' one pipeline (read -> plan -> apply): its steps given as plain functions, no file."""

import pytest

from actions.imports.pipeline import (
    ImportResult,
    apply,
    header_columns,
    header_key,
    preview,
    synonym_keys,
    unknown_columns,
)
from actions.imports.problems import ImportRefused, Problem
from strategy.models import Partnership

pytestmark = pytest.mark.django_db

SYNONYMS = {"indicator": ["Indicator", "KPI"], "value": ["Value", "Figure"]}


def steps(*, problems=(), digest="one", table="the table"):
    def read():
        return table

    def plan(read):
        assert read == "the table"
        return ImportResult(problems=list(problems), rows=2, digest=digest)

    return {"read": read, "plan": plan, "refused": lambda problems: ImportResult(problems=problems)}


def write_partnership(result):
    Partnership.objects.create(name="Written", slug="written")
    return {"created": 1}


def test_headers_match_their_synonyms_whatever_the_case_spacing_and_punctuation():
    keys = synonym_keys(SYNONYMS)

    def meaning(text):
        return keys.get(header_key(text))

    assert header_key(" k.p.i ") == "kpi"
    assert header_columns(["  figure", "KPI", "Notes", 7, ""], meaning) == {0: "value", 1: "indicator"}


def test_each_header_the_import_does_not_know_is_a_note_naming_it():
    notes = unknown_columns(["KPI", "Owner", "", None], {0: "indicator"}, sheet="Q2", row=3, clean=str.strip)
    assert [str(note) for note in notes] == [
        "Sheet 'Q2', row 3, Owner: this column is not one the importer knows, so it was not read"
    ]


def test_a_file_refused_when_read_is_the_result_of_a_check_and_of_an_apply():
    def read():
        raise ImportRefused(Problem("The file is empty: there is nothing to import."))

    for run in (preview, apply):
        kwargs = {"write": write_partnership} if run is apply else {}
        result = run(**{**steps(), "read": read}, **kwargs)
        assert [str(problem) for problem in result.problems] == ["The file is empty: there is nothing to import."]
    assert not Partnership.objects.filter(slug="written").exists()


def test_an_apply_with_a_problem_writes_nothing():
    result = apply(**steps(problems=[Problem("no", row=4)]), write=write_partnership)
    assert (result.applied, result.stale, [str(p) for p in result.problems]) == (None, False, ["Row 4: no"])
    assert not Partnership.objects.filter(slug="written").exists()


def test_an_apply_whose_plan_is_not_the_preview_is_stale_and_writes_nothing():
    result = apply(**steps(digest="two"), write=write_partnership, expected_digest="one", stale_problem="Stale")
    assert (result.applied, result.stale, [str(p) for p in result.problems]) == (None, True, ["Stale"])
    assert not Partnership.objects.filter(slug="written").exists()


def test_a_write_that_finds_the_data_changed_under_it_is_undone():
    def write(result):
        write_partnership(result)
        return None

    result = apply(**steps(), write=write, expected_digest="one")
    assert (result.applied, result.stale, result.problems) == (None, True, [])
    assert not Partnership.objects.filter(slug="written").exists()


def test_an_apply_of_the_previewed_plan_writes_it():
    result = apply(**steps(), write=write_partnership, expected_digest="one")
    assert (result.applied, result.stale, result.problems) == ({"created": 1}, False, [])
    assert Partnership.objects.filter(slug="written").count() == 1
