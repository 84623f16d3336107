"""The demo's illustrative current strategy: sample data whose period contains the day it is loaded.

The real SWP plans (fixtures/swp_demo.json) ended by March 2023, so on them alone no update round
could be opened and no lead would have anything to do this quarter. `demo_current_strategy_load`
adds, beside them, a three-year strategy marked `is_sample` (its pages say it is sample data), with
every date computed from the day it runs:

- the period starts on 1 April of the financial year before the current one, so it holds the
  current quarter and the two before it;
- the 2020/23 strategy's vision, principles and strategic objectives, carried forward;
- four delivery groups with sample actions drawn from the 2020/23 strategy's "we will" commitments
  (SAMPLE_GROUPS), every action updated in each of the last two quarters;
- sign-off on: in the current quarter some updates are approved, some wait for the chair and one was
  returned, and the demo lead has at least eight actions with no update yet;
- the last two quarters' update rounds closed, the current quarter's open; the Executive Group's
  meeting on the last quarter, with a challenge and a pack issued (the task worker makes its files),
  and its next meeting, which the open round serves.

Run again in the same quarter it changes nothing. Run in a later quarter it makes the strategy again
for that quarter: it is sample data, and nothing typed into it is meant to last.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from actions.models import RAG, Action, ActionLead, DeliveryGroup, Objective, Status, Update
from performance.demo import DEMO_PREFIX, follow_latest
from performance.models import Attendance, Challenge, Meeting, MeetingPack, UpdateRound
from performance.pack import pack_create
from performance.rounds import round_open
from strategy.models import Marking, Person, Principle, StrategicObjective, Strategy, name_key
from strategy.periods import Quarter

SAMPLE_SLUG = "swp-sample"
CARRIED_FROM = "swp-2020-2023"
LEAD = "Serena Simon"  # the demo `lead` login
SAMPLE_SUMMARY = (
    "Sample data for trying the service: an illustrative current plan that carries the 2020/23 strategic "
    "objectives forward. Its actions, updates, rounds, meetings and pack are made up. The partnership's "
    "real plans are the 2017-2020 and 2020/23 strategies."
)

# How an action went in the two quarters before this one: "green", "amber" and "red" are In progress
# (or Ongoing) with that RAG; "not_started" and "complete" are those statuses.
# This quarter: None (no update yet), "approved", "submitted" (waiting for the chair) or "returned".


@dataclass(frozen=True)
class SampleAction:
    text: str
    leads: tuple
    kpi: str
    due: int | None  # quarters after the current one it is due at the end of; None for ongoing
    history: tuple  # (two quarters ago, last quarter)
    this_quarter: str | None = None


@dataclass(frozen=True)
class SampleObjective:
    title: str
    strategic_objective: int
    actions: list


@dataclass(frozen=True)
class SampleGroup:
    name: str
    code: str
    chair: str
    aim: str
    objectives: list
    marking: str = Marking.OFFICIAL


A = SampleAction  # short, for the table below
SAMPLE_GROUPS = [
    SampleGroup(
        "Vulnerability and exploitation",
        "VE",
        "Sara Sutton",
        "Protect the most vulnerable in Westminster from becoming victims or offenders of violence or exploitation.",
        [
            SampleObjective(
                "Provide bespoke support to those most at risk of violence and exploitation",
                1,
                [
                    A(
                        "Run a monthly multi-agency exploitation panel for young people at risk, with a named "
                        "lead professional for each case.",
                        (LEAD,),
                        "# of young people reviewed; % with a plan within 10 working days",
                        None,
                        ("green", "green"),
                    ),
                    A(
                        "Re-commission the specialist domestic abuse advocacy service with Kensington and "
                        "Chelsea and Hammersmith and Fulham.",
                        (LEAD,),
                        "Contract awarded; # of referrals; % of clients reporting feeling safer",
                        3,
                        ("green", "amber"),
                        "approved",
                    ),
                    A(
                        "Agree a minimum standard with housing providers for responding to victims of violence "
                        "and exploitation.",
                        (LEAD,),
                        "# of housing providers signed up to the standard",
                        2,
                        ("amber", "red"),
                    ),
                    A(
                        "Train front-line staff across the partnership to recognise the signs of exploitation "
                        "and refer.",
                        (LEAD, "Adam Taylor"),
                        "# of staff trained; # of referrals from trained staff",
                        4,
                        ("not_started", "green"),
                        "submitted",
                    ),
                ],
            ),
            SampleObjective(
                "Prevent young people (10-24) from involvement in violence and exploitation",
                1,
                [
                    A(
                        "Extend the public health approach to serious youth violence piloted in Church Street "
                        "ward to two more wards.",
                        (LEAD,),
                        "# of young people engaged; knife crime with injury, victims under 25",
                        5,
                        ("green", "green"),
                    ),
                    A(
                        "Run sessions for parents in schools on the parenting toolkit on youth violence.",
                        (LEAD,),
                        "# of sessions; # of parents attending",
                        1,
                        ("amber", "green"),
                        "submitted",
                    ),
                    A(
                        "Fund detached youth work in the evenings in the three wards with most youth violence.",
                        (LEAD,),
                        "# of sessions; # of young people engaged",
                        3,
                        ("green", "amber"),
                        "returned",
                    ),
                    A(
                        "Hold community engagement events with faith and community groups on youth violence.",
                        ("Kiran Hayer",),
                        "# of events; # of residents attending",
                        None,
                        ("green", "green"),
                        "approved",
                    ),
                ],
            ),
            SampleObjective(
                "Protect the most vulnerable older adults from fraud and exploitation",
                1,
                [
                    A(
                        "Set up a joint task and finish group on older residents' victimisation with the "
                        "Safeguarding Adults Executive Group.",
                        (LEAD,),
                        "Group set up; action plan agreed",
                        -1,
                        ("green", "complete"),
                    ),
                    A(
                        "Run doorstep crime and scam awareness sessions with older residents.",
                        ("Trading standards", LEAD),
                        "# of sessions; # of residents reached",
                        2,
                        ("green", "green"),
                    ),
                    A(
                        "Install call blockers for residents repeatedly targeted by scam callers.",
                        (LEAD,),
                        "# of call blockers installed; # of scam calls blocked",
                        None,
                        ("amber", "amber"),
                    ),
                ],
            ),
        ],
    ),
    SampleGroup(
        "Reducing re-offending",
        "RO",
        "Jess Ruddell",
        "Work with the most problematic offenders to reduce their re-offending.",
        [
            SampleObjective(
                "Tackle the drivers of crime: substance misuse, employment and accommodation",
                2,
                [
                    A(
                        "Find settled accommodation for offenders leaving custody within their first week out.",
                        ("Offender co-ordinator",),
                        "% of the cohort housed within a week of release",
                        3,
                        ("amber", "green"),
                        "approved",
                    ),
                    A(
                        "Refer members of the Integrated Offender Management cohort to the employment service.",
                        ("Iain Keating",),
                        "# of referrals; # into work or training",
                        None,
                        ("green", "green"),
                    ),
                    A(
                        "Agree a treatment pathway for prolific offenders who misuse drugs or alcohol.",
                        (LEAD,),
                        "Pathway agreed; # of offenders starting treatment",
                        2,
                        ("not_started", "amber"),
                    ),
                ],
            ),
            SampleObjective(
                "Make Integrated Offender Management work for the most recidivist offenders",
                2,
                [
                    A(
                        "Bring the IOM cohort under the unified probation service's case management.",
                        ("Claire Kelland",),
                        "% of the cohort with a current sentence plan",
                        2,
                        ("red", "amber"),
                        "approved",
                    ),
                    A(
                        "Agree a strategic approach to cross-border offenders with neighbouring boroughs.",
                        ("Lilly Harrington",),
                        "Protocol agreed with neighbouring boroughs",
                        4,
                        ("green", "red"),
                    ),
                    A(
                        "Set up a support offer for 18-25 year old offenders moving on from youth services.",
                        ("YOS",),
                        "# of young adults supported; proven re-offending rate",
                        3,
                        ("green", "green"),
                    ),
                ],
            ),
        ],
    ),
    SampleGroup(
        "West End",
        "WE",
        "Ian Hennessy",
        "Make the West End a safer place for visitors, residents and businesses, and hear what matters most to them.",
        [
            SampleObjective(
                "A safe and thriving night-time economy in the West End and St James's",
                3,
                [
                    A(
                        "Run joint licensing and police patrols at the night-time hotspots between 6pm and 6am.",
                        ("Police",),
                        "# of joint patrols; violence with injury, 6pm to 6am",
                        None,
                        ("amber", "green"),
                        "approved",
                    ),
                    A(
                        "Fund a welfare and vulnerability training scheme for night-time venue staff.",
                        (LEAD,),
                        "# of venues taking part; # of staff trained",
                        2,
                        ("green", "green"),
                    ),
                    A(
                        "Share crime and anti-social behaviour data with the Business Improvement Districts each "
                        "quarter.",
                        ("Beth Coyne",),
                        "Quarterly data shared",
                        None,
                        ("green", "green"),
                    ),
                ],
            ),
            SampleObjective(
                "Hear what matters most to residents, businesses and visitors",
                5,
                [
                    A(
                        "Run a residents' community safety survey and publish what it found.",
                        (LEAD,),
                        "Survey published; # of responses",
                        1,
                        ("not_started", "green"),
                    ),
                    A(
                        "Hold a community safety meeting in each ward twice a year.",
                        ("Angela Lambillion",),
                        "# of ward meetings held",
                        None,
                        ("green", "green"),
                        "approved",
                    ),
                ],
            ),
        ],
    ),
    SampleGroup(
        "CONTEST",
        "C",
        "Mick Smith",
        "Enhance the partnership response to countering terrorism.",
        [
            SampleObjective(
                "Prevent: stop people becoming terrorists or supporting terrorism",
                4,
                [
                    A(
                        "Deliver the Home Office-funded Prevent projects in schools and community settings.",
                        ("Mick Smith",),
                        "# of projects delivered; # of participants",
                        3,
                        ("green", "green"),
                    ),
                    A(
                        "Train staff who work with young people in Prevent awareness.",
                        ("Stephen Ansah",),
                        "# of staff trained",
                        2,
                        ("amber", "green"),
                        "approved",
                    ),
                ],
            ),
            SampleObjective(
                "Protect and Prepare: strengthen protection of crowded places and plan for an attack",
                4,
                [
                    A(
                        "Review protective security at crowded places with venue owners.",
                        ("Police",),
                        "# of crowded places reviewed",
                        4,
                        ("green", "amber"),
                    ),
                    A(
                        "Exercise the borough's emergency plan for a terrorist attack with partners.",
                        ("Gareth Morgan",),
                        "Exercise held; lessons learned agreed",
                        2,
                        ("green", "green"),
                    ),
                ],
            ),
        ],
        marking=Marking.OFFICIAL_SENSITIVE,
    ),
]
del A

COMMENTARY = {
    "green": "On track: this quarter's milestones were met and reported to the group.",
    "amber": "At risk: partner data has not been shared yet. Mitigation: the data-sharing agreement has been "
    "escalated to the chair.",
    "red": "Off track: a key post has been vacant since the start of the quarter. Corrective action: interim "
    "cover agreed with the lead agency.",
    "not_started": "Not started yet: scoping with partners.",
    "complete": "Complete: delivered as planned; evidence held by the lead agency.",
}
THIS_QUARTER_COMMENTARY = "Progressing as planned: the first sessions of the quarter have taken place."
RETURNED_COMMENT = (
    "The rating says Amber but the commentary does not say what is at risk: please add it, and the date you "
    "now expect to deliver by."
)


def _tuesday_after(day, weeks):
    """The Tuesday at least `weeks` weeks after `day`: when the Executive Group would meet."""
    day += datetime.timedelta(weeks=weeks)
    return day + datetime.timedelta(days=(1 - day.weekday()) % 7)


def _moment(day, hour):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _in_last_month(quarter, index):
    """A working-day morning in the quarter's last month: when a lead would write the quarter's update."""
    day = quarter.end.replace(day=8) + datetime.timedelta(days=index % 12)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return _moment(day, 9 + index % 8)


def _so_far(quarter, now, share):
    """The moment `share` of the way from the quarter's start to `now`."""
    return quarter.start_moment + (now - quarter.start_moment) * share


