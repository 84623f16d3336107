"""Delivery groups, their objectives and actions, and the updates that record how each action goes.

An action's current status, RAG and progress are those of its latest update; the fields on Action
are a copy kept in step by `Action.record_update`, so lists need no subquery.
"""

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Case, Count, Exists, F, FilteredRelation, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Length
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils import timezone

from actions.deadlines import InvalidDeadline, due_date_from_text
from strategy import permissions
from strategy.audit import AuditedHistory
from strategy.models import Marking, Organisation, Person, StrategicObjective, Strategy
from strategy.periods import Quarter
from strategy.scoping import Scoping


class Status(models.TextChoices):
    """An action's lifecycle."""

    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    ONGOING = "ongoing", "Ongoing"
    COMPLETE = "complete", "Complete"
    DEFERRED = "deferred", "Deferred"
    WITHDRAWN = "withdrawn", "Withdrawn"


class RAG(models.TextChoices):
    """The lead's confidence of delivery, for actions In progress or Ongoing."""

    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"


RATED_STATUSES = (Status.IN_PROGRESS, Status.ONGOING)
CLOSED_STATUSES = (Status.COMPLETE, Status.WITHDRAWN)
DUE_SOON_DAYS = 30  # the lists flag an open action due within this many days


def ref_sort_key(ref):
    """The text that sorts references naturally: each run of digits padded to one width, so
    L1.8 comes before L1.11 and V2 before V10, on any database. Action.ref_sort keeps it."""
    return re.sub(r"\d+", lambda digits: digits.group().zfill(REF_DIGITS), ref.strip().casefold())


REF_DIGITS = 8


def rating(status, rag):
    """The colour and word shown for a status and RAG: colour is never shown without its word."""
    if status in RATED_STATUSES and rag:
        return rag, RAG(rag).label
    return {
        Status.COMPLETE: ("blue", "Complete"),
        Status.NOT_STARTED: ("grey", "Not started"),
        Status.DEFERRED: ("purple", "Deferred"),
        Status.WITHDRAWN: ("grey", "Withdrawn"),
    }.get(status, ("grey", "Not rated"))


# Update rounds (the performance app's) close quarters to ordinary updates. The rules are asked here,
# where updates are recorded, through the strategy's `update_rounds` relation: plain queries, so this
# app imports nothing of the one built on it.


def _strategy_id(strategy):
    return strategy.pk if isinstance(strategy, Strategy) else strategy


def quarter_locked(strategy, quarter):
    """Whether the quarter's update round for this strategy (or strategy id) has been closed."""
    return Strategy.objects.filter(
        pk=_strategy_id(strategy),
        update_rounds__year=quarter.year,
        update_rounds__number=quarter.number,
        update_rounds__closed_at__isnull=False,
    ).exists()


def _rounds(strategy):
    """(Quarter, closed) for each of the strategy's update rounds."""
    rows = Strategy.objects.filter(pk=_strategy_id(strategy)).values_list(
        "update_rounds__year", "update_rounds__number", "update_rounds__closed_at"
    )
    return [(Quarter(year, number), closed_at is not None) for year, number, closed_at in rows if year is not None]


def locked_quarters(strategy):
    """The strategy's locked quarters (their rounds closed), newest first: the closed quarters the
    public pages, open data and the API show."""
    return sorted((quarter for quarter, closed in _rounds(strategy) if closed), reverse=True)


def collecting_quarter(strategy, today=None):
    """The quarter an open round is collecting after that quarter ended, if any (the latest).

    An update given then describes the quarter just gone, so the update form dates it on the
    quarter's last day unless the lead says otherwise.
    """
    today = today or timezone.localdate()
    ended = [quarter for quarter, closed in _rounds(strategy) if not closed and quarter.end < today]
    return max(ended) if ended else None


class QuarterLocked(Exception):
    """An ordinary update may not be dated in a quarter whose update round is closed."""

    def __init__(self, quarter):
        super().__init__(
            f"{quarter} is closed: its update round has been closed, so an update cannot be dated in it. "
            "Date the update today, or ask an officer to record a correction."
        )
        self.quarter = quarter


class AwaitingSignOff(Exception):
    """The action already has an update waiting for the chair's sign-off."""

    def __init__(self, pending):
        super().__init__(
            f"An update to {pending.action.ref} is already waiting for sign-off (submitted "
            f"{timezone.localtime(pending.created_at):%d/%m/%Y}). It can be changed once the delivery-group chair "
            "has approved or returned it."
        )
        self.pending = pending


class ReviewRefused(Exception):
    """An update that is not waiting for sign-off cannot be approved or returned."""


class Change(models.TextChoices):
    """How an action moved between the ends of two quarters: the quarterly review's comparisons."""

    NEWLY_RED = "newly_red", "Newly Red"
    IMPROVED = "improved", "Improved (RAG better)"
    WORSENED = "worsened", "Worsened (RAG worse)"
    COMPLETED = "completed", "Completed"
    DEFERRED = "deferred", "Deferred"
    WITHDRAWN = "withdrawn", "Withdrawn"
    NEW = "new", "New action"


CHANGE_STATUS = {
    Change.COMPLETED: Status.COMPLETE,
    Change.DEFERRED: Status.DEFERRED,
    Change.WITHDRAWN: Status.WITHDRAWN,
}
# Improved and worsened compare RAG ratings only, so both ends must carry one.
IMPROVEMENTS = ((RAG.RED, RAG.AMBER), (RAG.RED, RAG.GREEN), (RAG.AMBER, RAG.GREEN))
WORSENINGS = ((RAG.GREEN, RAG.AMBER), (RAG.GREEN, RAG.RED), (RAG.AMBER, RAG.RED))


def action_url(pk):
    """The page of action `pk`."""
    return reverse("actions:action_detail", args=[pk])


def action_urls():
    """action_url as a function of the pk, for a page that links hundreds of actions: the address is
    worked out once (all reverse reads, the URLconf and the script prefix, is the same for every
    action) and each pk written into it."""
    marker = "2147483647"  # a pk as the <int:pk> converter matches it, and in no address otherwise
    before, after = reverse("actions:action_detail", args=[marker]).split(marker)
    return lambda pk: f"{before}{pk}{after}"


