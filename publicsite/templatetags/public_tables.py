"""The public strategy page's tables, drawn in Python rather than by loops and includes in the
template: a county-wide plan has thousands of actions in a hundred or more objectives, and hundreds of
indicator values, and the template engine's cost for each row and each objective's table was most of
the time of drawing the page. The markup is the same as the template wrote."""

from functools import cache
from html import escape

from django import template
from django.utils.safestring import mark_safe

from strategy.templatetags.govuk import status_tag

register = template.Library()

OBJECTIVE_TABLE = """
<table class="govuk-table app-table--compact app-table--stack">
  <caption class="govuk-table__caption govuk-table__caption--s">Objective {}: {}</caption>
  <thead class="govuk-table__head">
    <tr class="govuk-table__row">
      <th scope="col" class="govuk-table__header">Ref</th>
      <th scope="col" class="govuk-table__header">Action</th>
      {}
    </tr>
  </thead>
  <tbody class="govuk-table__body">
  {}
  </tbody>
</table>
"""
RATED_HEADERS = """<th scope="col" class="govuk-table__header">Status</th>
      <th scope="col" class="govuk-table__header">Note</th>"""
ACTION_ROW = """
    <tr class="govuk-table__row">
      <td class="govuk-table__cell" data-label="Ref">{}</td>
      <td class="govuk-table__cell" data-label="Action">{}</td>
      {}
    </tr>
  """
RATED_ROW = """
    <tr class="govuk-table__row">
      <td class="govuk-table__cell" data-label="Ref">{}</td>
      <td class="govuk-table__cell" data-label="Action">{}</td>
      <td class="govuk-table__cell" data-label="Status">{}</td>
      <td class="govuk-table__cell{}" data-label="Note">{}</td>
    </tr>
  """


@register.simple_tag
def objective_tables(group, rated):
    """A table for each of a delivery group's objectives that has public actions (each an empty line
    apart, as the template's loop wrote them), captioned with its number and public title."""
    headers = RATED_HEADERS if rated else ""
    tables = [
        "\n"
        + (
            OBJECTIVE_TABLE.format(
                objective.number, escape(objective.public_title), headers, _action_rows(objective.public_actions, rated)
            )
            if objective.public_actions
            else ""
        )
        + "\n"
        for objective in group.public_objectives
    ]
    return mark_safe("".join(tables))  # noqa: S308 - every value is escaped


def _action_rows(actions, rated):
    """A row per action: its ref, its public text and, when `rated`, its public rating and note as at
    the quarter shown. Every value is escaped as the template engine escapes it (Django's `escape` is
    html.escape, here without its check for lazy text on every cell)."""
    if not rated:
        return "".join(ACTION_ROW.format(escape(action.ref), escape(action.public_text), "") for action in actions)
    return "".join(
        RATED_ROW.format(
            escape(action.ref),
            escape(action.public_text),
            _status_tag(action.public_rating),
            "" if action.as_at_public_note else " app-table__cell--empty",
            escape(action.as_at_public_note),
        )
        for action in actions
    )


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


PERIOD_ROW = (
    '<tr class="govuk-table__row"><td class="govuk-table__cell" data-label="Period">{}</td>'
    '<td class="govuk-table__cell govuk-table__cell--numeric" data-label="Value">{}</td></tr>'
)


@register.simple_tag
def period_rows(table):
    """An indicator's table of values: a row per (period, value), both already text."""
    return mark_safe("".join(PERIOD_ROW.format(escape(period), escape(value)) for period, value in table))  # noqa: S308 - escaped
