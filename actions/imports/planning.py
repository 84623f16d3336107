"""What an import will do: the strategy as it stands (loaded in a fixed number of queries), the
plan of what the file changes, and applying that plan in batches.

`PlanIndex` loads the strategy's groups, objectives, actions, leads, people and partner
organisations once, so no row needs a query of its own. `Plan` collects, group by group, the
objectives and actions the file creates or changes (`PlannedGroup`, `PlannedObjective`,
`PlannedAction`: each with old and new value of each field changed) and
those it leaves alone. `Plan.apply` writes it with bulk inserts and updates; the caller holds the
transaction, so a failure leaves nothing behind.
"""

import copy
import datetime
import difflib
import functools
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import OuterRef, Subquery
from django.utils import dateformat, timezone

from actions.imports.problems import Problem
from actions.imports.vocabulary import (
    cached_name_key,
    format_chair,
    read_chair,
    read_objective,
    text_key,
)
from actions.models import CLOSED_STATUSES, Action, ActionLead, DeliveryGroup, Objective, Status, Update
from strategy import permissions
from strategy.audit import bulk_create_audited, bulk_update_audited
from strategy.models import Marking, Organisation, Person, Principle, Strategy, name_key
from strategy.periods import Quarter

# The change reason the audit trail gives what an import writes.
IMPORT_REASON = "Spreadsheet import"
BATCH_SIZE = 2000
# How many created or changed rows per group a stored preview lists (the counts are always whole).
LISTED_PER_GROUP = 300


class Lowering:
    """What an import does with a file's marking below the one a group, objective, action or the
    strategy has: an import never lowers a marking unless the officer confirms it on the preview."""

    PREVIEW = "preview"  # the check: list each lowering for the officer to confirm
    REFUSE = "refuse"  # an import not confirmed: each lowering is a problem, nothing is saved
    CONFIRMED = "confirmed"  # the officer confirmed the preview's lowerings: they are made


def marking_rank(marking):
    return list(Marking.values).index(marking)


@dataclass
class FieldChange:
    """One field of an imported row that differs from what the plan holds: the preview shows it."""

    field: str
    old: str
    new: str

    def as_dict(self):
        return {"field": self.field, "old": self.old, "new": self.new}


def shown(value):
    if value is None or value == "":
        return ""
    return str(value)


@dataclass
class PlannedGroup:
    group: DeliveryGroup
    created: bool
    sheet: str = ""
    row: int | None = None
    changes: list = field(default_factory=list)
    chair: Person | None = None
    objectives_created: list = field(default_factory=list)
    objectives_changed: list = field(default_factory=list)
    actions_created: list = field(default_factory=list)
    actions_changed: list = field(default_factory=list)
    actions_unchanged: int = 0
    objectives_unchanged: int = 0


@dataclass
class PlannedObjective:
    group_plan: PlannedGroup
    objective: Objective
    created: bool
    sheet: str = ""
    row: int | None = None
    changes: list = field(default_factory=list)
    next_position: int = 1

    @property
    def label(self):
        return f"{self.objective.number} {self.objective.title}".strip()


@dataclass
class PlannedAction:
    objective_plan: PlannedObjective
    action: Action
    created: bool
    sheet: str = ""
    row: int | None = None
    changes: list = field(default_factory=list)
    lead_people: list | None = None  # the new leads, when they change
    lead_notes: list = field(default_factory=list)  # each new lead's note ("awaiting confirmation"), in order
    updates: list = field(default_factory=list)  # Update instances to add
    fields: set = field(default_factory=set)  # Action fields to save


@dataclass
class LatestState:
    status: str
    rag: str
    progress: int
    commentary: str
    recorded_at: datetime.datetime | None
    pk: int | None