def default_strategy(strategies, user):
    """The strategy a page opens on when none is named, of `strategies`: the newest active one with
    actions `user` may see (a partnership may publish its next strategy before its plans are
    imported), else the newest active one, else the newest."""
    newest = strategies.order_by("-start_date", "title")
    active = newest.filter(status=Strategy.Status.ACTIVE)
    with_actions = active.filter(Exists(Action.objects.visible_to(user).filter(strategy=OuterRef("pk"))))
    return with_actions.first() or active.first() or newest.first()


def ended_quarters(strategy, today=None):
    """The strategy's quarters that have ended by `today`, newest first: the ones a review can show."""
    today = today or timezone.localdate()
    last = min(Quarter.containing(strategy.end_date), Quarter.containing(today).previous())
    quarter, found = Quarter.containing(strategy.start_date), []
    while quarter <= last:
        found.append(quarter)
        quarter = quarter.next()
    return found[::-1]


# Groups whose work residents are not told about by default: counter-terrorism (CONTEST and its
# Prevent strand). An officer may still publish them.
HELD_BACK_GROUP_WORDS = ("contest", "prevent")


class DeliveryGroupQuerySet(models.QuerySet):
    def visible_to(self, user):
        return permissions.scope(self, user)

    def public(self, *, preview=False):
        return self.filter(permissions.public_groups_q(self.model.scoping, preview=preview))


class DeliveryGroup(models.Model):
    class Kind(models.TextChoices):
        DELIVERY = "delivery", "Delivery group"
        EXECUTIVE = "executive", "Executive Group"

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="delivery_groups")
    name = models.CharField(max_length=100, help_text="e.g. Victim, Offender, Location, CONTEST")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.DELIVERY)
    code = models.CharField(
        max_length=5, blank=True, help_text="Prefix of the group's action references, e.g. V for V1.2."
    )
    position = models.PositiveSmallIntegerField(default=1)
    aim = models.TextField(blank=True)
    chair = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="chaired_groups")
    chair_note = models.CharField(max_length=200, blank=True, help_text="e.g. Interim")
    members = models.ManyToManyField(Person, blank=True, related_name="delivery_groups")
    marking = models.CharField(max_length=20, choices=Marking.choices, default=Marking.OFFICIAL)
    held_back = models.BooleanField(
        default=False,
        help_text="Kept off the public pages and open data (and everything under it), whatever its marking.",
    )
    public_wording = models.TextField(
        blank=True, help_text="Plain English for residents, shown on the public pages instead of the internal text."
    )

    objects = DeliveryGroupQuerySet.as_manager()

    scoping = Strategy.scoping.through("strategy", marking=("marking",))
    history = AuditedHistory(title=("name",), kind="Delivery group")

    class Meta:
        ordering = ["strategy", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "name"], name="delivery_group_unique_name"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.held_back = self.held_back or self.held_back_by_default(self.name, self.code)
        super().save(*args, **kwargs)

    @staticmethod
    def held_back_by_default(name, code=""):
        """Whether a new group starts held back from the public pages: CONTEST and Prevent groups do."""
        words = set(re.findall(r"[a-z]+", f"{name} {code}".casefold()))
        return bool(words & set(HELD_BACK_GROUP_WORDS))


class ObjectiveQuerySet(models.QuerySet):
    def visible_to(self, user):
        return permissions.scope(self, user)

    def public(self, *, preview=False):
        return self.filter(permissions.public_objectives_q(self.model.scoping, preview=preview))


