"""The rows of the public strategy page's tables, drawn in Python rather than by loops and includes
in the template: a county-wide plan has thousands of actions, and the template engine's cost for
each row was most of the time of drawing the page. The markup is the same as the template wrote."""

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
    tags, rows = {}, []
    for action in actions:
        cells = ""
        if rated:
            if action.public_rating not in tags:
                tags[action.public_rating] = status_tag(action.public_rating)
            note = action.as_at_public_note
            cells = RATED_CELLS.format(
                tags[action.public_rating], "" if note else " app-table__cell--empty", escape(note)
            )
        rows.append(ACTION_ROW.format(escape(action.ref), escape(action.public_text), cells))
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


TALLY_ROW = """
    <tr class="govuk-table__row">
      <th scope="row" class="govuk-table__header">{}</th>
      <td class="govuk-table__cell govuk-table__cell--numeric" data-label="Actions">{}</td>
      {}
      {}
    </tr>
"""
TALLY_CELL = '<td class="govuk-table__cell govuk-table__cell--numeric" data-label="{}">{}</td>'


@register.simple_tag
def tally_rows(group):
    """A delivery group's progress table: a row per objective (its public title and its actions by
    status and RAG), then the group's. Counts are whole numbers, written as the template engine
    writes them (no thousands separator: USE_THOUSAND_SEPARATOR is off)."""
    rows = [_tally_row(objective.public_title, objective.tally) for objective in group.public_objectives]
    return mark_safe("".join(rows) + "\n  " + _tally_row("All objectives", group.tally))  # noqa: S308 - escaped


def _tally_row(label, tally):
    by_status = "".join(TALLY_CELL.format(escape(str(name)), count) for name, count in tally.status_rows())
    by_rag = "".join(TALLY_CELL.format(escape(str(name)), count) for name, count in tally.rag_rows())
    return TALLY_ROW.format(escape(label), tally.total, by_status, by_rag)
