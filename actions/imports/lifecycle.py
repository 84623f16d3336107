"""The life of a recorded import, whatever it brings in: uploaded, checked, confirmed, imported.

Both recorded imports go through here: the action plan's (`actions.imports.records`) and the
indicator values' (`performance.value_imports`). Each passes its model (a subclass of
`actions.models.RecordedImport`) and its own `check` and `apply` functions; the states, the
progress heartbeat, the re-check when the data changed since the preview, the unexpected error and
cancelling are written once, here.

States: checking -> ready (preview shown) -> importing -> imported; or refused (problems found,
nothing saved), failed (an unexpected error, nothing saved) or cancelled. A checking or importing
import whose worker died (kill -9, out of memory, a deploy) stops reporting: once silent for
settings.IMPORT_STALLED_AFTER seconds it is `stalled`, and may be cancelled like a waiting one.
"""

import hashlib
import logging
from dataclasses import dataclass, field

from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from actions.imports.problems import ImportRefused, Problem
from actions.imports.reading import MAX_BYTES
from strategy import audit

logger = logging.getLogger(__name__)

UNEXPECTED = Problem(
    "the file could not be imported because of an unexpected error; nothing was saved. The site's "
    "administrators can see the details in the logs."
)
# The task worker runs with a memory ceiling (README: Deploying): a file that reaches it ends here.
OUT_OF_MEMORY = Problem(
    "the file needed more memory than the server allows an import, so the import was stopped and nothing was "
    "saved. Split the file into smaller ones, or save it again as a new workbook, and upload it again."
)


class ImportNotReady(Exception):
    """The import is not in a state where that can be done (e.g. confirming twice)."""

    def __init__(self, message, *, blocker=None):
        super().__init__(message)
        self.blocker = blocker  # a stalled import standing in the way, for the page to link to


class ImportStillRunning(ImportNotReady):
    """The import is being worked on right now, so it cannot be cancelled under the worker."""


@dataclass
class Checked:
    """What a check found: the fields to store on the record, and the problems (none: ready)."""

    fields: dict
    problems: list = field(default_factory=list)


@dataclass
class Applied:
    """What an import did: the plan was no longer the preview's (stale), problems, or the result."""

    stale: bool = False
    problems: list = field(default_factory=list)
    result: dict = field(default_factory=dict)


def refuse_if_too_large(file_name, content, max_bytes=MAX_BYTES):
    if len(content) > max_bytes:
        raise ImportRefused(
            Problem(
                f"{file_name} is {len(content) / 1024 / 1024:.1f} MB; the largest file that can be imported is "
                f"{max_bytes // 1024 // 1024} MB"
            )
        )


def record_create(model, *, file_name, content, by=None, max_bytes=MAX_BYTES, **fields):
    """A new import record holding the uploaded file, waiting to be checked.

    `fields` name what the import goes into (its model's `scope`: a strategy, a partnership).
    """
    refuse_if_too_large(file_name, content, max_bytes)
    return model.objects.create(
        created_by=by if by is not None and by.is_authenticated else None,
        created_from=audit.request_address(),
        file_name=file_name[:255],
        file_size=len(content),
        file_sha256=hashlib.sha256(content).hexdigest(),
        file_content=content,
        stage="Waiting to be checked",
        **fields,
    )


def enqueue(model, record, task, *, only_if_unset=False):
    result = task.enqueue(record.pk)
    rows = model.objects.filter(pk=record.pk)
    if only_if_unset:  # an immediate backend has run the task, which may have set its own id
        rows = rows.filter(task_id="")
    rows.update(task_id=str(result.id)[:64])


def progress(model, pk):
    """A progress report for the import's page; each one is also its heartbeat."""

    def report(stage, done=0):
        model.objects.filter(pk=pk).update(stage=stage[:200], updated_at=timezone.now())

    return report


def finish(record, state, **fields):
    record.state = state
    record.finished_at = timezone.now()
    record.file_content = b""
    record.stage = ""
    for name, value in fields.items():
        setattr(record, name, value)
    record.save()


def _fail(model, pk, label, error):
    """Record an unexpected error, unless the import was cancelled meanwhile (that stands)."""
    logger.error("%s %s failed", label, pk, exc_info=error)
    problem = OUT_OF_MEMORY if isinstance(error, MemoryError) else UNEXPECTED
    record = model.objects.select_related(model.scope).get(pk=pk)
    if record.state in model.RUNNING_STATES:
        finish(record, model.State.FAILED, problems=[problem.as_dict()])
    return record.state


def check_run(model, pk, *, check, label="Import"):
    """Check the file of import `pk` with `check(record, report) -> Checked` and store the preview."""
    State = model.State
    record = model.objects.select_related(model.scope, "created_by").get(pk=pk)
    if record.state != State.CHECKING:
        return record.state
    try:
        checked = check(record, progress(model, pk))
    except Exception as error:
        return _fail(model, pk, f"Checking {label.lower()}", error)
    record.refresh_from_db(fields=["state"])
    if record.state != State.CHECKING:  # cancelled meanwhile
        return record.state
    for name, value in checked.fields.items():
        setattr(record, name, value)
    try:
        # Storing the preview can fail too (the worker's memory ceiling): the import then ends as
        # failed, never left "checking".
        if checked.problems:
            finish(record, State.REFUSED, problems=[p.as_dict() for p in checked.problems])
        else:
            record.state = State.READY
            record.stage = ""
            record.problems = []
            record.save()
    except Exception as error:
        return _fail(model, pk, f"Checking {label.lower()}", error)
    return record.state


