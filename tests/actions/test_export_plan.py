"""Exporting a plan in the layout the importer reads, and importing the export back: the same plan."""

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from actions.imports import action_plan_apply, action_plan_check
from actions.models import RAG, Action, ActionLead, DeliveryGroup, Objective, Status
from actions.services import partnership_document_load
from actions.spreadsheets import COLUMNS, escape_formula, plan_rows, unescape_formula, write_csv, write_plan_xlsx
from strategy.models import Strategy

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "swp_demo.json"


def workbook_of(strategy, **kwargs):
    buffer = io.BytesIO()
    write_plan_xlsx(strategy, buffer, **kwargs)
    return buffer.getvalue()


def csv_of(strategy):
    buffer = io.StringIO()
    write_csv(plan_rows(strategy), buffer)
    return buffer.getvalue().encode("utf-8")


def plan_state(strategy):
    """The plan as a comparable value: groups, objectives, actions with their leads and state."""
    groups = list(
        DeliveryGroup.objects.filter(strategy=strategy)
        .order_by("pk")
        .values_list("name", "aim", "chair_id", "chair_note")
    )
    objectives = list(
        Objective.objects.filter(delivery_group__strategy=strategy)
        .order_by("pk")
        .values_list("delivery_group__name", "number", "title")
    )
    actions = list(
        Action.objects.filter(strategy=strategy)
        .order_by("pk")
        .values_list(
            "ref",
            "objective_id",
            "position",
            "text",
            "kpi",
            "deadline_text",
            "due_date",
            "lead_organisation_id",
            "status",
            "rag",
            "progress",
            "marking",
            "archived_at",
            "latest_update_id",
        )
    )
    leads = list(
        ActionLead.objects.filter(action__strategy=strategy)
        .order_by("pk")
        .values_list("action_id", "person_id", "position")
    )
    return groups, objectives, actions, leads


@pytest.fixture
def demo(db):
    partnership_document_load(document=json.loads(DEMO.read_text()))
    return Strategy.objects.get(slug="swp-2017-2020")


def test_the_workbook_has_a_sheet_per_group_with_chair_and_aim_and_is_formatted_for_printing(demo):
    Action.objects.filter(ref="V1.2").update(status=Status.IN_PROGRESS, rag=RAG.RED)
    workbook = load_workbook(io.BytesIO(workbook_of(demo)))
    assert workbook.sheetnames == ["Victim", "Offender", "Location", "CONTEST"]
    sheet = workbook["Victim"]
    assert [sheet.cell(row=1, column=1).value, sheet.cell(row=1, column=2).value] == ["Chair", "Sara Sutton (Interim)"]
    assert sheet.cell(row=2, column=1).value == "Aim"
    assert sheet.cell(row=2, column=2).value.startswith("Identifying and working with repeat victims")
    header = [cell.value for cell in sheet[4]]
    assert header[:6] == ["Objective", "Ref", "Action", "Lead", "Lead agency", "KPI"]
    assert sheet.freeze_panes == "A5"
    assert sheet.column_dimensions["C"].width == 55
    assert sheet.cell(row=5, column=3).alignment.wrap_text
    assert sheet.page_setup.orientation == "landscape"
    status_column = header.index("Status") + 1
    v1_2 = next(row for row in sheet.iter_rows(min_row=5) if row[1].value == "V1.2")
    status_cell = v1_2[status_column - 1]
    assert status_cell.value == "In progress"
    assert status_cell.fill.fgColor.rgb.endswith("F4CDC6")  # red, with its word in the RAG cell
    assert v1_2[status_column].value == "Red"
    # The objective is written once per block, its cells merged down.
    assert sheet.cell(row=5, column=1).value.startswith("1 Improving co-ordination")
    assert sheet.cell(row=6, column=1).value is None
    assert {str(rng) for rng in sheet.merged_cells.ranges} == {
        "A5:A6",
        "A7:A9",
        "A10:A11",
        "A12:A14",
        "A15:A19",
        "A20:A24",
    }
    assert workbook["CONTEST"].oddHeader.center.text == "OFFICIAL-SENSITIVE"


def test_the_csv_is_the_flat_table_of_the_foundation(demo):
    rows = list(csv.reader(io.StringIO(csv_of(demo).decode("utf-8-sig"))))
    for column in [
        "Delivery group",
        "Objective",
        "Ref",
        "Action",
        "Lead",
        "KPI",
        "Deadline",
        "Due date",
        "Status",
        "RAG",
        "Progress",
        "Latest update",
    ]:
        assert column in rows[0]
    assert len(rows) == 1 + 89


