"""`manage.py import_police_data PATH [PATH ...] --partnership SLUG [--dry-run]`.

Reads police.uk street-level files (CSV files, folders of them, or the archive zip) streamed, prints
the preview (months, forces, rows read, kept, outside the area, unknown, months replaced), then
writes the counts all or nothing: the same check and apply as the browser's import.
"""

from django.core.management.base import BaseCommand, CommandError

from actions.imports.lifecycle import OUT_OF_MEMORY
from actions.imports.problems import ImportRefused
from evidence import police
from strategy.models import Partnership


class Command(BaseCommand):
    help = "Import police.uk street-level crime files as counts by month, ward and crime type."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Street-level CSV files, folders of them, or police.uk's zip.")
        parser.add_argument("--partnership", required=True, help="The partnership's slug.")
        parser.add_argument("--dry-run", action="store_true", help="Print what would be imported; save nothing.")

    def handle(self, *args, paths, partnership, dry_run=False, **options):
        found = Partnership.objects.filter(slug=partnership).first()
        if found is None:
            raise CommandError(f"There is no partnership {partnership}.")
        try:
            outcome = police.check_paths(partnership=found, paths=paths)
            preview = outcome.as_dict(found)
            self.stdout.write("Dry run: nothing was saved." if dry_run else f"Importing into {found}:")
            for line in police.summary_lines(preview):
                self.stdout.write(f"  {line}")
            if dry_run:
                return
            applied = police.police_apply(partnership=found, preview=preview)
        except ImportRefused as refused:
            raise CommandError("Nothing was imported. " + "; ".join(str(p) for p in refused.problems)) from None
        except MemoryError:
            raise CommandError(f"The import stopped: {OUT_OF_MEMORY}") from None
        self.stdout.write(f"Imported {applied.months} force-month(s): {applied.counts} counts.")
        if applied.figures:
            self.stdout.write(f"Recomputed {applied.figures} figure(s) of the indicators computed from crime data.")
