"""The open data files of a published strategy: RFC 4180 CSV in UTF-8, with header rows that never
change (the data dictionary page describes every column), formula-looking text escaped."""

import csv
import io

from actions.models import RAG, Status, locked_quarters
from publicsite.content import last_closed_quarter, public_actions, public_values
from strategy.formulas import escape_formula

ACTION_COLUMNS = {
    "reference": "The action's reference in the plan, unique within the strategy (e.g. V1.2).",
    "delivery_group": "The delivery group that owns the action.",
    "objective": "The delivery group's objective the action serves, in its public wording.",
    "action": "What the partnership will do, in its public wording.",
    "quarter": "The closed quarter the status is as at, like 2025-Q2 (financial year 2025/26, "
    "July to September 2025); blank when no quarter has been closed yet.",
    "status": "The action's status at the end of that quarter: " + ", ".join(Status.labels) + ".",
    "rag": "The lead's confidence of delivery for actions In progress or Ongoing: "
    + ", ".join(RAG.labels)
    + "; blank otherwise.",
    "public_note": "The note written for residents with that quarter's update, if any.",
}
STATUS_HISTORY_COLUMNS = {
    "quarter": "A closed quarter, like 2025-Q2.",
    "quarter_end": "The quarter's last day (YYYY-MM-DD).",
    "reference": ACTION_COLUMNS["reference"],
    "action": ACTION_COLUMNS["action"],
    "status": "The action's status at the end of the quarter.",
    "rag": ACTION_COLUMNS["rag"],
    "public_note": "The note written for residents with an update in that quarter, if any.",
}
INDICATOR_COLUMNS = {
    "reference": "The indicator's reference, unique within the strategy (e.g. KPI-V1).",
    "indicator": "What is measured.",
    "unit": "The unit of the value (count, percentage, rate, money).",
    "period": "The period the value covers, as the partnership writes it.",
    "period_start": "The period's first day (YYYY-MM-DD).",
    "period_end": "The period's last day (YYYY-MM-DD).",
    "value": "The figure for the period, as a plain number.",
    "comparator_value": "The comparator's figure for the period (e.g. the London average), if any.",
}
FILES = {
    "actions.csv": ("Actions", ACTION_COLUMNS, "One row per public action, as at the end of the last closed quarter."),
    "status-history.csv": (
        "Status history",
        STATUS_HISTORY_COLUMNS,
        "One row per public action per closed quarter it was in the plan for.",
    ),
    "indicators.csv": ("Indicators", INDICATOR_COLUMNS, "One row per public indicator per period with a value."),
}


def _number(value):
    return "" if value is None else f"{value.normalize():f}"


def _csv(columns, rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180: CRLF, quotes doubled
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if cell is None else escape_formula(str(cell)) for cell in row])
    return out.getvalue()


def _action_row(action, quarter):
    state = ("", "", "", "")
    if quarter is not None:
        rag = RAG(action.as_at_rag).label if action.as_at_rag else ""
        state = (quarter.slug, Status(action.as_at_status).label, rag, action.as_at_public_note)
    objective = action.objective
    return (action.ref, objective.delivery_group.name, objective.public_title, action.public_text, *state)


def actions_csv(strategy, *, preview=False):
    quarter = last_closed_quarter(strategy)
    actions = public_actions(strategy, quarter=quarter, preview=preview).select_related("objective__delivery_group")
    return _csv(ACTION_COLUMNS, (_action_row(action, quarter) for action in actions))


def status_history_csv(strategy, *, preview=False):
    """One query per closed quarter, whatever the plan's size."""

    def rows():
        for quarter in reversed(locked_quarters(strategy)):  # oldest first: the file reads forward in time
            for action in public_actions(strategy, quarter=quarter, preview=preview):
                yield (
                    quarter.slug,
                    quarter.end.isoformat(),
                    action.ref,
                    action.public_text,
                    Status(action.as_at_status).label,
                    RAG(action.as_at_rag).label if action.as_at_rag else "",
                    action.as_at_public_note,
                )

    return _csv(STATUS_HISTORY_COLUMNS, rows())


def indicators_csv(strategy, *, preview=False):
    values = public_values(strategy, preview=preview)
    return _csv(
        INDICATOR_COLUMNS,
        (
            (
                value.indicator.ref,
                value.indicator.name,
                value.indicator.get_unit_display(),
                value.period,
                value.period_start.isoformat(),
                value.period_end.isoformat(),
                _number(value.value),
                _number(value.comparator_value),
            )
            for value in values
        ),
    )
