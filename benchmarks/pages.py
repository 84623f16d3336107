"""Server time of the leads' pages with 20,000 actions and 100,000 updates on PostgreSQL.

Run by hand on a quiet machine (figures go in the README, never in a timed test):

    .venv/bin/python benchmarks/pages.py [--actions 20000] [--updates 100000] [--runs 40] [--keep | --reuse]

It creates (and afterwards drops, unless --keep) its own database `swp_bench_pages` on the PostgreSQL
named by BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/swp_bench_pages), seeds it with
benchmarks/seeding.py, and times each page through Django's test client in this process: the median
and 95th percentile of the server's own time, its CPU time and its number of queries. --reuse times
a database kept by an earlier --keep run without seeding it again.
"""

import argparse
import time

from seeding import database_url, django_setup, drop_database, measure, print_table, recreate_database, seed_plan

DATABASE_URL = database_url("swp_bench_pages")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=20000)
    parser.add_argument("--updates", type=int, default=100000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    parser.add_argument("--reuse", action="store_true", help="Time the database an earlier --keep run left.")
    args = parser.parse_args()
    if not args.reuse:
        recreate_database(DATABASE_URL)
    django_setup(DATABASE_URL)
    try:
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from django.test import Client

        from actions.models import Action

        if not args.reuse:
            call_command("migrate", verbosity=0)
            started = time.perf_counter()
            seed_plan(n_actions=args.actions, n_updates=args.updates)
            print(f"seeded {args.actions} actions and {args.updates} updates in {time.perf_counter() - started:.1f} s")
        User = get_user_model()
        lead, viewer = Client(), Client()
        lead.force_login(User.objects.get(username="lead0"))
        viewer.force_login(User.objects.get(username="viewer"))
        action = Action.objects.filter(strategy__slug="bench").order_by("pk")[123]
        pages = [
            ("My actions (lead of ~200 actions)", lead, "/my/"),
            ("Action list, unfiltered", viewer, "/actions/?strategy=bench"),
            (
                "Action list, filtered (amber, text, sorted)",
                viewer,
                "/actions/?strategy=bench&rag=amber&q=slippage&sort=-progress",
            ),
            ("Action list, sorted by last update", viewer, "/actions/?strategy=bench&sort=-updated"),
            ("Action list, page 200", viewer, "/actions/?strategy=bench&page=200"),
            ("Action page (5 updates)", viewer, f"/actions/{action.pk}/"),
            ("Strategy overview", viewer, "/strategies/bench/"),
        ]
        print_table([(name, measure(client, url, args.runs)) for name, client, url in pages])
    finally:
        if not args.keep:
            drop_database(DATABASE_URL)


if __name__ == "__main__":
    main()
