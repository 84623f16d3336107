"""django-import-export resources for action plans: the row-by-row rules of an import.

`ActionPlanResource` is the importer's resource. Its widgets read a council's cells (deadlines,
leads, status words, percentages, markings, partner organisations) and raise ValueError with a
sentence an officer understands; import-export collects those per row and column. Look-ups never
run per row: `before_import` loads the whole strategy once (`PlanIndex`), the instance loader
matches rows by Ref or by delivery group + objective + action text from that index, and rows are
collected into a `Plan` that `after_import` writes in batches (import-export's own row saving and
per-row savepoints are bypassed with `use_bulk`).
"""

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import RowResult

from actions.deadlines import parse_deadline
from actions.imports.planning import ActionPlan, Change, Lowering, Plan, PlanIndex, lead_label, shown
from actions.imports.preamble import read_preamble
from actions.imports.problems import Problem
from actions.imports.vocabulary import (
    FIELD_LABELS,
    HOLDER_MARKINGS,
    BlueMeans,
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
from actions.models import RAG, Action, Status, Update, quarter_locks
from strategy.models import Marking, name_key
from strategy.periods import Quarter

# Widgets ---------------------------------------------------------------------------------------


class CellWidget(widgets.Widget):
    """A text cell as written (line breaks kept, outer spaces dropped); blank is ""."""

    def clean(self, value, row=None, **kwargs):
        return clean_text(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class RefWidget(CellWidget):
    """A Ref; blank means "match by the action's words, or make a new reference"."""

    def clean(self, value, row=None, **kwargs):
        text = clean_text(value)
        if len(text) > 20:
            raise ValueError(f"{text} is too long for a reference (20 characters at most)")
        return text or None


class DeadlineWidget(widgets.Widget):
    """A deadline as written plus the due date it names; an impossible day is an error."""

    def clean(self, value, row=None, **kwargs):
        deadline = parse_deadline(value)  # InvalidDeadline is a ValueError
        if len(deadline.text) > 200:
            raise ValueError("is longer than 200 characters")
        return deadline

    def render(self, value, obj=None, **kwargs):
        return value or ""


class DeadlineField(fields.Field):
    """Sets both the deadline text and its due date."""

    def save(self, instance, row, is_m2m=False, **kwargs):
        deadline = self.clean(row, **kwargs)
        instance.deadline_text = deadline.text
        instance.due_date = deadline.due_date


class LeadsWidget(widgets.Widget):
    """A lead cell as LeadChunks: which of them are one person or several is decided against the
    partnership's people (`choose_leads`); "?" or blank is no lead yet."""

    def clean(self, value, row=None, **kwargs):
        return read_lead_chunks(value)


class OrganisationWidget(widgets.Widget):
    """A partner organisation by its name or short name, from a dictionary loaded once."""

    def __init__(self, organisations=None, **kwargs):
        super().__init__(**kwargs)
        self.organisations = organisations or {}

    def clean(self, value, row=None, **kwargs):
        text = clean_text(value)
        if not text:
            return None
        found = self.organisations.get(name_key(text))
        if found is None:
            raise ValueError(
                f"{text} is not one of the partnership's organisations; add it in the back office "
                "(Organisations) or use a name or short name already there"
            )
        return found

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class MarkingWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return Marking.from_text(clean_text(value))

    def render(self, value, obj=None, **kwargs):
        return Marking(value).label if value else ""


class StatusWidget(widgets.Widget):
    """A Status, RAG or combined cell as (status or None, RAG or ""); blank is None."""

    def __init__(self, blue_means=BlueMeans.COMPLETE, **kwargs):
        super().__init__(**kwargs)
        self.blue_means = blue_means

    def clean(self, value, row=None, **kwargs):
        return read_status_word(value, blue_means=self.blue_means)


class CompleteWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return read_complete_flag(value)


class ProgressWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return read_progress(value)


# The instance loader ------------------------------------------------------------------------


class PlanInstanceLoader(BaseInstanceLoader):
    """Finds a row's action in the index the resource loaded before the first row: no query."""

    def get_instance(self, row):
        return self.resource.plan.find_action(self.resource.objective_plan, row.get("ref"), row.get("action"))


# The resource -----------------------------------------------------------------------------------

# Model attributes the preview compares, with the words it uses for them.
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
# The file column (field key) behind each attribute a widget sets, for problem messages.
ATTRIBUTE_COLUMNS = {
    "ref": "ref",
    "text": "action",
    "kpi": "kpi",
    "deadline_text": "deadline",
    "lead_organisation": "lead_agency",
    "baseline": "baseline",
    "target": "target",
    "notes": "notes",
    "marking": "marking",
    "import_leads": "lead",
    "import_status": "status",
    "import_rag": "rag",
    "import_complete": "complete",
    "import_progress": "progress",
    "import_commentary": "commentary",
}


class ActionPlanResource(resources.ModelResource):
    ref = fields.Field(attribute="ref", column_name="ref", widget=RefWidget(), saves_null_values=False)
    text = fields.Field(attribute="text", column_name="action", widget=CellWidget())
    kpi = fields.Field(attribute="kpi", column_name="kpi", widget=CellWidget())
    deadline = DeadlineField(attribute="deadline_text", column_name="deadline", widget=DeadlineWidget())
    lead_organisation = fields.Field(
        attribute="lead_organisation", column_name="lead_agency", widget=OrganisationWidget()
    )
    baseline = fields.Field(attribute="baseline", column_name="baseline", widget=CellWidget())
    target = fields.Field(attribute="target", column_name="target", widget=CellWidget())
    notes = fields.Field(attribute="notes", column_name="notes", widget=CellWidget())
    marking = fields.Field(attribute="marking", column_name="marking", widget=MarkingWidget())
    leads = fields.Field(attribute="import_leads", column_name="lead", widget=LeadsWidget())
    status = fields.Field(attribute="import_status", column_name="status", widget=StatusWidget())
    rag = fields.Field(attribute="import_rag", column_name="rag", widget=StatusWidget())
    complete = fields.Field(attribute="import_complete", column_name="complete", widget=CompleteWidget())
    progress = fields.Field(attribute="import_progress", column_name="progress", widget=ProgressWidget())
    commentary = fields.Field(attribute="import_commentary", column_name="commentary", widget=CellWidget())

    class Meta:
        model = Action
        fields = (
            "ref",
            "text",
            "kpi",
            "deadline",
            "lead_organisation",
            "baseline",
            "target",
            "notes",
            "marking",
            "leads",
            "status",
            "rag",
            "complete",
            "progress",
            "commentary",
        )
        import_id_fields = ("ref",)
        instance_loader_class = PlanInstanceLoader
        # Rows are collected into a Plan and written in batches by after_import: no per-row save
        # and no per-row savepoint. The diff is the Plan's own (old and new value per field).
        use_bulk = True
        skip_diff = True
        report_skipped = False
        clean_model_instances = False

    def __init__(
        self,
        *,
        strategy,
        read_file,
        by=None,
        blue_means=BlueMeans.COMPLETE,
        expected_digest=None,
        archive_missing=False,
        lowering=Lowering.PREVIEW,
        progress=None,
        lead_choices=None,
    ):
        super().__init__()
        self.lowering = lowering
        self.lead_choices = lead_choices or {}
        self.strategy = strategy
        self.read_file = read_file
        self.by = by
        self.blue_means = blue_means
        self.expected_digest = expected_digest
        self.archive_missing = archive_missing
        self.progress = progress  # called with the number of rows done, now and then
        self.plan = None
        self.objective_plan = None
        self.blue_rows = []
        self.applied = None
        self.stale = False
        self._import_fields = None
        self.fields["status"].widget.blue_means = blue_means
        self.fields["rag"].widget.blue_means = blue_means

    # Before the first row: every look-up, once ---------------------------------------------------

    def before_import(self, dataset, **kwargs):
        self.dataset = dataset
        self.index = PlanIndex(self.strategy, with_import_updates=bool(self.read_file.quarters))
        self.fields["lead_organisation"].widget.organisations = self.index.organisations
        self.plan = Plan(self.index, by=self.by, lowering=self.lowering, lead_choices=self.lead_choices)
        # References the file gives are taken, so references made for new actions avoid them.
        self.plan.refs.update(ref for ref in dataset["ref"] if ref)
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

    # Each row --------------------------------------------------------------------------------------

    def import_row(self, row, instance_loader, **kwargs):
        number = kwargs.get("row_number") or 0
        if self.progress and number % 1000 == 0:
            self.progress(number)
        sheet, line = row["_sheet"] or None, row["_row"]
        group_plan = self.plan.group(row["_group"], sheet=sheet or "", row=line)
        if not row["_objective"]:
            # The row's other cells are still checked, so every problem is listed at once.
            errors = {"objective": "this action has no objective above it; put the objective in the Objective column"}
            for field in self.get_import_fields():
                if field.column_name in row["_columns"]:
                    try:
                        field.clean(row)
                    except ValueError as error:
                        errors[field.attribute] = str(error)
            result = self.get_row_result_class()()
            result.import_type = RowResult.IMPORT_TYPE_INVALID
            result.validation_error = ValidationError(errors)
            return result
        self.objective_plan = self.plan.objective(
            group_plan, row["_objective"], sheet=sheet or "", row=row["_objective_row"] or line
        )
        self._plan_holder_markings(row, group_plan, self.objective_plan)
        if not row["action"]:
            result = self.get_row_result_class()()
            result.import_type = RowResult.IMPORT_TYPE_SKIP
            return result
        return super().import_row(row, instance_loader, **kwargs)

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

    def init_instance(self, row=None):
        return Action(objective=self.objective_plan.objective, strategy_id=self.strategy.pk)

    def get_import_fields(self):
        # import-export works the list out again for every row; it never changes during a run, and
        # a field whose column no sheet of the file has need not be visited at all.
        if self._import_fields is None:
            present = set().union(*(sheet.headers for sheet in self.read_file.sheets))
            self._import_fields = [f for f in super().get_import_fields() if f.column_name in present]
        return self._import_fields

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.column_name in row["_columns"]:
            super().import_field(field, instance, row, is_m2m, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        action = instance
        created = action.pk is None
        before = {attr: getattr(action, attr) for attr in TRACKED}
        before["lead_organisation"] = action.lead_organisation if action.lead_organisation_id else None
        for attr in ("import_leads", "import_status", "import_rag", "import_complete", "import_progress"):
            setattr(action, attr, None)
        action.import_commentary = None
        errors = {}
        try:
            super().import_instance(action, row, **kwargs)
        except ValidationError as error:
            errors = dict(error.error_dict)
        plan = ActionPlan(
            objective_plan=self.objective_plan, action=action, created=created, sheet=row["_sheet"], row=row["_row"]
        )
        key = action.pk if action.pk else id(action)
        if key in self.plan.seen_actions and not created:
            sheet, line = self.plan.seen_actions[key]
            where = f"sheet '{sheet}', row {line}" if sheet else f"row {line}"
            errors.setdefault(
                "ref" if row.get("ref") else "text",
                ValidationError(f"this action is also on {where}; each action may appear once"),
            )
        self.plan.seen_actions[key] = (row["_sheet"], row["_row"])
        if created:
            new_key = (id(self.objective_plan), text_key(action.text))
            if new_key in self.plan.new_actions:
                sheet, line = self.plan.new_actions[new_key]
                where = f"sheet '{sheet}', row {line}" if sheet else f"row {line}"
                errors.setdefault("text", ValidationError(f"the same action is also on {where}"))
            self.plan.new_actions[new_key] = (row["_sheet"], row["_row"])
        if errors:
            raise ValidationError(errors)
        self._plan_fields(plan, before, row)
        self._plan_leads(plan, row)
        self._plan_updates(plan, row)
        group_plan = self.objective_plan.group_plan
        if created:
            group_plan.actions_created.append(plan)
        elif plan.changes:
            group_plan.actions_changed.append(plan)
        else:
            group_plan.actions_unchanged += 1
        self.plan.actions.append(plan)
        action._import_plan = plan

    def _plan_fields(self, plan, before, row):
        action = plan.action
        objective_plan = self.objective_plan
        if plan.created:
            action.ref = action.ref or self.plan.new_ref(objective_plan)
            action.position = objective_plan.next_position
            objective_plan.next_position += 1
            return
        if action.objective_id != objective_plan.objective.pk:
            old = self.index.objective_label(action.objective_id)
            plan.changes.append(Change("Objective", old, objective_plan.label))
            plan.fields.add("objective")
            action.objective = objective_plan.objective
        if action.position != objective_plan.next_position:
            plan.fields.add("position")
            action.position = objective_plan.next_position
        objective_plan.next_position += 1
        if action.archived_at is not None:
            plan.changes.append(Change("In the plan", "Archived", "Back in the plan"))
            action.archived_at = None
            plan.fields.add("archived_at")
        for attr, label in TRACKED.items():
            old, new = before[attr], getattr(action, attr)
            if attr == "lead_organisation":
                if (old.pk if old else None) != (new.pk if new else None):
                    plan.changes.append(Change(label, old.name if old else "", new.name if new else ""))
                    plan.fields.add(attr)
            elif attr == "marking":
                action.marking = old
                place = (row["_sheet"], row["_row"], self.read_file.header_for(row["_sheet"] or None, "marking"))
                what = f"Action {action.ref}"
                if self.plan.change_marking(action, new, created=False, changes=plan.changes, what=what, place=place):
                    plan.fields.add(attr)
            elif isinstance(old, str) and isinstance(new, str) and old.split() == new.split():
                setattr(action, attr, old)  # only spacing differs: not a change
            elif old != new:
                plan.changes.append(Change(label, shown(old), shown(new)))
                plan.fields.add(attr)
                if attr == "deadline_text":
                    plan.fields.add("due_date")

    def _plan_leads(self, plan, row):
        chunks = plan.action.import_leads
        if chunks is None:
            return
        people, notes, seen = [], [], set()
        place = Problem("", sheet=plan.sheet or None, row=plan.row)
        for lead in choose_leads(chunks, known=self.index.people):
            person = self.plan.person(lead.name, place=place)
            if id(person) not in seen:  # two names the officer mapped to one person
                seen.add(id(person))
                people.append(person)
                notes.append(lead.note)
        old_people = [self.index.people_by_pk[pk] for pk in self.index.leads.get(plan.action.pk, [])]
        old_notes = self.index.lead_notes.get(plan.action.pk, [])
        new = [(p.name_key, note) for p, note in zip(people, notes, strict=True)]
        if new != [(p.name_key, note) for p, note in zip(old_people, old_notes, strict=True)]:
            plan.lead_people, plan.lead_notes = people, notes
            if not plan.created:
                plan.changes.append(Change("Lead", lead_label(old_people, old_notes), lead_label(people, notes)))

    def _plan_updates(self, plan, row):
        action = plan.action
        status_cell, rag_cell = action.import_status, action.import_rag
        for column in ("status", "rag"):
            if column in row["_columns"] and is_blue(row.get(column)):
                self.blue_rows.append((row["_sheet"], row["_row"]))
        state = self.plan.current_state(action)
        given = combine_status(
            current_status=state.status,
            status_cell=status_cell,
            rag_cell=rag_cell,
            complete=bool(action.import_complete),
        )
        status, rag = given if given else (state.status, state.rag)
        progress = action.import_progress if action.import_progress is not None else state.progress
        commentary = action.import_commentary or None
        latest = state
        moment_of = {}
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
            existing = [u for u in self.index.import_updates.get(action.pk, []) if start < u[0] <= end]
            if existing and max(existing)[2] == text:
                continue
            update = self._update(status, rag, progress, text, recorded_at)
            plan.updates.append(update)
            moment_of[id(update)] = label
            old = max(existing)[2] if existing else ""
            plan.changes.append(Change(label, old, text))
            if latest.recorded_at is None or recorded_at >= latest.recorded_at:
                latest = type(state)(status, rag, progress, text, recorded_at, None)
        changed_state = (status, rag, progress) != (latest.status, latest.rag, latest.progress)
        if (commentary is not None and commentary != latest.commentary) or changed_state:
            plan.updates.append(self._update(status, rag, progress, commentary or "", self.plan.now))
            if commentary is not None and commentary != latest.commentary:
                plan.changes.append(Change("Latest update", latest.commentary, commentary))
        if plan.created:
            return
        if status != state.status:
            plan.changes.append(Change("Status", Status(state.status).label, Status(status).label))
        if rag != state.rag:
            plan.changes.append(Change("RAG", RAG(state.rag).label if state.rag else "", RAG(rag).label if rag else ""))
        if progress != state.progress:
            plan.changes.append(Change("Progress", f"{state.progress}%", f"{progress}%"))

    def _locked(self, quarter):
        """Whether a quarter of this strategy is closed; asked once per quarter, not once per row."""
        cache = self.__dict__.setdefault("_locked_quarters", {})
        if quarter not in cache:
            cache[quarter] = quarter_locks.is_locked(self.plan.strategy, quarter)
        return cache[quarter]

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

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors:
            return False
        plan = getattr(instance, "_import_plan", None)
        return plan is not None and not plan.created and not plan.changes

    def save_instance(self, instance, is_create, row, **kwargs):
        """Nothing is written row by row: after_import writes the whole plan in batches."""

    def save_m2m(self, instance, row, **kwargs):
        """Leads are written with the plan."""

    # After the last row ---------------------------------------------------------------------------

    def after_import(self, dataset, result, **kwargs):
        if kwargs.get("dry_run") or result.has_errors() or result.has_validation_errors() or self.plan.problems:
            return
        if self.expected_digest and self.expected_digest != self.plan.digest():
            self.stale = True
            return
        self.applied = self.plan.apply(archive_missing=self.archive_missing)

    # Problems, with their places ------------------------------------------------------------------

    def _row(self, number):
        """Dataset row `number` (counted from 1, as import-export counts) as a dict."""
        return dict(zip(self.dataset.headers, self.dataset[number - 1], strict=False))

    def problems(self, result):
        """Every problem of the run as Problems naming sheet, row and column."""
        found = []
        for error in result.base_errors:
            found.append(Problem(f"the import stopped with an unexpected error: {error.error}"))
        for invalid in result.invalid_rows:
            row = self._row(invalid.number)
            sheet = row.get("_sheet") or None
            for attribute, messages in invalid.error_dict.items():
                column = ATTRIBUTE_COLUMNS.get(attribute, attribute)
                header = self.read_file.header_for(sheet, column) if column in FIELD_LABELS else None
                for message in messages:
                    found.append(Problem(message, sheet=sheet, row=row.get("_row"), column=header))
        for error_row in result.error_rows:
            row = self._row(error_row.number)
            for error in error_row.errors:
                found.append(
                    Problem(
                        f"this row could not be read ({type(error.error).__name__}: {error.error})",
                        sheet=row.get("_sheet") or None,
                        row=row.get("_row"),
                    )
                )
        return found + list(self.plan.problems if self.plan else [])
