"""`manage.py import_area_lookup PATH --partnership SLUG --local-authority CODE [--local-authority CODE ...]`.

Replaces the partnership's area with the ONS lookup's rows for those local authorities, as the
evidence page's upload does; nothing changes if anything in the file is wrong.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from actions.imports.problems import ImportRefused
from evidence.area import area_import
from strategy.models import Partnership


class Command(BaseCommand):
    help = "Load a partnership's area (local authorities, wards, LSOAs) from the ONS LSOA to ward lookup CSV."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The lookup CSV as downloaded from the ONS Open Geography Portal.")
        parser.add_argument("--partnership", required=True, help="The partnership's slug.")
        parser.add_argument(
            "--local-authority",
            action="append",
            required=True,
            dest="codes",
            help="A local authority code, e.g. E09000033.",
        )

    def handle(self, *args, path, partnership, codes, **options):
        found = Partnership.objects.filter(slug=partnership).first()
        if found is None:
            raise CommandError(f"There is no partnership {partnership}.")
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"There is no file at {path}.")
        try:
            lookup = area_import(
                partnership=found, content=file.read_bytes(), file_name=file.name, local_authority_codes=codes
            )
        except ImportRefused as refused:
            raise CommandError("Nothing was imported. " + "; ".join(str(p) for p in refused.problems)) from None
        self.stdout.write(
            f"{found}: {lookup.wards} wards and {lookup.lsoas} LSOAs in {', '.join(lookup.local_authority_codes)} "
            f"(wards of {lookup.ward_year})."
        )
        if lookup.renamed:
            self.stdout.write(f"Renamed: {', '.join(lookup.renamed)}")
        if lookup.retired:
            self.stdout.write(f"No longer in the lookup, kept with their counts: {', '.join(lookup.retired)}")
