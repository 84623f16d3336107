"""The quarterly review at scale: 20,000 actions and 200,000 updates over 5 years on PostgreSQL.

Run by hand (figures go in the README, never in a timed test):

    DJANGO_DEBUG=true .venv/bin/python benchmarks/review.py [--actions 20000] [--updates 200000] [--runs 40]

It creates (and afterwards drops) its own database `swp_bench_review` on the PostgreSQL named by
BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/swp_bench_review), seeds one strategy of
2021/22 to 2025/26 in bulk (every action in one plan, the hardest case for one dashboard), then times:
- the review dashboard for a past quarter (2023/24 Q3, half way through) through Django's test client
  in this process: median and 95th percentile of the server's own time, with its number of queries;
- the meeting pack for that quarter (PDF and XLSX, as pack_generate makes them), in a fresh process
  so its peak memory (maximum resident set size) is the pack's alone.
"""

import argparse
import contextlib
import datetime
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/swp_bench_review")
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "swp.settings")
os.environ["TASKS_BACKEND"] = "immediate"
os.environ.setdefault("LOG_LEVEL", "WARNING")

DB_NAME = DATABASE_URL.rsplit("/", 1)[1]
ADMIN_URL = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
QUARTER = (2023, 3)  # 2023/24 Q3: October to December 2023


def psql(sql):
    subprocess.run(["psql", ADMIN_URL, "-q", "-c", sql], check=True, capture_output=True)