class PlanIndex:
    """The strategy as it stands, loaded in a fixed number of queries whatever its size."""

    def __init__(self, strategy, *, with_import_updates=False):
        self.strategy = strategy
        groups = DeliveryGroup.objects.filter(strategy=strategy).select_related("chair")
        self.groups = {name_key(group.name): group for group in groups}
        self.objectives = defaultdict(dict)  # group pk -> {number: Objective}
        self.group_of_objective = {}
        self.objective_by_pk = {}
        names = {group.pk: group.name for group in self.groups.values()}
        for objective in Objective.objects.filter(delivery_group__strategy=strategy):
            self.objectives[objective.delivery_group_id][objective.number] = objective
            self.group_of_objective[objective.pk] = names.get(objective.delivery_group_id, "")
            self.objective_by_pk[objective.pk] = objective
        self.actions = list(
            Action.objects.filter(strategy=strategy)
            .select_related("latest_update", "lead_organisation")
            .order_by("objective_id", "position", "pk")
        )
        self.by_ref = {action.ref: action for action in self.actions}
        self.by_key = {(action.objective_id, text_key(action.text)): action for action in self.actions}
        self.leads = defaultdict(list)  # action pk -> [person pk, ...] in order
        self.lead_notes = defaultdict(list)  # action pk -> [note, ...] in the same order
        links = ActionLead.objects.filter(action__strategy=strategy).order_by("action_id", "position", "pk")
        for action_id, person_id, note in links.values_list("action_id", "person_id", "note"):
            self.leads[action_id].append(person_id)
            self.lead_notes[action_id].append(note)
        people = list(Person.objects.filter(partnership_id=strategy.partnership_id))
        self.people = {person.name_key: person for person in people}
        self.people_by_pk = {person.pk: person for person in people}
        self.organisations = {}
        for organisation in Organisation.objects.filter(partnership_id=strategy.partnership_id):
            self.organisations.setdefault(name_key(organisation.name), organisation)
            if organisation.short_name:
                self.organisations.setdefault(name_key(organisation.short_name), organisation)
        self.import_updates = defaultdict(list)  # action pk -> [(recorded_at, pk, commentary)]
        if with_import_updates:
            rows = Update.objects.filter(action__strategy=strategy, source=Update.Source.IMPORT).values_list(
                "action_id", "recorded_at", "pk", "commentary"
            )
            for action_id, recorded_at, pk, commentary in rows:
                self.import_updates[action_id].append((recorded_at, pk, commentary))
        self.codes = {group.code for group in self.groups.values() if group.code}
        self.positions = 1 + max((group.position for group in self.groups.values()), default=0)

    @functools.cached_property
    def principles(self):
        """The strategy's cross-cutting principles: read only for a file that names some."""
        return list(Principle.objects.filter(strategy=self.strategy).order_by("position"))

    def objective_label(self, pk):
        objective = self.objective_by_pk.get(pk)
        return f"{objective.number} {objective.title}" if objective else ""


