"""The audit log pages: officers browse, filter and download who changed what; nobody edits it.

One list over every audited model's history table (strategy/audit.py), newest first: the
filtered history of each model the user may see, as one UNION query, paginated. For the page's
rows, each model's history rows are fetched with the id of the row before them (a subquery), and
those previous rows in one more query, to show what changed from what to what. The number of
queries depends on how many kinds of item are on the page, never on how many rows.
"""

import csv
import io

import django_filters
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import CharField, Exists, OuterRef, Subquery, Value
from django.db.models.functions import Cast
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from strategy import audit, permissions
from strategy.formulas import escape_formula
from strategy.models import Marking

PAGE_SIZE = 50
EXPORT_CHUNK = 2000
COLUMNS = ("history_id", "history_date", "history_type", "history_user_id", "ip_address", "object_id", "label")


def _kind_choices():
    return sorted(((label, audited.kind) for label, audited in audit.AUDITED.items()), key=lambda choice: choice[1])


class AddressFilter(django_filters.CharFilter):
    field_class = forms.GenericIPAddressField  # a typed address, checked before it reaches the database


class AuditFilter(django_filters.FilterSet):
    """The log's filters; applied to each audited model's history in turn (they share these fields)."""

    kind = django_filters.MultipleChoiceFilter(
        label="What changed", method="filter_nothing", choices=_kind_choices, widget=forms.CheckboxSelectMultiple
    )
    change = django_filters.ChoiceFilter(
        label="Change",
        field_name="history_type",
        choices=list(audit.CHANGE_TYPES.items()),
        empty_label="Any change",
    )
    who = django_filters.CharFilter(
        label="Changed by (login)", field_name="history_user__username", lookup_expr="iexact"
    )
    since = django_filters.DateFilter(
        label="From", field_name="history_date", lookup_expr="date__gte", help_text="For example, 1/4/2026"
    )
    until = django_filters.DateFilter(
        label="To", field_name="history_date", lookup_expr="date__lte", help_text="For example, 30/6/2026"
    )
    address = AddressFilter(label="From address", field_name="ip_address")
    item = django_filters.NumberFilter(label="Item id", field_name="id", min_value=1)

    def filter_nothing(self, queryset, name, value):
        return queryset  # chooses which histories are read (see _histories), not rows within one


def _scoped(audited, user):
    """The history rows of one audited model that `user` may see (by its model's declared scoping)."""
    return permissions.scope(audited.history.objects.all(), user)


def _marking_annotations(audited):
    """For each marking but the highest, whether the history row would be seen by a reader cleared
    to it: read from the same marking paths that scope the log, in the rows' own query."""
    model = audited.history
    return {
        f"seen_at_{marking}": Exists(
            permissions.within_markings(model.objects.filter(history_id=OuterRef("history_id")), Marking.up_to(marking))
        )
        for marking in Marking.values[:-1]
    }


def _marking_of(row):
    """The lowest marking whose readers would see `row` (annotated by _marking_annotations)."""
    return next((m for m in Marking.values[:-1] if getattr(row, f"seen_at_{m}")), Marking.values[-1])


def _placeholder():
    """A queryset for the filter form when no history is being filtered."""
    return next(iter(audit.AUDITED.values())).history.objects.none()


def _histories(request):
    """The bound filter and the filtered, scoped union of every history the user may see."""
    filterset = AuditFilter(request.GET or None, queryset=_placeholder())
    kinds = set()
    if filterset.is_bound and filterset.is_valid():
        kinds = set(filterset.form.cleaned_data.get("kind") or [])
    parts = []
    for label, audited in sorted(audit.AUDITED.items()):
        if kinds and label not in kinds:
            continue
        rows = _scoped(audited, request.user)
        if filterset.is_bound:
            rows = AuditFilter(request.GET, queryset=rows).qs if filterset.is_valid() else rows.none()
        parts.append(
            rows.order_by()
            # As text: an API key's id is its prefix and hash, every other item's a number, and a
            # union's columns must have one type on PostgreSQL.
            .annotate(object_id=Cast("id", CharField()), label=Value(label, output_field=CharField()))
            .values_list(*COLUMNS)
        )
    if not parts:
        return filterset, None
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return filterset, union.order_by("-history_date", "-history_id")


