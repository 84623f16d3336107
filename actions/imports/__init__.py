"""Importing an action plan from a spreadsheet: check it (the preview), then apply it, all or nothing.

`action_plan_check` reads the file and plans the import: nothing is saved and the result says, per
delivery group, what would be created, changed or left alone, and every problem with its sheet,
row and column. `action_plan_apply` does the same and writes the plan inside one transaction; if
any problem is found, or the plan is no longer the one the officer saw, nothing is saved. Both
run the imports' one pipeline (`actions.imports.pipeline`): `reading.read_file`, then
`rows.RowPlanner` building a `planning.Plan`, then `Plan.apply`.

The browser, the back office and `manage.py import_action_plan` all call these (through
`actions.imports.records` where the import is recorded).
"""

from dataclasses import dataclass, field

from actions.imports import pipeline
from actions.imports.planning import Lowering, Plan
from actions.imports.problems import ImportRefused, Problem, capped
from actions.imports.reading import MAX_BYTES, MAX_ROWS, read_file
from actions.imports.rows import RowPlanner
from actions.imports.vocabulary import BlueMeans

__all__ = [
    "MAX_BYTES",
    "MAX_ROWS",
    "ActionPlanImportResult",
    "BlueMeans",
    "ImportRefused",
    "Problem",
    "action_plan_apply",
    "action_plan_check",
]

STALE = (
    "the plan has changed since the preview was made (someone edited the strategy, or the choices were "
    "changed), so nothing was imported: look at the new preview and confirm again"
)


@dataclass
class ActionPlanImportResult(pipeline.ImportResult):
    """What a check or an import of an action plan found and did."""

    report: dict = field(default_factory=dict)  # per delivery group: created / changed / unchanged
    blue_rows: list = field(default_factory=list)  # (sheet, row) of cells reading "Blue"
    lowered: list = field(default_factory=list)  # Problems: markings the file lowers, for the officer to confirm
    plan: Plan | None = None  # what the file would do, for the apply step

    @property
    def changes_anything(self):
        totals = self.report.get("totals", {})
        return any(
            totals.get(key)
            for key in (
                "strategy_changed",
                "groups_created",
                "groups_changed",
                "objectives_created",
                "objectives_changed",
                "actions_created",
                "actions_changed",
                "principles_created",
            )
        )

    def as_dict(self):
        return {
            **self.report,
            "problems": [p.as_dict() for p in self.problems],
            "notes": [p.as_dict() for p in self.notes],
            "lowered": [p.as_dict() for p in self.lowered],
            "blue": {"rows": len(self.blue_rows), "places": [list(place) for place in self.blue_rows[:10]]},
            "rows": self.rows,
            "changes_anything": self.changes_anything,
        }


def _refused(problems):
    return ActionPlanImportResult(problems=problems)


def _steps(*, strategy, content, file_name, by, blue_means, lowering, progress, lead_choices):
    """The pipeline's read and plan steps for one file."""
    report = progress or (lambda stage, done=0: None)

    def read():
        report("Reading the file")
        return read_file(content, file_name, progress=lambda done: report(f"Reading the file: {done:,} rows so far"))

    def plan(read):
        rows = len(read.rows)
        report(f"Checking {rows:,} rows against the plan", 0)
        planner = RowPlanner(
            strategy=strategy,
            read_file=read,
            by=by,
            blue_means=blue_means,
            lowering=lowering,
            lead_choices=lead_choices,
            progress=lambda done: report(f"Checking {rows:,} rows against the plan", done),
        )
        planner.plan_rows()
        return ActionPlanImportResult(
            problems=capped(planner.problems()),
            notes=read.notes,
            report=planner.plan.report(),
            digest=planner.plan.digest(),
            blue_rows=planner.blue_rows,
            lowered=planner.plan.lowered,
            rows=rows,
            plan=planner.plan,
        )

    return {"read": read, "plan": plan, "refused": _refused}


def action_plan_check(
    *, strategy, content, file_name="", by=None, blue_means=BlueMeans.COMPLETE, progress=None, lead_choices=None
):
    """The preview: what importing `content` into `strategy` would do. Saves nothing.

    A marking the file lowers is listed in `lowered` for the officer to confirm (a problem if they
    may not). `lead_choices` maps a lead's name key to the pk of the existing person it means (the
    officer's choice in the preview); a name that matches no one and is not there becomes a new person.
    """
    return pipeline.preview(
        **_steps(
            strategy=strategy,
            content=content,
            file_name=file_name,
            by=by,
            blue_means=blue_means,
            lowering=Lowering.PREVIEW,
            progress=progress,
            lead_choices=lead_choices,
        )
    )


def action_plan_apply(
    *,
    strategy,
    content,
    file_name="",
    by=None,
    blue_means=BlueMeans.COMPLETE,
    archive_missing=False,
    expected_digest=None,
    lower_markings=False,
    progress=None,
    lead_choices=None,
):
    """Import `content` into `strategy`: everything or, on any problem, nothing.

    With `expected_digest` (the preview's), the import is refused if the plan is no longer the
    one the preview showed. A marking the file lowers is a problem unless `lower_markings` (the
    officer confirmed the preview's lowerings).
    """
    steps = _steps(
        strategy=strategy,
        content=content,
        file_name=file_name,
        by=by,
        blue_means=blue_means,
        lowering=Lowering.CONFIRMED if lower_markings else Lowering.REFUSE,
        progress=progress,
        lead_choices=lead_choices,
    )
    return pipeline.apply(
        **steps,
        write=lambda result: result.plan.apply(archive_missing=archive_missing),
        expected_digest=expected_digest or None,
        stale_problem=STALE,
    )


def _count(number, singular, plural=None):
    return f"{number:,} {singular if number == 1 else (plural or singular + 's')}"


def summary_lines(report):
    """One line per delivery group: what was (or would be) created, changed and left unchanged."""
    lines = [f"The strategy: {c['field']} {c['old']} to {c['new']}" for c in report.get("strategy_changes", [])]
    for group in report.get("groups", []):
        counts = group["counts"]
        parts = [
            f"{_count(counts['actions_created'], 'action')} created",
            f"{counts['actions_changed']:,} changed",
            f"{counts['actions_unchanged']:,} unchanged",
        ]
        if counts["objectives_created"] or counts["objectives_changed"]:
            parts.append(
                f"{_count(counts['objectives_created'], 'objective')} created, {counts['objectives_changed']:,} changed"
            )
        name = group["name"] + (" (new group)" if group["created"] else "")
        if group["changes"]:
            name += " (" + ", ".join(change["field"] for change in group["changes"]) + " changed)"
        lines.append(f"{name}: " + "; ".join(parts))
    principles = report.get("totals", {}).get("principles_created", 0)
    if principles:
        lines.append(f"{_count(principles, 'cross-cutting principle')} added to the strategy")
    missing = report.get("totals", {}).get("missing", 0)
    if missing:
        lines.append(f"{_count(missing, 'action')} of the strategy not in the file")
    return lines
