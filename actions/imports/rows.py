"""An action plan's rows, planned one by one: the plan step of the import pipeline.

`RowPlanner` reads each row's cells into what they mean (a cell that cannot be read is a problem
naming its column, and every cell of the row is read, so all its problems are listed at once),
matches the row to an existing action (by Ref, else by delivery group, objective and action text,
from the `PlanIndex` loaded once: no query per row) or makes a new one, and collects what the row
changes into the `Plan`. Nothing is saved here: `Plan.apply` writes the whole plan afterwards.
"""

from actions.deadlines import parse_deadline
from actions.imports.planning import FieldChange, Plan, PlanIndex, PlannedAction, lead_label, shown
from actions.imports.preamble import read_preamble
from actions.imports.problems import Problem
from actions.imports.vocabulary import (
    HOLDER_MARKINGS,
    choose_leads,
    clean_text,
    combine_status,
    is_blue,
    read_complete_flag,
    read_lead_chunks,
    read_progress,
    read_status_word,
    text_key,
)
from actions.models import RAG, Action, Status, Update, quarter_locked
from strategy.models import Marking, name_key
from strategy.periods import Quarter

# The action's attributes the preview compares, with the words it uses for them.
TRACKED = {
    "ref": "Ref",
    "text": "Action",
    "kpi": "KPI",
    "deadline_text": "Deadline",
    "lead_organisation": "Lead agency",
    "baseline": "Baseline",
    "target": "Target",
    "notes": "Notes",
    "marking": "Marking",
}
# Columns whose cell is the action attribute of the same meaning (Ref and Deadline are read apart).
ATTRIBUTES = {
    "action": "text",
    "kpi": "kpi",
    "lead_agency": "lead_organisation",
    "baseline": "baseline",
    "target": "target",
    "notes": "notes",
    "marking": "marking",
}


def read_ref(value):
    """A Ref; blank (None) means "match by the action's words, or make a new reference"."""
    text = clean_text(value)
    if len(text) > 20:
        raise ValueError(f"{text} is too long for a reference (20 characters at most)")
    return text or None


def read_deadline(value):
    """A deadline as written plus the due date it names; an impossible day is an error."""
    deadline = parse_deadline(value)  # InvalidDeadline is a ValueError
    if len(deadline.text) > 200:
        raise ValueError("is longer than 200 characters")
    return deadline


def read_marking(value):
    return Marking.from_text(clean_text(value))


