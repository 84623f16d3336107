"""A lead's quarter: the to-do list My actions shows, and the action the update form's "Save and next"
opens after saving.

Each active strategy's actions fall in four groups: returned by the chair, needing an update (open,
with no counted update in the quarter and none waiting for sign-off), updated this quarter, and closed.
The quarter is the one being collected: an open update round's ended quarter, else the current one.
After the actions needing an update come the open decisions of meetings the user owns (by their
strategy), which they answer there.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Case, F, Max, Value, When
from django.utils import timezone

from actions.models import CLOSED_STATUSES, Action, Update, collecting_quarter
from strategy.models import Strategy
from strategy.periods import Quarter


@dataclass
class StrategyQuarter:
    """One active strategy's actions for a lead, grouped as My actions shows them, in plan order."""

    strategy: Strategy
    quarter: Quarter | None  # None: a strategy where the user only owns decisions
    returned: list = field(default_factory=list)
    needs_update: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    closed: list = field(default_factory=list)
    decisions: list = field(default_factory=list)

    @property
    def open_count(self):
        """The actions that owe an update this quarter: the closed ones owe none."""
        return len(self.returned) + len(self.needs_update) + len(self.updated)

    @property
    def all(self):
        return self.returned + self.needs_update + self.updated + self.closed

    @property
    def to_do(self):
        """What the lead still has to do, in the order Save and next visits it."""
        return self.returned + self.needs_update


def quarter_to_collect(strategy_id, today=None):
    """The quarter a strategy's leads are updating: an open round's ended quarter, else the current one."""
    return collecting_quarter(strategy_id) or Quarter.containing(today or timezone.localdate())


def lead_quarter(user, *, today=None):
    """[StrategyQuarter] of the active strategies in whose period the quarter to collect falls, whose
    actions `user` leads (or, as a chair, whose groups they chair), oldest strategy first. Four
    queries, and one per active strategy for its round."""
    today = today or timezone.localdate()
    mine = Action.objects.visible_to(user).current().filter(strategy__status=Strategy.Status.ACTIVE).mine(user)
    quarters = {
        strategy_id: quarter_to_collect(strategy_id, today)
        for strategy_id in mine.order_by("strategy_id").values_list("strategy_id", flat=True).distinct()
    }
    # Each strategy's actions are flagged against the start of the quarter its leads are updating.
    collecting_from = Case(
        *(When(strategy_id=strategy_id, then=Value(quarter.start_moment)) for strategy_id, quarter in quarters.items())
    )
    actions = list(
        mine.with_flags(today, collecting_from)
        # Not with_related(): the page does not show the leads (they are the user).
        .select_related("strategy", "objective__delivery_group", "latest_update__created_by")
        .order_by("strategy__start_date", "strategy_id", *Action._meta.ordering[1:])
        if quarters
        else ()
    )
    # A strategy still marked active after its period ended (or before it begins) asks for no update.
    actions = [action for action in actions if action.strategy.runs_in(quarters[action.strategy_id])]
    since = min((quarter.start_moment for quarter in quarters.values()), default=None)
    awaiting, returned = _awaiting_and_returned(actions, since)
    found = {}
    for index, action in enumerate(actions):
        action.plan_index = index
        quarter = quarters[action.strategy_id]
        entry = found.setdefault(action.strategy_id, StrategyQuarter(strategy=action.strategy, quarter=quarter))
        start = quarter.start_moment
        latest = action.latest_update
        waiting = awaiting.get(action.pk)
        action.awaiting_sign_off = waiting is not None and waiting >= start
        sent_back = returned.get(action.pk)
        action.returned_for_changes = bool(
            sent_back is not None
            and sent_back[0] >= start
            and not action.awaiting_sign_off
            and (latest is None or latest.created_at < sent_back[1])
        )
        action.needs_update = (action.no_update and not action.awaiting_sign_off) or action.returned_for_changes
        if action.returned_for_changes:
            entry.returned.append(action)
        elif action.status in CLOSED_STATUSES:
            entry.closed.append(action)
        elif action.needs_update:
            entry.needs_update.append(action)
        else:
            entry.updated.append(action)
    for decision in owned_decisions(user, today=today):
        strategy = decision.meeting.strategy
        entry = found.setdefault(strategy.pk, StrategyQuarter(strategy=strategy, quarter=None))
        entry.decisions.append(decision)
    return list(found.values())


def owned_decisions(user, *, today):
    """The open decisions of meetings `user` owns and may see, soonest due first, each with `overdue`
    set. One query (the decision log is the performance app's, so it is looked up by name)."""
    challenges = apps.get_model("performance", "Challenge").objects
    found = list(
        challenges.owned_by(user)
        .open()
        .select_related(
            "meeting__strategy",
            "meeting__delivery_group",
            "action__objective",
            "objective",
            "delivery_group",
            "owner_person",
            "owner_organisation",
        )
        .order_by(F("due_date").asc(nulls_last=True), "meeting__date", "pk")
    )
    for decision in found:
        decision.overdue = decision.is_overdue(today)
    return found


def _awaiting_and_returned(actions, since):
    """For the listed actions, updates since `since`: {action id: recorded_at of the one waiting for
    sign-off} and {action id: (recorded_at, created_at) of the latest the chair returned}. One query."""
    if since is None:
        return {}, {}
    rows = (
        Update.objects.filter(
            action__in=[action.pk for action in actions],
            review_state__in=[Update.ReviewState.SUBMITTED, Update.ReviewState.RETURNED],
            recorded_at__gte=since,
        )
        .values_list("action_id", "review_state")
        .annotate(recorded=Max("recorded_at"), created=Max("created_at"))
        .order_by()
    )
    awaiting, returned = {}, {}
    for action_id, state, recorded, created in rows:
        if state == Update.ReviewState.SUBMITTED:
            awaiting[action_id] = recorded
        else:
            returned[action_id] = (recorded, created)
    return awaiting, returned


def next_to_update(user, after, *, after_returned=False):
    """The action to open once `after` (an Action) has been saved from the to-do list: the next one in
    plan order that still needs something from the lead, going round to the start; None when none does.
    Returned ones come first, as they do on the list; once they are done (`after_returned`: `after` was
    one), the list's "Needs an update" follows from its top, as the lead sees it."""
    entries = lead_quarter(user)
    listed = {action.pk: action.plan_index for entry in entries for action in entry.all}
    to_do = [action for entry in entries for action in entry.to_do if action.pk != after.pk]
    returned = [action for action in to_do if action.returned_for_changes]
    if returned:
        return returned[0]
    if after_returned:
        return (to_do or [None])[0]
    later = [action for action in to_do if action.plan_index > listed.get(after.pk, -1)]
    return (later or to_do or [None])[0]
