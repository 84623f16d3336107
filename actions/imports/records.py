"""The life of a recorded import: uploaded, checked (the preview), confirmed, imported.

Each step is a function here; the browser's views, the back office, the background tasks in
`actions.tasks` and `manage.py import_action_plan` all go through them, so the import a command
runs is the import a browser runs.

States: checking -> ready (preview shown) -> importing -> imported; or refused (problems found,
nothing saved), failed (an unexpected error, nothing saved) or cancelled. The uploaded file is kept
in the record until the import finishes and erased then; its name, size and checksum remain.
"""

import hashlib
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from actions.imports import MAX_BYTES, action_plan_apply, action_plan_check
from actions.imports.problems import ImportRefused, Problem
from actions.models import ActionPlanImport

logger = logging.getLogger(__name__)
State = ActionPlanImport.State

UNEXPECTED = Problem(
    "the file could not be imported because of an unexpected error; nothing was saved. The site's "
    "administrators can see the details in the logs."
)


class ImportNotReady(Exception):
    """The import is not in a state where that can be done (e.g. confirming twice)."""


def import_create(
    *,
    strategy,
    file_name,
    content,
    by=None,
    source=ActionPlanImport.Source.WEB,
    blue_means=ActionPlanImport.BlueMeans.COMPLETE,
    background=True,
):
    """Record an upload and start checking it: as a task (run by the worker), or here and now."""
    if len(content) > MAX_BYTES:
        raise ImportRefused(
            Problem(
                f"{file_name} is {len(content) / 1024 / 1024:.1f} MB; the largest file that can be imported is "
                f"{MAX_BYTES // 1024 // 1024} MB"
            )
        )
    record = ActionPlanImport.objects.create(
        strategy=strategy,
        created_by=by if by is not None and by.is_authenticated else None,
        source=source,
        file_name=file_name[:255],
        file_size=len(content),
        file_sha256=hashlib.sha256(content).hexdigest(),
        file_content=content,
        blue_means=blue_means,
        stage="Waiting to be checked",
    )
    if background:
        _enqueue_check(record)
    else:
        import_check_run(record.pk)
        record.refresh_from_db()
    return record


def _enqueue_check(record):
    from actions.tasks import import_check

    result = import_check.enqueue(record.pk)
    ActionPlanImport.objects.filter(pk=record.pk, task_id="").update(task_id=str(result.id)[:64])


def _enqueue_apply(record):
    from actions.tasks import import_apply

    result = import_apply.enqueue(record.pk)
    ActionPlanImport.objects.filter(pk=record.pk).update(task_id=str(result.id)[:64])


def _progress(pk):
    def report(stage, done=0):
        ActionPlanImport.objects.filter(pk=pk).update(stage=stage[:200])

    return report


def _finish(record, state, **fields):
    record.state = state
    record.finished_at = timezone.now()
    record.file_content = b""
    record.stage = ""
    for name, value in fields.items():
        setattr(record, name, value)
    record.save()


def import_check_run(pk):
    """Check the file of import `pk` and store the preview. Run by the `import_check` task."""
    record = ActionPlanImport.objects.select_related("strategy", "created_by").get(pk=pk)
    if record.state != State.CHECKING:
        return record.state
    try:
        outcome = action_plan_check(
            strategy=record.strategy,
            content=bytes(record.file_content),
            file_name=record.file_name,
            by=record.created_by,
            blue_means=record.blue_means,
            progress=_progress(pk),
        )
    except Exception:
        logger.exception("Checking import %s failed", pk)
        _finish(record, State.FAILED, problems=[UNEXPECTED.as_dict()])
        return record.state
    record.refresh_from_db(fields=["state"])
    if record.state != State.CHECKING:  # cancelled meanwhile
        return record.state
    record.preview = outcome.as_dict()
    record.plan_digest = outcome.digest
    record.rows_total = record.rows_done = outcome.rows
    if outcome.ok:
        record.state = State.READY
        record.stage = ""
        record.problems = []
        record.save()
    else:
        _finish(record, State.REFUSED, problems=[p.as_dict() for p in outcome.problems])
    return record.state


def import_confirm(record, *, blue_means=None, archive_missing=False, background=True):
    """The officer confirmed the preview: import it (or, if they changed how Blue is read, check again).

    Returns "importing" or "checking".
    """
    with transaction.atomic():
        record = ActionPlanImport.objects.select_for_update().get(pk=record.pk)
        if record.state != State.READY:
            raise ImportNotReady(f"This import is {record.get_state_display().lower()}, so it cannot be confirmed.")
        if blue_means and blue_means != record.blue_means:
            record.blue_means = blue_means
            record.state = State.CHECKING
            record.stage = "Checking again with your choice for Blue"
            record.task_id = ""
            record.save()
            recheck = True
        else:
            recheck = False
            record.archive_missing = archive_missing
            record.state = State.IMPORTING
            record.stage = "Waiting to be imported"
            try:
                with transaction.atomic():
                    record.save()
            except IntegrityError:
                raise ImportNotReady(
                    "Another import into this strategy is running. Wait for it to finish, then confirm again."
                ) from None
    if recheck:
        _enqueue_check(record) if background else import_check_run(record.pk)
        return State.CHECKING
    _enqueue_apply(record) if background else import_apply_run(record.pk)
    return State.IMPORTING


def import_apply_run(pk):
    """Import the confirmed file of import `pk`, all or nothing. Run by the `import_apply` task."""
    record = ActionPlanImport.objects.select_related("strategy", "created_by").get(pk=pk)
    if record.state != State.IMPORTING:
        return record.state
    try:
        outcome = action_plan_apply(
            strategy=record.strategy,
            content=bytes(record.file_content),
            file_name=record.file_name,
            by=record.created_by,
            blue_means=record.blue_means,
            archive_missing=record.archive_missing,
            expected_digest=record.plan_digest,
            progress=_progress(pk),
        )
    except Exception:
        logger.exception("Import %s failed", pk)
        _finish(record, State.FAILED, problems=[UNEXPECTED.as_dict()])
        return record.state
    if outcome.stale:
        # The strategy changed since the preview: show the officer the new preview to confirm.
        record.state = State.CHECKING
        record.stage = "The plan changed since your preview: checking again"
        record.save()
        import_check_run(pk)
        record.refresh_from_db()
        if record.state == State.READY:
            record.preview = {**record.preview, "stale": True}
            record.save(update_fields=["preview"])
        return record.state
    if not outcome.ok:
        _finish(record, State.REFUSED, problems=[p.as_dict() for p in outcome.problems])
        return record.state
    _finish(record, State.IMPORTED, result={**outcome.as_dict(), "applied": outcome.applied})
    return record.state


def import_cancel(record):
    with transaction.atomic():
        record = ActionPlanImport.objects.select_for_update().get(pk=record.pk)
        if record.state not in (State.CHECKING, State.READY):
            raise ImportNotReady(f"This import is {record.get_state_display().lower()}, so it cannot be cancelled.")
        _finish(record, State.CANCELLED)
    return record
