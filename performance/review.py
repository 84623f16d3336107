"""The quarterly review: every figure the dashboard and the meeting pack show, as at the end of a quarter.

Nothing is snapshotted. Each action's state at the end of the quarter is its latest update that
counts by then (approved, recorded on or before the quarter's last instant: UpdateQuerySet.as_at);
the quarter before is read the same way for the comparisons. With `known_by`, only what the service
knew at that moment counts (no later correction or sign-off), which is how an issued pack is made
again exactly as issued.

`build_review(...)` runs a fixed number of queries, whatever the size of the plan:
  1. delivery groups; 2. objectives; 3. the quarter's update round, for its deadline;
  4. the actions in the plan at the quarter's end, each with its update that counts as at the
     quarter's end and as at the end of the quarter before, its revised due date then, and whether
     it had an update returned on time (one index probe per action for each);
  5. contributing agencies (the many-to-many table);
  6. partner agencies; 7. meetings reviewing the quarter; 8. their challenges and decisions;
  9-10. the KPI table (performance.indicators.indicator_rows);
and `load_details(rows)` up to three more for the rows a page lists: their texts, their leads and
their updates' text. The dashboard's `build_review(..., every_action=False)` counts the same and cuts each
list to its first few actions.
Each action's flags (overdue, no update, due next quarter, each Change) come with its row, by the
rules the action list's filters apply (actions.models.StateColumns, change_q), so every count links
to the filtered action list showing exactly those actions; Python only counts them.
"""

import datetime
import functools
from collections import Counter, defaultdict, namedtuple
from dataclasses import dataclass, field
from operator import attrgetter
from urllib.parse import quote