class Plan:
    """Everything the file would create or change, group by group."""

    def __init__(self, index, *, by=None, now=None, lowering=Lowering.PREVIEW, lead_choices=None):
        self.index = index
        # The officer's choices in the preview: name key -> the pk of the existing person it means.
        self.lead_choices = lead_choices or {}
        self.mapped_people = {}  # name key -> (name as written, Person) for names mapped by a choice
        self.unknown_places = {}  # name key -> [Problem naming its first place, number of actions it leads]
        self.principles_created = []  # Principles the file adds to the strategy
        self.strategy = index.strategy
        self.by = by
        self.now = now or timezone.now()
        self.lowering = lowering
        self.lowered = []  # Problems: each marking the file lowers (listed for the officer to confirm)
        self.strategy_changes = []
        # The strategy as the file marks it: a copy, so a preview leaves the caller's strategy as it is.
        self.marked_strategy = copy.copy(index.strategy)
        self._markings_given = {}  # id(strategy / PlannedGroup / PlannedObjective) -> (marking, where)
        self.groups = {}  # name key -> PlannedGroup, in the file's order
        self.objectives = {}  # (group key, objective text) -> PlannedObjective
        self.objective_numbers = defaultdict(dict)  # group key -> {number: PlannedObjective}
        self.actions = []  # PlannedActions of every action row
        self.seen_actions = {}  # action pk or id() -> (sheet, row)
        self.new_people = {}  # name key -> Person
        self.new_actions = {}  # (objective plan id, action text key) -> (sheet, row) of new actions
        self.refs = set(index.by_ref)
        self.problems = []
        self._digest = None

    # People and organisations -----------------------------------------------------------------

    def person(self, name, *, place=None):
        """The Person `name` means: known, mapped by the officer's choice, or new. `place` (a Problem
        with the action's sheet and row) is where the file names it, for the preview."""
        key = cached_name_key(name)
        if place is not None and key not in self.index.people:
            seen = self.unknown_places.setdefault(key, [place, 0])
            seen[1] += 1
        found = self.index.people.get(key) or self.new_people.get(key)
        if found is None and key in self.lead_choices:
            found = self.index.people_by_pk.get(self.lead_choices[key])
            if found is not None:
                self.mapped_people.setdefault(key, (" ".join(name.split()), found))
        if found is None:
            found = Person(partnership_id=self.strategy.partnership_id, name=" ".join(name.split()), name_key=key)
            self.new_people[key] = found
        return found

    # Cross-cutting principles -----------------------------------------------------------------

    def principle(self, text):
        """A cross-cutting principle a sheet names: added to the strategy unless it has it already."""
        key = principle_key(text)
        if not key:
            return
        known = [*self.index.principles, *self.principles_created]
        if any(key in (principle_key(p.title), principle_key(p.description)) for p in known):
            return
        position = 1 + max((p.position for p in known), default=0)
        self.principles_created.append(
            Principle(strategy=self.strategy, position=position, title=principle_title(text), description=text)
        )

    # Groups -----------------------------------------------------------------------------------

    def group(self, name, *, sheet="", row=None):
        key = name_key(name)
        if key in self.groups:
            return self.groups[key]
        existing = self.index.groups.get(key)
        if existing is not None:
            plan = PlannedGroup(group=existing, created=False, sheet=sheet, row=row)
        else:
            code = self._new_code(name)
            group = DeliveryGroup(
                strategy=self.strategy,
                name=" ".join(name.split())[:100],
                code=code,
                position=self.index.positions,
                held_back=DeliveryGroup.held_back_by_default(name, code),
            )
            self.index.positions += 1
            plan = PlannedGroup(group=group, created=True, sheet=sheet, row=row)
        self.groups[key] = plan
        return plan

    def _new_code(self, name):
        letters = "".join(ch for ch in name.upper() if ch.isalpha()) or "G"
        for length in range(1, 6):
            code = letters[:length]
            if code not in self.index.codes:
                self.index.codes.add(code)
                return code
        number = 1
        while f"G{number}" in self.index.codes:
            number += 1
        self.index.codes.add(f"G{number}")
        return f"G{number}"

    def group_details(self, plan, *, chair=None, aim=None):
        """Chair and Aim from the label rows above a group's table."""
        group = plan.group
        if aim is not None and aim != group.aim:
            plan.changes.append(FieldChange("Aim", group.aim, aim))
            group.aim = aim
        if chair is not None:
            name, note = read_chair(chair)
            person = self.person(name) if name and name.strip("?") else None
            old = format_chair(group.chair.name if group.chair_id else "", group.chair_note)
            new = format_chair(person.name if person else "", note)
            if name_key(old) != name_key(new):
                plan.changes.append(FieldChange("Chair", old, new))
                group.chair = person
                group.chair_note = note
                plan.chair = person

    # Objectives ---------------------------------------------------------------------------------

    def objective(self, group_plan, text, *, sheet="", row=None):
        """The PlannedObjective a row's objective cell names (blank cells were continued when read)."""
        group_key = name_key(group_plan.group.name)
        cache_key = (group_key, text)
        if cache_key in self.objectives:
            return self.objectives[cache_key]
        number, title = read_objective(text)
        existing = self.index.objectives.get(group_plan.group.pk, {}) if group_plan.group.pk else {}
        numbers = self.objective_numbers[group_key]
        if number is None:
            match = next(
                (o for o in existing.values() if text_key(o.title) == text_key(title)),
                None,
            )
            planned = next((p for p in numbers.values() if text_key(p.objective.title) == text_key(title)), None)
            if planned is not None:
                self.objectives[cache_key] = planned
                return planned
            number = match.number if match else max([*existing, *numbers, 0]) + 1
        if number in numbers:
            planned = numbers[number]
            if title and text_key(planned.objective.title) != text_key(title):
                self.problems.append(
                    Problem(
                        f"objective {number} is also on row {planned.row} with different words "
                        f"({planned.objective.title!r}); give each objective its own number",
                        sheet=sheet,
                        row=row,
                        column="Objective",
                    )
                )
            self.objectives[cache_key] = planned
            return planned
        objective = existing.get(number)
        if objective is not None:
            plan = PlannedObjective(group_plan=group_plan, objective=objective, created=False, sheet=sheet, row=row)
            if title and title != objective.title:
                plan.changes.append(FieldChange("Objective", f"{number} {objective.title}", f"{number} {title}"))
                objective.title = title
                group_plan.objectives_changed.append(plan)
            else:
                group_plan.objectives_unchanged += 1
        else:
            if not title:
                self.problems.append(
                    Problem(f"objective {number} has no words", sheet=sheet, row=row, column="Objective")
                )
            objective = Objective(delivery_group=group_plan.group, number=number, title=title)
            plan = PlannedObjective(group_plan=group_plan, objective=objective, created=True, sheet=sheet, row=row)
            group_plan.objectives_created.append(plan)
        numbers[number] = plan
        self.objectives[cache_key] = plan
        return plan

    # Markings -----------------------------------------------------------------------------------

    def holder_marking(self, target, text, *, what, sheet="", row=None, column=None):
        """The marking a row gives the strategy, a PlannedGroup or a PlannedObjective (`target`), from the
        export's Strategy / Group / Objective marking columns: the first row sets it, others agree."""
        try:
            new = Marking.from_text(text)
        except ValueError as error:
            self.problems.append(Problem(str(error), sheet=sheet, row=row, column=column))
            return
        where = f"sheet '{sheet}', row {row}" if sheet else f"row {row}"
        given = self._markings_given.setdefault(id(target), (new, where))
        if given[0] != new:
            self.problems.append(
                Problem(
                    f"{what} is marked {Marking(given[0]).label} on {given[1]} and {Marking(new).label} "
                    "here; give it one marking on every row",
                    sheet=sheet,
                    row=row,
                    column=column,
                )
            )
            return
        if given[1] != where:
            return
        place = (sheet, row, column)
        if target is self.strategy:
            strategy, changes = self.marked_strategy, self.strategy_changes
            self.change_marking(strategy, new, created=False, changes=changes, what=what, place=place)
            return
        thing = target.group if isinstance(target, PlannedGroup) else target.objective
        created = target.created
        changed = self.change_marking(thing, new, created=created, changes=target.changes, what=what, place=place)
        if changed and isinstance(target, PlannedObjective) and not target.created:
            group_plan = target.group_plan
            if target not in group_plan.objectives_changed:
                group_plan.objectives_changed.append(target)
                group_plan.objectives_unchanged -= 1

    def change_marking(self, thing, new, *, created, changes, what, place):
        """Give `thing` (a strategy, group, objective or action) the marking `new`; returns whether it
        changes. A lowering is listed, refused or made as `self.lowering` says; only an officer cleared
        for both markings may confirm one."""
        old = thing.marking
        if old == new:
            return False
        if not created and marking_rank(new) < marking_rank(old):
            sheet, row, column = place
            lowering = Problem(
                f"{what} is marked {Marking(old).label} and the file marks it {Marking(new).label}: an import never "
                "lowers a marking. Correct the cell, or confirm lowering it on the preview",
                sheet=sheet or None,
                row=row,
                column=column,
            )
            cleared = self.by is None or permissions.cleared_for(self.by, old, new)
            if self.lowering == Lowering.REFUSE or not cleared:
                self.problems.append(lowering)
                return False
            self.lowered.append(lowering)
        if not created:
            changes.append(FieldChange("Marking", Marking(old).label, Marking(new).label))
        thing.marking = new
        return True

    # Actions ------------------------------------------------------------------------------------

    def find_action(self, objective_plan, ref, text):
        """The existing action a row means: by Ref where given, else by objective and action text."""
        if ref:
            return self.index.by_ref.get(ref)
        if objective_plan.objective.pk is None:
            return None
        return self.index.by_key.get((objective_plan.objective.pk, text_key(text)))

    def new_ref(self, objective_plan):
        group = objective_plan.group_plan.group
        number = objective_plan.next_position
        while True:
            ref = f"{group.code}{objective_plan.objective.number}.{number}"
            if ref not in self.refs:
                self.refs.add(ref)
                return ref
            number += 1

    def current_state(self, action):
        latest = action.latest_update if action.pk else None
        if latest is None:
            return LatestState(action.status, action.rag, action.progress, "", None, None)
        return LatestState(action.status, action.rag, action.progress, latest.commentary, latest.recorded_at, latest.pk)

    def quarter_moment(self, column):
        """When a quarterly update counts from: noon on its quarter's last day (never later than now);
        with the quarter's first moment and that noon, between which an earlier import's update for
        the same quarter lies, and the quarter's financial year."""
        year = column.year
        if year is None:
            first = Quarter.containing(self.strategy.start_date).year
            last = Quarter.containing(self.strategy.end_date).year
            year = min(max(Quarter.containing(timezone.localdate()).year, first), last)
        quarter = Quarter(year, column.quarter)
        moment = timezone.make_aware(datetime.datetime.combine(quarter.end, datetime.time(12)))
        return min(moment, self.now), quarter.start_moment, moment, year

    # Reporting ------------------------------------------------------------------------------------

    def missing(self):
        """Actions of the strategy (not archived) that no row of the file names."""
        return [a for a in self.index.actions if a.archived_at is None and a.pk not in self.seen_actions]

    def digest(self):
        """A fingerprint of what the plan would do; a confirm must find the same one."""
        if self._digest is None:
            self._digest = self._work_out_digest()
        return self._digest

    def _work_out_digest(self):
        lines = [["strategy", [c.as_dict() for c in self.strategy_changes]]]
        for group_plan in self.groups.values():
            changes = [c.as_dict() for c in group_plan.changes]
            lines.append(["group", group_plan.group.name, group_plan.created, changes])
            for plan in group_plan.objectives_created + group_plan.objectives_changed:
                lines.append(["objective", group_plan.group.name, plan.label, [c.as_dict() for c in plan.changes]])
        for plan in self.actions:
            if plan.created or plan.changes:
                lines.append(["action", plan.action.ref, plan.created, [c.as_dict() for c in plan.changes]])
        lines.append(["missing", sorted(a.ref for a in self.missing())])
        lines.append(["people", sorted(self.new_people), sorted((k, p.pk) for k, (_, p) in self.mapped_people.items())])
        lines.append(["principles", [p.title for p in self.principles_created]])
        return hashlib.sha256(json.dumps(lines, sort_keys=True, default=str).encode()).hexdigest()

    def report(self):
        groups = []
        totals = defaultdict(int)
        for group_plan in self.groups.values():
            entry = {
                "name": group_plan.group.name,
                "created": group_plan.created,
                "changes": [c.as_dict() for c in group_plan.changes],
                "objectives_created": [_objective_entry(p) for p in group_plan.objectives_created[:LISTED_PER_GROUP]],
                "objectives_changed": [_objective_entry(p) for p in group_plan.objectives_changed[:LISTED_PER_GROUP]],
                "actions_created": [_action_entry(p) for p in group_plan.actions_created[:LISTED_PER_GROUP]],
                "actions_changed": [_action_entry(p) for p in group_plan.actions_changed[:LISTED_PER_GROUP]],
                "counts": {
                    "objectives_created": len(group_plan.objectives_created),
                    "objectives_changed": len(group_plan.objectives_changed),
                    "objectives_unchanged": group_plan.objectives_unchanged,
                    "actions_created": len(group_plan.actions_created),
                    "actions_changed": len(group_plan.actions_changed),
                    "actions_unchanged": group_plan.actions_unchanged,
                },
            }
            for key, value in entry["counts"].items():
                totals[key] += value
            totals["groups_created"] += group_plan.created
            totals["groups_changed"] += bool(group_plan.changes) and not group_plan.created
            groups.append(entry)
        missing = self.missing()
        totals["missing"] = len(missing)
        totals["people_created"] = len(self.new_people)
        totals["strategy_changed"] = int(bool(self.strategy_changes))
        totals["principles_created"] = len(self.principles_created)
        return {
            "strategy_changes": [c.as_dict() for c in self.strategy_changes],
            "groups": groups,
            "totals": dict(totals),
            "missing": [
                {"ref": a.ref, "text": a.text[:200], "group": self._group_name(a)}
                for a in missing[: LISTED_PER_GROUP * 4]
            ],
            "new_people": sorted(p.name for p in self.new_people.values())[:LISTED_PER_GROUP],
            "unknown_leads": self.unknown_leads(),
            "principles_created": [_principle_text(p) for p in self.principles_created],
        }

    def unknown_leads(self, limit=LISTED_PER_GROUP):
        """The names of the file that match no one in the partnership (the first `limit`), each with the
        person the officer chose for it (None: added as a new person) and the people named like it."""
        names = [(person.name, key, None) for key, person in self.new_people.items()]
        names += [(name, key, person.pk) for key, (name, person) in self.mapped_people.items()]
        entries = []
        for name, key, pk in sorted(names, key=lambda entry: entry[1])[:limit]:
            place, actions = self.unknown_places.get(key, (None, 0))
            entries.append(
                {
                    "name": name,
                    "key": key,
                    "person": pk,
                    "similar": similar_people(key, self.index.people),
                    "actions": actions,
                    "place": place.place if place else "",
                }
            )
        return entries

    def _group_name(self, action):
        return self.index.group_of_objective.get(action.objective_id, "")

    @property
    def changes_anything(self):
        return (
            bool(self.strategy_changes)
            or any(g.created or g.changes or g.objectives_created or g.objectives_changed for g in self.groups.values())
            or any(plan.created or plan.changes for plan in self.actions)
            or bool(self.principles_created)
        )

    # Applying ---------------------------------------------------------------------------------

    def apply(self, *, archive_missing=False):
        """Write the plan: bulk inserts and updates in batches. The caller holds the transaction."""
        counts = defaultdict(int)
        people = list(self.new_people.values())
        # Bulk writes send no signals: the *_audited helpers write the audit trail's rows in bulk too.
        audited = {"by": self.by, "reason": IMPORT_REASON, "batch_size": BATCH_SIZE}
        bulk_create_audited(people, Person, **audited)
        counts["people_created"] = len(people)
        if self.strategy_changes:
            bulk_update_audited([self.marked_strategy], Strategy, ["marking"], **audited)
        counts["strategy_changed"] = int(bool(self.strategy_changes))
        new_groups = [g.group for g in self.groups.values() if g.created]
        bulk_create_audited(new_groups, DeliveryGroup, **audited)
        bulk_create_audited(self.principles_created, Principle, **audited)
        counts["principles_created"] = len(self.principles_created)
        changed_groups = [g.group for g in self.groups.values() if g.changes and not g.created]
        for group in changed_groups:
            group.chair_id = group.chair.pk if group.chair else None
        bulk_update_audited(changed_groups, DeliveryGroup, ["aim", "chair", "chair_note", "marking"], **audited)
        counts["groups_created"], counts["groups_changed"] = len(new_groups), len(changed_groups)

        new_objectives, changed_objectives = [], []
        for group_plan in self.groups.values():
            for plan in group_plan.objectives_created:
                plan.objective.delivery_group = group_plan.group
                new_objectives.append(plan.objective)
            changed_objectives += [p.objective for p in group_plan.objectives_changed]
        bulk_create_audited(new_objectives, Objective, **audited)
        bulk_update_audited(changed_objectives, Objective, ["title", "marking"], **audited)
        counts["objectives_created"], counts["objectives_changed"] = len(new_objectives), len(changed_objectives)

        new_actions, changed_actions, fields = [], [], set()
        for plan in self.actions:
            action = plan.action
            action.objective = plan.objective_plan.objective
            action.strategy_id = self.strategy.pk
            if plan.created:
                new_actions.append(action)
            elif plan.fields:
                changed_actions.append(action)
                fields |= plan.fields
        bulk_create_audited(new_actions, Action, **audited)
        if changed_actions:
            bulk_update_audited(changed_actions, Action, sorted(fields), **audited)
        counts["actions_created"] = len(new_actions)
        counts["actions_changed"] = sum(1 for plan in self.actions if plan.changes and not plan.created)

        relead = [plan for plan in self.actions if plan.lead_people is not None]
        stale = [plan.action.pk for plan in relead if not plan.created]
        for start in range(0, len(stale), BATCH_SIZE):
            ActionLead.objects.filter(action_id__in=stale[start : start + BATCH_SIZE]).delete()
        links = [
            ActionLead(action_id=plan.action.pk, person_id=person.pk, position=position, note=note)
            for plan in relead
            for position, (person, note) in enumerate(
                zip(plan.lead_people, plan.lead_notes or [""] * len(plan.lead_people), strict=True), start=1
            )
        ]
        bulk_create_audited(links, ActionLead, **audited)

        updates = []
        for plan in self.actions:
            for update in plan.updates:
                update.action_id = plan.action.pk
                updates.append(update)
        bulk_create_audited(updates, Update, **audited)
        counts["updates_created"] = len(updates)
        self._latest_updates_apply()

        if archive_missing:
            missing = [a.pk for a in self.missing()]
            for start in range(0, len(missing), BATCH_SIZE):
                archived = list(Action.objects.filter(pk__in=missing[start : start + BATCH_SIZE]))
                for action in archived:
                    action.archived_at = self.now
                bulk_update_audited(archived, Action, ["archived_at"], **audited)
            counts["actions_archived"] = len(missing)
        return dict(counts)

    def _latest_updates_apply(self):
        """Each action's state becomes its latest update's, as Action.record_update keeps it.

        One UPDATE per batch, the latest update found by the database (an index on action and
        recorded_at), rather than a CASE per action.
        """
        touched = [plan.action.pk for plan in self.actions if plan.updates]
        # Only approved updates make an action's state (an update awaiting sign-off does not).
        latest = Update.objects.approved().filter(action=OuterRef("pk")).order_by("-recorded_at", "-pk")
        for start in range(0, len(touched), BATCH_SIZE):
            batch = touched[start : start + BATCH_SIZE]
            Action.objects.filter(pk__in=batch).update(
                latest_update=Subquery(latest.values("pk")[:1]),
                last_updated_at=Subquery(latest.values("recorded_at")[:1]),
                status=Subquery(latest.values("status")[:1]),
                rag=Subquery(latest.values("rag")[:1]),
                progress=Subquery(latest.values("progress")[:1]),
            )
            Action.objects.filter(pk__in=batch, status__in=CLOSED_STATUSES).exclude(revised_due_date=None).update(
                revised_due_date=None
            )