@transaction.atomic
def demo_current_strategy_load(*, partnership):
    """Add (or bring up to date) the sample current strategy; returns it, or None when the partnership has
    no 2020/23 strategy to carry forward."""
    carried = Strategy.objects.filter(partnership=partnership, slug=CARRIED_FROM).first()
    if carried is None:
        return None
    now = timezone.now()
    current = Quarter.containing(timezone.localdate(now))
    existing = Strategy.objects.filter(partnership=partnership, slug=SAMPLE_SLUG).first()
    if existing is not None:
        if UpdateRound.objects.filter(strategy=existing).for_quarter(current).exists():
            return existing  # made this quarter already
        # Packs and held meetings are kept from deletion (they are the record); these are sample data,
        # made anew each quarter, so their meetings are released first.
        Meeting.objects.filter(strategy=existing).update(held_at=None)
        MeetingPack.objects.filter(strategy=existing).delete()
        existing.delete()
    logins = get_user_model().objects.filter(username__in=["officer", "chair", "lead", "executive"])
    users = {user.username: user for user in logins}
    strategy = _strategy_create(partnership=partnership, carried=carried, current=current)
    actions = _plan_create(strategy=strategy, current=current)
    _updates_create(actions=actions, current=current, now=now, users=users)
    _rounds_and_meetings_create(strategy=strategy, current=current, now=now, users=users)
    return strategy