from django.db.models import (
    Exists,
    Max,
    OuterRef,
    Q,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from actions.models import (
    RAG,
    RATED_STATUSES,
    Action,
    ActionLead,
    Change,
    DeliveryGroup,
    Objective,
    Status,
    Update,
    action_urls,
    ended_quarters,
    rating,
)
from performance.charts import PHONE_CHART_WIDTH
from performance.indicators import indicator_rows
from performance.models import Challenge, Meeting, UpdateRound
from strategy import permissions
from strategy.models import Marking, Organisation
from strategy.periods import Quarter

# How many actions a dashboard list (and each group's exceptions) shows before pointing to the action
# list for the rest: the page stays readable, and quick, whatever the size of the plan.
EXCEPTION_LIMIT = 25
LIST_LIMIT = 10

STATUS_COLUMNS = list(Status.choices)
RAG_COLUMNS = [(RAG.GREEN, "Green"), (RAG.AMBER, "Amber"), (RAG.RED, "Red")]

# The chart's categories: each status, with In progress and Ongoing split by their RAG. Each has a
# short label drawn on its bar segment, so the chart never relies on colour alone.
CHART_CATEGORIES = [
    # key, label, short label, fill, text colour
    ("red", "Red", "R", "#d4351c", "#ffffff"),
    ("amber", "Amber", "A", "#ffdd00", "#0b0c0c"),
    ("green", "Green", "G", "#00703c", "#ffffff"),
    ("unrated", "Not rated", "NR", "#b1b4b6", "#0b0c0c"),
    ("not_started", "Not started", "NS", "#f3f2f1", "#0b0c0c"),
    ("complete", "Complete", "C", "#1d70b8", "#ffffff"),
    ("deferred", "Deferred", "D", "#4c2c92", "#ffffff"),
    ("withdrawn", "Withdrawn", "W", "#505a5f", "#ffffff"),
]


def chart_category(status, rag):
    if status in RATED_STATUSES:
        return rag or "unrated"
    return status


@dataclass(slots=True)
class ActionState:
    """One action as it stood at the end of the quarter, and how it moved since the quarter before."""

    pk: int
    ref: str
    group_id: int
    objective_id: int
    lead_organisation_id: int | None
    marking: str
    due_date: datetime.date | None
    status: str = Status.NOT_STARTED
    rag: str = ""
    progress: int = 0
    update_id: int | None = None
    recorded_at: datetime.datetime | None = None
    revised_due_date: datetime.date | None = None
    was_status: str = Status.NOT_STARTED
    was_rag: str = ""
    changes: frozenset = frozenset()
    overdue: bool = False
    due_next: bool = False
    no_update: bool = False
    updated_in_quarter: bool = False
    owed_update: bool = False
    returned_on_time: bool = False
    # Filled by load_details for the actions a page lists.
    text: str = ""
    deadline_text: str = ""
    leads: str = ""
    update: object = None
    url: str = ""  # its page

    @property
    def rating(self):
        return rating(self.status, self.rag)

    @property
    def was_rating(self):
        return rating(self.was_status, self.was_rag)

    @property
    def is_new(self):
        """Not in the plan at the end of the quarter before."""
        return Change.NEW in self.changes

    @property
    def effective_due_date(self):
        return self.revised_due_date or self.due_date

    @property
    def get_status_display(self):
        return Status(self.status).label


@dataclass
class CountRow:
    """Counts of actions by status and RAG for one group, objective or agency, each with its link."""

    label: str
    params: dict
    total: int = 0
    by_status: list = field(default_factory=list)  # [(value, label, n, url)]
    by_rag: list = field(default_factory=list)
    url: str = ""
    extra: dict = field(default_factory=dict)
    categories: Counter = field(default_factory=Counter)


@dataclass
class Review:
    strategy: object
    quarter: Quarter
    known_by: datetime.datetime | None
    include_amber: bool
    group: object
    actions: list  # every action's state, in plan order
    action_markings: set  # the markings of the actions counted
    groups: list
    objectives: list
    group_rows: list
    objective_count: int  # objectives with actions
    objective_rows_made: object  # makes objective_rows when first asked (a dashboard may only link to them)
    total_row: CountRow
    comparison: list
    exceptions: list  # [(group, [ActionState])]
    exception_count: int
    exception_url: str
    changes: list  # [(Change, label, [ActionState], url)]
    overdue: list
    no_update: list
    due_next: list
    agencies: list
    round: object
    kpis: list
    contextual_kpis: list
    meetings: list
    challenges: list
    chart: dict
    phone_chart: dict  # the same chart drawn narrow, so its labels stay readable on a phone
    was_total_row: CountRow

    @functools.cached_property
    def objective_rows(self):
        return self.objective_rows_made()

    @property
    def previous(self):
        return self.quarter.previous()

    @property
    def marking(self):
        """The highest handling marking of anything shown: the strategy, its groups, actions, indicators."""
        markings = [self.strategy.marking, *(group.marking for group in self.groups)]
        markings += self.action_markings
        markings += [row.indicator.marking for row in (*self.kpis, *self.contextual_kpis)]
        return Marking.highest(markings)

    def action_by_ref(self, ref):
        """The state of the action in this review whose reference is `ref` (any case), or None."""
        return next((state for state in self.actions if state.ref.casefold() == ref.casefold()), None)

    def link(self, **params):
        return action_list_link(self.strategy, self.quarter, within=self.group)(**params)


def action_list_link(strategy, quarter, *, within=None):
    """A function of filters (`link(status=..., group=...)`) giving the address of the action list
    filtered to exactly the actions a count counts, as at the end of `quarter` (`within` a delivery
    group, for a group's meeting). The common part of the address is worked out once per review."""
    query = [("strategy", strategy.slug), ("as_at", quarter.slug)]
    if within is not None:
        query.append(("group", within.pk))
    base = f"{reverse('actions:action_list')}?{urlencode(query)}"

    def link(**params):
        return base + "".join(
            f"&{key}={quote(str(item))}"
            for key, value in params.items()
            for item in (value if isinstance(value, (list, tuple)) else [value])
        )

    return link


def default_quarter(strategy, today=None):
    """The latest quarter of the strategy that has ended (None before its first quarter ends)."""
    quarters = ended_quarters(strategy, today)
    return quarters[0] if quarters else None


def latest_reviewed(strategies, user, today=None):
    """Where a review opens when it is not told: of `strategies`, the one whose most recent ended
    quarter holds a counted update `user` may see, and that quarter, as (strategy, quarter); (None,
    None) when no ended quarter of any of them has one. One query, over these strategies' updates."""
    strategies = {strategy.pk: strategy for strategy in strategies}
    if not strategies:
        return None, None
    today = today or timezone.localdate()
    before = Quarter.containing(today).start_moment
    latest = (
        Update.objects.visible_to(user)
        .approved()
        .filter(action__strategy__in=list(strategies), recorded_at__lt=before)
        .values("action__strategy")
        .annotate(last=Max("recorded_at"))
        .order_by()
    )
    found = []
    for row in latest:
        strategy = strategies[row["action__strategy"]]
        quarters = ended_quarters(strategy, today)
        if not quarters:
            continue
        quarter = Quarter.containing(timezone.localtime(row["last"]).date())
        # An update recorded after the strategy ended belongs to its last quarter's review.
        quarter = min(max(quarter, quarters[-1]), quarters[0])
        found.append((quarter, strategy.start_date, strategy))
    if not found:
        return None, None
    quarter, _, strategy = max(found, key=lambda item: (item[0], item[1]))
    return strategy, quarter


def build_review(*, strategy, quarter, user, include_amber=False, known_by=None, group=None, every_action=True):
    """Everything the dashboard and the pack show for `strategy` as at the end of `quarter`, limited
    to what `user` may see (and to one delivery group with `group`, for that group's meeting).

    With `every_action` (the pack), every list is whole. Without it (the dashboard), each list holds
    its first LIST_LIMIT actions (each group's exceptions EXCEPTION_LIMIT), with `.total` saying how
    many it has in all; the figures are the same."""
    end = quarter.end_moment
    actions = Action.objects.for_strategy(strategy).visible_to(user)
    if group is not None:
        actions = actions.filter(objective__delivery_group=group)
    groups, objectives, placing = _plan(strategy, user, group)
    in_plan = actions.existing_at(end, known_by=known_by)
    # One round a quarter: no ordering (the default one joins the strategy and its partnership).
    update_round = UpdateRound.objects.filter(strategy=strategy).for_quarter(quarter).order_by().first()
    on_time = _returned_on_time(quarter, update_round, known_by)
    exception_rags = (RAG.RED, RAG.AMBER) if include_amber else (RAG.RED,)
    states = _states(in_plan, quarter=quarter, known_by=known_by, placing=placing, on_time=on_time)
    contributions = Action.contributing_organisations.through.objects.filter(action__strategy=strategy).values_list(
        "action_id", "organisation_id"
    )
    if not states:
        contributions = ()  # nothing to count, so nothing to ask
    tally = Tally.of(states, contributions)
    listed = _listing(states, exception_rags)
    if not every_action:
        listed = {
            key: found[: EXCEPTION_LIMIT if isinstance(key, tuple) else LIST_LIMIT] for key, found in listed.items()
        }

    organisations = list(Organisation.objects.filter(partnership_id=strategy.partnership_id))
    meetings = list(
        Meeting.objects.visible_to(user)
        .filter(strategy=strategy)
        .for_quarter(quarter)
        .select_related("strategy", "delivery_group")
        .order_by("date", "pk")
    )
    challenges = _challenges(meetings, user=user, known_by=known_by, group=group)
    kpis = indicator_rows(strategy=strategy, user=user, as_at=quarter.end, known_at=known_by)

    return _assemble(
        strategy=strategy,
        quarter=quarter,
        known_by=known_by,
        include_amber=include_amber,
        exception_rags=exception_rags,
        group=group,
        actions=states,
        tally=tally,
        listed=listed,
        groups=groups,
        objectives=objectives,
        placing=placing,
        organisations=organisations,
        update_round=update_round,
        kpis=kpis,
        meetings=meetings,
        challenges=challenges,
    )


def _plan(strategy, user, group):
    """The delivery groups `user` may see (only `group`, when given), their objectives in plan order,
    and each objective's placing: {objective id: (group id, rank in the plan, higher marking of the
    objective and its group)}."""
    groups = list(
        permissions.scope(
            # The default ordering within one strategy, without joining the strategy and partnership.
            DeliveryGroup.objects.filter(strategy=strategy).select_related("chair").order_by("position", "name"),
            user,
        )
    )
    if group is not None:
        groups = [g for g in groups if g.pk == group.pk]
    objectives = list(
        Objective.objects.filter(delivery_group__in=[g.pk for g in groups]).order_by(
            "delivery_group__position", "delivery_group__name", "number", "pk"
        )
    )
    # Each action's group, the higher marking of its objective and group, and its objective's place in
    # the plan: the big query then reads the actions table alone, unsorted, and Python sorts.
    group_markings = {g.pk: g.marking for g in groups}
    placing = {}
    for rank, objective in enumerate(objectives):
        marking, group_marking = objective.marking, group_markings[objective.delivery_group_id]
        if marking != group_marking:  # most share their group's: no need to compare them
            marking = Marking.highest([marking, group_marking])
        placing[objective.pk] = (objective.delivery_group_id, rank, marking)
    return groups, objectives, placing


def _challenges(meetings, *, user, known_by, group):
    """The challenges and decisions `user` may see from `meetings`, as known by `known_by`; with
    `group`, those of its meetings or about its actions, objectives or the group itself."""
    challenges = Challenge.objects.visible_to(user).filter(meeting__in=[m.pk for m in meetings])
    if known_by is not None:
        challenges = challenges.filter(created_at__lte=known_by)
    if group is not None:
        challenges = (
            challenges.filter(meeting__delivery_group=group)
            | challenges.filter(action__objective__delivery_group=group)
            | challenges.filter(delivery_group=group)
            | challenges.filter(objective__delivery_group=group)
        )
    found = list(
        challenges.select_related(
            "action", "objective", "delivery_group", "owner_person", "owner_organisation", "created_by"
        ).order_by("meeting__date", "created_at", "pk")
    )
    # Their meetings are `meetings`, already read with their groups: joining them again would only
    # make the query longer to plan.
    by_pk = {meeting.pk: meeting for meeting in meetings}
    for challenge in found:
        challenge.meeting = by_pk[challenge.meeting_id]
    return found


def _states(in_plan, *, quarter, known_by, placing, on_time):
    """The ActionState of each of `in_plan`'s actions in plan order, in one query: its state and flags
    at the end of `quarter` (ActionQuerySet.with_flags_as_at), how it moved since the quarter before
    (with_changes), and whether it had an update returned on time (`on_time`, a Q over Update)."""
    rows = (
        in_plan.with_flags_as_at(quarter, known_by=known_by)
        .with_changes(quarter, known_by=known_by)
        # A returned (sent back) update was still returned; only who returned it and when matter.
        .annotate(returned=Exists(Update.objects.filter(on_time, action=OuterRef("pk"))))
        .order_by()
        .values_list(
            "pk",
            "ref",
            "ref_sort",
            "objective_id",
            "lead_organisation_id",
            "marking",
            "due_date",
            *(f"as_at_{name}" for name in ("update_id", "status", "rag", "progress", "revised_due_date")),
            *(f"as_at_{name}" for name in ("overdue", "due_next", "no_update", "updated_in_quarter")),
            "was_status",
            "was_rag",
            "was_open",
            "returned",
            *(f"changed_{change.value}" for change in Change),
        )
    )
    found = []
    for (
        pk,
        ref,
        ref_sort,
        objective_id,
        lead_org,
        marking,
        due,
        update_id,
        status,
        rag,
        progress,
        revised,
        overdue,
        due_next,
        no_update,
        updated,
        was_status,
        was_rag,
        was_open,
        returned,
        *moved,
    ) in rows:
        group_id, rank, objective_marking = placing[objective_id]
        state = ActionState(
            pk=pk,
            ref=ref,
            group_id=group_id,
            objective_id=objective_id,
            lead_organisation_id=lead_org,
            marking=marking if marking == objective_marking else Marking.highest([marking, objective_marking]),
            due_date=due,
            status=status,
            rag=rag,
            progress=progress,
            update_id=update_id,
            revised_due_date=revised,
            was_status=was_status,
            was_rag=was_rag,
            changes=_changes(*moved),
            overdue=overdue,
            due_next=due_next,
            no_update=no_update,
            updated_in_quarter=updated,
            owed_update=was_open,
            returned_on_time=returned,
        )
        found.append((rank, ref_sort, pk, state))
    found.sort()  # plan order; pks differ, so the states themselves are never compared
    return [state for *_, state in found]


@functools.lru_cache(maxsize=128)
def _changes(*moved):
    """The Changes whose changed_<value> flags are `moved` (in Change's order), as one shared set."""
    return frozenset(change for change, flag in zip(Change, moved, strict=True) if flag)


def _returned_on_time(quarter, update_round, known_by):
    """Which updates count as returned on time for `quarter` (a Q over Update): recorded within the
    quarter or, when an update round collected it, entered by the end of the round's deadline day."""
    on_time = Q(recorded_at__gte=quarter.start_moment)
    if update_round is not None:
        cutoff = timezone.make_aware(datetime.datetime.combine(update_round.deadline, datetime.time.max))
        on_time &= Q(recorded_at__lte=cutoff, created_at__lte=cutoff)
    else:
        on_time &= Q(recorded_at__lte=quarter.end_moment)
    if known_by is not None:
        on_time &= Q(created_at__lte=known_by)
    return on_time


def _count_row(label, pairs, link, base_params):
    """A row of counts from `pairs`, a Counter of (status, RAG) over the row's actions."""
    row = CountRow(label=label, params=base_params)
    by_status, by_rag = Counter(), Counter()
    for (status, rag), n in pairs.items():
        by_status[status] += n
        if rag:
            by_rag[rag] += n
        row.categories[chart_category(status, rag)] += n
    row.total = sum(pairs.values())
    row.url = link(**base_params) if row.total else ""
    row.by_status = [
        (value, text, by_status[value], link(**base_params, status=value) if by_status[value] else "")
        for value, text in STATUS_COLUMNS
    ]
    row.by_rag = [
        (value, text, by_rag[value], link(**base_params, rag=value) if by_rag[value] else "")
        for value, text in RAG_COLUMNS
    ]
    return row


def _was_row(movements, link):
    """Counts as at the end of the quarter before, for the actions of this review that were in the
    plan then, each linked to the action list of those actions (as they stand now, by their state
    then: ActionQuerySet.was_before)."""
    row = CountRow(label="Previous quarter", params={})
    by_status, by_rag = Counter(), Counter()
    for (was_status, was_rag, changes), n in movements.items():
        if Change.NEW in changes:
            continue
        by_status[was_status] += n
        if was_rag:
            by_rag[was_rag] += n
        row.total += n
    row.url = link(was_status=list(Status.values)) if row.total else ""
    row.by_status = [
        (value, label, by_status[value], link(was_status=value) if by_status[value] else "")
        for value, label in STATUS_COLUMNS
    ]
    row.by_rag = [
        (value, label, by_rag[value], link(was_rag=value) if by_rag[value] else "") for value, label in RAG_COLUMNS
    ]
    return row


class Listed(list):
    """The actions of one dashboard list in plan order (the first few, or all of them for a pack),
    and `total`: how many the list has in all."""

    def __init__(self, shown=(), total=None):
        super().__init__(shown)
        self.total = len(self) if total is None else total


@dataclass
class Tally:
    """How many actions share each combination of what the review counts, read from the states."""

    objective: Counter = field(default_factory=Counter)  # (objective id, marking, status, RAG)
    agency: Counter = field(default_factory=Counter)  # (lead agency, owed an update, returned on time, status, RAG)
    movement: Counter = field(default_factory=Counter)  # (was status, was RAG, its Changes)
    flag: Counter = field(default_factory=Counter)  # (group id, RAG, overdue, no update, due next)
    contribution: Counter = field(default_factory=Counter)  # (agency, also leads it, status, RAG)

    @classmethod
    def of(cls, states, contributions):
        """From every action's state, and the (action id, organisation id) contributions."""
        by_pk = {state.pk: state for state in states}
        contributing = Counter()
        for action_id, organisation_id in contributions:
            state = by_pk.get(action_id)
            if state is not None:
                also_leads = state.lead_organisation_id == organisation_id
                contributing[organisation_id, also_leads, state.status, state.rag] += 1
        return cls(
            objective=Counter(map(attrgetter("objective_id", "marking", "status", "rag"), states)),
            agency=Counter(
                map(attrgetter("lead_organisation_id", "owed_update", "returned_on_time", "status", "rag"), states)
            ),
            movement=Counter(map(attrgetter("was_status", "was_rag", "changes"), states)),
            flag=Counter(map(attrgetter("group_id", "rag", "overdue", "no_update", "due_next"), states)),
            contribution=contributing,
        )


# What the dashboard lists besides each group's exceptions.
LISTS = (
    "exception",
    Change.COMPLETED,
    Change.DEFERRED,
    Change.WITHDRAWN,
    Change.NEW,
    "overdue",
    "no_update",
    "due_next",
)


def _listing(states, exception_rags):
    """Every dashboard list, whole, from the states in plan order: {list key: [ActionState]}, where a
    group's exceptions are keyed ("exception", group id)."""
    listed = defaultdict(list)
    for state in states:
        if state.rag in exception_rags:
            listed["exception", state.group_id].append(state)
        for change in state.changes:
            if change in LISTS:
                listed[change].append(state)
        for flag in ("overdue", "no_update", "due_next"):
            if getattr(state, flag):
                listed[flag].append(state)
    return listed


def _assemble(
    *,
    strategy,
    quarter,
    known_by,
    include_amber,
    exception_rags,
    group,
    actions,
    tally,
    listed,
    groups,
    objectives,
    placing,
    organisations,
    update_round,
    kpis,
    meetings,
    challenges,
):
    link = action_list_link(strategy, quarter, within=group)
    by_objective, by_group, total, markings = _plan_counts(tally, placing)
    changed = _change_counts(tally)
    flagged, exceptions_in = _flag_counts(tally, exception_rags)

    group_rows = [_count_row(g.name, by_group[g.pk], link, {"group": g.pk} if group is None else {}) for g in groups]
    for row, g in zip(group_rows, groups, strict=True):
        row.extra["group"] = g
    exception_count = sum(exceptions_in.values())
    charted = [row for row in group_rows if row.total]
    return Review(
        strategy=strategy,
        quarter=quarter,
        known_by=known_by,
        include_amber=include_amber,
        group=group,
        actions=actions,
        action_markings=markings,
        groups=groups,
        objectives=objectives,
        group_rows=group_rows,
        objective_count=sum(1 for objective in objectives if by_objective[objective.pk]),
        objective_rows_made=functools.partial(_objective_rows, objectives, groups, by_objective, link),
        total_row=_count_row("All groups" if group is None else group.name, total, link, {}),
        was_total_row=_was_row(tally.movement, link),
        comparison=_comparison(changed, link),
        exceptions=[
            (g, Listed(listed.get(("exception", g.pk), []), exceptions_in[g.pk])) for g in groups if exceptions_in[g.pk]
        ],
        exception_count=exception_count,
        exception_url=link(rag=list(exception_rags) if include_amber else RAG.RED) if exception_count else "",
        changes=_change_lists(changed, listed, link),
        overdue=_flagged_list(flagged, listed, link, "overdue", overdue="on"),
        no_update=_flagged_list(flagged, listed, link, "no_update", no_update="on"),
        due_next=_flagged_list(flagged, listed, link, "due_next", due_next="on"),
        agencies=_agency_rows(tally, organisations, link),
        round=update_round,
        kpis=[row for row in kpis if row.rated],
        contextual_kpis=[row for row in kpis if not row.rated],
        meetings=meetings,
        challenges=challenges,
        chart=status_chart(charted, quarter=quarter, strategy=strategy),
        phone_chart=status_chart(charted, quarter=quarter, strategy=strategy, width=PHONE_CHART_WIDTH),
    )


def _plan_counts(tally, placing):
    """Counters of (status, RAG) by objective id, by group id and over the whole review, and the
    markings of the actions counted."""
    by_objective, by_group, total = defaultdict(Counter), defaultdict(Counter), Counter()
    markings = set()
    for (objective_id, marking, status, rag), n in tally.objective.items():
        by_objective[objective_id][status, rag] += n
        by_group[placing[objective_id][0]][status, rag] += n
        total[status, rag] += n
        markings.add(marking)
    return by_objective, by_group, total, markings


def _change_counts(tally):
    """How many actions made each Change since the quarter before."""
    changed = Counter()
    for (_was_status, _was_rag, changes), n in tally.movement.items():
        for change in changes:
            changed[change] += n
    return changed


def _flag_counts(tally, exception_rags):
    """How many actions are overdue, have no update and fall due next quarter; and each group's
    exceptions (actions rated one of `exception_rags`) by group id."""
    flagged, exceptions_in = Counter(), Counter()
    for (group_id, rag, overdue, no_update, due_next), n in tally.flag.items():
        flagged["overdue"] += n * overdue
        flagged["no_update"] += n * no_update
        flagged["due_next"] += n * due_next
        if rag in exception_rags:
            exceptions_in[group_id] += n
    return flagged, exceptions_in


def _objective_rows(objectives, groups, by_objective, link):
    """A row of counts for each objective with actions, in plan order."""
    group_names = {g.pk: g for g in groups}
    rows = []
    for objective in objectives:
        if not by_objective[objective.pk]:
            continue
        g = group_names[objective.delivery_group_id]
        row = _count_row(
            f"{g.name} {objective.number}: {objective.title}",
            by_objective[objective.pk],
            link,
            {"objective": objective.pk},
        )
        row.extra["objective"] = objective
        row.extra["group"] = g
        rows.append(row)
    return rows


def _comparison(changed, link):
    """The comparison with the quarter before: [(Change, label, count, url)]."""
    comparison = []
    for change in (Change.NEWLY_RED, Change.COMPLETED, Change.IMPROVED, Change.WORSENED):
        n = changed[change]
        comparison.append((change, _comparison_label(change), n, link(change=change) if n else ""))
    return comparison


def _change_lists(changed, listed, link):
    """The lists of actions completed, deferred, withdrawn and new: [(Change, heading, Listed, url)]."""
    changes = []
    for change in (Change.COMPLETED, Change.DEFERRED, Change.WITHDRAWN, Change.NEW):
        n = changed[change]
        found = Listed(listed.get(change, []), n)
        changes.append((change, _change_heading(change), found, link(change=change) if n else ""))
    return changes


def _flagged_list(flagged, listed, link, flag, **params):
    """The list of actions with `flag` (overdue, no update, due next), its count and its link."""
    n = flagged[flag]
    return {"actions": Listed(listed.get(flag, []), n), "count": n, "url": link(**params) if n else ""}


def _comparison_label(change):
    return {
        Change.NEWLY_RED: "Newly Red",
        Change.COMPLETED: "Newly complete",
        Change.IMPROVED: "Improved (RAG better than the quarter before)",
        Change.WORSENED: "Worsened (RAG worse than the quarter before)",
    }[change]


def _change_heading(change):
    return {
        Change.COMPLETED: "Completed",
        Change.DEFERRED: "Deferred",
        Change.WITHDRAWN: "Withdrawn",
        Change.NEW: "New actions",
    }[change]


def _agency_rows(tally, organisations, link):
    """For each partner agency with actions in the plan: the actions it leads or contributes to, by
    status and RAG, and the share of the updates due on the actions it leads that came in on time."""
    pairs, leads, owed, on_time, contributes = defaultdict(Counter), Counter(), Counter(), Counter(), Counter()
    for (organisation_id, owes, returned, status, rag), n in tally.agency.items():
        pairs[organisation_id][status, rag] += n
        leads[organisation_id] += n
        if owes:
            owed[organisation_id] += n
            if returned:
                on_time[organisation_id] += n
    for (organisation_id, also_leads, status, rag), n in tally.contribution.items():
        contributes[organisation_id] += n
        if not also_leads:  # an action it also leads counts once
            pairs[organisation_id][status, rag] += n
    rows = []
    for organisation in organisations:
        pk = organisation.pk
        if not leads[pk] and not contributes[pk]:
            continue
        row = _count_row(organisation.name, pairs[pk], link, {"agency": pk})
        row.extra.update(
            organisation=organisation,
            leads=leads[pk],
            leads_url=link(agency=pk, agency_role="lead") if leads[pk] else "",
            contributes=contributes[pk],
            contributes_url=link(agency=pk, agency_role="contributor") if contributes[pk] else "",
            owed=owed[pk],
            on_time=on_time[pk],
            on_time_percent=round(100 * on_time[pk] / owed[pk]) if owed[pk] else None,
        )
        rows.append(row)
    return rows


def load_details(review, states):
    """Fill in the text, the leads, the address and the update (commentary, decision needed, who
    approved, when) of the actions a page lists: three queries for a dashboard's lists. A pack's
    every action reads the texts and leads of the whole plan (or group) in one query each, rather
    than spell out every id, and the updates in chunks, so no query carries more than CHUNK ids."""
    states = list(states)
    leads, updates, texts = defaultdict(list), {}, {}
    if len(states) > CHUNK:
        scope = {"strategy": review.strategy}
        if review.group is not None:
            scope["objective__delivery_group"] = review.group
        actions = Action.objects.filter(**scope)
        links = ActionLead.objects.filter(**{f"action__{name}": value for name, value in scope.items()})
    else:
        pks = [s.pk for s in states]
        actions, links = Action.objects.filter(pk__in=pks), ActionLead.objects.filter(action_id__in=pks)
    # Unordered: the rows are matched by pk, and the default ordering would join the plan's tables.
    for pk, text, deadline in actions.order_by().values_list("pk", "text", "deadline_text"):
        texts[pk] = (text, deadline)
    for action_id, name in links.order_by("action_id", "position").values_list("action_id", "person__name"):
        leads[action_id].append(name)
    for chunk in _chunks(states):
        ids = [s.update_id for s in chunk if s.update_id]
        if ids:
            rows = Update.objects.filter(pk__in=ids).order_by().values_list("pk", *UpdateDetail._fields)
            updates.update((pk, UpdateDetail(*rest)) for pk, *rest in rows)
    url = action_urls()
    for state in states:
        state.url = url(state.pk)
        state.text, state.deadline_text = texts.get(state.pk, ("", ""))
        state.leads = " / ".join(leads.get(state.pk, []))
        state.update = updates.get(state.update_id)
        state.recorded_at = state.update.recorded_at if state.update else None
    return states


CHUNK = 5000
# What a list or the pack shows of an action's update (plain values: a pack reads one per action).
UpdateDetail = namedtuple("UpdateDetail", ["commentary", "decision_needed", "approved_by", "recorded_at"])


def _chunks(states):
    for start in range(0, len(states), CHUNK):
        yield states[start : start + CHUNK]


def listed_states(review, limit=LIST_LIMIT, exception_limit=EXCEPTION_LIMIT):
    """The actions a dashboard lists (each list cut at its limit), so their details load at once."""
    chosen = {}
    for _, found in review.exceptions:
        for state in found[:exception_limit]:
            chosen[state.pk] = state
    for _, _, found, _ in review.changes:
        for state in found[:limit]:
            chosen[state.pk] = state
    for block in (review.overdue, review.no_update, review.due_next):
        for state in block["actions"][:limit]:
            chosen[state.pk] = state
    return list(chosen.values())


# The chart ---------------------------------------------------------------------------------------


def status_chart(rows, *, quarter, strategy, width=640):
    """A horizontal stacked bar per row (delivery group): how many actions in each category, drawn as
    SVG by templates/performance/review_chart.html. Every segment wide enough carries its short label
    and count, the legend names every category with its total, and the description says it all in
    words, so nothing depends on colour or on seeing the picture."""
    label_width, bar_height, gap, top = 150, 28, 14, 10
    plot = width - label_width - 60
    largest = max((row.total for row in rows), default=0) or 1
    bars = [
        _chart_bar(
            row, y=top + index * (bar_height + gap), x=label_width, bar_height=bar_height, plot=plot, largest=largest
        )
        for index, row in enumerate(rows)
    ]
    legend_top = top + len(rows) * (bar_height + gap) + 6
    columns = 4 if width >= 600 else 2
    height = legend_top + -(-len(CHART_CATEGORIES) // columns) * 22 + 6
    return {
        "width": width,
        "height": height,
        "bar_height": bar_height,
        "bars": bars,
        "legend": _chart_legend(rows, top=legend_top, width=width, columns=columns),
        "title": f"Actions by status and RAG per delivery group, {strategy.title}, as at the end of {quarter}",
        "desc": _chart_description(rows) or "No actions.",
    }


def _chart_bar(row, *, y, x, bar_height, plot, largest):
    """One row's bar from `x`, a segment per category it has, `plot` wide for `largest` actions."""
    segments = []
    for key, label, short, fill, ink in CHART_CATEGORIES:
        n = row.categories.get(key, 0)
        if not n:
            continue
        w = plot * n / largest
        segments.append(
            {
                "x": round(x, 1),
                "width": round(w, 1),
                "fill": fill,
                "ink": ink,
                "label": label,
                "n": n,
                "text": _segment_text(short, n, w),
                "text_x": round(x + w / 2, 1),
            }
        )
        x += w
    return {
        "label": row.label,
        "y": y,
        "text_y": y + bar_height / 2 + 5,
        "segments": segments,
        "total": row.total,
        "total_x": round(x + 6, 1),
    }


def _segment_text(short, n, w):
    """What fits on a segment `w` wide: its short label and count, the count alone, or nothing."""
    if w >= 9 * (len(short) + len(str(n)) + 1):
        return f"{short} {n}"
    return str(n) if w >= 10 * len(str(n)) else ""


def _chart_legend(rows, *, top, width, columns):
    """Every category, with its total over `rows`, laid out in `columns` from `top`."""
    totals = Counter()
    for row in rows:
        totals.update(row.categories)
    legend = []
    for index, (key, label, short, fill, ink) in enumerate(CHART_CATEGORIES):
        column, line = index % columns, index // columns
        legend.append(
            {
                "x": 10 + column * (width // columns),
                "y": top + line * 22,
                "fill": fill,
                "short": short,
                "label": label,
                "n": totals.get(key, 0),
                "ink": ink,
            }
        )
    return legend


def _chart_description(rows):
    """The chart in words: each row's total and its count in each category it has."""
    return "; ".join(
        f"{row.label}: {row.total} action{'s' if row.total != 1 else ''}"
        + (
            " ("
            + ", ".join(f"{row.categories[key]} {label}" for key, label, *_ in CHART_CATEGORIES if row.categories[key])
            + ")"
            if row.total
            else ""
        )
        for row in rows
    )
