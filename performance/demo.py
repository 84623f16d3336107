"""Demo data for the quarterly review: an update history for the 2017-20 plan, meetings and challenges.

The seed documents (fixtures/swp_demo.json) give the plans but no updates, so the review would have
nothing to show. `demo_history_load` writes a plausible quarterly history for the 2017-20 plan,
2017/18 Q1 to 2019/20 Q4: statuses, RAG ratings, progress and short commentary, some Red with
revised dates and decisions needed, some completed, deferred or withdrawn with who approved it.
It is made-up demo data and says so: every commentary starts with DEMO_PREFIX. It is the same
every time (a random generator seeded per action reference), each update is recorded inside its
quarter by the demo lead, chair or officer, and loading twice adds nothing.

`demo_annual_report_load` writes the introduction and conclusion of the 2017-20 plan's 2018/19 annual
report, so the report page has them.

`demo_meetings_load` adds the Executive Group's meeting of 27 October 2020 and the partnership
board's of 18 November 2020 (both reviewing 2020/21 Q2 of the 2020-23 strategy), and a demo
Executive Group meeting for the 2017-20 plan with two demo challenges.
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from actions.models import CLOSED_STATUSES, RAG, Action, DeliveryGroup, Status, Update, locked_quarters
from performance.models import AnnualReport, Challenge, Meeting
from strategy.models import Strategy
from strategy.periods import Quarter

DEMO_PREFIX = "[Demo data] "
DEMO_SEED = 2017
HISTORY_STRATEGY = "swp-2017-2020"
FIRST, LAST = Quarter(2017, 1), Quarter(2019, 4)

ISSUES = [
    "a key post has been vacant since the start of the quarter",
    "partner data has not been shared yet",
    "funding for the next phase is not confirmed",
    "venue availability has delayed the sessions",
    "referrals are lower than planned",
    "the commissioned provider changed mid-quarter",
]
FIXES = [
    "interim cover agreed with the lead agency",
    "the data-sharing agreement has been escalated to the chair",
    "a bid has gone to MOPAC, with a decision due next quarter",
    "sessions rescheduled at two new venues",
    "a briefing for front-line teams is arranged",
    "the new provider has an agreed mobilisation plan",
]
DECISIONS = [
    "Agree to fund interim cover from the partnership budget until the post is filled.",
    "Ask the police lead on the Executive Group to unblock the data-sharing agreement.",
    "Agree a revised target for the year given the lower referrals.",
]
ON_TRACK = [
    "On track: the quarter's milestones were met.",
    "On track: partners engaged and the next steps agreed at the group.",
    "Progressing as planned; figures reported to the group.",
    "Delivery continuing as business as usual.",
]


def _moment_in(quarter, rng):
    """A working-day morning in the quarter's last month: when a lead would write the update."""
    last_month_start = quarter.end.replace(day=1)
    day = last_month_start + datetime.timedelta(days=rng.randint(0, 20))
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9 + rng.randint(0, 7), rng.randint(0, 59))))


def _quarters(first, last):
    quarter = first
    while quarter <= last:
        yield quarter
        quarter = quarter.next()


