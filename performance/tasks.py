"""Background work of the performance app (Django's tasks framework, run by `manage.py db_worker`).

`send_update_reminders` does what the management command of the same name does, so an opened round's
e-mails go out straight away and cron (or any scheduler) can run the same sending daily.
"""

from django_tasks import task

from performance import rounds
from performance.models import UpdateRound


@task()
def send_update_reminders(round_id=None):
    """Send the update rounds' opening e-mails and reminders that are due (all open rounds, or one)."""
    update_round = UpdateRound.objects.filter(pk=round_id).first() if round_id is not None else None
    if round_id is not None and update_round is None:
        return {"sent": 0, "no_email": 0, "already_sent": 0, "failed": 0}
    return rounds.reminders_send(update_round=update_round).summary()
