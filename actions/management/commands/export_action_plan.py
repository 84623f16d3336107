"""`manage.py export_action_plan --strategy SLUG --output PATH`: the plan as .csv or .xlsx."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from actions.spreadsheets import export_plan
from strategy.models import Strategy


class Command(BaseCommand):
    help = "Write a strategy's action plan to a .csv or .xlsx file (chosen by the file's extension)."

    def add_arguments(self, parser):
        parser.add_argument("--strategy", required=True, help="The strategy's slug, e.g. swp-2017-2020.")
        parser.add_argument("--output", required=True, help="Where to write: a path ending in .csv or .xlsx.")
        parser.add_argument("--partnership", help="The partnership's slug, when the strategy slug is not unique.")

    def handle(self, *args, strategy, output, partnership=None, **options):
        strategies = Strategy.objects.filter(slug=strategy)
        if partnership:
            strategies = strategies.filter(partnership__slug=partnership)
        found = list(strategies[:2])
        if not found:
            known = ", ".join(Strategy.objects.order_by("slug").values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"No strategy has the slug {strategy!r}. Known strategies: {known}.")
        if len(found) > 1:
            raise CommandError(f"Several partnerships have a strategy {strategy!r}: add --partnership SLUG.")
        path = Path(output)
        if path.suffix.lower() not in {".csv", ".xlsx"}:
            raise CommandError(f"Cannot write {path.name}: the output must end in .csv or .xlsx.")
        if not path.parent.exists():
            raise CommandError(f"The folder {path.parent} does not exist.")
        export_plan(found[0], path)
        self.stdout.write(self.style.SUCCESS(f"Wrote {found[0].title} to {path}."))
