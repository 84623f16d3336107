"""Action plans as spreadsheets: the rows and columns of the export, written as CSV or XLSX.

Every cell a user typed is formula-escaped on the way out, so a commentary that starts with "="
opens in Excel as text, never as a formula.
"""

import csv
import datetime
import io
from collections import defaultdict

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from actions.imports.vocabulary import format_chair
from actions.models import RAG, Action, DeliveryGroup, Objective, Status, rating
from strategy.formulas import escape_formula, unescape_formula  # noqa: F401 (the importers take it from here)
from strategy.models import Marking

# The markings of what holds each action (a group or objective may be marked above its actions), so an
# import of the file, into this strategy or a new one, keeps them.
HOLDER_MARKING_COLUMNS = ["Group marking", "Objective marking", "Strategy marking"]
COLUMNS = [
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
    "Baseline",
    "Target",
    "Notes",
    "Marking",
    *HOLDER_MARKING_COLUMNS,
]
COLUMN_WIDTHS = {"Objective": 40, "Action": 60, "KPI": 35, "Latest update": 50, "Lead": 25}
# How a date cell shows in Excel: the UK's day/month/year.
DATE_FORMAT = "dd/mm/yyyy"


def objective_label(objective):
    return f"{objective.number} {objective.title}"


def plan_rows(strategy, actions=None):
    """One row per action, and one with no action for an objective that has none.

    `actions` narrows the rows (e.g. to what a user may see); objectives are then listed only
    when the whole plan is exported. A fixed number of queries whatever the plan's size.
    """
    whole_plan = actions is None
    if actions is None:
        actions = Action.objects.for_strategy(strategy).current()
    actions = (
        actions.with_related().select_related("lead_organisation", "latest_update").order_by(*Action._meta.ordering)
    )
    by_objective = defaultdict(list)
    for action in actions:
        by_objective[action.objective_id].append(action)
    if whole_plan:
        objectives = Objective.objects.filter(delivery_group__strategy=strategy).select_related("delivery_group")
        objectives = objectives.order_by("delivery_group__position", "number")
    else:
        objectives = list({a.objective_id: a.objective for group in by_objective.values() for a in group}.values())
    for objective in objectives:
        group = objective.delivery_group
        found = by_objective.get(objective.pk, [])
        if not found:
            yield _row(strategy=strategy, group=group, objective=objective, action=None)
        for action in found:
            yield _row(strategy=strategy, group=group, objective=objective, action=action)


def highest_marking(strategy, actions=None):
    """The marking a download of `strategy` (narrowed to `actions`) carries: the highest of what it
    holds and of what holds it (its objectives, delivery groups and the strategy). Two queries at most."""
    whole_plan = actions is None
    if whole_plan:
        actions = Action.objects.for_strategy(strategy).current()
    found = [strategy.marking]
    for row in actions.order_by().values_list("marking", "objective__marking", "objective__delivery_group__marking"):
        found.extend(row)
    if whole_plan:
        objectives = Objective.objects.filter(delivery_group__strategy=strategy).order_by()
        for row in objectives.values_list("marking", "delivery_group__marking"):
            found.extend(row)
    return Marking(Marking.highest(found))


def _row(*, strategy, group, objective, action):
    row = dict.fromkeys(COLUMNS, "")
    row["Delivery group"] = group.name
    row["Objective"] = objective_label(objective)
    row["Marking"] = objective.get_marking_display()
    row["Group marking"] = group.get_marking_display()
    row["Objective marking"] = objective.get_marking_display()
    row["Strategy marking"] = strategy.get_marking_display()
    if action is None:
        return row
    row.update(
        {
            "Ref": action.ref,
            "Action": action.text,
            "Lead": action.lead_names,
            "Lead agency": action.lead_organisation.name if action.lead_organisation else "",
            "KPI": action.kpi,
            "Deadline": action.deadline_text,
            "Due date": action.due_date or "",  # a date cell in XLSX; CSV writes it as 2025-03-31
            "Status": action.get_status_display(),
            "RAG": action.get_rag_display() if action.rag else "",
            "Progress": action.progress,
            "Latest update": action.latest_update.commentary if action.latest_update else "",
            "Baseline": action.baseline,
            "Target": action.target,
            "Notes": action.notes,
            "Marking": action.get_marking_display(),
        }
    )
    return row


def write_csv(rows, file):
    """A flat table, UTF-8 with a byte-order mark so Excel reads the encoding right."""
    file.write("\ufeff")
    writer = csv.DictWriter(file, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: escape_formula(value) for key, value in row.items()})