class Objective(models.Model):
    delivery_group = models.ForeignKey(DeliveryGroup, on_delete=models.CASCADE, related_name="objectives")
    number = models.PositiveSmallIntegerField(help_text="Numbered within the delivery group.")
    title = models.TextField()
    strategic_objective = models.ForeignKey(
        StrategicObjective,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="objectives",
        help_text="The strategy priority this objective serves.",
    )
    marking = models.CharField(max_length=20, choices=Marking.choices, default=Marking.OFFICIAL)
    held_back = models.BooleanField(
        default=False,
        help_text="Kept off the public pages and open data (and everything under it), whatever its marking.",
    )
    public_wording = models.TextField(
        blank=True, help_text="Plain English for residents, shown on the public pages instead of the internal text."
    )

    objects = ObjectiveQuerySet.as_manager()

    scoping = DeliveryGroup.scoping.through("delivery_group", marking=("marking",))
    history = AuditedHistory(title=("number", "title"), kind="Objective")

    class Meta:
        ordering = ["delivery_group", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery_group", "number"], name="objective_unique_number"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def clean(self):
        if (
            self.strategic_objective_id
            and self.delivery_group_id
            and self.strategic_objective.strategy_id != self.delivery_group.strategy_id
        ):
            raise ValidationError({"strategic_objective": "Choose a strategic objective of the same strategy."})

    @property
    def public_title(self):
        return self.public_wording or self.title


# The order of a plan within one strategy, wherever actions are listed: by delivery group, objective,
# then reference, naturally (ref_sort). The id breaks ties, so a page boundary never falls between
# equal rows differently from one request to the next.
PLAN_ORDER = ("objective__delivery_group__position", "objective__number", "ref_sort", "pk")


class ActionQuerySet(models.QuerySet):
    # Bulk writes skip save(), which keeps ref_sort in step with ref; these keep it too.
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for action in objs:
            action.ref_sort = ref_sort_key(action.ref)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        if "ref" in fields:
            objs, fields = list(objs), [*fields, "ref_sort"]
            for action in objs:
                action.ref_sort = ref_sort_key(action.ref)
        return super().bulk_update(objs, fields, *args, **kwargs)

    def visible_to(self, user):
        return permissions.scope(self, user)

    def updatable_by(self, user):
        return self.visible_to(user).filter(permissions.updatable_actions_q(user)).distinct()

    def public(self, *, preview=False):
        """What anyone may read without signing in (strategy.permissions.public_actions_q)."""
        return self.filter(permissions.public_actions_q(self.model.scoping, preview=preview))

    def with_public_note_as_at(self, quarter):
        """Annotate as_at_public_note: the public note of the update that is each action's state at the
        end of `quarter` (with_state_as_at, which must come first), if recorded during the quarter (a
        note speaks for its quarter only); else ""."""
        recorded_in_quarter = Q(as_at_update__recorded_at__gte=quarter.start_moment)
        note = Case(
            When(recorded_in_quarter, then=F("as_at_update__public_note")),
            default=Value(""),
            output_field=models.TextField(),
        )
        return self.annotate(as_at_public_note=note)

    def current(self):
        return self.filter(archived_at__isnull=True)

    def as_at_end_of(self, quarter, *, state_only=False):
        """The plan's actions now (`quarter` None), or as they stood at the end of `quarter`: those in
        the plan then, with their state and its flags then (with_flags_as_at's as_at_* columns). With
        `state_only`, the state alone (with_state_as_at's, without the revised due date), for a reader
        that shows neither, which is spared building their expressions."""
        if quarter is None:
            return self.current()
        existing = self.existing_at(quarter.end_moment)
        if state_only:
            return existing.with_state_as_at(quarter.end_moment, revised=False)
        return existing.with_flags_as_at(quarter)

    def for_strategy(self, strategy):
        # Naming the strategy on the group too (an action's group is always its strategy's) lets the
        # database join only this strategy's objectives and groups when their markings are checked,
        # rather than every partnership's: the cost stays flat in the number of partnerships.
        return self.filter(strategy=strategy, objective__delivery_group__strategy=strategy)

    def open(self):
        """Not closed now (CURRENT.open)."""
        return self.filter(CURRENT.open())

    def overdue(self, today=None):
        """Overdue now: CURRENT.overdue_by `today`."""
        return self.filter(CURRENT.overdue_by(today or timezone.localdate()))

    def due_in(self, quarter):
        """Open, and due (revised date first) in `quarter` now (CURRENT.due_between)."""
        return self.filter(CURRENT.due_between(quarter.start, quarter.end))

    def needing_update(self, quarter):
        """Open actions with no update recorded since `quarter` began (CURRENT.not_updated_since)."""
        return self.filter(CURRENT.not_updated_since(quarter.start_moment))

    def mine(self, user):
        """The actions a user leads, and for a chair every action of the groups they chair."""
        me = permissions.person_id(user)
        if me is None:
            return self.none()
        chairs = Q(objective__delivery_group__chair_id=me) if permissions.role(user) == "chair" else Q(pk__in=[])
        return self.filter(Q(pk__in=ActionLead.objects.filter(person_id=me).values("action_id")) | chairs)

    def with_related(self):
        """What the action list shows beside each action: its objective and group, and its leads.
        Nothing more is joined: the database sorts the whole matching plan, joins and all, before it
        cuts the page. Not the latest update either: its date is kept on the action (last_updated_at)."""
        return self.select_related("objective__delivery_group").prefetch_related(lead_links_in_order("person"))

    def status_counts(self):
        return dict(self.order_by().values_list("status").annotate(n=Count("pk")))

    # State as at a moment (the quarterly review) -------------------------------------------------
    # No snapshots: an action's state at the end of any past quarter is its latest update that
    # counts (approved, recorded by then; see UpdateQuerySet.as_at). A correlated subquery walks the
    # (action, recorded_at) index backwards for its id, one probe per action, and the update is
    # joined on that id, so every column and flag below reads plain columns of one joined row.

    def with_state_as_at(self, moment, *, known_by=None, prefix="as_at", revised=True):
        """Annotate each action's state as at `moment`: <prefix>_status, _rag, _progress (as before its
        first update if it had none by then), _recorded_at and _update_id (None then) and, unless not
        `revised`, _revised_due_date (from the latest update then that set or cleared it)."""
        latest = _latest_updates_as_at(moment, known_by=known_by)
        update = f"{prefix}_update"
        found = self.alias(**{f"{update}_pk": Subquery(latest.values("pk")[:1])}).alias(
            **{update: FilteredRelation("updates", condition=Q(updates__pk=F(f"{update}_pk")))}
        )
        found = found.annotate(
            **{
                f"{prefix}_{name}": Coalesce(F(f"{update}__{name}"), Value(before_any))
                for name, before_any in NO_UPDATE_STATE.items()
            },
            **{f"{prefix}_recorded_at": F(f"{update}__recorded_at"), f"{prefix}_update_id": F(f"{update}__pk")},
        )
        if not revised:
            return found
        revision = f"{prefix}_revision"
        found = found.alias(**{f"{revision}_pk": Subquery(latest.revisions().values("pk")[:1])}).alias(
            **{revision: FilteredRelation("updates", condition=Q(updates__pk=F(f"{revision}_pk")))}
        )
        return found.annotate(**{f"{prefix}_revised_due_date": F(f"{revision}__revised_due_date")})

    def existing_at(self, moment, *, known_by=None):
        """The actions that were in the plan at `moment`: created by then (or with an update that counts
        by then, as an imported history may be older than its action) and not archived by then."""
        return self.filter(
            Q(created_at__lte=moment) | Exists(_latest_updates_as_at(moment, known_by=known_by)),
            Q(archived_at__isnull=True) | Q(archived_at__gt=moment),
        )

    def with_flags_as_at(self, quarter, *, known_by=None, flags=None):
        """with_state_as_at the end of `quarter`, and that state's flags as booleans (FLAGS_AS_AT):
        as_at_overdue, as_at_due_next, as_at_no_update and as_at_updated_in_quarter, or only those
        named in `flags`."""
        return self.with_state_as_at(quarter.end_moment, known_by=known_by).annotate(
            **{
                f"as_at_{name}": _boolean(FLAGS_AS_AT[name](AS_AT, quarter))
                for name in (FLAGS_AS_AT if flags is None else flags)
            }
        )

    def with_changes(self, quarter, *, known_by=None):
        """Each action's state at the end of the quarter before `quarter` (was_status, was_rag,
        was_update_id, and was_open: an update was owed for `quarter`) and, with the as_at_* columns of
        with_state_as_at(quarter.end_moment), one boolean per Change: changed_<value>."""
        before_end = quarter.previous().end_moment
        return self.with_state_as_at(before_end, known_by=known_by, prefix="was", revised=False).annotate(
            was_open=_boolean(WAS.open()),
            **{f"changed_{change.value}": _boolean(change_q(change, before_end)) for change in Change},
        )

    def with_flags(self, today=None, since=None):
        """The flags of each action's state now, as booleans: overdue, due_soon (within DUE_SOON_DAYS)
        and no_update (none recorded since `since`, a moment or an expression of one; by default the
        current quarter's start), as at `today` (by default today)."""
        today = today or timezone.localdate()
        since = Quarter.containing(today).start_moment if since is None else since
        return self.annotate(
            overdue=_boolean(CURRENT.overdue_by(today)),
            due_soon=_boolean(CURRENT.due_between(today, today + datetime.timedelta(days=DUE_SOON_DAYS))),
            no_update=_boolean(CURRENT.not_updated_since(since)),
        )

    # The action list's filters: each the flag's rule, as at the end of a quarter (on the as_at_*
    # columns of with_state_as_at) or now.

    def overdue_as_at(self, quarter):
        return self.filter(FLAGS_AS_AT["overdue"](AS_AT, quarter))

    def not_updated_in(self, quarter):
        return self.filter(FLAGS_AS_AT["no_update"](AS_AT, quarter))

    def due_in_quarter_after(self, quarter):
        return self.filter(FLAGS_AS_AT["due_next"](AS_AT, quarter))

    def changed(self, change, quarter, *, known_by=None):
        """The actions whose state moved that way (a Change) between the ends of the quarter before
        `quarter` and of `quarter`."""
        moved = self.with_state_as_at(quarter.end_moment, known_by=known_by, prefix="change", revised=False)
        before_end = quarter.previous().end_moment
        moved = moved.with_state_as_at(before_end, known_by=known_by, prefix="change_was", revised=False)
        return moved.filter(change_q(change, before_end, now=CHANGE, was=CHANGE_WAS))

    def was_before(self, quarter, *, statuses=(), rags=(), known_by=None):
        """The actions that were in the plan at the end of the quarter before `quarter` with one of
        `statuses` and one of `rags` then (either may be empty: any). The review's "previous quarter"
        row counts the same way: its actions as they stood a quarter earlier, new ones left out."""
        before_end = quarter.previous().end_moment
        found = self.existing_at(before_end, known_by=known_by).with_state_as_at(
            before_end, known_by=known_by, prefix="was", revised=False
        )
        if statuses:
            found = found.filter(was_status__in=statuses)
        if rags:
            found = found.filter(was_rag__in=rags)
        return found

    def quarter_ends(self, quarters, *, flags=None):
        """Each action's state and flags at the end of each of `quarters` it was in the plan for, in
        one query: [StateAsAt], in the order of `quarters`, then of the actions' ids. Only the flags
        named in `flags` (by default all) are read, the others left None: a reader that shows no more
        is spared building the others' expressions."""
        flags = tuple(FLAGS_AS_AT if flags is None else flags)
        fields = (*StateAsAt.STATE, *flags)
        parts = [
            self.existing_at(quarter.end_moment)
            .with_flags_as_at(quarter, flags=flags)
            .annotate(quarter_index=Value(index))
            .order_by()
            .values_list("quarter_index", "pk", "due_date", *(f"as_at_{name}" for name in fields))
            for index, quarter in enumerate(quarters)
        ]
        if not parts:
            return []
        rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        return [
            StateAsAt(quarters[index], pk, due_date, **dict(zip(fields, values, strict=True)))
            for index, pk, due_date, *values in sorted(rows, key=lambda row: row[:2])
        ]


# What an action's state is before its first update that counts.
NO_UPDATE_STATE = {"status": Status.NOT_STARTED, "rag": "", "progress": 0}


@dataclass(frozen=True)
class StateColumns:
    """Where a query reads an action's state: its own columns, its state now (record_update keeps them
    as its latest update has them), or those with_state_as_at adds under a prefix. Each flag is one
    rule over these, used alike to filter the action list, to count in the review and to show."""

    status: str
    rag: str
    recorded_at: str
    revised_due_date: str
    update_id: str

    @classmethod
    def as_at(cls, prefix):
        return cls(*(f"{prefix}_{name}" for name in ("status", "rag", "recorded_at", "revised_due_date", "update_id")))

    def open(self):
        return ~Q(**{f"{self.status}__in": CLOSED_STATUSES})

    def overdue_by(self, day):
        """Open, and due (revised date first) before `day`: a deferral to a later date is not."""
        revised = self.revised_due_date
        return self.open() & (Q(**{f"{revised}__lt": day}) | Q(**{f"{revised}__isnull": True, "due_date__lt": day}))

    def due_between(self, first, last):
        """Open, and due (revised date first) from `first` to `last`."""
        revised = self.revised_due_date
        return self.open() & (
            Q(**{f"{revised}__range": (first, last)})
            | Q(**{f"{revised}__isnull": True, "due_date__range": (first, last)})
        )

    def updated_since(self, moment):
        """Its update that counts was recorded on or after `moment`."""
        return Q(**{f"{self.recorded_at}__gte": moment})

    def not_updated_since(self, moment):
        """Open, and not updated_since `moment` (no update at all, or an older one)."""
        recorded = self.recorded_at
        return self.open() & (Q(**{f"{recorded}__isnull": True}) | Q(**{f"{recorded}__lt": moment}))


CURRENT = StateColumns("status", "rag", "last_updated_at", "revised_due_date", "latest_update_id")
AS_AT, WAS = StateColumns.as_at("as_at"), StateColumns.as_at("was")
CHANGE, CHANGE_WAS = StateColumns.as_at("change"), StateColumns.as_at("change_was")  # the change filter's own

# The flags of a state at the end of a quarter, each read against the quarter after it.
FLAGS_AS_AT = {
    "overdue": lambda state, quarter: state.overdue_by(quarter.next().start),
    "due_next": lambda state, quarter: state.due_between(quarter.next().start, quarter.next().end),
    "no_update": lambda state, quarter: state.not_updated_since(quarter.start_moment),
    "updated_in_quarter": lambda state, quarter: state.updated_since(quarter.start_moment),
}


def change_q(change, before_end, *, now=AS_AT, was=WAS):
    """Whether an action moved that way (a Change) from its state `was` (at `before_end`) to its
    state `now`; one that did not exist then counts as Not started then."""
    if change == Change.NEW:
        return Q(created_at__gt=before_end, **{f"{was.update_id}__isnull": True})
    if change in CHANGE_STATUS:
        target = CHANGE_STATUS[change]
        return Q(**{now.status: target}) & ~Q(**{was.status: target})
    if change == Change.NEWLY_RED:
        return Q(**{now.rag: RAG.RED}) & ~Q(**{was.rag: RAG.RED})
    moves = IMPROVEMENTS if change == Change.IMPROVED else WORSENINGS
    condition = Q(pk__in=[])
    for before, after in moves:
        condition |= Q(**{was.rag: before, now.rag: after})
    return condition


def _boolean(condition):
    """A rule (a Q) as a column that is True or False, never NULL."""
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=models.BooleanField())