class RowPlanner:
    """Plans a read file's rows against a strategy: `plan_rows` once, then `plan` and `problems()`."""

    def __init__(self, *, strategy, read_file, by=None, blue_means, lowering, lead_choices=None, progress=None):
        self.strategy = strategy
        self.read_file = read_file
        self.by = by
        self.blue_means = blue_means
        self.progress = progress  # called with the number of rows done, now and then
        self.index = PlanIndex(strategy, with_import_updates=bool(read_file.quarters))
        self.plan = Plan(self.index, by=by, lowering=lowering, lead_choices=lead_choices)
        self.blue_rows = []  # (sheet, row) of cells reading "Blue"
        self.row_problems = []  # cells that could not be read, in the file's order
        self.locked_quarters = {}
        # Every cell reader, in the order a row's problems are listed.
        self.readers = {
            "ref": read_ref,
            "action": clean_text,
            "kpi": clean_text,
            "deadline": read_deadline,
            "lead_agency": self.read_organisation,
            "baseline": clean_text,
            "target": clean_text,
            "notes": clean_text,
            "marking": read_marking,
            "lead": read_lead_chunks,
            "status": self.read_status,
            "rag": self.read_status,
            "complete": read_complete_flag,
            "progress": read_progress,
            "commentary": clean_text,
        }

    # Cells ------------------------------------------------------------------------------------------

    def read_organisation(self, value):
        """A partner organisation by its name or short name."""
        text = clean_text(value)
        if not text:
            return None
        found = self.index.organisations.get(name_key(text))
        if found is None:
            raise ValueError(
                f"{text} is not one of the partnership's organisations; add it in the back office "
                "(Organisations) or use a name or short name already there"
            )
        return found

    def read_status(self, value):
        """A Status, RAG or combined cell as (status or None, RAG or ""); blank is None."""
        return read_status_word(value, blue_means=self.blue_means)

    def read_cells(self, row):
        """({column: what it means}, {column: why it cannot be read}) for the columns the row's sheet has."""
        cells, errors = {}, {}
        for column, reader in self.readers.items():
            if column not in row["_columns"]:
                continue
            try:
                cells[column] = reader(row.get(column, ""))
            except ValueError as error:
                errors[column] = str(error)
        return cells, errors

    def _row_problems(self, row, errors):
        sheet = row["_sheet"] or None
        for column, message in errors.items():
            header = self.read_file.header_for(sheet, column)
            self.row_problems.append(Problem(message, sheet=sheet, row=row["_row"], column=header))

    # The file ---------------------------------------------------------------------------------------

    def plan_rows(self):
        self._plan_sheets()
        for number, row in enumerate(self.read_file.rows, start=1):
            if self.progress and number % 1000 == 0:
                self.progress(number)
            try:
                self.plan_row(row)
            except MemoryError:
                raise
            except Exception as error:  # a row the rules did not foresee is a problem, not a crash
                self.row_problems.append(
                    Problem(
                        f"this row could not be read ({type(error).__name__}: {error})",
                        sheet=row["_sheet"] or None,
                        row=row["_row"],
                    )
                )

    def _plan_sheets(self):
        """What the rows above each sheet's table say: principles, and each group's chair and aim."""
        # References the file gives are taken, so references made for new actions avoid them.
        self.plan.refs.update(row["ref"] for row in self.read_file.rows if row.get("ref"))
        for sheet in self.read_file.sheets:
            principles, not_read = read_preamble(sheet)
            for text in principles:
                self.plan.principle(text)
            self.read_file.notes.extend(not_read)
        for sheet in self.read_file.sheets:
            if sheet.name is None or not (sheet.labels.get("chair") or sheet.labels.get("aim")):
                continue
            if "delivery_group" in sheet.headers and not sheet.labels.get("delivery_group"):
                continue  # a flat table: the labels name no single group
            name = sheet.labels.get("delivery_group") or sheet.name
            group_plan = self.plan.group(name, sheet=sheet.name, row=sheet.header_row)
            self.plan.group_details(group_plan, chair=sheet.labels.get("chair"), aim=sheet.labels.get("aim"))

    def problems(self):
        """Every problem of the rows, then of the plan, each naming its sheet, row and column."""
        return self.row_problems + self.plan.problems

    # One row ----------------------------------------------------------------------------------------

    def plan_row(self, row):
        sheet, line = row["_sheet"] or None, row["_row"]
        group_plan = self.plan.group(row["_group"], sheet=sheet or "", row=line)
        if not row["_objective"]:
            # The row's other cells are still read, so every problem is listed at once.
            errors = {"objective": "this action has no objective above it; put the objective in the Objective column"}
            errors.update(self.read_cells(row)[1])
            self._row_problems(row, errors)
            return
        objective_plan = self.plan.objective(
            group_plan, row["_objective"], sheet=sheet or "", row=row["_objective_row"] or line
        )
        self._plan_holder_markings(row, group_plan, objective_plan)
        if not row.get("action"):
            return
        action = self.plan.find_action(objective_plan, row.get("ref"), row.get("action"))
        if action is None:
            action = Action(objective=objective_plan.objective, strategy_id=self.strategy.pk)
        self._plan_action(row, action, objective_plan)

    def _plan_holder_markings(self, row, group_plan, objective_plan):
        """The strategy's, the group's and the objective's markings, where the file has their columns."""
        targets = {
            "strategy_marking": (self.plan.strategy, "The strategy"),
            "group_marking": (group_plan, f"The delivery group {group_plan.group.name}"),
            "objective_marking": (objective_plan, f"Objective {objective_plan.label[:80]}"),
        }
        for column in HOLDER_MARKINGS:
            text = clean_text(row.get(column)) if column in row["_columns"] else ""
            if not text:
                continue
            target, what = targets[column]
            self.plan.holder_marking(
                target,
                text,
                what=what,
                sheet=row["_sheet"] or "",
                row=row["_row"],
                column=self.read_file.header_for(row["_sheet"] or None, column),
            )

    def _plan_action(self, row, action, objective_plan):
        created = action.pk is None
        before = {}  # what an existing action says before the row, for the preview's old -> new
        if not created:
            before = {attr: getattr(action, attr) for attr in TRACKED}
            before["lead_organisation"] = action.lead_organisation if action.lead_organisation_id else None
        cells, errors = self.read_cells(row)
        self._give(action, cells)
        if not created:
            if action.pk in self.plan.seen_actions:
                sheet, line = self.plan.seen_actions[action.pk]
                where = f"sheet '{sheet}', row {line}" if sheet else f"row {line}"
                errors.setdefault(
                    "ref" if row.get("ref") else "action",
                    f"this action is also on {where}; each action may appear once",
                )
            self.plan.seen_actions[action.pk] = (row["_sheet"], row["_row"])
        else:
            new_key = (id(objective_plan), text_key(action.text))
            if new_key in self.plan.new_actions:
                sheet, line = self.plan.new_actions[new_key]
                where = f"sheet '{sheet}', row {line}" if sheet else f"row {line}"
                errors.setdefault("action", f"the same action is also on {where}")
            self.plan.new_actions[new_key] = (row["_sheet"], row["_row"])
        if errors:
            self._row_problems(row, errors)
            return
        planned = PlannedAction(
            objective_plan=objective_plan, action=action, created=created, sheet=row["_sheet"], row=row["_row"]
        )
        self._plan_fields(planned, before, row)
        self._plan_leads(planned, cells.get("lead"))
        self._plan_updates(planned, row, cells)
        group_plan = objective_plan.group_plan
        if created:
            group_plan.actions_created.append(planned)
        elif planned.changes:
            group_plan.actions_changed.append(planned)
        else:
            group_plan.actions_unchanged += 1
        self.plan.actions.append(planned)

    @staticmethod
    def _give(action, cells):
        """Set the action's attributes to what the row's cells say (a blank Ref keeps the action's)."""
        if cells.get("ref") is not None:
            action.ref = cells["ref"]
        if "deadline" in cells:
            action.deadline_text = cells["deadline"].text
            action.due_date = cells["deadline"].due_date
        for column, attr in ATTRIBUTES.items():
            if column in cells:
                setattr(action, attr, cells[column])

    def _plan_fields(self, planned, before, row):
        action = planned.action
        objective_plan = planned.objective_plan
        if planned.created:
            action.ref = action.ref or self.plan.new_ref(objective_plan)
            action.position = objective_plan.next_position
            objective_plan.next_position += 1
            return
        if action.objective_id != objective_plan.objective.pk:
            old = self.index.objective_label(action.objective_id)
            planned.changes.append(FieldChange("Objective", old, objective_plan.label))
            planned.fields.add("objective")
            action.objective = objective_plan.objective
        if action.position != objective_plan.next_position:
            planned.fields.add("position")
            action.position = objective_plan.next_position
        objective_plan.next_position += 1
        if action.archived_at is not None:
            planned.changes.append(FieldChange("In the plan", "Archived", "Back in the plan"))
            action.archived_at = None
            planned.fields.add("archived_at")
        for attr, label in TRACKED.items():
            self._compare(planned, attr, label, before[attr], row)

    def _compare(self, planned, attr, label, old, row):
        """Note the change of one attribute the row gives, if it is one."""
        action = planned.action
        new = getattr(action, attr)
        if attr == "lead_organisation":
            if (old.pk if old else None) != (new.pk if new else None):
                planned.changes.append(FieldChange(label, old.name if old else "", new.name if new else ""))
                planned.fields.add(attr)
        elif attr == "marking":
            action.marking = old
            place = (row["_sheet"], row["_row"], self.read_file.header_for(row["_sheet"] or None, "marking"))
            what = f"Action {action.ref}"
            if self.plan.change_marking(action, new, created=False, changes=planned.changes, what=what, place=place):
                planned.fields.add(attr)
        elif isinstance(old, str) and isinstance(new, str) and old.split() == new.split():
            setattr(action, attr, old)  # only spacing differs: not a change
        elif old != new:
            planned.changes.append(FieldChange(label, shown(old), shown(new)))
            planned.fields.add(attr)
            if attr == "deadline_text":
                planned.fields.add("due_date")

    def _plan_leads(self, planned, chunks):
        if chunks is None:
            return
        people, notes, seen = [], [], set()
        place = Problem("", sheet=planned.sheet or None, row=planned.row)
        for lead in choose_leads(chunks, known=self.index.people):
            person = self.plan.person(lead.name, place=place)
            if id(person) not in seen:  # two names the officer mapped to one person
                seen.add(id(person))
                people.append(person)
                notes.append(lead.note)
        old_people = [self.index.people_by_pk[pk] for pk in self.index.leads.get(planned.action.pk, [])]
        old_notes = self.index.lead_notes.get(planned.action.pk, [])
        new = [(p.name_key, note) for p, note in zip(people, notes, strict=True)]
        if new != [(p.name_key, note) for p, note in zip(old_people, old_notes, strict=True)]:
            planned.lead_people, planned.lead_notes = people, notes
            if not planned.created:
                planned.changes.append(
                    FieldChange("Lead", lead_label(old_people, old_notes), lead_label(people, notes))
                )

    # Updates ----------------------------------------------------------------------------------------

    def _plan_updates(self, planned, row, cells):
        action = planned.action
        for column in ("status", "rag"):
            if column in row["_columns"] and is_blue(row.get(column)):
                self.blue_rows.append((row["_sheet"], row["_row"]))
        state = self.plan.current_state(action)
        given = combine_status(
            current_status=state.status,
            status_cell=cells.get("status"),
            rag_cell=cells.get("rag"),
            complete=bool(cells.get("complete")),
        )
        status, rag = given if given else (state.status, state.rag)
        progress = cells["progress"] if cells.get("progress") is not None else state.progress
        commentary = cells.get("commentary") or None
        latest = self._plan_quarter_updates(planned, row, state, status, rag, progress)
        changed_state = (status, rag, progress) != (latest.status, latest.rag, latest.progress)
        if (commentary is not None and commentary != latest.commentary) or changed_state:
            planned.updates.append(self._update(status, rag, progress, commentary or "", self.plan.now))
            if commentary is not None and commentary != latest.commentary:
                planned.changes.append(FieldChange("Latest update", latest.commentary, commentary))
        if planned.created:
            return
        if status != state.status:
            planned.changes.append(FieldChange("Status", Status(state.status).label, Status(status).label))
        if rag != state.rag:
            planned.changes.append(
                FieldChange("RAG", RAG(state.rag).label if state.rag else "", RAG(rag).label if rag else "")
            )
        if progress != state.progress:
            planned.changes.append(FieldChange("Progress", f"{state.progress}%", f"{progress}%"))

    def _plan_quarter_updates(self, planned, row, state, status, rag, progress):
        """An update for each "Q1 update" cell that differs from what an import gave that quarter;
        returns the action's latest state once they are made."""
        action = planned.action
        latest = state
        for key, column in sorted(self.read_file.quarters.items(), key=lambda item: self._quarter_order(item[1])):
            text = clean_text(row.get(key)) if key in row["_columns"] else ""
            if not text:
                continue
            recorded_at, start, end, year = self.plan.quarter_moment(column)
            label = f"Q{column.quarter} {year}/{str(year + 1)[-2:]} update"
            if self._locked(Quarter(year, column.quarter)):
                self.plan.problems.append(
                    Problem(
                        f"{Quarter(year, column.quarter)} is closed (its update round has been closed), so this "
                        "update cannot be imported into it. Remove the cell, or ask an officer to record a "
                        "correction on the action's page",
                        sheet=row.get("_sheet") or None,
                        row=row.get("_row"),
                        column=self.read_file.header_for(row.get("_sheet"), key) if key != label else label,
                    )
                )
                continue
            existing = [u for u in self.index.import_updates.get(action.pk, []) if start <= u[0] <= end]
            if existing and max(existing)[2] == text:
                continue
            update = self._update(status, rag, progress, text, recorded_at)
            planned.updates.append(update)
            old = max(existing)[2] if existing else ""
            planned.changes.append(FieldChange(label, old, text))
            if latest.recorded_at is None or recorded_at >= latest.recorded_at:
                latest = type(state)(status, rag, progress, text, recorded_at, None)
        return latest

    def _locked(self, quarter):
        """Whether a quarter of this strategy is closed; asked once per quarter, not once per row."""
        if quarter not in self.locked_quarters:
            self.locked_quarters[quarter] = quarter_locked(self.plan.strategy, quarter)
        return self.locked_quarters[quarter]

    def _quarter_order(self, column):
        return self.plan.quarter_moment(column)[2]

    def _update(self, status, rag, progress, commentary, recorded_at):
        return Update(
            created_by_id=self.by.pk if self.by is not None else None,
            created_at=self.plan.now,
            recorded_at=recorded_at,
            source=Update.Source.IMPORT,
            status=status,
            rag=rag or "",
            progress=progress,
            commentary=commentary,
        )