def _strategy_create(*, partnership, carried, current):
    start = Quarter(current.year - 1, 1).start
    end = Quarter(current.year + 1, 4).end
    strategy = Strategy.objects.create(
        partnership=partnership,
        slug=SAMPLE_SLUG,
        title=f"Safer Westminster Partnership Strategy {start:%Y}/{end:%y} (sample)",
        start_date=start,
        end_date=end,
        vision=carried.vision,
        summary=SAMPLE_SUMMARY,
        status=Strategy.Status.ACTIVE,
        marking=carried.marking,
        requires_sign_off=True,
        is_sample=True,
    )
    Principle.objects.bulk_create(
        Principle(strategy=strategy, position=p.position, title=p.title, description=p.description)
        for p in carried.principles.all()
    )
    StrategicObjective.objects.bulk_create(
        StrategicObjective(strategy=strategy, number=o.number, title=o.title, we_will=o.we_will, evidence=o.evidence)
        for o in carried.strategic_objectives.all()
    )
    return strategy


def _plan_create(*, strategy, current):
    """The delivery groups, objectives and actions; returns [(action, SampleAction)] in plan order."""
    people = {name_key(p.name): p for p in Person.objects.filter(partnership=strategy.partnership_id)}
    priorities = {o.number: o for o in strategy.strategic_objectives.all()}
    created = current.previous().previous().start_moment
    found = []
    for position, spec in enumerate(SAMPLE_GROUPS, start=1):
        group = DeliveryGroup.objects.create(
            strategy=strategy,
            name=spec.name,
            code=spec.code,
            position=position,
            aim=spec.aim,
            chair=people.get(name_key(spec.chair)),
            marking=spec.marking,
        )
        for number, objective_spec in enumerate(spec.objectives, start=1):
            objective = Objective.objects.create(
                delivery_group=group,
                number=number,
                title=objective_spec.title,
                strategic_objective=priorities.get(objective_spec.strategic_objective),
            )
            for action_position, action_spec in enumerate(objective_spec.actions, start=1):
                leads = [people[name_key(name)] for name in action_spec.leads if name_key(name) in people]
                action = Action(
                    objective=objective,
                    position=action_position,
                    ref=f"{spec.code}{number}.{action_position}",
                    text=action_spec.text,
                    kpi=action_spec.kpi,
                    deadline_text=_deadline(action_spec.due, current=current, strategy=strategy),
                    lead_organisation=next((p.organisation for p in leads if p.organisation_id), None),
                    created_at=created,
                )
                action.save()
                ActionLead.objects.bulk_create(
                    ActionLead(action=action, person=person, position=n) for n, person in enumerate(leads, start=1)
                )
                found.append((action, action_spec))
    return found


