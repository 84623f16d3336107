"""The police.uk upload as a recorded import: uploaded, checked (the preview), confirmed, imported.

The states, progress, stale previews, unexpected errors and cancelling are
actions.imports.lifecycle's, as for the other imports; this module gives it police.uk's check and
apply. The check keeps the counts in the preview, so confirming writes exactly what was shown
without reading the files again (and the file is erased once the import ends).
"""

from actions.imports import lifecycle
from actions.imports.lifecycle import ImportNotReady
from actions.imports.problems import ImportRefused
from evidence import police
from evidence.models import PoliceDataImport

__all__ = ["ImportNotReady", "import_apply_run", "import_cancel", "import_check_run", "import_confirm", "import_create"]

State = PoliceDataImport.State


def import_create(*, partnership, file_name, content, by=None, background=True):
    record = lifecycle.record_create(
        PoliceDataImport,
        partnership=partnership,
        file_name=file_name,
        content=content,
        by=by,
        max_bytes=police.MAX_UPLOAD_BYTES,
    )
    if background:
        # Imported here: evidence.tasks imports this module (its tasks run these functions).
        from evidence.tasks import police_import_check

        lifecycle.enqueue(PoliceDataImport, record, police_import_check, only_if_unset=True)
    else:
        import_check_run(record.pk)
        record.refresh_from_db()
    return record


def _check(record, report):
    try:
        outcome = police.check_content(
            partnership=record.partnership,
            content=bytes(record.file_content),
            file_name=record.file_name,
            report=report,
        )
    except ImportRefused as refused:
        return lifecycle.Checked(fields={}, problems=refused.problems)
    preview = outcome.as_dict(record.partnership)
    return lifecycle.Checked(fields={"preview": preview, "rows_total": preview["totals"]["read"]})


def _apply(record, report):
    report("Writing the counts")
    applied = police.police_apply(partnership=record.partnership, preview=record.preview, by=record.created_by)
    if applied.stale:
        return lifecycle.Applied(stale=True)
    result = {key: value for key, value in record.preview.items() if key != "counts"}
    counted = {"months": applied.months, "counts": applied.counts, "figures": applied.figures}
    return lifecycle.Applied(result={**result, "applied": counted})


def import_check_run(pk):
    return lifecycle.check_run(PoliceDataImport, pk, check=_check, label="Police data import")


def import_confirm(record, *, background=True):
    record = lifecycle.confirm(
        PoliceDataImport,
        record,
        busy_message="Another import of police.uk data is running. Wait for it to finish, then confirm again.",
    )
    if background:
        from evidence.tasks import police_import_apply  # as in the function above

        lifecycle.enqueue(PoliceDataImport, record, police_import_apply)
    else:
        import_apply_run(record.pk)
    return State.IMPORTING


def import_apply_run(pk):
    return lifecycle.apply_run(
        PoliceDataImport,
        pk,
        apply=_apply,
        check=_check,
        stale_stage="The area changed since your preview: checking again",
        label="Police data import",
    )


def import_cancel(record):
    return lifecycle.cancel(PoliceDataImport, record)
