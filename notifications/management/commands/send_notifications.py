"""Send the notification e-mails that are due: run it every few minutes from cron (beside the daily
`send_update_reminders`). Safe to run as often as you like: every e-mail is recorded as it goes, and
one already recorded is never sent again."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from notifications.services import notifications_send


class Command(BaseCommand):
    help = (
        "E-mail chairs, leads, decision owners, officers and followers what is waiting for them, as each "
        "person's e-mail settings say. Running it twice sends nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            type=datetime.datetime.fromisoformat,
            help="Act as if it were this moment (YYYY-MM-DDTHH:MM), e.g. to catch up after an outage.",
        )

    def handle(self, *args, now=None, **options):
        if now is not None and timezone.is_naive(now):
            now = timezone.make_aware(now)
        try:
            result = notifications_send(now=now)
        except OSError as error:
            raise CommandError(f"Could not reach the mail server (EMAIL_HOST, EMAIL_PORT): {error}") from None
        for row in result.sent:
            self.stdout.write(f"Sent {row.get_kind_display().lower()} to {row.user} <{row.to_address}>: {row.subject}")
        summary = result.summary()
        self.stdout.write(
            f"{summary['sent']} sent, {summary['already_sent']} already sent, "
            f"{summary['no_email']} without an e-mail address, {summary['failed']} failed."
        )
        if result.failed:
            failed = ", ".join(f"{user} ({error})" for user, error in result.failed)
            raise CommandError(f"Some e-mails could not be sent and will be tried on the next run: {failed}")