@dataclass(frozen=True)
class StateAsAt:
    """An action's state at the end of `quarter` and its flags, as ActionQuerySet.with_flags_as_at
    reads them (the action list as at a quarter, and the action page's history): each field is the
    column as_at_<field>. A flag not read (ActionQuerySet.quarter_ends's `flags`) is None."""

    STATE = ("status", "rag", "progress", "revised_due_date", "recorded_at")
    FIELDS = (*STATE, *FLAGS_AS_AT)
    COLUMNS = tuple(f"as_at_{name}" for name in FIELDS)

    quarter: Quarter
    action_id: int
    due_date: datetime.date | None  # the action's own, from its deadline
    status: str
    rag: str
    progress: int
    revised_due_date: datetime.date | None
    recorded_at: datetime.datetime | None
    overdue: bool | None = None
    due_next: bool | None = None
    no_update: bool | None = None
    updated_in_quarter: bool | None = None

    @classmethod
    def annotated(cls, action, quarter):
        """From an action of ActionQuerySet.with_flags_as_at(quarter)."""
        return cls(quarter, action.pk, action.due_date, *(getattr(action, column) for column in cls.COLUMNS))

    @property
    def rating(self):
        return rating(self.status, self.rag)

    def get_status_display(self):
        return Status(self.status).label

    @property
    def effective_due_date(self):
        return self.revised_due_date or self.due_date


