"""Background work of the evidence app: checking and importing an upload of police.uk data."""

from django_tasks import task

from evidence import records


@task()
def police_import_check(import_id):
    """Read an uploaded police.uk file (or archive) and store its preview."""
    return records.import_check_run(import_id)


@task()
def police_import_apply(import_id):
    """Write a confirmed police.uk import's counts, all or nothing."""
    return records.import_apply_run(import_id)