def _history(action, *, created, rng):
    """The demo updates of one action: a list of dicts, oldest first."""
    due_quarter = Quarter.containing(action.due_date) if action.due_date else None
    ongoing = due_quarter is None
    status, rag, progress, revised = Status.NOT_STARTED, "", 0, None
    entries = []
    for quarter in _quarters(Quarter.containing(timezone.localtime(created).date()), LAST):
        if status in CLOSED_STATUSES:
            break
        if entries and rng.random() < 0.1:
            continue  # no update this quarter: the review shows it as missing
        commentary, decision, approved = "", "", ""
        target = revised and Quarter.containing(revised) or due_quarter
        roll = rng.random()
        if status == Status.NOT_STARTED and roll < 0.35 and not entries:
            commentary = "Not started yet: scoping with partners this quarter."
        elif roll < 0.03 and progress < 80:
            status, rag = Status.WITHDRAWN, ""
            approved = f"Executive Group, {quarter.end:%B %Y}"
            commentary = "Withdrawn: superseded by a pan-London programme covering the same need."
        elif roll < 0.07 and progress < 80 and status != Status.DEFERRED:
            status, rag = Status.DEFERRED, ""
            revised = quarter.next().next().next().end
            approved = f"{action.objective.delivery_group.name} group chair, {quarter.end:%B %Y}"
            commentary = f"Deferred to {Quarter.containing(revised)}: resources redirected to a higher-risk priority."
        else:
            step = rng.randint(10, 35)
            progress = min(100, progress + step)
            late = target is not None and quarter > target
            if not ongoing and (progress >= 100 or (target is not None and quarter >= target and rng.random() < 0.7)):
                status, rag, progress = Status.COMPLETE, "", 100
                approved = f"{action.objective.delivery_group.name} group, {quarter.end:%B %Y}"
                commentary = "Complete: delivered as planned; evidence held by the lead agency."
                revised = None
            else:
                status = Status.ONGOING if ongoing else Status.IN_PROGRESS
                progress = min(progress, 95)
                red_chance = 0.35 if late else (0.25 if rag == RAG.RED else 0.07)
                amber_chance = 0.45 if late else 0.18
                pick = rng.random()
                if pick < red_chance:
                    rag = RAG.RED
                    issue, fix = rng.choice(ISSUES), rng.choice(FIXES)
                    if not revised or Quarter.containing(revised) <= quarter:
                        revised = quarter.next().next().end
                    commentary = f"Off track: {issue}. Corrective action: {fix}. Revised date {revised:%d/%m/%Y}."
                    if rng.random() < 0.5:
                        decision = rng.choice(DECISIONS)
                elif pick < red_chance + amber_chance:
                    rag = RAG.AMBER
                    commentary = f"At risk: {rng.choice(ISSUES)}. Mitigation: {rng.choice(FIXES)}."
                else:
                    rag = RAG.GREEN
                    commentary = rng.choice(ON_TRACK)
        entries.append(
            {
                "recorded_at": _moment_in(quarter, rng),
                "status": status,
                "rag": rag,
                "progress": progress,
                "commentary": DEMO_PREFIX + commentary,
                "revised_due_date": revised if status in (Status.DEFERRED,) or rag == RAG.RED else None,
                "decision_needed": decision,
                "approved_by": approved,
            }
        )
    return entries


@transaction.atomic
def demo_history_load(*, partnership):
    """Write the demo update history of the 2017-20 plan; returns how many updates it added (0 when
    the history is there already)."""
    strategy = Strategy.objects.filter(partnership=partnership, slug=HISTORY_STRATEGY).first()
    if strategy is None:
        return 0
    if Update.objects.filter(action__strategy=strategy, commentary__startswith=DEMO_PREFIX).exists():
        return 0
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["lead", "chair", "officer"])}
    actions = list(
        Action.objects.filter(strategy=strategy, archived_at__isnull=True)
        .select_related("objective__delivery_group__chair__user")
        .prefetch_related("lead_links__person__user")
        .order_by("ref")
    )
    start = timezone.make_aware(datetime.datetime.combine(strategy.start_date, datetime.time(9)))
    # A few actions join the plan in its second year, so the review has new actions to show.
    joining = [a for a in actions if a.due_date is None or a.due_date >= datetime.date(2018, 10, 1)]
    late = set(random.Random(DEMO_SEED).sample([a.ref for a in joining], k=min(5, len(joining))))
    updates, latest = [], {}
    for action in actions:
        rng = random.Random(f"{DEMO_SEED}-{action.ref}")
        created = start
        if action.ref in late:
            created = _moment_in(Quarter(2018, rng.randint(1, 2)), rng) - datetime.timedelta(days=40)
        action.created_at = created
        author = _author(action, users)
        history = _history(action, created=created, rng=rng)
        for entry in history:
            updates.append(
                Update(
                    action=action, created_by=author, created_at=entry["recorded_at"], source=Update.Source.WEB, **entry
                )
            )
        if history:
            latest[action.pk] = history
    Update.objects.bulk_create(updates, batch_size=500)
    follow_latest(actions, updates)
    Action.objects.bulk_update(
        actions,
        ["created_at", "status", "rag", "progress", "revised_due_date", "latest_update", "last_updated_at"],
        batch_size=500,
    )
    return len(updates)