class Action(models.Model):
    strategy = models.ForeignKey(
        Strategy,
        on_delete=models.CASCADE,
        related_name="actions",
        editable=False,
        help_text="Always the objective's strategy; kept here so references are unique per strategy.",
        db_index=False,  # the (strategy, ref) and (strategy, status) indexes serve look-ups by strategy
    )
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="actions")
    position = models.PositiveSmallIntegerField(default=1, help_text="Order within the objective.")
    ref = models.CharField("reference", max_length=20, help_text="e.g. V1.2; unique within the strategy.")
    ref_sort = models.CharField(
        max_length=200, editable=False, default="", help_text="The reference as it sorts naturally (ref_sort_key)."
    )
    text = models.TextField("action")
    lead_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_actions",
        verbose_name="lead agency",
    )
    contributing_organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="contributed_actions", verbose_name="contributing agencies"
    )
    leads = models.ManyToManyField(
        Person,
        through="ActionLead",
        blank=True,
        related_name="led_actions",
        help_text="People or teams who lead the action. None means the lead is not known yet.",
    )
    kpi = models.TextField("KPI", blank=True, help_text="As the plan writes it.")
    baseline = models.TextField(blank=True, help_text="Where the measure starts, as the plan writes it.")
    target = models.TextField(blank=True, help_text="The level the measure should reach, as the plan writes it.")
    notes = models.TextField(blank=True, help_text="Anything else the plan says about the action.")
    deadline_text = models.CharField("deadline", max_length=200, blank=True, help_text="Exactly as the plan writes it.")
    due_date = models.DateField(
        null=True, blank=True, editable=False, help_text="Derived from the deadline where it names a date."
    )
    revised_due_date = models.DateField(null=True, blank=True, help_text="Set by a Red or Deferred update.")
    status = models.CharField(max_length=20, choices=Status, default=Status.NOT_STARTED)
    rag = models.CharField("RAG", max_length=10, choices=RAG, blank=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent complete, 0 to 100.")
    latest_update = models.ForeignKey(
        "Update", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    # latest_update's recorded_at, kept beside it: sorting or filtering the action list by it would
    # otherwise join every action of the plan to the updates table (a third of that page's time).
    last_updated_at = models.DateTimeField(null=True, blank=True, editable=False)
    marking = models.CharField(max_length=20, choices=Marking.choices, default=Marking.OFFICIAL)
    held_back = models.BooleanField(
        default=False,
        help_text="Kept off the public pages and open data (and everything under it), whatever its marking.",
    )
    public_wording = models.TextField(
        blank=True, help_text="Plain English for residents, shown on the public pages instead of the internal text."
    )
    archived_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when an import removes the action; its history is kept."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ActionQuerySet.as_manager()

    # Through the strategy the action names itself, not through its objective's group: the shorter join.
    scoping = Scoping(
        partnership="strategy__partnership",
        marking=("marking", "objective__marking", "objective__delivery_group__marking", "strategy__marking"),
    )
    # Status, RAG, progress and revised due date change only through updates (record_update), whose
    # rows are the history of those; here they would be stale copies, so they are left out.
    history = AuditedHistory(
        title=("ref", "text"),
        kind="Action",
        excluded_fields=[
            "status",
            "rag",
            "progress",
            "revised_due_date",
            "latest_update",
            "last_updated_at",
            "ref_sort",
        ],
    )

    class Meta:
        ordering = ["strategy", *PLAN_ORDER]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "ref"], name="action_unique_ref"),
            models.CheckConstraint(condition=~Q(ref=""), name="action_ref_required"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="action_progress_0_100"),
            models.CheckConstraint(
                condition=Q(rag="") | Q(status__in=RATED_STATUSES), name="action_rag_only_when_rated"
            ),
            models.CheckConstraint(
                condition=~Q(deadline_text="") | Q(due_date__isnull=True), name="action_due_date_needs_deadline"
            ),
        ]
        indexes = [
            models.Index(fields=["strategy", "status"]),
            models.Index(fields=["due_date"]),
            models.Index(fields=["strategy", "ref_sort"], name="action_strategy_ref_sort"),
        ]

    def __str__(self):
        return f"{self.ref} {self.text[:60]}"

    def save(self, *args, **kwargs):
        self.strategy_id = self.objective.delivery_group.strategy_id
        self.due_date = due_date_from_text(self.deadline_text)
        self.ref_sort = ref_sort_key(self.ref)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "strategy", "due_date", "ref_sort"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return action_url(self.pk)

    def clean(self):
        try:
            due_date_from_text(self.deadline_text)
        except InvalidDeadline as error:
            raise ValidationError({"deadline_text": str(error)}) from None
        if self.rag and self.status not in RATED_STATUSES:
            raise ValidationError({"rag": "Only actions In progress or Ongoing carry a RAG rating."})

    @property
    def public_text(self):
        return self.public_wording or self.text

    @property
    def lead_people(self):
        """The leads in the plan's order (uses prefetched `lead_links__person` when there)."""
        return [link.person for link in self.lead_links.all()]

    @property
    def lead_names(self):
        """The leads as the plan writes them, each with its note: "Ezra Wallace (awaiting confirmation)"."""
        return " / ".join(link.label for link in self.lead_links.all())

    @property
    def effective_due_date(self):
        return self.revised_due_date or self.due_date

    @property
    def rating(self):
        return rating(self.status, self.rag)

    def returned_update(self):
        """The lead's latest update the chair sent back, if the lead has not been through sign-off or
        submitted again since (else None): the update form reopens with it. One query."""
        since = self.updates.exclude(review_state=Update.ReviewState.RETURNED)
        latest = self.updates.filter(review_state=Update.ReviewState.RETURNED).exclude(
            Exists(since.filter(created_at__gt=OuterRef("created_at")))
        )
        return latest.select_related("reviewed_by").order_by("-created_at", "-pk").first()

    @transaction.atomic
    def record_update(
        self,
        *,
        by,
        status,
        rag="",
        progress=None,
        commentary="",
        revised_due_date=None,
        decision_needed="",
        approved_by="",
        evidence_url="",
        public_note="",
        source=None,
        recorded_at=None,
        correction_reason="",
        expected_latest_update_id=False,
    ):
        """Add an update to the history and make it the action's current state.

        With `expected_latest_update_id` (the latest update the user saw when the form opened),
        the update is refused with StaleUpdate if someone else has updated the action since.

        An update dated in a quarter whose update round is closed is refused with QuarterLocked
        unless it is a correction (source CORRECTION, with a `correction_reason`). When the strategy
        requires sign-off and `by` may not approve it, the update is recorded as submitted and leaves
        the action's current state alone until it is approved (Update.approve).
        """
        locked = Action.objects.select_for_update().get(pk=self.pk)
        if expected_latest_update_id is not False and locked.latest_update_id != expected_latest_update_id:
            raise StaleUpdate(locked.latest_update)
        source = source or Update.Source.WEB
        recorded_at = recorded_at or timezone.now()
        quarter = Quarter.containing(timezone.localtime(recorded_at).date())
        if source != Update.Source.CORRECTION and quarter_locked(self.strategy_id, quarter):
            raise QuarterLocked(quarter)
        submitted = source != Update.Source.CORRECTION and permissions.update_needs_sign_off(by, self)
        if submitted:
            pending = locked.updates.filter(review_state=Update.ReviewState.SUBMITTED).first()
            if pending is not None:
                raise AwaitingSignOff(pending)
        update = Update(
            action=self,
            created_by=by,
            status=status,
            rag=rag if status in RATED_STATUSES else "",
            progress=locked.progress if progress is None else progress,
            commentary=commentary,
            revised_due_date=revised_due_date,
            decision_needed=decision_needed,
            approved_by=approved_by,
            evidence_url=evidence_url,
            public_note=public_note,
            source=source,
            recorded_at=recorded_at,
            correction_reason=correction_reason,
            review_state=Update.ReviewState.SUBMITTED if submitted else Update.ReviewState.APPROVED,
        )
        update.full_clean()
        update.save()
        if not submitted:
            self._follow(update, locked=locked)
        return update

    def _follow(self, update, *, locked):
        """Make an approved update the action's current state if it is the latest approved one."""
        latest = locked.updates.filter(review_state=Update.ReviewState.APPROVED).order_by("-recorded_at", "-pk")
        if latest.values_list("pk", flat=True).first() != update.pk:
            return
        self.status, self.rag, self.progress = update.status, update.rag, update.progress
        if update.revised_due_date or update.status in (Status.COMPLETE, Status.WITHDRAWN):
            self.revised_due_date = update.revised_due_date
        self.latest_update, self.last_updated_at = update, update.recorded_at
        Action.objects.filter(pk=self.pk).update(
            status=self.status,
            rag=self.rag,
            progress=self.progress,
            revised_due_date=self.revised_due_date,
            latest_update=update,
            last_updated_at=update.recorded_at,
        )


