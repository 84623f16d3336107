"""Send the update rounds' e-mails that are due: run it daily (cron) or leave it to the task worker.

Safe to run as often as you like: every e-mail is recorded before it goes, and one already recorded
is never sent again.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from performance import rounds
from performance.models import UpdateRound


class Command(BaseCommand):
    help = (
        "E-mail leads who still have actions to update in open update rounds: the opening e-mail, then the "
        "reminder from the reminder date. Running it twice sends nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument("--round", type=int, dest="round_id", help="Only this update round (its id).")
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            help="Act as if today were this date (YYYY-MM-DD), e.g. to catch up after an outage.",
        )

    def handle(self, *args, round_id=None, today=None, **options):
        update_round = None
        if round_id is not None:
            update_round = UpdateRound.objects.filter(pk=round_id).first()
            if update_round is None:
                raise CommandError(f"There is no update round {round_id}.")
        try:
            result = rounds.reminders_send(update_round=update_round, today=today)
        except OSError as error:
            raise CommandError(f"Could not reach the mail server (EMAIL_HOST, EMAIL_PORT): {error}") from None
        for row in result.sent:
            self.stdout.write(f"Sent {row.get_kind_display().lower()} to {row.person} <{row.to_address}>")
        for person in result.skipped_no_email:
            self.stdout.write(f"Not sent to {person}: no e-mail address")
        summary = result.summary()
        self.stdout.write(
            f"{summary['sent']} sent, {summary['already_sent']} already sent, "
            f"{summary['no_email']} without an e-mail address, {summary['failed']} failed."
        )
        if result.failed:
            failed = ", ".join(f"{person} ({error})" for person, error in result.failed)
            raise CommandError(f"Some e-mails could not be sent and will be tried on the next run: {failed}")