def write_xlsx(rows, file, *, title="Action plan"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append([escape_formula(row[column]) for column in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = COLUMN_WIDTHS.get(column, 14)
        sheet.cell(row=1, column=index).font = Font(bold=True)
    for cells in sheet.iter_rows():
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(cell.value, datetime.date):
                cell.number_format = DATE_FORMAT
    sheet.freeze_panes = "A2"
    workbook.save(file)


def export_plan(strategy, path):
    """Write the strategy's plan to `path`, as CSV or XLSX (the importable layout) by its extension."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as file:
            write_csv(plan_rows(strategy), file)
    elif suffix == ".xlsx":
        buffer = io.BytesIO()
        write_plan_xlsx(strategy, buffer)
        path.write_bytes(buffer.getvalue())
    else:
        raise ValueError(f"Cannot write {path.name}: the file name must end in .csv or .xlsx.")


# The importable workbook: one sheet per delivery group, as the seed plans are laid out ----------

GROUP_COLUMNS = [
    "Objective",
    "Ref",
    "Action",
    "Lead",
    "Lead agency",
    "KPI",
    "Baseline",
    "Target",
    "Deadline",
    "Due date",
    "Status",
    "RAG",
    "Progress",
    "Latest update",
    "Notes",
    "Marking",
    *HOLDER_MARKING_COLUMNS,
]
GROUP_COLUMN_WIDTHS = {"Objective": 34, "Action": 55, "KPI": 30, "Latest update": 45, "Lead": 22, "Notes": 30}
# Fills for the rating colours (GOV.UK tag colours, light), each shown with its word.
RATING_FILLS = {
    "green": "CCE2D8",
    "amber": "FFF7BF",
    "red": "F4CDC6",
    "blue": "BBD4EA",
    "grey": "E5E6E7",
    "purple": "DBD5E9",
}
SHEET_TITLE_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def _sheet_title(name, taken):
    title = " ".join(name.translate(SHEET_TITLE_FORBIDDEN).split())[:31].strip("' ") or "Group"
    candidate, number = title, 2
    while candidate.casefold() in taken:
        suffix = f" ({number})"
        candidate = title[: 31 - len(suffix)] + suffix
        number += 1
    taken.add(candidate.casefold())
    return candidate


def write_plan_xlsx(strategy, file, *, actions=None):
    """The plan in the layout the importer reads: a sheet per delivery group with its Chair and Aim
    rows, a header row, then the objectives and actions; formatted for printing.

    `actions` narrows the rows as in `plan_rows`. Importing the workbook gives back the same plan.
    """
    by_group = defaultdict(list)
    for row in plan_rows(strategy, actions=actions):
        by_group[row["Delivery group"]].append(row)
    groups = DeliveryGroup.objects.filter(strategy=strategy, name__in=list(by_group)).select_related("chair")
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken = set()
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for group in groups.order_by("position", "name"):
        rows = by_group[group.name]
        sheet = workbook.create_sheet(_sheet_title(group.name, taken))
        if sheet.title != group.name:
            sheet.append(["Delivery group", escape_formula(group.name)])
        if group.chair_id:
            sheet.append(["Chair", escape_formula(format_chair(group.chair.name, group.chair_note))])
        sheet.append(["Aim", escape_formula(group.aim)])
        for label_row in sheet.iter_rows():
            label_row[0].font = bold
        sheet.append([])
        sheet.append(GROUP_COLUMNS)
        header_row = sheet.max_row
        for cell in sheet[header_row]:
            cell.font = bold
            cell.alignment = wrap
        block_start, previous = None, None
        markings = [strategy.marking, group.marking]  # a sheet is marked as the most sensitive thing on it
        for row in rows:
            values = dict(row)
            objective = values["Objective"]
            if objective == previous:
                values["Objective"] = None  # a blank Objective continues the one above
            sheet.append([escape_formula(values.get(column)) for column in GROUP_COLUMNS])
            line = sheet.max_row
            if objective != previous:
                _merge_objective(sheet, block_start, line - 1)
                block_start, previous = line, objective
            status_cell = sheet.cell(row=line, column=GROUP_COLUMNS.index("Status") + 1)
            rag_cell = sheet.cell(row=line, column=GROUP_COLUMNS.index("RAG") + 1)
            if row["Status"]:
                colour, _word = rating(_status_value(row["Status"]), _rag_value(row["RAG"]))
                status_cell.fill = PatternFill("solid", fgColor=RATING_FILLS.get(colour, "FFFFFF"))
                if row["RAG"]:
                    rag_cell.fill = PatternFill("solid", fgColor=RATING_FILLS[_rag_value(row["RAG"])])
            for cell in sheet[line]:
                cell.alignment = wrap
                if isinstance(cell.value, datetime.date):
                    cell.number_format = DATE_FORMAT
            markings.append(Marking.from_text(row["Marking"]))
        _merge_objective(sheet, block_start, sheet.max_row)
        for index, column in enumerate(GROUP_COLUMNS, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = GROUP_COLUMN_WIDTHS.get(column, 13)
        sheet.freeze_panes = f"A{header_row + 1}"
        sheet.print_title_rows = f"{header_row}:{header_row}"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        marking = Marking(Marking.highest(markings)).label
        sheet.oddHeader.center.text = marking
        sheet.oddFooter.center.text = f"{marking}  {strategy.title}: {group.name}  Page &P of &N"
    if not workbook.worksheets:
        sheet = workbook.create_sheet("Plan")
        sheet.append(GROUP_COLUMNS)
    workbook.save(file)


def _merge_objective(sheet, first, last):
    if first is not None and last > first:
        sheet.merge_cells(start_row=first, start_column=1, end_row=last, end_column=1)


def _status_value(label):
    return next((value for value, text in Status.choices if text == label), "")


def _rag_value(label):
    return next((value for value, text in RAG.choices if text == label), "")