def _objective_entry(plan):
    return {
        "label": plan.label,
        "sheet": plan.sheet,
        "row": plan.row,
        "changes": [c.as_dict() for c in plan.changes],
    }


def _action_entry(plan):
    entry = {
        "ref": plan.action.ref,
        "text": plan.action.text[:300],
        "objective": plan.objective_plan.label[:120],
        "sheet": plan.sheet,
        "row": plan.row,
        "changes": [c.as_dict() for c in plan.changes],
    }
    if plan.created:
        # What a new action will hold, so the officer can check it was read right.
        entry["lead"] = lead_label(plan.lead_people or [], plan.lead_notes)
        entry["deadline"] = plan.action.deadline_text
        entry["due_date"] = dateformat.format(plan.action.due_date, "j F Y") if plan.action.due_date else ""
        entry["kpi"] = plan.action.kpi[:300]
    return entry


def lead_label(people, notes):
    """Leads as the plan writes them: "Ezra Wallace (awaiting confirmation) / Adam Taylor"."""
    notes = notes or [""] * len(people)
    return " / ".join(f"{p.name} ({note})" if note else p.name for p, note in zip(people, notes, strict=True))


def similar_people(key, people, limit=3):
    """The pks of up to `limit` people whose name keys are close to `key`, closest first."""
    return [people[match].pk for match in difflib.get_close_matches(key, list(people), n=limit, cutoff=0.6)]


def principle_key(text):
    return text_key(text).rstrip(" .;")


def principle_title(text, length=80):
    """A short title for a principle the file gives only as a sentence: its first words."""
    text = " ".join(text.split())
    if len(text) <= length:
        return text.rstrip(".;")
    return text[: length - 1].rsplit(" ", 1)[0].rstrip(",;") + "…"


def _principle_text(principle):
    return principle.description or principle.title


def status_label(status):
    return Status(status).label if status else ""
