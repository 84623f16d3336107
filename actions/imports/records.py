"""The action-plan import as a recorded import: uploaded, checked (the preview), confirmed, imported.

Each step is a function here; the browser's views, the back office, the background tasks in
`actions.tasks` and `manage.py import_action_plan` all go through them, so the import a command
runs is the import a browser runs. The states and the steps shared with the indicator-values
import (progress, re-checking a stale preview, unexpected errors, cancelling, stalled imports) are
`actions.imports.lifecycle`'s; this module gives it the action plan's check and apply.
"""

from actions.imports import action_plan_apply, action_plan_check, lifecycle
from actions.imports.lifecycle import UNEXPECTED, ImportNotReady, ImportStillRunning
from actions.models import ActionPlanImport

__all__ = [
    "UNEXPECTED",
    "ImportNotReady",
    "ImportStillRunning",
    "import_apply_run",
    "import_cancel",
    "import_check_run",
    "import_confirm",
    "import_create",
]

State = ActionPlanImport.State


def import_create(
    *,
    strategy,
    file_name,
    content,
    by=None,
    source=ActionPlanImport.Source.WEB,
    blue_means=ActionPlanImport.BlueMeans.COMPLETE,
    lead_choices=None,
    background=True,
):
    """Record an upload and start checking it: as a task (run by the worker), or here and now."""
    record = lifecycle.record_create(
        ActionPlanImport,
        strategy=strategy,
        file_name=file_name,
        content=content,
        by=by,
        source=source,
        blue_means=blue_means,
        lead_choices=lead_choices or {},
    )
    if background:
        _enqueue_check(record)
    else:
        import_check_run(record.pk)
        record.refresh_from_db()
    return record


def _enqueue_check(record):
    # Imported here: actions.tasks imports this module (its tasks run these functions).
    from actions.tasks import import_check

    lifecycle.enqueue(ActionPlanImport, record, import_check, only_if_unset=True)


def _enqueue_apply(record):
    from actions.tasks import import_apply  # as in _enqueue_check

    lifecycle.enqueue(ActionPlanImport, record, import_apply)


def _check(record, report):
    outcome = action_plan_check(
        strategy=record.strategy,
        content=bytes(record.file_content),
        file_name=record.file_name,
        by=record.created_by,
        blue_means=record.blue_means,
        progress=report,
        lead_choices=record.lead_choices,
    )
    fields = {
        "preview": outcome.as_dict(),
        "plan_digest": outcome.digest,
        "rows_total": outcome.rows,
        "rows_done": outcome.rows,
    }
    return lifecycle.Checked(fields=fields, problems=outcome.problems)


def _apply(record, report):
    outcome = action_plan_apply(
        strategy=record.strategy,
        content=bytes(record.file_content),
        file_name=record.file_name,
        by=record.created_by,
        blue_means=record.blue_means,
        archive_missing=record.archive_missing,
        expected_digest=record.plan_digest,
        lower_markings=record.lower_markings,
        progress=report,
        lead_choices=record.lead_choices,
    )
    return lifecycle.Applied(
        stale=outcome.stale,
        problems=outcome.problems,
        result={**outcome.as_dict(), "applied": outcome.applied},
    )


def import_check_run(pk):
    """Check the file of import `pk` and store the preview. Run by the `import_check` task."""
    return lifecycle.check_run(ActionPlanImport, pk, check=_check, label="Import")


def import_confirm(
    record, *, blue_means=None, archive_missing=False, lower_markings=False, lead_choices=None, background=True
):
    """The officer confirmed the preview: import it (or, if they changed how Blue is read or which
    person a lead's name means, check again with their choices). `lower_markings`: they confirmed the
    markings the preview lists as lowered.

    Returns "importing" or "checking".
    """
    current_blue, current_leads = (
        ActionPlanImport.objects.filter(pk=record.pk).values_list("blue_means", "lead_choices").first()
    )
    changed = {}
    if blue_means and blue_means != current_blue:
        changed["blue_means"] = blue_means
    if lead_choices is not None and lead_choices != current_leads:
        changed["lead_choices"] = lead_choices
    if changed:
        # The officer's tick is kept for the confirm that follows the new preview.
        record = lifecycle.recheck(
            ActionPlanImport,
            record,
            stage="Checking again with your choices",
            archive_missing=archive_missing,
            **changed,
        )
        _enqueue_check(record) if background else import_check_run(record.pk)
        return State.CHECKING
    record = lifecycle.confirm(
        ActionPlanImport,
        record,
        busy_message="Another import into this strategy is running. Wait for it to finish, then confirm again.",
        archive_missing=archive_missing,
        lower_markings=lower_markings,
    )
    _enqueue_apply(record) if background else import_apply_run(record.pk)
    return State.IMPORTING


def import_apply_run(pk):
    """Import the confirmed file of import `pk`, all or nothing. Run by the `import_apply` task."""
    return lifecycle.apply_run(
        ActionPlanImport,
        pk,
        apply=_apply,
        check=_check,
        stale_stage="The plan changed since your preview: checking again",
        label="Import",
    )


def import_cancel(record):
    """Cancel an import waiting to be checked or confirmed, or one that stalled (its worker died)."""
    return lifecycle.cancel(ActionPlanImport, record)