def _deadline(due, *, current, strategy):
    if due is None:
        return "Ongoing"
    quarter = current
    for _ in range(abs(due)):
        quarter = quarter.next() if due > 0 else quarter.previous()
    return f"{min(quarter.end, strategy.end_date):%d/%m/%Y}"


def _updates_create(*, actions, current, now, users):
    """Approved updates in each of the last two quarters, then this quarter's, as SampleAction says."""
    officer, chair, lead = users.get("officer"), users.get("chair"), users.get("lead")
    chair_person = Person.objects.filter(user=chair).values_list("pk", flat=True).first() if chair else None
    last = current.previous()
    updates = []
    for index, (action, spec) in enumerate(actions):
        led_by_lead = lead is not None and any(name_key(name) == name_key(LEAD) for name in spec.leads)
        # With sign-off on, the lead's updates count once the group's chair (or an officer) approved them.
        author = lead if led_by_lead else officer
        group = action.objective.delivery_group
        reviewer = chair if chair_person and group.chair_id == chair_person else officer
        ongoing = spec.due is None
        for step, (quarter, state) in enumerate(zip((last.previous(), last), spec.history, strict=True)):
            recorded = _in_last_month(quarter, index)
            updates.append(
                _update(
                    action,
                    state,
                    ongoing=ongoing,
                    progress=100 if state == "complete" else (0 if state == "not_started" else 25 + 25 * step),
                    recorded_at=recorded,
                    author=author,
                    reviewer=reviewer if author == lead else None,
                    reviewed_at=recorded + datetime.timedelta(days=2),
                    revised=last.next().next().end if state == "red" else None,
                )
            )
        if spec.this_quarter is None:
            continue
        recorded = _so_far(current, now, 0.2 + (index % 5) / 10)
        this_quarter_author = author if spec.this_quarter == "approved" else lead
        update = _update(
            action,
            "green",
            ongoing=ongoing,
            progress=70,
            recorded_at=recorded,
            author=this_quarter_author,
            reviewer=reviewer if this_quarter_author == lead else None,
            reviewed_at=_so_far(current, now, 0.75),
            revised=None,
        )
        update.commentary = DEMO_PREFIX + THIS_QUARTER_COMMENTARY
        if spec.this_quarter == "submitted":
            update.review_state, update.reviewed_by, update.reviewed_at = Update.ReviewState.SUBMITTED, None, None
        elif spec.this_quarter == "returned":
            update.rag, update.commentary = RAG.AMBER, DEMO_PREFIX + "At risk."
            update.review_state, update.review_comment = Update.ReviewState.RETURNED, RETURNED_COMMENT
        updates.append(update)
    Update.objects.bulk_create(updates)
    plan = [action for action, _ in actions]
    follow_latest(plan, updates)
    Action.objects.bulk_update(
        plan, ["status", "rag", "progress", "revised_due_date", "latest_update", "last_updated_at"]
    )


