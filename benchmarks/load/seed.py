"""A database for the load and fault runs: the benchmark plan (benchmarks/seeding.py) with logins.

    .venv/bin/python benchmarks/load/seed.py [--database-url URL] [--actions 2000]

Drops and creates the database named by --database-url (default BENCH_DATABASE_URL or
postgres://postgres@127.0.0.1:5432/swp_load), migrates it and seeds it in bulk with
benchmarks/seeding.py, with logins for the load test: `lead0`..`leadN` (leads, each the Person
leading about 2 x actions / people of them: 10 by default) and `executive0`..`executiveN`
(executive members), all with the password BENCH_PASSWORD (default "bench-password-2017"). The
strategy's slug is "bench".
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from seeding import django_setup, recreate_database, seed_plan  # noqa: E402

DEFAULT_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/swp_load")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--actions", type=int, default=2_000, help="the largest real plan: a county's")
    parser.add_argument("--updates", type=int, default=None, help="default: one per action per quarter")
    parser.add_argument("--leads", type=int, default=50)
    parser.add_argument("--executives", type=int, default=20)
    parser.add_argument(
        "--people", type=int, default=None, help="people leading the actions (default one per five actions)"
    )
    args = parser.parse_args()
    recreate_database(args.database_url)
    django_setup(args.database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    seed_plan(
        n_actions=args.actions,
        n_updates=args.updates,
        n_leads=args.leads,
        n_executives=args.executives,
        n_people=args.people,
    )
    print(
        f"seeded {args.database_url.rsplit('/', 1)[1]}: {args.actions:,} actions, "
        f"{args.leads} leads, {args.executives} executives in {time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
