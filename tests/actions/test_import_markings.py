"""Markings survive the round trip: the export carries the marking of the strategy, each delivery group
and each objective; the import reads them; and an import never lowers a marking unless an officer
cleared for both confirms it on the preview (and the audit trail records it)."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from actions.imports import action_plan_apply, action_plan_check
from actions.imports.records import import_create
from actions.models import Action, DeliveryGroup, Objective
from strategy.models import Marking, Membership, Strategy
from tests.actions.test_export_plan import csv_of, workbook_of
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

OS, OFFICIAL = Marking.OFFICIAL_SENSITIVE, Marking.OFFICIAL


def export(strategy, form):
    return workbook_of(strategy) if form == "xlsx" else csv_of(strategy)


@pytest.fixture
def copy(plan):
    """A new, empty OFFICIAL strategy of the same partnership, for the export to be imported into."""
    strategy = plan["strategy"]
    return Strategy.objects.create(
        partnership=strategy.partnership,
        title="Copy",
        slug="copy",
        start_date=strategy.start_date,
        end_date=strategy.end_date,
        status=Strategy.Status.ACTIVE,
    )


def test_the_export_carries_the_markings_of_what_holds_each_action(plan):
    Objective.objects.filter(pk=plan["v2"].pk).update(marking=OS)
    workbook = load_workbook(io.BytesIO(workbook_of(plan["strategy"])))
    header = [cell.value for cell in workbook["CONTEST"][3]]
    assert header[-3:] == ["Group marking", "Objective marking", "Strategy marking"]
    (row,) = [[cell.value for cell in cells] for cells in workbook["CONTEST"].iter_rows(min_row=4)]
    assert row[-4:] == ["OFFICIAL", "OFFICIAL-SENSITIVE", "OFFICIAL", "OFFICIAL"]  # action, group, objective, strategy
    flat = csv_of(plan["strategy"]).decode("utf-8-sig").splitlines()
    assert flat[0].endswith(",Marking,Group marking,Objective marking,Strategy marking")
    (empty_objective,) = [line for line in flat if "An objective with no actions yet" in line]
    assert empty_objective.endswith(",OFFICIAL-SENSITIVE,OFFICIAL,OFFICIAL-SENSITIVE,OFFICIAL")


@pytest.mark.parametrize("form", ["xlsx", "csv"])
def test_an_export_imported_into_a_new_strategy_keeps_its_markings(client, plan, officer, copy, form):
    Objective.objects.filter(pk=plan["v2"].pk).update(marking=OS)  # an OFFICIAL group's sensitive objective
    outcome = action_plan_apply(strategy=copy, content=export(plan["strategy"], form), file_name=f"plan.{form}")
    assert outcome.ok, [str(p) for p in outcome.problems]
    groups = dict(DeliveryGroup.objects.filter(strategy=copy).values_list("name", "marking"))
    assert groups == {"Victim": OFFICIAL, "Offender": OFFICIAL, "CONTEST": OS}
    objectives = dict(Objective.objects.filter(delivery_group__strategy=copy).values_list("title", "marking"))
    assert objectives["An objective with no actions yet"] == OS
    assert objectives["Protect crowded places"] == OFFICIAL  # hidden by its group
    assert objectives["Identify repeat victims"] == OFFICIAL

    viewer = make_user("copy-viewer", partnership=plan["partnership"], role=Membership.Role.VIEWER)
    visible = Action.objects.visible_to(viewer).filter(strategy=copy)
    assert sorted(visible.values_list("ref", flat=True)) == ["O1.1", "O1.2", "V1.1", "V1.2"]
    contest_copy = Action.objects.get(strategy=copy, ref="C1.1")
    client.force_login(viewer)
    assert client.get(contest_copy.get_absolute_url()).status_code == 404
    page = client.get(reverse("actions:strategy_detail", args=["copy"])).content.decode()
    assert "CONTEST" not in page and "Victim" in page
    download = client.get(reverse("actions:plan_export", args=["copy", "csv"])).content.decode("utf-8-sig")
    assert "Protect crowded places" not in download and "An objective with no actions yet" not in download
    assert "Identify repeat victims" in download


def test_a_sensitive_strategy_imported_into_an_official_one_raises_it(plan, copy):
    Strategy.objects.filter(pk=plan["strategy"].pk).update(marking=OS)
    plan["strategy"].refresh_from_db()
    content = workbook_of(plan["strategy"])
    preview = action_plan_check(strategy=copy, content=content, file_name="plan.xlsx")
    assert preview.report["strategy_changes"] == [{"field": "Marking", "old": "OFFICIAL", "new": "OFFICIAL-SENSITIVE"}]
    assert action_plan_apply(strategy=copy, content=content, file_name="plan.xlsx").ok
    copy.refresh_from_db()
    assert copy.marking == OS


def test_a_file_without_the_marking_columns_leaves_the_markings_alone(plan):
    workbook = load_workbook(io.BytesIO(workbook_of(plan["strategy"])))
    for sheet in workbook.worksheets:
        sheet.delete_cols(sheet.max_column - 2, 3)
    buffer = io.BytesIO()
    workbook.save(buffer)
    outcome = action_plan_check(strategy=plan["strategy"], content=buffer.getvalue(), file_name="old.xlsx")
    assert outcome.ok and not outcome.changes_anything and outcome.lowered == []


def lowered_victim(plan):
    """The Victim group and its first objective marked up after the file was exported."""
    content = workbook_of(plan["strategy"])
    for thing in (plan["victim"], plan["v1"]):
        thing.marking = OS
        thing.save()
    return content


def test_an_import_never_lowers_a_marking_unconfirmed(plan, officer):
    content = lowered_victim(plan)
    preview = action_plan_check(strategy=plan["strategy"], content=content, file_name="plan.xlsx", by=officer)
    assert preview.ok
    assert [str(p) for p in preview.lowered] == [
        "Sheet 'Victim', row 5, Group marking: The delivery group Victim is marked OFFICIAL-SENSITIVE and "
        "the file marks it OFFICIAL: an import never lowers a marking. Correct the cell, or confirm lowering it on "
        "the preview",
        "Sheet 'Victim', row 5, Objective marking: Objective 1 Identify repeat victims is marked "
        "OFFICIAL-SENSITIVE and the file marks it OFFICIAL: an import never lowers a marking. Correct the cell, or "
        "confirm lowering it on the preview",
    ]
    outcome = action_plan_apply(strategy=plan["strategy"], content=content, file_name="plan.xlsx", by=officer)
    assert [str(p) for p in outcome.problems] == [str(p) for p in preview.lowered]
    assert DeliveryGroup.objects.get(pk=plan["victim"].pk).marking == OS
    assert Objective.objects.get(pk=plan["v1"].pk).marking == OS


def test_an_action_marking_is_not_lowered_either(plan, officer):
    content = workbook_of(plan["strategy"])
    Action.objects.filter(pk=plan["v1_1"].pk).update(marking=OS)
    outcome = action_plan_apply(strategy=plan["strategy"], content=content, file_name="plan.xlsx", by=officer)
    (problem,) = outcome.problems
    assert str(problem).startswith("Sheet 'Victim', row 5, Marking: Action V1.1 is marked OFFICIAL-SENSITIVE")
    assert Action.objects.get(pk=plan["v1_1"].pk).marking == OS


def test_an_officer_not_cleared_for_the_marking_cannot_lower_it(plan):
    content = lowered_victim(plan)
    official = make_user(
        "official-officer", partnership=plan["partnership"], role=Membership.Role.OFFICER, clearance=OFFICIAL
    )
    preview = action_plan_check(strategy=plan["strategy"], content=content, file_name="plan.xlsx", by=official)
    assert len(preview.problems) == 2 and preview.lowered == []


def test_lowering_confirmed_on_the_preview_is_made_and_audited(client, plan, officer):
    content = lowered_victim(plan)
    record = import_create(
        strategy=plan["strategy"], file_name="plan.xlsx", content=content, by=officer, background=False
    )
    assert record.state == "ready", record.problems
    url = reverse("actions:import_detail", args=[record.pk])
    client.force_login(officer)
    page = client.get(url).content.decode()
    assert "Markings this file lowers (2)" in page
    assert 'name="lower_markings"' in page

    response = client.post(url, {"blue_means": "complete"})
    assert response.status_code == 200
    assert "Tick the box to lower these markings, or correct the file and upload it again" in response.content.decode()
    record.refresh_from_db()
    assert record.state == "ready"
    assert DeliveryGroup.objects.get(pk=plan["victim"].pk).marking == OS

    assert client.post(url, {"blue_means": "complete", "lower_markings": "on"}).status_code == 302
    record.refresh_from_db()
    assert (record.state, record.lower_markings) == ("imported", True)
    assert DeliveryGroup.objects.get(pk=plan["victim"].pk).marking == OFFICIAL
    assert Objective.objects.get(pk=plan["v1"].pk).marking == OFFICIAL
    latest = DeliveryGroup.history.filter(id=plan["victim"].pk).first()
    assert (latest.history_user, latest.marking, latest.history_change_reason) == (
        officer,
        OFFICIAL,
        "Spreadsheet import",
    )
    assert latest.prev_record.marking == OS
