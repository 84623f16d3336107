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
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, Length
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
    """The strategy's locked quarters (their rounds closed), newest first."""
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


def changes_between(*, was_status, was_rag, status, rag, is_new=False):
    """The Changes of one action whose state was (was_status, was_rag) and is (status, rag); an action
    that did not exist before counts as Not started then. ActionQuerySet.changed is the same rule in SQL."""
    found = {change for change, target in CHANGE_STATUS.items() if status == target and was_status != target}
    if rag == RAG.RED and was_rag != RAG.RED:
        found.add(Change.NEWLY_RED)
    if (was_rag, rag) in IMPROVEMENTS:
        found.add(Change.IMPROVED)
    if (was_rag, rag) in WORSENINGS:
        found.add(Change.WORSENED)
    if is_new:
        found.add(Change.NEW)
    return found


def action_url(pk):
    """The page of action `pk`."""
    return reverse("actions:action_detail", args=[pk])


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
        """Annotate as_at_public_note: the public note of each action's latest update that counts as at
        the end of `quarter` and was recorded during it (a note speaks for its quarter only)."""
        latest = _latest_updates_as_at(quarter.end_moment).filter(recorded_at__gte=quarter.start_moment)
        note = Coalesce(Subquery(latest.values("public_note")[:1]), Value(""), output_field=models.TextField())
        return self.annotate(as_at_public_note=note)

    def current(self):
        return self.filter(archived_at__isnull=True)

    def as_at_end_of(self, quarter):
        """The plan's actions now (`quarter` None), or as they stood at the end of `quarter`: those in
        the plan then, with their state then (with_state_as_at's as_at_* columns)."""
        if quarter is None:
            return self.current()
        return self.existing_at(quarter.end_moment).with_state_as_at(quarter.end_moment)

    def for_strategy(self, strategy):
        # Naming the strategy on the group too (an action's group is always its strategy's) lets the
        # database join only this strategy's objectives and groups when their markings are checked,
        # rather than every partnership's: the cost stays flat in the number of partnerships.
        return self.filter(strategy=strategy, objective__delivery_group__strategy=strategy)

    def open(self):
        return self.exclude(status__in=CLOSED_STATUSES)

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return (
            self.open()
            .exclude(status=Status.DEFERRED, revised_due_date__gte=today)
            .filter(Q(revised_due_date__lt=today) | Q(revised_due_date__isnull=True, due_date__lt=today))
        )

    def due_within(self, days, today=None):
        today = today or timezone.localdate()
        return self.open().filter(due_date__gte=today, due_date__lte=today + datetime.timedelta(days=days))

    def needing_update(self, quarter):
        """Open actions with no update recorded since the quarter began."""
        return self.open().filter(Q(last_updated_at__isnull=True) | Q(last_updated_at__lt=quarter.start_moment))

    def mine(self, user):
        """The actions a user leads, and for a chair every action of the groups they chair."""
        me = permissions.person_id(user)
        if me is None:
            return self.none()
        chairs = Q(objective__delivery_group__chair_id=me) if permissions.role(user) == "chair" else Q(pk__in=[])
        return self.filter(Q(pk__in=ActionLead.objects.filter(person_id=me).values("action_id")) | chairs)

    def with_related(self):
        return self.select_related(
            "strategy", "objective__delivery_group", "lead_organisation", "latest_update__created_by"
        ).prefetch_related("lead_links__person")

    def status_counts(self):
        return dict(self.order_by().values_list("status").annotate(n=Count("pk")))

    # Status as at a moment (the quarterly review) ------------------------------------------------
    # No snapshots: an action's state at the end of any past quarter is its latest update that
    # counts (approved, recorded by then; see UpdateQuerySet.as_at), found by a correlated subquery
    # that walks the (action, recorded_at) index backwards, one probe per action, on any database.

    def with_update_as_at(self, moment, *, known_by=None, name="as_at_update_id"):
        """Annotate `name` with the id of each action's latest update that counts as at `moment`."""
        latest = _latest_updates_as_at(moment, known_by=known_by)
        return self.annotate(**{name: Subquery(latest.values("pk")[:1])})

    def existing_at(self, moment, *, known_by=None):
        """The actions that were in the plan at `moment`: created by then (or with an update that counts
        by then, as an imported history may be older than its action) and not archived by then."""
        return self.filter(
            Q(created_at__lte=moment) | Exists(_latest_updates_as_at(moment, known_by=known_by)),
            Q(archived_at__isnull=True) | Q(archived_at__gt=moment),
        )

    def with_state_as_at(self, moment, *, known_by=None):
        """Annotate each action's state as at `moment`: as_at_status, as_at_rag, as_at_progress,
        as_at_recorded_at (None if it had no update by then) and as_at_revised_due_date.

        One subquery per column: meant for a page of actions or a filter. Whole-plan figures read
        `with_latest_update_as_at` instead (one probe per action for several columns).
        """
        columns = _state_columns(moment, known_by, "as_at", ("status", "rag", "progress", "recorded_at"))
        return self.annotate(**columns).with_revised_due_date_as_at("as_at_revised_due_date", moment, known_by=known_by)

    def with_latest_update_as_at(self, name, moment, *fields, known_by=None, fresh_from=None):
        """Annotate `name` with `fields` of each action's latest update that counts as at `moment`,
        joined by STATE_SEP in one text value (None if it had none): one index probe per action gives
        them all, where a correlated subquery per column would probe once each. With `fresh_from`, a
        last part says whether that update was recorded on or after it ("1" or "0")."""
        parts = []
        for field_name in fields:
            value = Cast(field_name, models.CharField()) if field_name in ("pk", "progress") else F(field_name)
            parts += [value, Value(STATE_SEP)]
        if fresh_from is not None:
            parts.append(Case(When(recorded_at__gte=fresh_from, then=Value("1")), default=Value("0")))
        else:
            parts.pop()
        latest = _latest_updates_as_at(moment, known_by=known_by)
        packed = latest.annotate(packed=Concat(*parts, output_field=models.CharField())).values("packed")[:1]
        return self.annotate(**{name: Subquery(packed)})

    def with_revised_due_date_as_at(self, name, moment, *, known_by=None):
        """Annotate `name` with each action's revised due date as at `moment` (UpdateQuerySet.revisions)."""
        revised = _latest_revisions_as_at(moment, known_by=known_by).values("revised_due_date")[:1]
        return self.annotate(**{name: Subquery(revised)})

    # These four read the annotations of with_state_as_at(quarter.end_moment).

    def overdue_as_at(self, quarter):
        """Open at the end of `quarter` and due on or before its last day (revised date first)."""
        day = quarter.next().start
        return (
            self.exclude(as_at_status__in=CLOSED_STATUSES)
            .exclude(as_at_status=Status.DEFERRED, as_at_revised_due_date__gte=day)
            .filter(Q(as_at_revised_due_date__lt=day) | Q(as_at_revised_due_date__isnull=True, due_date__lt=day))
        )

    def not_updated_in(self, quarter):
        """Open at the end of `quarter` with no update that counts recorded during it."""
        return self.exclude(as_at_status__in=CLOSED_STATUSES).filter(
            Q(as_at_recorded_at__isnull=True) | Q(as_at_recorded_at__lt=quarter.start_moment)
        )

    def due_in_quarter_after(self, quarter):
        """Open at the end of `quarter` and due (revised date first) in the quarter after it."""
        after = quarter.next()
        return self.exclude(as_at_status__in=CLOSED_STATUSES).filter(
            Q(as_at_revised_due_date__range=(after.start, after.end))
            | Q(as_at_revised_due_date__isnull=True, due_date__range=(after.start, after.end))
        )

    def changed(self, change, quarter, *, known_by=None):
        """The actions whose state moved that way (a Change) between the ends of the quarter before
        `quarter` and of `quarter`; `changes_between` is the same rule for one action in Python."""
        before_end = quarter.previous().end_moment
        if change == Change.NEW:
            return self.existing_at(quarter.end_moment, known_by=known_by).exclude(
                pk__in=Action.objects.existing_at(before_end, known_by=known_by).values("pk")
            )
        annotated = self.annotate(
            **_state_columns(quarter.end_moment, known_by, "change", ("status", "rag")),
            **_state_columns(before_end, known_by, "change_was", ("status", "rag")),
        )
        if change in (Change.COMPLETED, Change.DEFERRED, Change.WITHDRAWN):
            status = CHANGE_STATUS[change]
            return annotated.filter(change_status=status).exclude(change_was_status=status)
        if change == Change.NEWLY_RED:
            return annotated.filter(change_rag=RAG.RED).exclude(change_was_rag=RAG.RED)
        moves = IMPROVEMENTS if change == Change.IMPROVED else WORSENINGS
        condition = Q(pk__in=[])
        for was, now_rag in moves:
            condition |= Q(change_was_rag=was, change_rag=now_rag)
        return annotated.filter(condition)

    def was_before(self, quarter, *, statuses=(), rags=(), known_by=None):
        """The actions that were in the plan at the end of the quarter before `quarter` with one of
        `statuses` and one of `rags` then (either may be empty: any). The review's "previous quarter"
        row counts the same way: its actions as they stood a quarter earlier, new ones left out."""
        before_end = quarter.previous().end_moment
        found = self.existing_at(before_end, known_by=known_by)
        if statuses:
            found = found.annotate(**_state_columns(before_end, known_by, "was", ("status",)))
            found = found.filter(was_status__in=statuses)
        if rags:
            found = found.annotate(**_state_columns(before_end, known_by, "was", ("rag",))).filter(was_rag__in=rags)
        return found