def _update(action, state, *, ongoing, progress, recorded_at, author, reviewer, reviewed_at, revised):
    if state in (RAG.GREEN, RAG.AMBER, RAG.RED):
        status, rag = (Status.ONGOING if ongoing else Status.IN_PROGRESS), state
    else:
        status, rag = Status(state), ""
    return Update(
        action=action,
        created_by=author,
        created_at=recorded_at,
        recorded_at=recorded_at,
        source=Update.Source.WEB,
        status=status,
        rag=rag,
        progress=progress,
        commentary=DEMO_PREFIX + COMMENTARY[state],
        revised_due_date=revised,
        approved_by=f"{action.objective.delivery_group.name} group" if status == Status.COMPLETE else "",
        reviewed_by=reviewer,
        reviewed_at=reviewed_at if reviewer else None,
    )


def _rounds_and_meetings_create(*, strategy, current, now, users):
    """The last two quarters' rounds closed, the current one open for the next meeting, and the last
    quarter's Executive Group meeting with a challenge and an issued pack."""
    officer = users.get("officer")
    last = current.previous()
    for quarter in (last.previous(), last):
        UpdateRound.objects.create(
            strategy=strategy,
            year=quarter.year,
            number=quarter.number,
            deadline=quarter.next().start + datetime.timedelta(days=14),
            opened_by=officer,
            opened_at=_moment(quarter.end - datetime.timedelta(days=21), 10),
            closed_by=officer,
            closed_at=min(now, _moment(quarter.next().start + datetime.timedelta(days=16), 17)),
        )
    reviewed = Meeting.objects.create(
        strategy=strategy,
        kind=Meeting.Kind.EXECUTIVE,
        date=_tuesday_after(current.start, weeks=3),
        year=last.year,
        number=last.number,
        notes=DEMO_PREFIX + f"Reviews {last}.",
    )
    upcoming = Meeting.objects.create(
        strategy=strategy,
        kind=Meeting.Kind.EXECUTIVE,
        date=_tuesday_after(current.next().start, weeks=3),
        year=current.year,
        number=current.number,
        notes=DEMO_PREFIX + f"Reviews {current}.",
    )
    _challenges_create(meeting=reviewed, upcoming=upcoming, users=users)
    _attendance_record(meeting=reviewed, now=now, by=officer)
    round_open(strategy=strategy, quarter=current, by=officer, meeting=upcoming)
    if officer is not None:
        # Made by the task worker (`make run` starts it), as when an officer issues a pack: it takes seconds.
        pack_create(meeting=reviewed, by=officer)