def _author(action, users):
    """Who writes an action's demo updates: the lead login for its lead, the chair login for its
    group's chair, otherwise the officer."""
    for link in action.lead_links.all():
        if link.person.user_id and link.person.user.username in users:
            return users[link.person.user.username]
    chair = action.objective.delivery_group.chair
    if chair and chair.user_id and chair.user.username in users:
        return users[chair.user.username]
    return users.get("officer")


def follow_latest(actions, updates):
    """Keep each action's current state in step with its latest approved update, as record_update and
    Update.approve do (an update waiting for sign-off or returned does not count)."""
    by_action = {}
    for update in updates:
        if update.review_state == Update.ReviewState.APPROVED:
            by_action.setdefault(update.action_id, []).append(update)
    for action in actions:
        history = sorted(by_action.get(action.pk, []), key=lambda u: (u.recorded_at, u.pk))
        for update in history:
            if update.revised_due_date or update.status in CLOSED_STATUSES:
                action.revised_due_date = update.revised_due_date
        if history:
            last = history[-1]
            action.status, action.rag, action.progress = last.status, last.rag, last.progress
            action.latest_update, action.last_updated_at = last, last.recorded_at


MEETINGS = [
    # strategy slug, kind, date, quarter reviewed, notes
    (
        "swp-2020-2023",
        Meeting.Kind.EXECUTIVE,
        datetime.date(2020, 10, 27),
        Quarter(2020, 2),
        "Reviews the first six months of the 2020-23 strategy.",
    ),
    ("swp-2020-2023", Meeting.Kind.BOARD, datetime.date(2020, 11, 18), Quarter(2020, 2), ""),
    (
        "swp-2017-2020",
        Meeting.Kind.EXECUTIVE,
        datetime.date(2020, 1, 28),
        Quarter(2019, 3),
        DEMO_PREFIX + "A meeting added for the demo, to show a pack with the demo update history.",
    ),
]

CHALLENGES = [
    # meeting date, action ref or group name, kind, text, owner
    (
        datetime.date(2020, 1, 28),
        "group:Victim",
        Challenge.Kind.CHALLENGE,
        "Why do so many of the group's actions have no update this quarter?",
        "Victim group chair",
    ),
    (
        datetime.date(2020, 1, 28),
        "group:Offender",
        Challenge.Kind.DECISION,
        "Agreed that the group reports its Red actions to the next meeting with a recovery plan.",
        "Offender group chair",
    ),
]


@transaction.atomic
def demo_meetings_load(*, partnership):
    """Add the demo meetings (and the demo challenges); returns the meetings. Safe to run twice."""
    meetings = []
    for slug, kind, date, quarter, notes in MEETINGS:
        strategy = Strategy.objects.filter(partnership=partnership, slug=slug).first()
        if strategy is None:
            continue
        meeting, _ = Meeting.objects.get_or_create(
            strategy=strategy,
            kind=kind,
            date=date,
            delivery_group=None,
            defaults={"year": quarter.year, "number": quarter.number, "notes": notes},
        )
        meetings.append(meeting)
    executive = get_user_model().objects.filter(username="executive").first()
    by_date = {m.date: m for m in meetings if m.strategy.slug == HISTORY_STRATEGY}
    for date, about, kind, text, owner in CHALLENGES:
        meeting = by_date.get(date)
        if meeting is None:
            continue
        group = meeting.strategy.delivery_groups.filter(name=about.removeprefix("group:")).first()
        if group is None:
            continue
        Challenge.objects.get_or_create(
            meeting=meeting,
            delivery_group=group,
            text=DEMO_PREFIX + text,
            defaults={
                "kind": kind,
                "owner_text": owner,
                "state": Challenge.State.OPEN if kind == Challenge.Kind.DECISION else "",
                "created_by": executive,
                "created_at": timezone.make_aware(datetime.datetime.combine(date, datetime.time(11))),
            },
        )
    return meetings


# Publication ---------------------------------------------------------------------------------------