class StaleUpdate(Exception):
    """Someone else updated the action after the form was opened."""

    def __init__(self, latest_update):
        super().__init__("The action was updated by someone else.")
        self.latest_update = latest_update


class ActionLead(models.Model):
    # No index of its own: the unique (action, person) constraint's index serves every look-up by action.
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="lead_links", db_index=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="lead_links")
    position = models.PositiveSmallIntegerField(default=1)
    note = models.CharField(
        max_length=200, blank=True, help_text='What the plan says about this lead, e.g. "awaiting confirmation".'
    )

    scoping = Action.scoping.through("action")
    history = AuditedHistory(
        title=("action_id", "person_id"),
        kind="Action lead",
    )

    class Meta:
        ordering = ["action", "position"]
        constraints = [
            models.UniqueConstraint(fields=["action", "person"], name="action_lead_unique"),
        ]

    def __str__(self):
        return f"{self.person} leads {self.action.ref}"

    @property
    def label(self):
        return f"{self.person.name} ({self.note})" if self.note else self.person.name


def lead_links_in_order(*related):
    """A prefetch of each action's leads (its ActionLead rows) in their order, with `related` joined in
    the same query. Ordered by position alone: within one action that is the default ordering, which
    would also sort by the action's place in the plan and join its strategy, group and objective."""
    return models.Prefetch("lead_links", queryset=ActionLead.objects.select_related(*related).order_by("position"))


