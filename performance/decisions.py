"""The decision log read out: the decisions a meeting follows up from the same body's earlier meetings,
and the log as rows for the CSV and XLSX downloads (every cell through strategy.formulas)."""

import csv

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from performance.models import Attendance, Challenge
from strategy import permissions
from strategy.formulas import escape_formula
from strategy.models import Marking, Person

COLUMNS = [
    "Meeting",
    "Meeting date",
    "About",
    "Decision",
    "Owner",
    "Due",
    "State",
    "Overdue",
    "Response",
    "Closed on",
    "Closed by",
]
COLUMN_WIDTHS = {"Meeting": 30, "About": 24, "Decision": 50, "Owner": 24, "Response": 50}


def carried_forward(meeting, *, user, today, known_by=None):
    """The decisions `meeting` follows up ("Actions from previous meetings"), as `user` may see them,
    each with `overdue` set as at `today`; as they stood at `known_by` when given (a pack as issued)."""
    decisions = Challenge.objects.visible_to(user).carried_into(meeting)
    if known_by is not None:
        decisions = decisions.filter(created_at__lte=known_by)
    found = list(decisions.with_related().order_by("due_date", "meeting__date", "pk"))
    if known_by is not None:
        found = [_as_at(decision, known_by) for decision in found]
        found = [decision for decision in found if decision is not None]
    for decision in found:
        decision.overdue = decision.is_overdue(today)
    return found


def attendance_as_at(meeting, moment):
    """[(state label, [(name, organisation name)])] of the meeting's attendance as it stood at `moment`
    (its history: a pack shows what was recorded when it was issued). Two queries."""
    latest = {}
    history = Attendance.history.filter(meeting_id=meeting.pk, history_date__lte=moment)
    for row in history.order_by("history_date", "history_id").values("person_id", "state", "history_type"):
        latest[row["person_id"]] = None if row["history_type"] == "-" else row["state"]
    people = {
        person.pk: person
        for person in Person.objects.filter(pk__in=[pk for pk, state in latest.items() if state]).select_related(
            "organisation"
        )
    }
    grouped = {state: [] for state in Attendance.State}
    for person in sorted(people.values(), key=lambda found: (found.name, found.pk)):
        organisation = person.organisation.name if person.organisation_id else ""
        grouped[Attendance.State(latest[person.pk])].append((person.name, organisation))
    return [(state.label, found) for state, found in grouped.items() if found]


def _as_at(decision, moment):
    """`decision` as it stood at `moment` (its history), or None if it did not yet exist. A decision closed
    later is shown open, as it was when the pack was issued."""
    if decision.closed_at is None or decision.closed_at <= moment:
        return decision
    decision.state, decision.response, decision.closed_at, decision.closed_by = Challenge.State.OPEN, "", None, None
    return decision


def markings(decision):
    """The markings of a decision's meeting and of what it is about (loaded by with_related)."""
    found = [decision.meeting.strategy.marking]
    if decision.meeting.delivery_group_id:
        found.append(decision.meeting.delivery_group.marking)
    if decision.action_id:
        found += permissions.action_markings(decision.action)
    if decision.objective_id:
        found += [decision.objective.marking, decision.objective.delivery_group.marking]
    if decision.delivery_group_id:
        found.append(decision.delivery_group.marking)
    return found


def highest_marking(decisions):
    return Marking(Marking.highest([m for decision in decisions for m in markings(decision)] or [Marking.OFFICIAL]))


def rows(decisions, *, today):
    for decision in decisions:
        closer = decision.closed_by
        yield {
            "Meeting": str(decision.meeting),
            "Meeting date": decision.meeting.date,
            "About": decision.about_label,
            "Decision": decision.text,
            "Owner": decision.owner,
            "Due": decision.due_date,
            "State": decision.get_state_display(),
            "Overdue": "Yes" if decision.is_overdue(today) else "",
            "Response": decision.response,
            "Closed on": timezone.localtime(decision.closed_at).date() if decision.closed_at else None,
            "Closed by": (closer.get_full_name() or closer.username) if closer else "",
        }


def write_csv(found, file):
    """UTF-8 with a byte-order mark so Excel reads the encoding right; dates as dd/mm/yyyy."""
    file.write("\ufeff")
    writer = csv.DictWriter(file, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in found:
        writer.writerow(
            {
                key: value.strftime("%d/%m/%Y") if hasattr(value, "strftime") else escape_formula(value or "")
                for key, value in row.items()
            }
        )


def write_xlsx(found, file):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Decisions"
    sheet.append(COLUMNS)
    for row in found:
        sheet.append([escape_formula(row[column]) for column in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = COLUMN_WIDTHS.get(column, 14)
        sheet.cell(row=1, column=index).font = Font(bold=True)
        if column in ("Meeting date", "Due", "Closed on"):
            for cell in sheet[get_column_letter(index)][1:]:
                cell.number_format = "DD/MM/YYYY"
    for cells in sheet.iter_rows():
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    workbook.save(file)