PUBLIC_HELP = (
    "In an emergency, or if a crime is happening now, call 999. To report a crime that is not an emergency, "
    "call 101 or report it online at met.police.uk.\n"
    "To report anti-social behaviour, noise or fly-tipping, contact the council's Report It service.\n"
    "If you are worried about domestic abuse, the National Domestic Abuse Helpline is free and open day and "
    "night on 0808 2000 247.\n"
    "To report crime anonymously, call Crimestoppers on 0800 555 111."
)
# Plain-English wording for the first actions of each published plan, and a public note for the
# first updated actions of its last closed quarter: enough for a new user to see how they show.
PUBLIC_WORDINGS = 3
PUBLIC_NOTES = 4


@transaction.atomic
def demo_publication_load(*, partnership):
    """Publish the partnership's strategies that have action plans, with CONTEST and Prevent held back
    (as every new group of theirs starts), the help block, and some public wording and notes.
    Saved through the models, so the audit trail shows it as an officer's work would."""
    if not partnership.public_help:
        partnership.public_help = PUBLIC_HELP
        partnership.save(update_fields=["public_help"])
    published = []
    for strategy in Strategy.objects.filter(partnership=partnership, actions__isnull=False).distinct():
        strategy.published = True
        strategy.save(update_fields=["published"])
        published.append(strategy)
        for group in DeliveryGroup.objects.filter(strategy=strategy, held_back=False):
            if DeliveryGroup.held_back_by_default(group.name, group.code):
                group.held_back = True
                group.save(update_fields=["held_back"])
        public = Action.objects.public().for_strategy(strategy).current().select_related("objective")
        # Once per strategy: loading the demo again writes no more.
        worded = public.exclude(public_wording="").exists()
        for action in [] if worded else public[:PUBLIC_WORDINGS]:
            text = action.text.strip().rstrip(".")
            first = text[:1].lower() if text[1:2].islower() else text[:1]
            action.public_wording = f"We will {first}{text[1:]}."
            action.save(update_fields=["public_wording"])
        closed = locked_quarters(strategy)
        if closed and not Update.objects.filter(action__strategy=strategy).exclude(public_note="").exists():
            last = closed[0]
            updates = (
                Update.objects.latest_for(public, last.end_moment)
                .filter(recorded_at__gte=last.start_moment)
                .order_by("action__ref")
            )
            for update in updates[:PUBLIC_NOTES]:
                update.public_note = PUBLIC_NOTE[update.status]
                update.save(update_fields=["public_note"])
    return published


PUBLIC_NOTE = {
    Status.NOT_STARTED: "Work on this is planned to start later in the year.",
    Status.IN_PROGRESS: "Work is under way with our partners; we will report again next quarter.",
    Status.ONGOING: "This continues as part of our regular work.",
    Status.COMPLETE: "This has been delivered.",
    Status.DEFERRED: "This has been moved to later in the plan.",
    Status.WITHDRAWN: "This is no longer going ahead.",
}


# The annual report -----------------------------------------------------------------------------------

ANNUAL_REPORT_YEAR = 2018
ANNUAL_REPORT_INTRODUCTION = (
    DEMO_PREFIX + "This report sets out the Safer Westminster Partnership's work in the second year of its "
    "2017-20 strategy: what the delivery groups completed, where delivery was held back, and how the "
    "partnership's indicators moved.\n\n"
    "Every figure and every action below comes from the leads' quarterly updates and the indicators' returns."
)
ANNUAL_REPORT_CONCLUSION = (
    DEMO_PREFIX + "The partnership enters the strategy's final year with most of its actions complete or on "
    "track. The Executive Group will review the actions rated Red with their leads, and the next strategic "
    "assessment will shape the 2020-23 strategy."
)


@transaction.atomic
def demo_annual_report_load(*, partnership):
    """Write the demo introduction and conclusion of the 2017-20 plan's 2018/19 report, unless it has words
    already. Returns the AnnualReport, or None without the plan."""
    strategy = Strategy.objects.filter(partnership=partnership, slug=HISTORY_STRATEGY).first()
    if strategy is None:
        return None
    report, _ = AnnualReport.objects.get_or_create(strategy=strategy, year=ANNUAL_REPORT_YEAR)
    if not (report.introduction or report.conclusion):
        report.introduction, report.conclusion = ANNUAL_REPORT_INTRODUCTION, ANNUAL_REPORT_CONCLUSION
        report.updated_by = get_user_model().objects.filter(username="officer").first()
        report.updated_at, report.version = timezone.now(), report.version + 1
        report.save()
    return report