class UpdateQuerySet(models.QuerySet):
    def visible_to(self, user):
        return permissions.scope(self, user)

    def approved(self):
        """The updates that count: approved by the chair, or needing no sign-off."""
        return self.filter(review_state=Update.ReviewState.APPROVED)

    def awaiting_sign_off(self):
        return self.filter(review_state=Update.ReviewState.SUBMITTED)

    def awaiting_sign_off_by(self, user):
        """The submissions `user` may sign off: the sign-off queue, and the count My actions shows."""
        return self.visible_to(user).awaiting_sign_off().filter(permissions.sign_off_updates_q(user))

    def latest_for(self, actions, moment, *, known_by=None):
        """Each of `actions`' latest update that counts as at `moment` (at most one per action), in one
        query: the actions' subquery picks the ids, this fetches those updates."""
        latest = _latest_updates_as_at(moment, known_by=known_by)
        return self.filter(pk__in=actions.annotate(latest_id=Subquery(latest.values("pk")[:1])).values("latest_id"))

    def as_at(self, moment, known_by=None):
        """The updates that count for the position at `moment`: approved, and recorded by then.

        With `known_by`, only what the service knew at that instant: updates created by then and,
        if they needed sign-off, approved by then. A pack issued at `issued_at` is regenerated
        exactly as issued with `as_at(quarter.end_moment, known_by=issued_at)`, whatever
        corrections and sign-offs came later.
        """
        updates = self.approved().filter(recorded_at__lte=moment)
        if known_by is None:
            return updates
        return updates.filter(created_at__lte=known_by).filter(
            Q(reviewed_at__isnull=True) | Q(reviewed_at__lte=known_by)
        )

    def latest_first(self, action, moment, *, known_by=None):
        """The updates of `action` (or, with OuterRef("pk"), of a subquery's outer action) that count
        as at `moment`, newest first: the first is its state then. Every reader of an action's state
        as at a moment starts here."""
        return self.as_at(moment, known_by=known_by).filter(action=action).order_by("-recorded_at", "-pk")

    def revisions(self):
        """Those that set the revised due date, or cleared it by closing the action: the latest that
        counts gives the action's revised due date then, as record_update keeps it."""
        return self.filter(Q(revised_due_date__isnull=False) | Q(status__in=CLOSED_STATUSES))


class Update(models.Model):
    """One entry in an action's history: who said what about it, and when it counts from."""

    class Source(models.TextChoices):
        WEB = "web", "Update form"
        ADMIN = "admin", "Back office"
        IMPORT = "import", "Spreadsheet import"
        CORRECTION = "correction", "Correction"

    class ReviewState(models.TextChoices):
        APPROVED = "approved", "Approved"
        SUBMITTED = "submitted", "Waiting for sign-off"
        RETURNED = "returned", "Returned to the lead"

    # No index of its own: the (action, recorded_at) index serves every look-up by action.
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates", db_index=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="action_updates"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    recorded_at = models.DateTimeField(
        default=timezone.now,
        db_index=True,
        help_text="When the update counts from (an imported quarterly update counts from the quarter's end).",
    )
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.WEB)
    status = models.CharField(max_length=20, choices=Status)
    rag = models.CharField("RAG", max_length=10, choices=RAG, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    commentary = models.TextField(blank=True)
    revised_due_date = models.DateField(null=True, blank=True)
    decision_needed = models.TextField(blank=True, help_text="A decision the Executive Group must make, if any.")
    approved_by = models.CharField(max_length=200, blank=True, help_text="Who approved a deferral or withdrawal.")
    evidence_url = models.URLField(blank=True, max_length=500)
    public_note = models.TextField(
        blank=True,
        help_text="A short note for residents, shown with the quarter's status on the public pages if the action "
        "is public. Never case details.",
    )
    correction_reason = models.TextField(
        blank=True, help_text="Why a closed quarter's history was corrected (corrections only)."
    )
    review_state = models.CharField(
        max_length=10,
        choices=ReviewState.choices,
        default=ReviewState.APPROVED,
        help_text="With sign-off on, a lead's update is submitted and counts only once approved.",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="reviewed_updates"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, help_text="When the update was approved or returned.")
    review_comment = models.TextField(blank=True, help_text="The chair's comment; needed when returning an update.")

    objects = UpdateQuerySet.as_manager()

    scoping = Action.scoping.through("action")
    history = AuditedHistory(
        title=("status", "commentary"),
        kind="Update",
        author="created_by",
    )

    class Meta:
        ordering = ["action", "-recorded_at", "-pk"]
        get_latest_by = "recorded_at"
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="update_progress_0_100"),
            models.CheckConstraint(
                condition=Q(rag="") | Q(status__in=RATED_STATUSES), name="update_rag_only_when_rated"
            ),
            models.CheckConstraint(
                condition=Q(review_state__in=["approved", "submitted", "returned"]), name="update_review_state_valid"
            ),
            models.CheckConstraint(
                condition=~Q(review_state="returned") | ~Q(review_comment=""), name="update_returned_has_comment"
            ),
            models.CheckConstraint(
                condition=~Q(source="correction") | ~Q(correction_reason=""), name="update_correction_has_reason"
            ),
            # One submission at a time: the chair signs off a single, current text.
            models.UniqueConstraint(
                fields=["action"], condition=Q(review_state="submitted"), name="update_one_submitted_per_action"
            ),
        ]
        indexes = [
            models.Index(fields=["action", "recorded_at"]),
            # Each action's latest counted update as at any moment (the quarterly review): one probe per
            # action, newest first with the tie broken by id, and on PostgreSQL an index-only scan,
            # since the columns the review reads are in the key.
            models.Index(
                fields=["action", "-recorded_at", "-id", "status", "rag", "progress", "revised_due_date"],
                condition=Q(review_state="approved"),
                name="update_counted_latest",
            ),
        ]

    def __str__(self):
        return f"{self.action.ref}: {self.get_status_display()} on {self.recorded_at:%d/%m/%Y}"

    @property
    def rating(self):
        return rating(self.status, self.rag)

    @property
    def counts(self):
        """Whether this update counts, as UpdateQuerySet.approved selects them, for a page that has
        read an action's updates of every state at once."""
        return self.review_state == self.ReviewState.APPROVED

    @transaction.atomic
    def approve(self, *, by, comment=""):
        """The chair signs the update off: it counts from now, and becomes the action's current
        state if it is the latest approved update."""
        update, action = self._lock_for_review()
        quarter = Quarter.containing(timezone.localtime(update.recorded_at).date())
        if quarter_locked(action.strategy_id, quarter):
            raise QuarterLocked(quarter)
        update._review(state=self.ReviewState.APPROVED, by=by, comment=comment)
        action._follow(update, locked=action)
        self.review_state, self.reviewed_by, self.reviewed_at = update.review_state, by, update.reviewed_at
        return update

    @transaction.atomic
    def return_to_lead(self, *, by, comment):
        """The chair sends the update back with a comment; it never counts, and the lead may submit again."""
        if not (comment or "").strip():
            raise ValidationError({"review_comment": "Enter a comment saying what the lead should change"})
        update, _ = self._lock_for_review()
        update._review(state=self.ReviewState.RETURNED, by=by, comment=comment.strip())
        self.review_state, self.reviewed_by, self.reviewed_at = update.review_state, by, update.reviewed_at
        return update

    def _lock_for_review(self):
        action = Action.objects.select_for_update().get(pk=self.action_id)
        update = Update.objects.select_for_update().get(pk=self.pk)
        if update.review_state != self.ReviewState.SUBMITTED:
            raise ReviewRefused(
                f"This update to {action.ref} is not waiting for sign-off: it has been "
                f"{update.get_review_state_display().lower()} already."
            )
        return update, action

    def _review(self, *, state, by, comment):
        self.review_state, self.reviewed_by, self.reviewed_at = state, by, timezone.now()
        self.review_comment = comment
        self.full_clean()
        self.save(update_fields=["review_state", "reviewed_by", "reviewed_at", "review_comment"])