@dataclass(frozen=True)
class StateAsAt:
    """An action's state at the end of `quarter`, from its latest update that counts then, and the
    flags the review and the action list show for it. In SQL the same flags are ActionQuerySet's
    overdue_as_at, not_updated_in and due_in_quarter_after; tests hold the two to one rule."""

    quarter: Quarter
    due_date: datetime.date | None  # the action's own, from its deadline
    status: str = Status.NOT_STARTED
    rag: str = ""
    progress: int = 0
    revised_due_date: datetime.date | None = None
    updated_in_quarter: bool = False  # its latest update that counts was recorded during `quarter`

    @classmethod
    def annotated(cls, action, quarter):
        """From the as_at_* columns of ActionQuerySet.with_state_as_at(quarter.end_moment)."""
        recorded_at = action.as_at_recorded_at
        return cls(
            quarter=quarter,
            due_date=action.due_date,
            status=action.as_at_status,
            rag=action.as_at_rag,
            progress=action.as_at_progress,
            revised_due_date=action.as_at_revised_due_date,
            updated_in_quarter=recorded_at is not None and recorded_at >= quarter.start_moment,
        )

    @property
    def rating(self):
        return rating(self.status, self.rag)

    def get_status_display(self):
        return Status(self.status).label

    @property
    def effective_due_date(self):
        return self.revised_due_date or self.due_date

    @property
    def overdue(self):
        """Open, and due (revised date first) before the quarter after: a deferral to a later date is not."""
        return is_overdue_by(self.status, self.effective_due_date, self.quarter.next().start)

    @property
    def due_next(self):
        """Open, and due (revised date first) in the quarter after."""
        return is_due_in(self.status, self.effective_due_date, self.quarter.next())

    @property
    def no_update(self):
        """Open, with no update that counts recorded during the quarter."""
        return self.status not in CLOSED_STATUSES and not self.updated_in_quarter