def confirm(model, record, *, busy_message, **fields):
    """Move a ready import to importing, with `fields` (the officer's choices) set on it.

    `busy_message` is what the officer reads if another import into the strategy is running (the
    database refuses two at once where the model has that constraint).
    """
    State = model.State
    with transaction.atomic():
        record = model.objects.select_for_update().get(pk=record.pk)
        if record.state != State.READY:
            raise ImportNotReady(f"This import is {record.get_state_display().lower()}, so it cannot be confirmed.")
        for name, value in fields.items():
            setattr(record, name, value)
        record.state = State.IMPORTING
        record.stage = "Waiting to be imported"
        try:
            with transaction.atomic():
                record.save()
        except IntegrityError:
            blocker = (
                model.objects.filter(**{model.scope: getattr(record, f"{model.scope}_id")}, state=State.IMPORTING)
                .exclude(pk=record.pk)
                .first()
            )
            if blocker is not None and blocker.stalled:
                into = model._meta.get_field(model.scope).verbose_name
                raise ImportNotReady(
                    f"An earlier import into this {into} ({blocker.file_name}) stopped without finishing and is "
                    f"holding the {into}. Cancel that import, then confirm this one again.",
                    blocker=blocker,
                ) from None
            raise ImportNotReady(busy_message) from None
    return record


def recheck(model, record, *, stage, **fields):
    """Back from ready to checking (the officer changed a choice that changes the preview)."""
    State = model.State
    with transaction.atomic():
        record = model.objects.select_for_update().get(pk=record.pk)
        if record.state != State.READY:
            raise ImportNotReady(f"This import is {record.get_state_display().lower()}, so it cannot be confirmed.")
        for name, value in fields.items():
            setattr(record, name, value)
        record.state = State.CHECKING
        record.stage = stage
        record.task_id = ""
        record.save()
    return record


def apply_run(model, pk, *, apply, check, stale_stage, label="Import"):
    """Import the confirmed file of import `pk` with `apply(record, report) -> Applied`, all or nothing.

    The import's own row is locked for the whole transaction, and its state read again under the
    lock before anything is written: an import cancelled as stalled (while this worker was in fact
    only slow to start) writes nothing, and a cancel arriving while this runs finds the row locked
    and is refused instead of cancelling the import under the worker.
    """
    State = model.State
    record = model.objects.select_related(model.scope, "created_by").get(pk=pk)
    if record.state != State.IMPORTING:
        return record.state
    try:
        with transaction.atomic():
            state = model.objects.select_for_update().filter(pk=pk).values_list("state", flat=True).first()
            if state != State.IMPORTING:
                return state
            with audit.acting_from(record.created_from):  # in the worker, no request says where from
                applied = apply(record, progress(model, pk))
            if applied.stale:
                # The data changed since the preview: show the officer the new preview to confirm.
                record.state = State.CHECKING
                record.stage = stale_stage
                record.save()
            elif applied.problems:
                finish(record, State.REFUSED, problems=[p.as_dict() for p in applied.problems])
            else:
                finish(record, State.IMPORTED, result=applied.result)
    except Exception as error:
        return _fail(model, pk, label, error)
    if applied.stale:
        check_run(model, pk, check=check, label=label)
        record.refresh_from_db()
        if record.state == State.READY:
            record.preview = {**record.preview, "stale": True}
            record.save(update_fields=["preview"])
    return record.state


def cancel(model, record):
    """Cancel an import that is waiting (checking, ready) or has stalled; refuse one that is running."""
    State = model.State
    running = model.objects.filter(pk=record.pk).values_list("state", flat=True).first() == State.IMPORTING
    still_running = ImportStillRunning(
        "This import is still running, so it cannot be cancelled. Wait for it to finish: this page shows the "
        "result when it has."
    )
    try:
        with transaction.atomic():
            # A live import holds its row locked (apply_run): on PostgreSQL, NOWAIT makes the cancel fail
            # at once rather than wait for the import and then cancel it. SQLite has no row locks, but
            # lets one writer in at a time: the live import's write lock makes the cancel's write fail.
            nowait = running and connection.features.has_select_for_update_nowait
            record = model.objects.select_for_update(nowait=nowait).get(pk=record.pk)
            if record.state == State.IMPORTING and not record.stalled:
                raise still_running
            if record.state not in (State.CHECKING, State.READY, State.IMPORTING):
                raise ImportNotReady(f"This import is {record.get_state_display().lower()}, so it cannot be cancelled.")
            finish(record, State.CANCELLED)
    except OperationalError:
        raise still_running from None
    return record