def seed(n_actions, n_updates):
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from actions.models import RAG, Action, ActionLead, DeliveryGroup, Objective, Status, Update
    from performance.models import Indicator, IndicatorValue, Meeting, UpdateRound
    from strategy.models import Marking, Membership, Organisation, Partnership, Person, Strategy
    from strategy.periods import Quarter

    rng = random.Random(2017)
    partnership = Partnership.objects.create(name="Benchmark Partnership", slug="bench")
    User = get_user_model()
    officer = User.objects.create_user("officer", password="bench-password", first_name="Bench", last_name="Officer")
    Membership.objects.create(
        user=officer, partnership=partnership, role=Membership.Role.OFFICER, clearance=Marking.OFFICIAL_SENSITIVE
    )
    organisations = Organisation.objects.bulk_create(
        [Organisation(partnership=partnership, name=f"Agency {n}") for n in range(20)]
    )
    people = Person.objects.bulk_create(
        [Person(partnership=partnership, name=f"Lead {n}", name_key=f"lead {n}") for n in range(200)]
    )
    start, end = datetime.date(2021, 4, 1), datetime.date(2026, 3, 31)
    strategy = Strategy.objects.create(
        partnership=partnership,
        title="Benchmark strategy",
        slug="bench",
        status=Strategy.Status.ACTIVE,
        start_date=start,
        end_date=end,
    )
    groups = [
        DeliveryGroup.objects.create(strategy=strategy, name=name, code=name[0], position=n, chair=people[n])
        for n, name in enumerate(["Victim", "Offender", "Location", "CONTEST"], start=1)
    ]
    objectives = Objective.objects.bulk_create(
        [Objective(delivery_group=group, number=n, title=f"Objective {n}") for group in groups for n in range(1, 51)]
    )
    quarters = [Quarter(2021, 1)]
    while quarters[-1] < Quarter(2025, 4):
        quarters.append(quarters[-1].next())
    actions = []
    for n in range(n_actions):
        created_in = quarters[0] if rng.random() < 0.7 else rng.choice(quarters)
        due = created_in.start + datetime.timedelta(days=rng.randint(90, 900))
        actions.append(
            Action(
                strategy=strategy,
                objective=objectives[n % len(objectives)],
                ref=f"B{n}",
                position=n,
                text=f"Benchmark action {n}: deliver the partnership's commitment in the area " * 2,
                kpi="Number of things",
                deadline_text=due.strftime("%d/%m/%Y"),
                due_date=due,
                lead_organisation=organisations[n % len(organisations)],
                created_at=timezone.make_aware(datetime.datetime.combine(created_in.start, datetime.time(9))),
            )
        )
    actions = Action.objects.bulk_create(actions, batch_size=2000)
    ActionLead.objects.bulk_create(
        [ActionLead(action=a, person=people[i % len(people)], position=1) for i, a in enumerate(actions)],
        batch_size=5000,
    )
    Through = Action.contributing_organisations.through
    Through.objects.bulk_create(
        [Through(action_id=a.pk, organisation_id=organisations[(i + 3) % 20].pk) for i, a in enumerate(actions)],
        batch_size=5000,
    )
    statuses = (
        [Status.IN_PROGRESS] * 10
        + [Status.ONGOING] * 4
        + [Status.NOT_STARTED, Status.COMPLETE, Status.COMPLETE, Status.DEFERRED, Status.WITHDRAWN]
    )
    rags = [RAG.GREEN] * 13 + [RAG.AMBER] * 5 + [RAG.RED] * 2
    per_action = n_updates // n_actions
    batch = []
    for action in actions:
        first = quarters.index(next(q for q in quarters if q.end_moment >= action.created_at))
        for k in range(per_action):
            quarter = quarters[min(len(quarters) - 1, first + k * (len(quarters) - first) // per_action)]
            moment = quarter.start_moment + datetime.timedelta(days=rng.randint(0, 88), hours=rng.randint(8, 17))
            status = rng.choice(statuses)
            rag = rng.choice(rags) if status in (Status.IN_PROGRESS, Status.ONGOING) else ""
            batch.append(
                Update(
                    action=action,
                    created_by=officer,
                    status=status,
                    rag=rag,
                    progress=rng.randint(0, 100),
                    commentary=f"Update on {action.ref}: progress reported to the group; next steps agreed.",
                    revised_due_date=(quarter.end + datetime.timedelta(days=180)) if rag == RAG.RED else None,
                    decision_needed="Agree the revised date." if rag == RAG.RED and k % 2 else "",
                    approved_by="Executive Group"
                    if status in (Status.DEFERRED, Status.WITHDRAWN, Status.COMPLETE)
                    else "",
                    recorded_at=moment,
                    created_at=moment,
                )
            )
        if len(batch) >= 20000:
            Update.objects.bulk_create(batch, batch_size=5000)
            batch = []
    Update.objects.bulk_create(batch, batch_size=5000)
    indicators = Indicator.objects.bulk_create(
        [
            Indicator(
                strategy=strategy,
                ref=f"KPI-{n}",
                name=f"Indicator {n}",
                frequency="quarterly",
                kind="performance" if n % 4 else "contextual",
                target_kind="absolute" if n % 4 else "",
                target_value=50 if n % 4 else None,
            )
            for n in range(30)
        ]
    )
    IndicatorValue.objects.bulk_create(
        [
            IndicatorValue(
                indicator=indicator,
                period_type="quarter",
                period_start=q.start,
                period_end=q.end,
                data_to=q.end,
                value=rng.randint(30, 70),
                entered_by=officer,
                entered_at=timezone.make_aware(datetime.datetime.combine(q.end, datetime.time(12))),
            )
            for indicator in indicators
            for q in quarters
        ],
        batch_size=5000,
    )
    quarter = Quarter(*QUARTER)
    meeting = Meeting.objects.create(
        strategy=strategy,
        date=quarter.next().start + datetime.timedelta(days=30),
        year=quarter.year,
        number=quarter.number,
    )
    UpdateRound.objects.create(
        strategy=strategy,
        year=quarter.year,
        number=quarter.number,
        deadline=quarter.next().start + datetime.timedelta(days=14),
    )
    with connection.cursor() as cursor:
        cursor.execute("""
            UPDATE actions_action a SET latest_update_id = u.id, status = u.status, rag = u.rag,
                   progress = u.progress
            FROM (SELECT DISTINCT ON (action_id) * FROM actions_update
                  ORDER BY action_id, recorded_at DESC, id DESC) u
            WHERE u.action_id = a.id
        """)
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would have: index-only scans need the visibility map
    return meeting


def backend_cpu_seconds(pid):
    """CPU time used so far by the PostgreSQL backend serving this process (same machine, Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(client, url, runs):
    """Median and 95th percentile of the wall time, the median CPU time (this process plus its database
    backend: what the page costs whatever else the machine is doing), and the queries of one request."""
    from django.db import connection, reset_queries

    times, cpu = [], []
    client.get(url)  # warm caches and connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    for _ in range(runs):
        reset_queries()
        started, started_cpu, started_db = time.perf_counter(), time.process_time(), backend_cpu_seconds(backend)
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu + backend_cpu_seconds(backend) - started_db) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    queries = len(connection.queries)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)], statistics.median(cpu), queries


def peak_rss_mb():
    """The process's peak resident memory: VmHWM on Linux (reset by reset_peak()), else ru_maxrss."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak():
    """Forget the peak memory so far (on Linux a process started by exec keeps its parent's peak)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def pack_child():
    """In a fresh process: make the meeting's pack as the task does, and report time and peak memory."""
    reset_peak()
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from performance.models import Meeting, MeetingPack
    from performance.pack import pack_create

    meeting = Meeting.objects.get(strategy__slug="bench")
    officer = get_user_model().objects.get(username="officer")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    before = peak_rss_mb()
    started, started_cpu, started_db = time.perf_counter(), time.process_time(), backend_cpu_seconds(backend)
    pack = pack_create(meeting=meeting, by=officer)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - started_cpu + backend_cpu_seconds(backend) - started_db
    pack = MeetingPack.objects.get(pk=pack.pk)
    assert pack.state == MeetingPack.State.ISSUED, pack.error
    print(
        f"pack {seconds:.1f} s ({cpu:.1f} s of CPU), peak memory {peak_rss_mb():.0f} MB "
        f"(the process before it: {before:.0f} MB), "
        f"{pack.pages} PDF pages ({pack.pdf_size // 1024} KB), XLSX {pack.xlsx_size // 1024} KB"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=20000)
    parser.add_argument("--updates", type=int, default=200000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--pack-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards (to look at it).")
    args = parser.parse_args()
    if args.pack_child:
        pack_child()
        return
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
        seed(args.actions, args.updates)
        print(f"seeded {args.actions} actions and {args.updates} updates in {time.perf_counter() - started:.1f} s")
        from django.contrib.auth import get_user_model

        officer = Client()
        officer.force_login(get_user_model().objects.get(username="officer"))
        year, number = QUARTER
        pages = [
            ("Review dashboard, a past quarter", f"/review/bench/{year}-Q{number}/"),
            ("Review dashboard, with Amber exceptions", f"/review/bench/{year}-Q{number}/?amber=on"),
            (
                "Action list as at that quarter, newly Red",
                f"/actions/?strategy=bench&as_at={year}-Q{number}&change=newly_red",
            ),
        ]
        print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        print(f"{'page':48} {'median ms':>10} {'p95 ms':>10} {'CPU ms':>8} {'queries':>8}")
        for name, url in pages:
            median, p95, cpu, queries = measure(officer, url, args.runs)
            print(f"{name:48} {median:10.1f} {p95:10.1f} {cpu:8.0f} {queries:8d}")
        from django.db import connections

        connections.close_all()
        subprocess.run([sys.executable, __file__, "--pack-child"], check=True, env=os.environ)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            psql(f"DROP DATABASE IF EXISTS {DB_NAME}")


if __name__ == "__main__":
    main()
