"""A database for the load and fault runs: a partnership with 20,000 actions, 100,000 updates and logins.

    .venv/bin/python benchmarks/load/seed.py [--database-url URL] [--actions 20000] [--updates 100000]

Drops and creates the database named by --database-url (default BENCH_DATABASE_URL or
postgres://postgres@127.0.0.1:5432/swp_load), migrates it and seeds it in bulk, as
benchmarks/pages.py does, plus logins for the load test: `lead0`..`leadN` (leads, each the Person
leading about 200 actions) and `executive0`..`executiveN` (executive members), all with the
password BENCH_PASSWORD (default "bench-password-2017"). The strategy's slug is "bench".
"""

import argparse
import datetime
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
DEFAULT_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/swp_load")
PASSWORD = os.environ.get("BENCH_PASSWORD", "bench-password-2017")


def recreate(database_url):
    base, name = database_url.rsplit("/", 1)
    admin = f"{base}/postgres"
    for sql in (f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'):
        subprocess.run(["psql", admin, "-q", "-c", sql], check=True, capture_output=True)


def seed(*, n_actions, n_updates, n_leads, n_executives):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from actions.models import RAG, Action, ActionLead, DeliveryGroup, Objective, Status, Update
    from strategy.models import Membership, Partnership, Person, Strategy

    rng = random.Random(2017)
    User = get_user_model()
    password = make_password(PASSWORD)  # hashed once: every login shares it
    partnership = Partnership.objects.create(name="Benchmark Partnership", slug="bench")
    people = Person.objects.bulk_create(
        [Person(partnership=partnership, name=f"Lead {n}", name_key=f"lead {n}") for n in range(200)]
    )
    leads = User.objects.bulk_create(
        [User(username=f"lead{n}", password=password, email=f"lead{n}@example.org") for n in range(n_leads)]
    )
    executives = User.objects.bulk_create(
        [User(username=f"executive{n}", password=password) for n in range(n_executives)]
    )
    Membership.objects.bulk_create(
        [Membership(user=u, partnership=partnership, role=Membership.Role.LEAD) for u in leads]
        + [Membership(user=u, partnership=partnership, role=Membership.Role.EXECUTIVE) for u in executives]
    )
    for user, person in zip(leads, people, strict=False):
        person.user = user
    Person.objects.bulk_update(people[: len(leads)], ["user"])
    strategy = Strategy.objects.create(
        partnership=partnership,
        title="Benchmark strategy",
        slug="bench",
        status=Strategy.Status.ACTIVE,
        start_date=datetime.date(2021, 4, 1),
        end_date=datetime.date(2026, 3, 31),
    )
    groups = [
        DeliveryGroup.objects.create(strategy=strategy, name=name, code=name[0], position=n)
        for n, name in enumerate(["Victim", "Offender", "Location", "CONTEST"], start=1)
    ]
    objectives = Objective.objects.bulk_create(
        [Objective(delivery_group=group, number=n, title=f"Objective {n}") for group in groups for n in range(1, 51)]
    )
    actions = []
    for n in range(n_actions):
        deadline = datetime.date(2021, 4, 1) + datetime.timedelta(days=30 * rng.randint(1, 60))
        actions.append(
            Action(
                strategy=strategy,
                objective=objectives[n % len(objectives)],
                ref=f"B{n}",
                position=n % 30000,
                text=f"Benchmark action {n} " * 4,
                kpi="Number of things",
                deadline_text=deadline.strftime("%d/%m/%Y"),
                due_date=deadline,
            )
        )
    actions = Action.objects.bulk_create(actions, batch_size=2000)
    links = [ActionLead(action=a, person=people[i % len(people)], position=1) for i, a in enumerate(actions)]
    links += [ActionLead(action=a, person=people[(i + 7) % len(people)], position=2) for i, a in enumerate(actions)]
    ActionLead.objects.bulk_create(links, batch_size=5000)
    start = timezone.now() - datetime.timedelta(days=5 * 365)
    statuses = [Status.NOT_STARTED, Status.IN_PROGRESS, Status.ONGOING, Status.COMPLETE]
    updates = []
    for n in range(n_updates):
        status = rng.choice(statuses)
        updates.append(
            Update(
                action=actions[n % len(actions)],
                created_by=leads[n % len(leads)] if leads else None,
                status=status,
                rag=rng.choice(list(RAG.values)) if status in (Status.IN_PROGRESS, Status.ONGOING) else "",
                progress=rng.randint(0, 100),
                commentary=f"Update {n}: progress as planned with some slippage",
                recorded_at=start + datetime.timedelta(minutes=n * 26),
            )
        )
    Update.objects.bulk_create(updates, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("""
            UPDATE actions_action a SET latest_update_id = u.id, status = u.status, rag = u.rag,
                   progress = u.progress
            FROM (SELECT DISTINCT ON (action_id) * FROM actions_update
                  ORDER BY action_id, recorded_at DESC, id DESC) u
            WHERE u.action_id = a.id
        """)
        cursor.execute("ANALYZE")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--actions", type=int, default=20_000)
    parser.add_argument("--updates", type=int, default=100_000)
    parser.add_argument("--leads", type=int, default=50)
    parser.add_argument("--executives", type=int, default=20)
    args = parser.parse_args()
    recreate(args.database_url)
    os.environ.update(
        DATABASE_URL=args.database_url, DJANGO_DEBUG="false", SECRET_KEY="seed-only", TASKS_BACKEND="immediate"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "swp.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    seed(n_actions=args.actions, n_updates=args.updates, n_leads=args.leads, n_executives=args.executives)
    print(
        f"seeded {args.database_url.rsplit('/', 1)[1]}: {args.actions:,} actions, {args.updates:,} updates, "
        f"{args.leads} leads, {args.executives} executives in {time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
