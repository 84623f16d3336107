"""What every benchmark shares: its own PostgreSQL database, seeded partnerships, and how a page is timed.

`seed_partnership` seeds one partnership as a real one looks: a current strategy (2021/22 to
2025/26) with its plan, the strategy before it with half as many actions, four delivery groups,
one person per five actions leading two actions' worth each, 20 agencies, about one update per
action per quarter, 12 indicators with a value every quarter; the current strategy is published,
with a closed update round and a meeting for 2023/24 Q3. Logins, all with the password PASSWORD,
are `<slug>-officer` (OFFICIAL-SENSITIVE), `<slug>-viewer`, `<slug>-lead0`.. and
`<slug>-executive0`..; `seed_plan` seeds the partnership `bench` alone, whose logins have no prefix.

Used by benchmarks/national.py and benchmarks/load/seed.py (the load and fault runs).
"""

import datetime
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PASSWORD = os.environ.get("BENCH_PASSWORD", "bench-password-2017")
PAST_START, START, END = datetime.date(2016, 4, 1), datetime.date(2021, 4, 1), datetime.date(2026, 3, 31)
REVIEWED = (2023, 3)  # 2023/24 Q3, half way through: the meeting's quarter


def database_url(default_name):
    return os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{default_name}")


def _psql(url, sql):
    base, _ = url.rsplit("/", 1)
    subprocess.run(["psql", f"{base}/postgres", "-q", "-c", sql], check=True, capture_output=True)