def _latest_updates_as_at(moment, *, known_by=None):
    """The updates of the outer action that count as at `moment`, newest first (for a Subquery)."""
    return Update.objects.latest_first(OuterRef("pk"), moment, known_by=known_by)


class RecordedImport(models.Model):
    """What every recorded spreadsheet import keeps, whatever it brings in: the action-plan import
    below and performance's indicator-values import. Their life (checking, ready, importing, ...)
    is run by actions.imports.lifecycle.

    The uploaded file is kept here (not on disk where a web server might serve it) between the
    preview and the confirm, and erased once the import has finished or been cancelled; its name,
    size and SHA-256 checksum stay as the record.
    """

    class State(models.TextChoices):
        CHECKING = "checking", "Checking the file"
        READY = "ready", "Ready to confirm"
        REFUSED = "refused", "Not imported: problems found"
        IMPORTING = "importing", "Importing"
        IMPORTED = "imported", "Imported"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    FINISHED_STATES = (State.IMPORTED, State.REFUSED, State.FAILED, State.CANCELLED)
    # What an import goes into: its subclass's foreign key, which only one import at a time may be applied to.
    scope = "strategy"
    # A worker is doing something with the import only in these states; in them a silent import has stalled.
    RUNNING_STATES = (State.CHECKING, State.IMPORTING)

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(
        default=timezone.now,
        editable=False,
        help_text="The import's heartbeat: when it last changed state or reported progress. A running import "
        "silent for longer than the IMPORT_STALLED_AFTER setting has stalled.",
    )
    finished_at = models.DateTimeField(null=True, blank=True, help_text="When the import was saved or refused.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.CHECKING)
    stage = models.CharField(
        max_length=200, blank=True, help_text="What the import is doing now, for the progress page."
    )
    rows_total = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=255)
    file_size = models.PositiveIntegerField(help_text="In bytes.")
    file_sha256 = models.CharField("SHA-256", max_length=64)
    file_content = models.BinaryField(
        blank=True, editable=False, help_text="The uploaded file, kept until the import finishes."
    )
    preview = models.JSONField(default=dict, blank=True, help_text="What the file would create and change.")
    result = models.JSONField(default=dict, blank=True, help_text="What the import created and changed.")
    problems = models.JSONField(default=list, blank=True, help_text="Why the file was refused.")
    task_id = models.CharField(max_length=64, blank=True, help_text="The background task checking or importing.")
    created_from = models.GenericIPAddressField(
        null=True,
        blank=True,
        editable=False,
        help_text="The address the file was uploaded from: the audit trail records the import's changes, made "
        "later by the task worker, as from there, under the uploader's name.",
    )

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.file_name} into {self.strategy} ({self.get_state_display()})"

    def save(self, *args, **kwargs):
        # Every state change and every save is a heartbeat (progress reports write it with .update()).
        self.updated_at = timezone.now()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "updated_at"}
        super().save(*args, **kwargs)

    @property
    def finished(self):
        return self.state in self.FINISHED_STATES

    @property
    def stalled(self):
        """Checking or importing, but silent for longer than settings.IMPORT_STALLED_AFTER seconds: the
        worker running it was most likely killed (a deploy, out of memory) and it will never finish."""
        if self.state not in self.RUNNING_STATES:
            return False
        return timezone.now() - self.updated_at > datetime.timedelta(seconds=settings.IMPORT_STALLED_AFTER)


class ActionPlanImport(RecordedImport):
    """One spreadsheet brought into a strategy: who, when, which file, what it would do and did."""

    class Source(models.TextChoices):
        WEB = "web", "Upload page"
        ADMIN = "admin", "Back office"
        COMMAND = "command", "Command line"

    class BlueMeans(models.TextChoices):
        COMPLETE = "complete", "Complete"
        GREEN = "green", "On track (Green): within target"

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="action_plan_imports"
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)
    rows_done = models.PositiveIntegerField(default=0)
    blue_means = models.CharField(
        max_length=10,
        choices=BlueMeans.choices,
        default=BlueMeans.COMPLETE,
        help_text='How the file\'s "Blue" is read.',
    )
    archive_missing = models.BooleanField(
        default=False, help_text="Archive the strategy's actions that the file no longer contains."
    )
    lower_markings = models.BooleanField(
        default=False,
        help_text="The officer confirmed the markings the preview lists as lowered; without it, a lowered "
        "marking refuses the import.",
    )
    plan_digest = models.CharField(
        max_length=64, blank=True, help_text="Fingerprint of the preview; the confirm must find the same plan."
    )
    lead_choices = models.JSONField(
        default=dict,
        blank=True,
        help_text="The officer's choices in the preview: a lead's name (as a name key) -> the existing person it "
        "means. A name not here is added as a new person.",
    )

    scoping = Strategy.scoping.through("strategy")

    class Meta(RecordedImport.Meta):
        verbose_name = "action plan import"
        constraints = [
            models.CheckConstraint(condition=Exact(Length("file_sha256"), 64), name="import_sha256_length"),
            models.CheckConstraint(
                condition=Q(rows_done__lte=models.F("rows_total")), name="import_rows_done_le_total"
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["imported", "refused", "failed", "cancelled"]) | Q(finished_at__isnull=False),
                name="import_finished_has_time",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["checking", "ready", "refused", "importing", "imported", "failed", "cancelled"]),
                name="import_state_valid",
            ),
            models.CheckConstraint(condition=Q(blue_means__in=["complete", "green"]), name="import_blue_means_valid"),
            # One import at a time into a strategy: two running at once could each miss the other's rows.
            models.UniqueConstraint(
                fields=["strategy"], condition=Q(state="importing"), name="import_one_running_per_strategy"
            ),
        ]