class LogEntry:
    """One line of the log: a history row, the row before it, and what changed between them."""

    def __init__(self, audited, row, previous):
        self.audited, self.row, self.previous = audited, row, previous
        self.when = row.history_date
        self.who = row.history_user.get_username() if row.history_user_id and row.history_user else ""
        self.address = row.ip_address or ""
        self.change = audit.CHANGE_TYPES.get(row.history_type, row.history_type)
        self.kind = audited.kind
        # An API key is named by its prefix: its id also holds the key's hash, long and of no use here.
        self.item_id = getattr(row, "prefix", None) or row.id
        self.item = audited.describe(row)
        self.reason = row.history_change_reason or ""
        self.changes = audit.changes(row, previous)
        self.marking = _marking_of(row)


def _entries(values):
    """Entries for rows of the union (tuples of COLUMNS): two queries per kind of item among them."""
    wanted = {}
    for row in values:
        wanted.setdefault(row[-1], []).append(row[0])
    found = {}
    for label, ids in wanted.items():
        audited = audit.AUDITED[label]
        model = audited.history
        before = model.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id")).order_by("-history_id")
        rows = list(
            model.objects.filter(history_id__in=ids)
            .select_related("history_user")
            .annotate(previous_id=Subquery(before.values("history_id")[:1]), **_marking_annotations(audited))
        )
        previous = model.objects.in_bulk([row.previous_id for row in rows if row.previous_id])
        for row in rows:
            found[(label, row.history_id)] = LogEntry(audited, row, previous.get(row.previous_id))
    return [found[(row[-1], row[0])] for row in values if (row[-1], row[0]) in found]


def _check(request):
    if not permissions.can_view_audit(request.user):
        raise PermissionDenied("Only officers can read the audit log.")


@login_required
@require_GET
def audit_log(request):
    _check(request)
    filterset, histories = _histories(request)
    page = Paginator(histories if histories is not None else [], PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    entries = _entries(list(page.object_list))
    return render(
        request,
        "strategy/audit_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "entries": entries,
            "querystring": query.urlencode(),
            # The strip carries the highest marking of the changes the page shows (none on an empty page).
            "marking": Marking(Marking.highest(entry.marking for entry in entries)).label if entries else "",
        },
    )


def _cell(value):
    """A cell for a spreadsheet: text that a spreadsheet would run as a formula is made inert."""
    return escape_formula("" if value is None else str(value))


EXPORT_HEADER = ["When", "Who", "From address", "Change", "What", "Item id", "Item", "Field", "From", "To", "Reason"]


def _export_lines(histories):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_HEADER)
    start = 0
    while True:
        chunk = list(histories[start : start + EXPORT_CHUNK]) if histories is not None else []
        for entry in _entries(chunk):
            common = [
                timezone.localtime(entry.when).strftime("%d/%m/%Y %H:%M:%S"),
                entry.who,
                entry.address,
                entry.change,
                entry.kind,
                entry.item_id,
                entry.item,
            ]
            for field, old, new in entry.changes or [("", "", "")]:
                writer.writerow([_cell(value) for value in [*common, field, old, new, entry.reason]])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if len(chunk) < EXPORT_CHUNK:
            return
        start += EXPORT_CHUNK


@login_required
@require_GET
def audit_log_download(request):
    """The filtered log as CSV, one line per changed field; marked with the reader's clearance."""
    _check(request)
    _, histories = _histories(request)
    marking = Marking.highest(permissions.allowed_markings(request.user))
    name = f"audit-log-{timezone.localdate():%Y-%m-%d}-{Marking(marking).label.lower()}.csv"
    response = StreamingHttpResponse(_export_lines(histories), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
