"""`manage.py import_action_plan PATH --strategy SLUG [--create] [--partnership SLUG] [--dry-run]
[--lead "NAME=PERSON" ...]`.

The same import as the browser's (actions.imports.records): it checks the file, prints what it
would create and change per delivery group, then imports it all or nothing. Problems go to stderr
with their sheet, row and column, and the command exits non-zero having saved nothing.
"""

import datetime
import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from actions.imports import ImportRefused, Problem, action_plan_check, summary_lines
from actions.imports.lifecycle import OUT_OF_MEMORY
from actions.imports.records import import_confirm, import_create
from actions.imports.vocabulary import BlueMeans
from actions.models import ActionPlanImport
from strategy.models import Partnership, Person, Strategy, name_key


class Command(BaseCommand):
    help = "Import an action plan (.xlsx, .csv or .ods) into a strategy: all of it, or nothing if anything is wrong."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The spreadsheet to import.")
        parser.add_argument("--strategy", required=True, help="The strategy's slug, e.g. swp-2017-2020.")
        parser.add_argument("--partnership", help="The partnership's slug (needed when there are several).")
        parser.add_argument("--create", action="store_true", help="Create the strategy if it does not exist.")
        parser.add_argument("--dry-run", action="store_true", help="Print what would change; save nothing.")
        parser.add_argument(
            "--blue-means",
            choices=[BlueMeans.COMPLETE, BlueMeans.GREEN],
            default=BlueMeans.COMPLETE,
            help='How to read "Blue": complete (the default) or green (on track, within target).',
        )
        parser.add_argument(
            "--lead",
            action="append",
            default=[],
            metavar="NAME=PERSON",
            help="A lead's name in the file that means a person already in the partnership, e.g. "
            '"Mick Wright=Michael Wright". Repeat for each name. Other names that match no one are added as new '
            "people.",
        )
        parser.add_argument(
            "--archive-missing",
            action="store_true",
            help="Archive the strategy's actions that the file does not contain.",
        )

    def handle(self, *args, path, strategy, partnership=None, create=False, dry_run=False, **options):
        try:
            self._handle(path, strategy, partnership, create, dry_run, options)
        except CommandError:
            raise
        except MemoryError:
            raise CommandError(f"The import stopped: {OUT_OF_MEMORY}") from None
        except Exception as error:  # never a traceback for an officer
            raise CommandError(
                f"The import stopped with an unexpected error, and nothing was saved: {error or type(error).__name__}"
            ) from None

    def _handle(self, path, slug, partnership_slug, create, dry_run, options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"There is no file at {path}.")
        content = file.read_bytes()
        blue_means = options["blue_means"]
        # A strategy made by --create exists only if the import succeeds (and never on a dry run).
        with transaction.atomic():
            strategy, created = self._strategy(slug, partnership_slug, create)
            lead_choices = self._lead_choices(options["lead"], strategy)
            if dry_run:
                outcome = action_plan_check(
                    strategy=strategy,
                    content=content,
                    file_name=file.name,
                    blue_means=blue_means,
                    lead_choices=lead_choices,
                )
                transaction.set_rollback(True)
                self._print(
                    outcome.as_dict(), outcome.notes, heading=f"Dry run: nothing was saved. {file.name} would do this:"
                )
                return self._fail(outcome.problems)
            record, problems = self._import(
                strategy, file, content, blue_means, options["archive_missing"], lead_choices
            )
            if problems and created:
                transaction.set_rollback(True)
        if problems:
            return self._fail(problems)
        result = record.result
        notes = [Problem.from_dict(p) for p in result.get("notes", [])]
        heading = f"Imported {file.name} into {strategy.title} (import {record.pk})."
        if not result.get("changes_anything") and not result.get("applied", {}).get("updates_created"):
            heading += " The file matches the plan: nothing changed."
        self._print(result, notes, heading=heading)

    def _lead_choices(self, pairs, strategy):
        """{name key: person pk} from --lead "NAME=PERSON" options, each PERSON a person of the partnership."""
        choices = {}
        people = None
        for pair in pairs:
            name, _, person = pair.partition("=")
            if not name.strip() or not person.strip():
                raise CommandError(f'--lead {pair!r} is not NAME=PERSON, e.g. --lead "Mick Wright=Michael Wright".')
            if people is None:
                people = Person.objects.filter(partnership_id=strategy.partnership_id)
                people = dict(people.values_list("name_key", "pk"))
            found = people.get(name_key(person))
            if found is None:
                raise CommandError(
                    f"--lead {pair!r}: {person.strip()} is not one of the partnership's people; add them in the back "
                    "office, or leave the name out to add it as a new person."
                )
            choices[name_key(name)] = found
        return choices

    def _import(self, strategy, file, content, blue_means, archive_missing, lead_choices):
        """The browser's steps, run here and now: record, check, confirm, import."""
        try:
            record = import_create(
                strategy=strategy,
                file_name=file.name,
                content=content,
                source=ActionPlanImport.Source.COMMAND,
                blue_means=blue_means,
                lead_choices=lead_choices,
                background=False,
            )
        except ImportRefused as refused:
            return None, refused.problems
        if record.state == ActionPlanImport.State.READY:
            import_confirm(record, archive_missing=archive_missing, background=False)
            record.refresh_from_db()
        if record.state != ActionPlanImport.State.IMPORTED:
            return record, [Problem.from_dict(p) for p in record.problems]
        return record, []

    def _print(self, report, notes, *, heading):
        self.stdout.write(heading)
        for line in summary_lines(report):
            self.stdout.write(f"  {line}")
        for note in notes:
            self.stdout.write(f"  Note: {note}")

    def _fail(self, problems):
        if not problems:
            return
        self.stderr.write(f"Nothing was imported. {len(problems)} problem(s):")
        for problem in problems:
            self.stderr.write(f"  {problem}")
        raise CommandError("The file was not imported; fix the problems above and run the command again.")

    def _partnership(self, slug):
        if slug:
            found = Partnership.objects.filter(slug=slug).first()
            if found is None:
                raise CommandError(f"No partnership has the slug {slug!r}.")
            return found
        partnerships = list(Partnership.objects.all()[:2])
        if len(partnerships) != 1:
            if not partnerships:
                raise CommandError("There is no partnership yet.")
            raise CommandError("There are several partnerships: add --partnership SLUG.")
        return partnerships[0]

    def _strategy(self, slug, partnership_slug, create):
        strategies = Strategy.objects.filter(slug=slug).select_related("partnership")
        if partnership_slug:
            strategies = strategies.filter(partnership__slug=partnership_slug)
        found = list(strategies[:2])
        if len(found) > 1:
            raise CommandError(f"Several partnerships have a strategy {slug!r}: add --partnership SLUG.")
        if found:
            return found[0], False
        if not create:
            known = ", ".join(Strategy.objects.order_by("slug").values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"No strategy has the slug {slug!r} (known: {known}). Add --create to create it.")
        return self._new_strategy(slug, partnership_slug), True

    def _new_strategy(self, slug, partnership_slug):
        if slug != slugify(slug):
            raise CommandError(f"{slug!r} cannot be a strategy's slug: use lower-case letters, digits and hyphens.")
        years = [int(year) for year in re.findall(r"(?<!\d)(\d{4})(?!\d)", slug)]
        first = years[0] if years else timezone.localdate().year
        last = years[-1] if len(years) > 1 else first + 3
        strategy = Strategy(
            partnership=self._partnership(partnership_slug),
            slug=slug,
            title=slug.replace("-", " ").capitalize(),
            start_date=datetime.date(first, 4, 1),
            end_date=datetime.date(last, 3, 31),
        )
        strategy.full_clean()
        strategy.save()
        return strategy