def is_overdue_by(status, due, day):
    """Whether an action with `status`, due on `due` (its revised date, if it has one), is overdue on `day`."""
    return status not in CLOSED_STATUSES and due is not None and due < day


def is_due_in(status, due, quarter):
    """Whether an action with `status`, due on `due` (revised date first), is open and due in `quarter`."""
    return status not in CLOSED_STATUSES and due is not None and quarter.start <= due <= quarter.end


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

    def is_overdue(self, today=None):
        return is_overdue_by(self.status, self.effective_due_date, today or timezone.localdate())

    def is_due_soon(self, today=None):
        """Open, not overdue, and due (revised date first) within DUE_SOON_DAYS of `today`."""
        today = today or timezone.localdate()
        due = self.effective_due_date
        return bool(
            not self.is_overdue(today)
            and due
            and self.status not in CLOSED_STATUSES
            and (due - today).days <= DUE_SOON_DAYS
        )

    def returned_update(self):
        """The lead's latest update the chair sent back, if the lead has not been through sign-off or
        submitted again since (else None): the update form reopens with it. One query."""
        since = self.updates.exclude(review_state=Update.ReviewState.RETURNED)
        latest = self.updates.filter(review_state=Update.ReviewState.RETURNED).exclude(
            Exists(since.filter(created_at__gt=OuterRef("created_at")))
        )
        return latest.select_related("reviewed_by").order_by("-created_at", "-pk").first()

    def quarter_ends(self, updates, quarters):
        """The action as it stood at the end of each of `quarters` it was in the plan for, from
        `updates` (its approved ones, newest first): [StateAsAt]. The rules of
        UpdateQuerySet.as_at and ActionQuerySet.with_state_as_at, for one action's history in Python."""
        found = []
        for quarter in quarters:
            end = quarter.end_moment
            counted = [update for update in updates if update.recorded_at <= end]
            if (self.created_at > end and not counted) or (self.archived_at and self.archived_at <= end):
                continue  # not in the plan then
            latest = counted[0] if counted else None
            revision = next((u for u in counted if u.revised_due_date or u.status in CLOSED_STATUSES), None)
            found.append(
                StateAsAt(
                    quarter=quarter,
                    due_date=self.due_date,
                    status=latest.status if latest else Status.NOT_STARTED,
                    rag=latest.rag if latest else "",
                    progress=latest.progress if latest else 0,
                    revised_due_date=revision.revised_due_date if revision else None,
                    updated_in_quarter=bool(latest and latest.recorded_at >= quarter.start_moment),
                )
            )
        return found

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
        return self.filter(pk__in=actions.with_update_as_at(moment, known_by=known_by).values("as_at_update_id"))

    def latest_revisions_for(self, actions, moment, *, known_by=None):
        """Each of `actions`' latest update as at `moment` that set its revised due date or cleared it
        (by completing or withdrawing it): the action's revised due date then, as record_update keeps it."""
        ids = actions.annotate(
            as_at_revision_id=Subquery(_latest_revisions_as_at(moment, known_by=known_by).values("pk")[:1])
        )
        return self.filter(pk__in=ids.values("as_at_revision_id"))

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


# What an action's state is before its first update that counts.
NO_UPDATE_STATE = {"status": Status.NOT_STARTED, "rag": "", "progress": 0}
STATE_SEP = "|"  # joins an update's columns in one value (statuses and RAGs never contain it)


def _state_columns(moment, known_by, prefix, fields):
    """Annotations `<prefix>_<field>`: each of `fields` of the outer action's latest update that counts
    as at `moment`, or its value before any update (NO_UPDATE_STATE; None if it has none)."""
    latest = _latest_updates_as_at(moment, known_by=known_by)
    columns = {}
    for name in fields:
        value = Subquery(latest.values(name)[:1])
        if name in NO_UPDATE_STATE:
            value = Coalesce(value, Value(NO_UPDATE_STATE[name]))
        columns[f"{prefix}_{name}"] = value
    return columns


def _latest_revisions_as_at(moment, *, known_by=None):
    """The same, narrowed to those that set the revised due date (or cleared it on closing)."""
    return _latest_updates_as_at(moment, known_by=known_by).revisions()


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
