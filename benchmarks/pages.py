"""Server time of the leads' pages with 20,000 actions and 100,000 updates on PostgreSQL.

Run by hand (figures go in the README, never in a timed test):

    DJANGO_DEBUG=true .venv/bin/python benchmarks/pages.py [--actions 20000] [--updates 100000] [--runs 40]

It creates (and afterwards drops) its own database `swp_bench_pages` on the PostgreSQL named by
BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/swp_bench_pages), seeds it in bulk, and
times each page through Django's test client in this process: the median and 95th percentile of the
server's own time, with the number of queries each page ran.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/swp_bench_pages")
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "swp.settings")
os.environ["TASKS_BACKEND"] = "immediate"

DB_NAME = DATABASE_URL.rsplit("/", 1)[1]
ADMIN_URL = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"


def psql(sql):
    subprocess.run(["psql", ADMIN_URL, "-q", "-c", sql], check=True, capture_output=True)


def seed(n_actions, n_updates):
    import datetime

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from actions.models import RAG, Action, ActionLead, DeliveryGroup, Objective, Status, Update
    from strategy.models import Membership, Partnership, Person, Strategy

    rng = random.Random(2017)
    partnership = Partnership.objects.create(name="Benchmark Partnership", slug="bench")
    user = get_user_model().objects.create_user("lead", password="bench-password")
    viewer = get_user_model().objects.create_user("viewer", password="bench-password")
    Membership.objects.create(user=user, partnership=partnership, role=Membership.Role.LEAD)
    Membership.objects.create(user=viewer, partnership=partnership, role=Membership.Role.VIEWER)
    people = Person.objects.bulk_create(
        [Person(partnership=partnership, name=f"Lead {n}", name_key=f"lead {n}") for n in range(200)]
    )
    me = people[0]
    me.user = user
    me.save()
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
    statuses = [Status.NOT_STARTED, Status.IN_PROGRESS, Status.ONGOING, Status.COMPLETE]
    actions = []
    for n in range(n_actions):
        objective = objectives[n % len(objectives)]
        month = rng.randint(1, 60)
        deadline = datetime.date(2021, 4, 1) + datetime.timedelta(days=30 * month)
        actions.append(
            Action(
                strategy=strategy,
                objective=objective,
                ref=f"B{n}",
                position=n,
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
    updates = []
    for n in range(n_updates):
        action = actions[n % len(actions)]
        status = rng.choice(statuses)
        updates.append(
            Update(
                action=action,
                created_by=user,
                status=status,
                rag=rng.choice(list(RAG.values)) if status in (Status.IN_PROGRESS, Status.ONGOING) else "",
                progress=rng.randint(0, 100),
                commentary=f"Update {n}: progress as planned with some slippage",
                recorded_at=start + datetime.timedelta(minutes=n * 26),
            )
        )
    Update.objects.bulk_create(updates, batch_size=5000)
    # The current state is each action's latest update, as record_update keeps it.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("""
            UPDATE actions_action a SET latest_update_id = u.id, status = u.status, rag = u.rag,
                   progress = u.progress
            FROM (SELECT DISTINCT ON (action_id) * FROM actions_update
                  ORDER BY action_id, recorded_at DESC, id DESC) u
            WHERE u.action_id = a.id
        """)
        cursor.execute("ANALYZE")
    return actions


def measure(client, url, runs):
    from django.db import connection, reset_queries

    times = []
    client.get(url)  # warm caches and connection
    for _ in range(runs):
        reset_queries()
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    queries = len(connection.queries)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], queries


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=20000)
    parser.add_argument("--updates", type=int, default=100000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    psql(f"DROP DATABASE IF EXISTS {DB_NAME}")
    psql(f"CREATE DATABASE {DB_NAME}")
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.test import Client
        from django.test.utils import setup_test_environment

        settings.DEBUG = True  # to count queries
        settings.ALLOWED_HOSTS = ["testserver"]
        setup_test_environment()
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        actions = seed(args.actions, args.updates)
        print(f"seeded {args.actions} actions and {args.updates} updates in {time.perf_counter() - started:.1f} s")
        lead, viewer = Client(), Client()
        lead.login(username="lead", password="bench-password")
        viewer.login(username="viewer", password="bench-password")
        pages = [
            ("My actions (lead of ~200 actions)", lead, "/my/"),
            ("Action list, unfiltered", viewer, "/actions/?strategy=bench"),
            (
                "Action list, filtered (amber, text, sorted)",
                viewer,
                "/actions/?strategy=bench&rag=amber&q=slippage&sort=-progress",
            ),
            ("Action list, page 200", viewer, "/actions/?strategy=bench&page=200"),
            ("Action page (5 updates)", viewer, f"/actions/{actions[123].pk}/"),
            ("Strategy overview", viewer, "/strategies/bench/"),
        ]
        print(f"{'page':48} {'median ms':>10} {'p95 ms':>10} {'queries':>8}")
        for name, client, url in pages:
            median, p95, queries = measure(client, url, args.runs)
            print(f"{name:48} {median:10.1f} {p95:10.1f} {queries:8d}")
    finally:
        from django.db import connections

        connections.close_all()
        psql(f"DROP DATABASE IF EXISTS {DB_NAME}")


if __name__ == "__main__":
    main()