@pytest.mark.parametrize("form", ["xlsx", "csv"])
def test_importing_the_export_of_the_demo_data_gives_back_the_same_plan(demo, form):
    content = workbook_of(demo) if form == "xlsx" else csv_of(demo)
    before = plan_state(demo)
    preview = action_plan_check(strategy=demo, content=content, file_name=f"export.{form}")
    assert preview.ok, [str(p) for p in preview.problems]
    assert not preview.changes_anything
    assert preview.report["totals"] == {
        "objectives_created": 0,
        "objectives_changed": 0,
        "objectives_unchanged": 20,
        "actions_created": 0,
        "actions_changed": 0,
        "actions_unchanged": 89,
        "groups_created": 0,
        "groups_changed": 0,
        "missing": 0,
        "people_created": 0,
        "strategy_changed": 0,
        "principles_created": 0,
    }
    assert preview.notes == []
    action_plan_apply(strategy=demo, content=content, file_name=f"export.{form}")
    assert plan_state(demo) == before


def test_an_export_imported_into_an_empty_strategy_rebuilds_the_plan(demo):
    content = workbook_of(demo)
    empty = Strategy.objects.create(
        partnership=demo.partnership, title="Copy", slug="copy", start_date=demo.start_date, end_date=demo.end_date
    )
    outcome = action_plan_apply(strategy=empty, content=content, file_name="export.xlsx")
    assert outcome.ok, [str(p) for p in outcome.problems]
    original = sorted(
        Action.objects.filter(strategy=demo).values_list("ref", "text", "kpi", "deadline_text", "objective__number")
    )
    copy = sorted(
        Action.objects.filter(strategy=empty).values_list("ref", "text", "kpi", "deadline_text", "objective__number")
    )
    assert copy == original
    assert sorted(
        Objective.objects.filter(delivery_group__strategy=empty).values_list("delivery_group__name", "number", "title")
    ) == sorted(
        Objective.objects.filter(delivery_group__strategy=demo).values_list("delivery_group__name", "number", "title")
    )
    leads = {a.ref: a.lead_names for a in Action.objects.filter(strategy=empty).prefetch_related("lead_links__person")}
    assert leads == {
        a.ref: a.lead_names for a in Action.objects.filter(strategy=demo).prefetch_related("lead_links__person")
    }


FORMULAE = [
    '=HYPERLINK("http://evil.example")',
    "+44 7700 900123",
    "-5% on last year",
    "@SUM(A1)",
    "'=already quoted",
    # Excel and LibreOffice skip blanks before the formula character.
    " =1+1",
    "   @SUM(A1)",
    "\n=1+1",
    " \n\t-5",
    "\t=1+1",
    "\tstarts with a tab",
]


@pytest.mark.parametrize("text", FORMULAE)
def test_formula_text_is_escaped_on_export_and_comes_back_exactly(plan, text):
    assert escape_formula(text).startswith("'") and unescape_formula(escape_formula(text)) == text
    Action.objects.filter(ref="V1.1").update(kpi=text, text=text)
    workbook = load_workbook(io.BytesIO(workbook_of(plan["strategy"])))
    cells = [cell.value for row in workbook["Victim"].iter_rows() for cell in row]
    assert "'" + text in cells and text not in cells
    flat = csv_of(plan["strategy"]).decode("utf-8-sig")
    assert f"'{text}" in flat.replace('""', '"')
    for content in (workbook_of(plan["strategy"]), csv_of(plan["strategy"])):
        outcome = action_plan_check(strategy=plan["strategy"], content=content, file_name="export")
        assert outcome.ok and not outcome.changes_anything, outcome.as_dict()
    assert Action.objects.get(ref="V1.1").kpi == text


def test_the_export_command_writes_the_importable_workbook(demo, tmp_path):
    path = tmp_path / "plan.xlsx"
    call_command("export_action_plan", "--strategy", "swp-2017-2020", "--output", str(path), stdout=io.StringIO())
    assert load_workbook(path).sheetnames == ["Victim", "Offender", "Location", "CONTEST"]
    assert not action_plan_check(strategy=demo, content=path.read_bytes(), file_name="plan.xlsx").changes_anything


def test_a_long_group_name_round_trips_through_a_label_row(plan):
    DeliveryGroup.objects.filter(pk=plan["victim"].pk).update(name="Victims and witnesses: support / safeguarding")
    workbook = load_workbook(io.BytesIO(workbook_of(plan["strategy"])))
    sheet = workbook.worksheets[0]
    assert sheet.title == "Victims and witnesses support s"  # 31 characters at most, no "/" or ":"
    assert [sheet["A1"].value, sheet["B1"].value] == ["Delivery group", "Victims and witnesses: support / safeguarding"]
    outcome = action_plan_check(strategy=plan["strategy"], content=workbook_of(plan["strategy"]), file_name="x.xlsx")
    assert outcome.ok and not outcome.changes_anything


def test_columns_stay_those_of_the_flat_csv(plan):
    assert COLUMNS[:13] == [
        "Delivery group",
        "Objective",
        "Ref",
        "Action",
        "Lead",
        "Lead agency",
        "KPI",
        "Deadline",
        "Due date",
        "Status",
        "RAG",
        "Progress",
        "Latest update",
    ]
