"""`manage.py load_demo`: the Safer Westminster Partnership's real plans, a sample current strategy
beside them, and one demo login per role."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from actions.services import DEMO_LOGINS, demo_logins_create, partnership_document_load
from performance.demo import demo_annual_report_load, demo_history_load, demo_meetings_load, demo_publication_load
from performance.demo_current import demo_current_strategy_load
from performance.value_imports import indicators_document_load

DEMO_DOCUMENT = settings.BASE_DIR / "fixtures" / "swp_demo.json"
INDICATORS_DOCUMENT = settings.BASE_DIR / "fixtures" / "swp_indicators.json"


class Command(BaseCommand):
    help = "Load the SWP demo data and demo logins (development only; safe to run twice)."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="Password for the demo logins (default: DEMO_PASSWORD setting).")

    def handle(self, *args, password=None, **options):
        if not settings.DEBUG:
            raise CommandError(
                "load_demo is refused because DJANGO_DEBUG is off: demo logins with a known password "
                "must never reach a real deployment. Set DJANGO_DEBUG=true on a development machine."
            )
        password = password or settings.DEMO_PASSWORD
        with DEMO_DOCUMENT.open(encoding="utf-8") as file:
            document = json.load(file)
        partnership = partnership_document_load(document=document)
        # Indicators for the KPIs the documents quantify, after the plans they link to.
        with INDICATORS_DOCUMENT.open(encoding="utf-8") as file:
            indicators_loaded = indicators_document_load(document=json.load(file))
        self.stdout.write(f"Loaded {indicators_loaded} indicators with their values.")
        demo_logins_create(partnership=partnership, password=password)
        # The update history of the 2017-20 plan, its meetings and challenges, and the sample current
        # strategy: after the logins, who write the demo updates.
        history_added = demo_history_load(partnership=partnership)
        meetings = demo_meetings_load(partnership=partnership)
        self.stdout.write(f"Added {history_added} demo updates to the 2017-20 plan; {len(meetings)} meetings.")
        if (report := demo_annual_report_load(partnership=partnership)) is not None:
            self.stdout.write(f"{report}: a demo introduction and conclusion.")
        sample = demo_current_strategy_load(partnership=partnership)
        if sample is not None:
            self.stdout.write(
                f"Sample current strategy: {sample} ({sample.start_date:%d/%m/%Y} to {sample.end_date:%d/%m/%Y})."
            )
        published = demo_publication_load(partnership=partnership)
        for strategy in published:
            self.stdout.write(f"Published {strategy}: /public/{partnership.slug}/{strategy.slug}/")
        self.stdout.write(self.style.SUCCESS(f"Loaded {partnership.name} demo data."))
        self.stdout.write(f"Demo logins (password: {password}):")
        for username, role, person, _ in DEMO_LOGINS:
            self.stdout.write(f"  {username:<10} {role.label}{f' ({person})' if person else ''}")
