"""Background work of the actions app (Django's tasks framework, run by `manage.py db_worker`).

Checking and importing a spreadsheet can take a while for a large plan, so the browser starts
them here and shows their progress; the officer may leave and come back to the result.
"""

from django_tasks import task

from actions.imports import records


@task()
def import_check(import_id):
    """Check an uploaded action plan and store its preview."""
    return records.import_check_run(import_id)


@task()
def import_apply(import_id):
    """Import a confirmed action plan, all or nothing."""
    return records.import_apply_run(import_id)