def _challenges_create(*, meeting, upcoming, users):
    """At `meeting`, a challenge to the plan's first Red action (if any) and a decision due before
    the `upcoming` meeting."""
    officer = users.get("officer")
    strategy = meeting.strategy
    red = Action.objects.filter(strategy=strategy, rag=RAG.RED).order_by("ref").first()
    if red is not None:
        Challenge.objects.create(
            meeting=meeting,
            action=red,
            kind=Challenge.Kind.CHALLENGE,
            text=DEMO_PREFIX + f"What does {red.ref} need from partners to be back on track by the next meeting?",
            owner_text=f"{red.objective.delivery_group.name} group chair",
            created_by=users.get("executive") or officer,
        )
    # A decision with an owner and a due date before the next meeting, which that meeting's page and
    # pack carry forward ("Actions from previous meetings") until it is closed.
    owner = Person.objects.filter(user=users.get("lead")).first() if users.get("lead") else None
    Challenge.objects.create(
        meeting=meeting,
        action=red,
        kind=Challenge.Kind.DECISION,
        text=DEMO_PREFIX
        + (
            f"{red.ref}: bring a recovery plan to the next meeting."
            if red
            else "Each group brings its Red actions' recovery plans."
        ),
        owner_person=owner,
        owner_text="" if owner else "Delivery-group leads",
        due_date=upcoming.date - datetime.timedelta(days=7),
        state=Challenge.State.OPEN,
        created_by=users.get("executive") or officer,
    )


def _attendance_record(*, meeting, now, by):
    """Who came to `meeting`, and, if its day has come, the meeting marked held by `by`."""
    strategy = meeting.strategy
    # The demo logins' people came and one person sent apologies, recorded before it is marked held.
    people = list(
        Person.objects.filter(partnership=strategy.partnership, kind=Person.Kind.PERSON, user__isnull=False)
        .order_by("name")
        .distinct()
    )
    absent = Person.objects.filter(partnership=strategy.partnership, kind=Person.Kind.PERSON, user__isnull=True)
    people_absent = list(absent.order_by("name")[:1])
    for person in people:
        Attendance.objects.create(meeting=meeting, person=person, state=Attendance.State.ATTENDED)
    for person in people_absent:
        Attendance.objects.create(meeting=meeting, person=person, state=Attendance.State.APOLOGIES)
    if meeting.date <= timezone.localdate(now):
        meeting.held_at, meeting.held_by, meeting._change_reason = _moment(meeting.date, 17), by, "Marked held"
        meeting.save(update_fields=["held_at", "held_by"])
