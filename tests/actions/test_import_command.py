"""`manage.py import_action_plan`: the browser's import from the command line."""

import io

import pytest
from django.core.management import CommandError, call_command

from actions.models import Action, ActionPlanImport, DeliveryGroup
from strategy.models import Partnership, Strategy
from tests.actions.importing import SEED_HEADER, seed_sheet, xlsx

pytestmark = pytest.mark.django_db

GOOD = [
    ["1 Identify repeat victims", "Action V1.1", "Lena Lead", "Repeat victimisation levels", "Mar-25"],
    [None, "A new action", "Omar Other", "", "Sep 2025"],
]


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_action_plan", *args, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "victim plan.xlsx"
    path.write_bytes(xlsx({"Victim": seed_sheet(GOOD)}))
    return path


def test_it_imports_and_prints_a_summary_per_delivery_group(plan, good_file):
    out, err, error = run(str(good_file), "--strategy", "test-2024-2027")
    assert error is None, err
    assert "Imported victim plan.xlsx into Test strategy 2024-2027" in out
    assert "Victim (Aim changed): 1 action created; 0 changed; 1 unchanged" in out
    assert Action.objects.filter(text="A new action").exists()
    record = ActionPlanImport.objects.get()
    assert (record.source, record.state, record.file_name) == ("command", "imported", "victim plan.xlsx")
    assert bytes(record.file_content) == b""


def test_a_second_run_says_nothing_changed(plan, good_file):
    run(str(good_file), "--strategy", "test-2024-2027")
    out, _, error = run(str(good_file), "--strategy", "test-2024-2027")
    assert error is None
    assert "The file matches the plan: nothing changed." in out
    assert "Victim: 0 actions created; 0 changed; 2 unchanged" in out


def test_a_dry_run_prints_the_preview_and_saves_nothing(plan, good_file):
    out, _, error = run(str(good_file), "--strategy", "test-2024-2027", "--dry-run")
    assert error is None
    assert "Dry run: nothing was saved." in out
    assert "1 action created" in out
    assert not Action.objects.filter(text="A new action").exists()
    assert not ActionPlanImport.objects.exists()


def test_problems_go_to_stderr_with_their_place_and_nothing_is_saved(plan, tmp_path):
    path = tmp_path / "bad.xlsx"
    rows = [*GOOD, [None, "Another", "", "", "31/02/2018"], [None, "And another", "", "", "30/02/2019"]]
    path.write_bytes(xlsx({"Victim": seed_sheet(rows)}))
    out, err, error = run(str(path), "--strategy", "test-2024-2027")
    assert isinstance(error, CommandError)
    assert "Nothing was imported. 2 problem(s):" in err
    assert "Sheet 'Victim', row 6, Deadline: 31/02/2018 is not a date (there is no such day)" in err
    assert "Sheet 'Victim', row 7, Deadline: 30/02/2019 is not a date (there is no such day)" in err
    assert not Action.objects.filter(text="A new action").exists()
    assert ActionPlanImport.objects.get().state == "refused"


def test_create_makes_the_strategy_in_the_only_partnership(db, tmp_path):
    Partnership.objects.create(name="Only Partnership", slug="only")
    path = tmp_path / "plan.csv"
    path.write_text("Delivery group,Objective,Action,Lead\nVictim,1 Help victims,Do a thing,Ann Lead\n")
    out, err, error = run(str(path), "--strategy", "only-2025-2028", "--create")
    assert error is None, err
    strategy = Strategy.objects.get(slug="only-2025-2028")
    assert (strategy.start_date.isoformat(), strategy.end_date.isoformat()) == ("2025-04-01", "2028-03-31")
    assert DeliveryGroup.objects.get(strategy=strategy).name == "Victim"


def test_create_with_a_bad_file_creates_nothing(db, tmp_path):
    Partnership.objects.create(name="Only Partnership", slug="only")
    path = tmp_path / "plan.csv"
    path.write_text("Delivery group,Objective,Action\nVictim,,An orphan\n")
    _, err, error = run(str(path), "--strategy", "only-2025-2028", "--create")
    assert error is not None
    assert "Row 2, Objective: this action has no objective above it" in err
    assert not Strategy.objects.exists()


def test_create_needs_a_partnership_when_there_are_several(plan, elsewhere, good_file):
    _, _, error = run(str(good_file), "--strategy", "new-2025", "--create")
    assert "several partnerships" in str(error)
    _, _, error = run(str(good_file), "--strategy", "new-2025", "--create", "--partnership", "tcsp")
    assert error is None
    assert Strategy.objects.get(slug="new-2025").partnership == plan["partnership"]


def test_an_unknown_strategy_or_file_is_a_clear_error(plan, good_file):
    _, _, error = run(str(good_file), "--strategy", "nope")
    assert "No strategy has the slug 'nope'" in str(error) and "--create" in str(error)
    _, _, error = run("/no/such/file.xlsx", "--strategy", "test-2024-2027")
    assert "There is no file at /no/such/file.xlsx" in str(error)


def test_an_unexpected_error_is_a_message_not_a_traceback(plan, good_file, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("actions.imports.records.action_plan_check", broken)
    _, _, error = run(str(good_file), "--strategy", "test-2024-2027")
    assert isinstance(error, CommandError)
    assert not Action.objects.filter(text="A new action").exists()


def test_blue_means_and_archive_missing(plan, tmp_path):
    path = tmp_path / "plan.xlsx"
    rows = [["1 Identify repeat victims", "Action V1.1", "Lena Lead", "", "Mar-25", "Blue"]]
    path.write_bytes(xlsx({"Victim": seed_sheet(rows, header=[*SEED_HEADER, "RAG"])}))
    _, err, error = run(str(path), "--strategy", "test-2024-2027", "--blue-means", "green", "--archive-missing")
    assert error is None, err
    assert Action.objects.get(ref="V1.1").rag == "green"
    assert set(Action.objects.filter(archived_at__isnull=False).values_list("ref", flat=True)) == {
        "V1.2",
        "O1.1",
        "O1.2",
        "C1.1",
    }


def test_a_dry_run_with_create_creates_nothing(db, tmp_path):
    Partnership.objects.create(name="Only Partnership", slug="only")
    path = tmp_path / "plan.csv"
    path.write_text("Delivery group,Objective,Action\nVictim,1 Help victims,Do a thing\n")
    out, err, error = run(str(path), "--strategy", "only-2025-2028", "--create", "--dry-run")
    assert error is None, err
    assert "Victim (new group): 1 action created" in out
    assert not Strategy.objects.exists()
