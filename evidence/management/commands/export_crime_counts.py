"""`manage.py export_crime_counts --partnership SLUG --from YYYY-MM --to YYYY-MM --output PATH`.

Writes the kept counts as CSV (`Month, Ward code, Ward name, Crime type, Count`), the file the
evidence page downloads.
"""

from django.core.management.base import BaseCommand, CommandError

from evidence.exports import write_crime_counts
from evidence.forms import CrimeCountsForm
from strategy.models import Partnership


class Command(BaseCommand):
    help = "Write a partnership's crime counts for a range of months as CSV."

    def add_arguments(self, parser):
        parser.add_argument("--partnership", required=True, help="The partnership's slug.")
        parser.add_argument("--from", required=True, dest="start", help="The first month, YYYY-MM.")
        parser.add_argument("--to", required=True, dest="end", help="The last month, YYYY-MM.")
        parser.add_argument("--output", required=True, help="The CSV file to write.")

    def handle(self, *args, partnership, start, end, output, **options):
        found = Partnership.objects.filter(slug=partnership).first()
        if found is None:
            raise CommandError(f"There is no partnership {partnership}.")
        form = CrimeCountsForm({"start": start, "end": end})
        if not form.is_valid():
            raise CommandError(
                "; ".join(f"--{'from' if k == 'start' else 'to'}: {' '.join(v)}" for k, v in form.errors.items())
            )
        with open(output, "w", encoding="utf-8", newline="") as stream:
            rows = write_crime_counts(stream, partnership=found, start=start, end=end)
        self.stdout.write(f"Wrote {rows} row(s) to {output}.")
