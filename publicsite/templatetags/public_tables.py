"""The rows of the public strategy page's tables, drawn in Python rather than by loops and includes
in the template: a county-wide plan has thousands of actions, and the template engine's cost for
each row was most of the time of drawing the page. The markup is the same as the template wrote."""

from functools import cache
from html import escape

from django import template
from django.utils.safestring import mark_safe

from strategy.templatetags.govuk import status_tag

register = template.Library()

ACTION_ROW = """
    <tr class="govuk-table__row">
      <td class="govuk-table__cell" data-label="Ref">{}</td>
      <td class="govuk-table__cell" data-label="Action">{}</td>
      {}
    </tr>
  """
RATED_CELLS = """<td class="govuk-table__cell" data-label="Status">{}</td>
      <td class="govuk-table__cell{}" data-label="Note">{}</td>"""


@register.simple_tag
def public_action_rows(actions, rated):
    """A row per action: its ref, its public text and, when `rated`, its public rating and note as at
    the quarter shown. Every value is escaped as the template engine escapes it (Django's `escape` is
    html.escape, here without its check for lazy text on every cell)."""
    if not rated:
        return mark_safe("".join(ACTION_ROW.format(escape(a.ref), escape(a.public_text), "") for a in actions))  # noqa: S308 - escaped
    rows = []
    for action in actions:
        note = action.as_at_public_note
        cells = RATED_CELLS.format(
            _status_tag(action.public_rating), "" if note else " app-table__cell--empty", escape(note)
        )
        rows.append(ACTION_ROW.format(escape(action.ref), escape(action.public_text), cells))
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


@cache
def _status_tag(rating):
    """status_tag, drawn once per rating: a plan has a few ratings and thousands of actions."""
    return status_tag(rating)


TALLY_ROW = """
    <tr class="govuk-table__row">
      <th scope="row" class="govuk-table__header">{}</th>
      <td class="govuk-table__cell govuk-table__cell--numeric" data-label="Actions">{}</td>
      {}
      {}
    </tr>
"""
TALLY_CELL = '<td class="govuk-table__cell govuk-table__cell--numeric" data-label="{}">'


@register.simple_tag
def tally_rows(group):
    """A delivery group's progress table: a row per objective (its public title and its actions by
    status and RAG), then the group's. Counts are whole numbers, written as the template engine
    writes them (no thousands separator: USE_THOUSAND_SEPARATOR is off)."""
    rows = [_tally_row(objective.public_title, objective.tally) for objective in group.public_objectives]
    return mark_safe("".join(rows) + "\n  " + _tally_row("All objectives", group.tally))  # noqa: S308 - escaped


def _tally_row(label, tally):
    by_status = "".join(f"{_tally_cell(name)}{count}</td>" for name, count in tally.status_rows())
    by_rag = "".join(f"{_tally_cell(name)}{count}</td>" for name, count in tally.rag_rows())
    return TALLY_ROW.format(escape(label), tally.total, by_status, by_rag)


@cache
def _tally_cell(name):
    """A count's cell up to the count, once per column: every row of every group has the same."""
    return TALLY_CELL.format(escape(str(name)))
