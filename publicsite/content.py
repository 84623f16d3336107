"""What the public pages and open data show of a strategy: the public items only, with the reviewed
figures as at the end of the last closed quarter.

Every row comes through the `public()` querysets, which ask strategy.permissions (the one rule of
what anyone may read). `preview` is an officer seeing an unpublished strategy as residents will.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from actions.models import PLAN_ORDER, RAG, Action, DeliveryGroup, Objective, Status, locked_quarters, rating
from performance.charts import indicator_charts
from performance.indicators import format_value, points_by_indicator
from performance.models import Indicator, IndicatorValue

OPEN_GOVERNMENT_LICENCE = "Open Government Licence v3.0"
OPEN_GOVERNMENT_LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


def last_closed_quarter(strategy):
    """The newest quarter whose update round is closed: its figures have been reviewed. None if none."""
    closed = locked_quarters(strategy)
    return closed[0] if closed else None


def public_actions(strategy, *, quarter, preview=False):
    """The strategy's public actions as they stood at the end of `quarter` (as_at_status, as_at_rag,
    as_at_public_note), in plan order; with no closed quarter, the plan's current actions, unrated."""
    # One strategy's: its plan order alone, without the strategies' (which joins their partnerships).
    actions = Action.objects.public(preview=preview).for_strategy(strategy).order_by(*PLAN_ORDER)
    if quarter is None:
        return actions.current()
    # Neither the pages nor the files show a flag or a revised due date.
    return actions.as_at_end_of(quarter, state_only=True).with_public_note_as_at(quarter)


@dataclass
class StatusCounts:
    """Counts of actions by status and by RAG."""

    statuses: Counter = field(default_factory=Counter)
    rags: Counter = field(default_factory=Counter)

    def add(self, status, rag, count=1):
        self.statuses[status] += count
        if rag:
            self.rags[rag] += count

    @property
    def total(self):
        return sum(self.statuses.values())

    def status_rows(self):
        return [(label, self.statuses[value]) for value, label in STATUS_CHOICES]

    def rag_rows(self):
        return [(label, self.rags[value]) for value, label in RAG_CHOICES]


# Read once: an enum's choices are a new list at each reading, and a large plan's page reads them for
# each of its objectives.
STATUS_CHOICES, RAG_CHOICES = Status.choices, RAG.choices


class PublicAction:
    """An action as the public page shows it, from the values of its row: a large plan's model
    instances, one per action, were a good part of the cost of drawing the page. Its public text is
    the action's own (Action.public_text); `public_rating` is set when the page is rated."""

    COLUMNS = ("objective_id", "ref", "text", "public_wording")
    AS_AT_COLUMNS = ("as_at_status", "as_at_rag", "as_at_public_note")
    __slots__ = (*COLUMNS, *AS_AT_COLUMNS, "public_rating")

    public_text = Action.public_text

    def __init__(
        self, objective_id, ref, text, public_wording, as_at_status=None, as_at_rag=None, as_at_public_note=None
    ):
        self.objective_id, self.ref, self.text, self.public_wording = objective_id, ref, text, public_wording
        self.as_at_status, self.as_at_rag, self.as_at_public_note = as_at_status, as_at_rag, as_at_public_note


def strategy_page(strategy, *, preview=False):
    """Everything the public strategy page shows, in a fixed number of queries whatever the plan's size."""
    quarter = last_closed_quarter(strategy)
    groups = list(DeliveryGroup.objects.public(preview=preview).filter(strategy=strategy))
    objectives = list(Objective.objects.public(preview=preview).filter(delivery_group__strategy=strategy))
    # Only the columns the page shows. A public action's objective is public too, so it is among
    # `objectives`.
    columns = PublicAction.COLUMNS + (PublicAction.AS_AT_COLUMNS if quarter is not None else ())
    rows = public_actions(strategy, quarter=quarter, preview=preview).values_list(*columns)
    group_of = {objective.pk: objective.delivery_group_id for objective in objectives}
    by_objective = defaultdict(list)
    ratings, counts = {}, Counter()  # by (status, RAG): a plan has few of them
    for row in rows:
        action = PublicAction(*row)
        if quarter is not None:
            state = action.as_at_status, action.as_at_rag
            if state not in ratings:
                ratings[state] = rating(*state)
            action.public_rating = ratings[state]
            counts[action.objective_id, state] += 1
        by_objective[action.objective_id].append(action)
    group_tallies, objective_tallies = defaultdict(StatusCounts), defaultdict(StatusCounts)
    for (objective_id, state), count in counts.items():
        group_tallies[group_of[objective_id]].add(*state, count)
        objective_tallies[objective_id].add(*state, count)
    objectives_of = defaultdict(list)
    for objective in objectives:
        objective.public_actions = by_objective[objective.pk]
        objective.tally = objective_tallies[objective.pk]
        objectives_of[objective.delivery_group_id].append(objective)
    for group in groups:
        group.public_objectives = objectives_of[group.pk]
        group.tally = group_tallies[group.pk]
    return {
        "quarter": quarter,
        "groups": groups,
        "indicators": public_indicators(strategy, preview=preview),
        "principles": list(strategy.principles.all()),
        "strategic_objectives": list(strategy.strategic_objectives.all()),
    }


def public_values(strategy, *, preview=False):
    """The current values of the strategy's public indicators, by indicator and period."""
    return (
        IndicatorValue.objects.current()
        .filter(indicator__in=Indicator.objects.public(preview=preview).for_strategy(strategy))
        .select_related("indicator")
        .order_by("indicator__ref", "period_start")
    )


def public_indicators(strategy, *, preview=False):
    """The public indicators, each with its chart and its table of values."""
    indicators = list(Indicator.objects.public(preview=preview).for_strategy(strategy).order_by("ref"))
    points_of = points_by_indicator(IndicatorValue.objects.current().filter(indicator__in=[i.pk for i in indicators]))
    for indicator in indicators:
        points = points_of.get(indicator.pk, [])
        indicator.chart = (
            indicator_charts(indicator, points, chart_id=f"public-chart-{indicator.pk}") if points else None
        )
        indicator.table = [(str(point.period), format_value(indicator, point.value)) for point in points]
    return indicators