def recreate_database(url):
    name = url.rsplit("/", 1)[1]
    _psql(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _psql(url, f'CREATE DATABASE "{name}"')


def drop_database(url):
    from django.db import connections

    connections.close_all()
    _psql(url, f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def django_setup(url):
    """Django as production runs it (debug off: no template debug information, no query log) on the
    benchmark's database, answering the test client over plain HTTP, with tasks done at once."""
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_DEBUG="false",
        TASKS_BACKEND="immediate",
        SECURE_SSL_REDIRECT="false",
        STATIC_MANIFEST="false",
        TWO_FACTOR_REQUIRED="false",
        ALLOWED_HOSTS="testserver,localhost,127.0.0.1",
    )
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-deployment")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "swp.settings")
    import django

    django.setup()


def seed_plan(*, n_actions=2_000, n_updates=None, n_leads=1, n_executives=1, n_people=None, seed=2017):
    """The partnership `bench` alone, its current plan of `n_actions` (the load and fault runs use it)."""
    return seed_partnership(
        slug="bench",
        n_actions=n_actions,
        n_updates=n_updates,
        n_leads=n_leads,
        n_executives=n_executives,
        n_people=n_people,
        seed=seed,
        past_strategy=False,
    )


def seed_partnership(
    *,
    slug,
    n_actions,
    n_updates=None,
    n_leads=1,
    n_executives=1,
    n_people=None,
    seed=2017,
    past_strategy=True,
    settle=True,
):
    """Seed one partnership in bulk and return its current strategy (slug `<slug>`).

    The current strategy runs 2021/22 to 2025/26 with `n_actions` actions; with past_strategy, the one
    before it (2016/17 to 2020/21, slug `<slug>-past`) has half as many. Each action gets about one
    update a quarter from the quarter it began (`n_updates` in all, if given). People: one per five
    actions (at least ten), so a lead leads a handful of actions, as in a real plan. Logins are
    `<slug>-officer`, `<slug>-viewer`, `<slug>-lead0`.., `<slug>-executive0`.. (`officer`, `viewer`,
    `lead0`.. for `bench`), all with the password PASSWORD.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from strategy.models import Marking, Membership, Organisation, Partnership, Person

    rng = random.Random(f"{seed}-{slug}")
    User = get_user_model()
    prefix = "" if slug == "bench" else f"{slug}-"
    password = _password(make_password)
    partnership = Partnership.objects.create(name=f"Partnership {slug}", slug=slug)
    officer = User.objects.create(
        username=f"{prefix}officer", password=password, first_name="Bench", last_name="Officer"
    )
    viewer = User.objects.create(username=f"{prefix}viewer", password=password)
    leads = User.objects.bulk_create(
        [
            User(username=f"{prefix}lead{n}", password=password, email=f"{prefix}lead{n}@example.org")
            for n in range(n_leads)
        ]
    )
    executives = User.objects.bulk_create(
        [User(username=f"{prefix}executive{n}", password=password) for n in range(n_executives)]
    )
    Membership.objects.bulk_create(
        [
            Membership(
                user=officer,
                partnership=partnership,
                role=Membership.Role.OFFICER,
                clearance=Marking.OFFICIAL_SENSITIVE,
            ),
            Membership(user=viewer, partnership=partnership, role=Membership.Role.VIEWER),
            *(Membership(user=u, partnership=partnership, role=Membership.Role.LEAD) for u in leads),
            *(Membership(user=u, partnership=partnership, role=Membership.Role.EXECUTIVE) for u in executives),
        ]
    )
    organisations = Organisation.objects.bulk_create(
        [Organisation(partnership=partnership, name=f"Agency {n}") for n in range(20)]
    )
    n_people = n_people or max(10, n_actions // 5)
    people = Person.objects.bulk_create(
        [
            Person(
                partnership=partnership, name=f"Lead {n}", name_key=f"lead {n}", user=leads[n] if n < n_leads else None
            )
            for n in range(n_people)
        ]
    )
    world = {
        "rng": rng,
        "officer": officer,
        "authors": leads or [officer],
        "people": people,
        "organisations": organisations,
    }
    if past_strategy:
        _seed_strategy(
            world, partnership, f"{slug}-past", PAST_START, START - datetime.timedelta(days=1), n_actions // 2
        )
    strategy = _seed_strategy(world, partnership, slug, START, END, n_actions, n_updates=n_updates, reviewed=True)
    if settle:
        settle_state()
    return strategy


def _password(make_password, cache={}):  # noqa: B006 - hashed once: every login shares it
    if "hash" not in cache:
        cache["hash"] = make_password(PASSWORD)
    return cache["hash"]


def _seed_strategy(world, partnership, slug, start, end, n_actions, *, n_updates=None, reviewed=False):
    """A strategy of four delivery groups, its actions, their leads and updates, and indicators; with
    `reviewed`, published, with a closed round and a meeting for the REVIEWED quarter."""
    from django.utils import timezone

    from actions.models import RAG, Action, ActionLead, DeliveryGroup, Objective, Status, Update
    from performance.models import Indicator, IndicatorValue, Meeting, UpdateRound
    from strategy.models import Strategy
    from strategy.periods import Quarter

    rng, officer, people, organisations = world["rng"], world["officer"], world["people"], world["organisations"]
    strategy = Strategy.objects.create(
        partnership=partnership,
        title=f"Strategy {slug}",
        slug=slug,
        status=Strategy.Status.ACTIVE if reviewed else Strategy.Status.ARCHIVED,
        start_date=start,
        end_date=end,
        published=reviewed,
    )
    groups = [
        DeliveryGroup.objects.create(
            strategy=strategy, name=name, code=name[0], position=n, chair=people[n % len(people)]
        )
        for n, name in enumerate(["Victim", "Offender", "Location", "CONTEST"], start=1)
    ]
    per_group = max(1, min(50, n_actions // 20))
    objectives = Objective.objects.bulk_create(
        [
            Objective(delivery_group=group, number=n, title=f"Objective {n}")
            for group in groups
            for n in range(1, per_group + 1)
        ]
    )
    quarters = [Quarter.containing(start)]
    while quarters[-1].end < end:
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
    links = [ActionLead(action=a, person=people[i % len(people)], position=1) for i, a in enumerate(actions)]
    links += [ActionLead(action=a, person=people[(i + 7) % len(people)], position=2) for i, a in enumerate(actions)]
    ActionLead.objects.bulk_create(links, batch_size=5000)
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
    authors = world["authors"]
    batch = []
    extra = 0
    if n_updates is not None:
        per_action, extra = divmod(n_updates, max(n_actions, 1))
    for i, action in enumerate(actions):
        first = quarters.index(next(q for q in quarters if q.end_moment >= action.created_at))
        count = len(quarters) - first if n_updates is None else per_action + (1 if i < extra else 0)
        for k in range(count):
            quarter = quarters[min(len(quarters) - 1, first + k * (len(quarters) - first) // count)]
            moment = quarter.start_moment + datetime.timedelta(days=rng.randint(0, 88), hours=rng.randint(8, 17))
            status = rng.choice(statuses)
            rag = rng.choice(rags) if status in (Status.IN_PROGRESS, Status.ONGOING) else ""
            batch.append(
                Update(
                    action=action,
                    created_by=authors[i % len(authors)],
                    status=status,
                    rag=rag,
                    progress=rng.randint(0, 100),
                    commentary=f"Update on {action.ref}: progress reported to the group; slippage on next steps.",
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
            for n in range(12)
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
    if reviewed:
        quarter = Quarter(*REVIEWED)
        Meeting.objects.create(
            strategy=strategy,
            date=quarter.next().start + datetime.timedelta(days=30),
            year=quarter.year,
            number=quarter.number,
        )
        closed = timezone.make_aware(datetime.datetime.combine(quarter.next().start, datetime.time(17)))
        UpdateRound.objects.create(
            strategy=strategy,
            year=quarter.year,
            number=quarter.number,
            deadline=quarter.next().start + datetime.timedelta(days=14),
            closed_by=officer,
            closed_at=closed + datetime.timedelta(days=20),
        )
    return strategy


def settle_state():
    """Each action's current state from its latest update, as Action.record_update keeps it, then
    the statistics autovacuum would have gathered (index-only scans need the visibility map)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("""
            UPDATE actions_action a SET latest_update_id = u.id, last_updated_at = u.recorded_at,
                   status = u.status, rag = u.rag, progress = u.progress, revised_due_date = u.revised_due_date
            FROM (SELECT DISTINCT ON (action_id) * FROM actions_update
                  ORDER BY action_id, recorded_at DESC, id DESC) u
            WHERE u.action_id = a.id AND a.latest_update_id IS NULL
        """)
        cursor.execute("VACUUM ANALYZE")


def backend_cpu_seconds(pid):
    """CPU time used so far by the PostgreSQL backend serving this process (same machine, Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(client, url, runs, before=None):
    """Median and 95th percentile of the server's wall time for `url` through Django's test client in
    this process, the median CPU time (this process plus its database backend: what the page costs
    whatever else the machine is doing) and the number of queries of one request. The client is not
    set up as the test runner's (setup_test_environment), which would copy every template's context
    on every render and more than double the time of a page of includes. `before`, if given, runs
    before each timed request, untimed."""
    from django.db import connection

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    # Counted by a wrapper, not connection.queries: every request empties that log as it starts.
    if before is not None:
        before()
    with connection.execute_wrapper(count):
        response = client.get(url)  # also warms caches and the connection
    assert response.status_code == 200, (url, response.status_code)
    from swp.runtime import settle

    settle()  # as swp/wsgi.py readies every gunicorn worker
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    times, cpu = [], []
    for _ in range(runs):
        if before is not None:
            before()
        started, started_cpu, started_db = time.perf_counter(), time.process_time(), backend_cpu_seconds(backend)
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu + backend_cpu_seconds(backend) - started_db) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    queries = len(queries)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)], statistics.median(cpu), queries


def print_table(rows):
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'page':52} {'median ms':>10} {'p95 ms':>10} {'CPU ms':>8} {'queries':>8}")
    for name, (median, p95, cpu, queries) in rows:
        print(f"{name:52} {median:10.1f} {p95:10.1f} {cpu:8.0f} {queries:8d}")
