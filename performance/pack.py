"""The meeting pack: a PDF for the committee papers and an XLSX, from the same figures as the dashboard.

`pack_create` records a MeetingPack for a meeting, or for a strategy's quarter without one (issued
now, by an officer), and makes its files in
the background (the `pack_generate` task; at once with TASKS_BACKEND=immediate). Both files are made
from `build_review(..., known_by=pack.issued_at)`, the figures as the service knew them at that moment,
and kept in the database with their SHA-256 checksums, never on a path a web server could serve.
`pack_files(pack)` makes the files again from the history; for an unchanged plan they come out byte
for byte as issued (the PDF's and the workbook's dates are the issue time, not the time of making),
whatever corrections, sign-offs or challenges came later.

The PDF (WeasyPrint, no JavaScript): a cover with the partnership, meeting, date, quarter and the
handling marking (the highest of anything in the pack, repeated on every page by @page margin
boxes), a contents list with page numbers, a one-page summary (status chart and counts, the
comparison with the quarter before, the KPI table), then per delivery group its exceptions with
commentary and its full action table (headers repeated on every page), the changes of the quarter,
and the challenges and decisions. Charts are inline SVG, so they stay vector graphics; the PDF is
tagged (pdf_tags) for screen readers. Very large plans are cut in the PDF (PDF_ROWS_PER_GROUP) and
given whole in the XLSX, which always has every action.
"""

import contextlib
import datetime
import functools
import gc
import hashlib
import io
import logging
import mimetypes
import os
import threading
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import xlsxwriter
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core import checks
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from actions.models import RAG, Status
from performance.decisions import attendance_as_at, carried_forward
from performance.decisions import markings as decision_markings
from performance.indicators import UNIT_SUFFIX
from performance.models import MeetingPack
from performance.review import CHART_CATEGORIES, STATUS_COLUMNS, build_review, load_details
from strategy.formulas import escape_formula
from strategy.models import Marking

logger = logging.getLogger(__name__)
# WeasyPrint logs every layout step of every page at INFO: too much for the request log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# A committee paper is read, not searched: past these, a group's rows (and a kind of change) are in
# the XLSX only. A real plan has tens of actions a group; a plan of thousands would otherwise make a
# PDF of hundreds of pages that takes minutes to lay out.
PDF_ROWS_PER_GROUP = 60
PDF_EXCEPTIONS_PER_GROUP = 25
PDF_CHANGES_PER_KIND = 20


@checks.register()
def pango_check(app_configs=None, **kwargs):
    """WeasyPrint draws the PDF pack with Pango, a system library pip cannot install: say so at start-up
    (manage.py check, migrate, runserver: make run and .ci/run) rather than when an officer issues a pack."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:
        return [
            checks.Warning(
                f"Meeting packs cannot be made: WeasyPrint could not load ({error}).",
                hint="Install Pango and a font: apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation "
                "(Debian), then pip install -r requirements.txt.",
                id="performance.W001",
            )
        ]
    return []


# Making and recording a pack ----------------------------------------------------------------------


def pack_create(*, by, meeting=None, strategy=None, quarter=None, include_amber=False):
    """Record a pack for `meeting` (of its strategy and quarter), or for `strategy`'s `quarter` without
    a meeting, issued now by `by`, and make its files (in the background when a worker runs tasks).
    Returns the MeetingPack as it stands after enqueueing."""
    if meeting is not None:
        strategy, quarter = meeting.strategy, meeting.quarter
    pack = MeetingPack.objects.create(
        strategy=strategy,
        meeting=meeting,
        year=quarter.year,
        number=quarter.number,
        include_amber=include_amber,
        issued_by=by,
        # Kept to the microsecond: a challenge or update recorded a moment before the officer pressed
        # the button, within the same second, belongs in the pack.
        issued_at=timezone.now(),
    )
    result = pack_generate.enqueue(pack.pk)
    MeetingPack.objects.filter(pk=pack.pk, state=MeetingPack.State.GENERATING).update(task_id=str(result.id)[:64])
    return MeetingPack.objects.defer("pdf_content", "xlsx_content").get(pk=pack.pk)


@task()
def pack_generate(pack_id):
    """Make and keep the files of pack `pack_id`."""
    return pack_generate_run(pack_id)


def pack_generate_run(pack_id):
    pack = MeetingPack.objects.select_related(
        "strategy__partnership", "meeting__strategy__partnership", "meeting__delivery_group", "issued_by"
    ).get(pk=pack_id)
    if pack.state != MeetingPack.State.GENERATING:
        return pack.state
    if pack.issued_by is None:
        # A pack shows what its issuer may see; with their account gone there is no one to see it as.
        return _failed(pack_id, "The account that issued this pack has been deleted. Issue the pack again.")
    try:
        files = pack_files(pack)
    except Exception as error:  # a pack that cannot be made says why; the officer may try again
        logger.exception("Meeting pack %s could not be made", pack_id)
        return _failed(pack_id, f"{type(error).__name__}: {error}")
    # Saved (not updated in bulk) so the audit trail records the pack as issued.
    pack.state, pack.finished_at, pack.marking, pack.pages = (
        MeetingPack.State.ISSUED,
        timezone.now(),
        files.marking,
        files.pages,
    )
    pack.pdf_content, pack.pdf_size, pack.pdf_sha256 = files.pdf, len(files.pdf), files.pdf_sha256
    pack.xlsx_content, pack.xlsx_size, pack.xlsx_sha256 = files.xlsx, len(files.xlsx), files.xlsx_sha256
    with transaction.atomic():
        pack.save(update_fields=[*ISSUED_FIELDS])
    return MeetingPack.State.ISSUED


ISSUED_FIELDS = (
    "state",
    "finished_at",
    "marking",
    "pages",
    "pdf_content",
    "pdf_size",
    "pdf_sha256",
    "xlsx_content",
    "xlsx_size",
    "xlsx_sha256",
)


def _failed(pack_id, reason):
    pack = MeetingPack.objects.defer("pdf_content", "xlsx_content").get(pk=pack_id)
    pack.state, pack.finished_at, pack.error = MeetingPack.State.FAILED, timezone.now(), reason[:2000]
    pack.save(update_fields=["state", "finished_at", "error"])
    return MeetingPack.State.FAILED


class PackFiles:
    def __init__(self, *, pdf, xlsx, marking, pages):
        self.pdf, self.xlsx, self.marking, self.pages = pdf, xlsx, marking, pages

    @property
    def pdf_sha256(self):
        return hashlib.sha256(self.pdf).hexdigest()

    @property
    def xlsx_sha256(self):
        return hashlib.sha256(self.xlsx).hexdigest()


def pack_files(pack):
    """The pack's PDF and XLSX made from the history as known at `pack.issued_at`, seen as its issuer
    saw it (within their clearance), for the meeting's group only when it is a group's meeting."""
    with _cycle_collector_paused():
        return _make_files(pack)


@contextlib.contextmanager
def _cycle_collector_paused():
    """Making a large plan's pack makes millions of short-lived objects (rows, cells, and WeasyPrint's
    boxes, styles and runs of text), and Python's cycle collector, woken every few hundred of them,
    would walk them and everything else the process holds again and again: a large share of the
    pack's time. Paused while the files are made, it collects what they left in cycles once,
    afterwards. The switch is the process's: a request served meanwhile runs without it too, which
    only defers its collection."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
            gc.collect()


def _make_files(pack):
    meeting = pack.meeting
    data = build_review(
        strategy=pack.strategy,
        quarter=pack.quarter,
        user=pack.issued_by,
        include_amber=pack.include_amber,
        known_by=pack.issued_at,
        group=meeting.delivery_group if meeting else None,
    )
    load_details(data, data.actions)
    # "Actions from previous meetings" (a meeting's pack only): as the issuer saw them when the pack
    # was issued, overdue by the day it was issued.
    carried = (
        carried_forward(
            meeting, user=pack.issued_by, today=timezone.localtime(pack.issued_at).date(), known_by=pack.issued_at
        )
        if meeting
        else []
    )
    marking = Marking.highest(
        [data.marking, _group_marking(meeting), *(m for decision in carried for m in decision_markings(decision))]
    )
    attendance = attendance_as_at(meeting, pack.issued_at) if meeting else []
    context = _context(data, meeting, pack, marking, carried)
    context["attendance"] = attendance
    pdf, pages = render_pdf(context)
    xlsx = render_xlsx(data, meeting, pack, marking, carried, attendance)
    return PackFiles(pdf=pdf, xlsx=xlsx, marking=marking, pages=pages)


def _group_marking(meeting):
    return meeting.delivery_group.marking if meeting and meeting.delivery_group_id else Marking.OFFICIAL


def _context(data, meeting, pack, marking, carried):
    groups = []
    for group in data.groups:
        states = [s for s in data.actions if s.group_id == group.pk]
        if not states:
            continue  # e.g. the Executive Group, which has no actions of its own
        exceptions = next((found for g, found in data.exceptions if g.pk == group.pk), [])
        groups.append(
            {
                "group": group,
                "anchor": f"group-{group.pk}",
                "actions": states[:PDF_ROWS_PER_GROUP],
                "action_count": len(states),
                "exceptions": exceptions[:PDF_EXCEPTIONS_PER_GROUP],
                "exception_count": len(exceptions),
            }
        )
    issued_local = timezone.localtime(pack.issued_at)
    return {
        "review": data,
        "carried": carried,
        "meeting": meeting,
        "pack": pack,
        "title": pack.title,
        "strategy": pack.strategy,
        "partnership": pack.strategy.partnership,
        "quarter": pack.quarter,
        "marking": Marking(marking).label,
        "issued_at": issued_local,
        "issued_by": _person(pack.issued_by),
        "groups": groups,
        "categories": CHART_CATEGORIES,
        "status_columns": STATUS_COLUMNS,
        "pdf_rows_per_group": PDF_ROWS_PER_GROUP,
        "pdf_exceptions_per_group": PDF_EXCEPTIONS_PER_GROUP,
        "pdf_changes_per_kind": PDF_CHANGES_PER_KIND,
        "exception_words": "Red or Amber" if data.include_amber else "Red",
    }


def _person(user):
    if user is None:
        return "Unknown"
    return user.get_full_name() or user.get_username()


# The PDF ------------------------------------------------------------------------------------------


def _static_fetcher():
    """A WeasyPrint URL fetcher that reads /static/ from disk and fetches nothing else."""
    # Imported when a pack is drawn: WeasyPrint needs Pango, a system library; without it the rest of
    # the service runs and pango_check says why no pack can be made.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            path = urlsplit(url).path
            if not path.startswith(settings.STATIC_URL):
                raise ValueError(f"A pack loads only the site's static files, not {url}")
            name = path[len(settings.STATIC_URL) :]
            found = finders.find(name) or (Path(settings.STATIC_ROOT) / name)
            content = Path(found).read_bytes()
            kind = mimetypes.guess_type(str(found))[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=content, headers={"Content-Type": kind})

    return StaticFetcher(fail_on_errors=True)


def render_pdf(context):
    """The pack as a tagged PDF, and its number of pages."""
    import weasyprint  # when a pack is drawn, as in _static_fetcher

    html = render_to_string("performance/pack_document.html", context)
    document = weasyprint.HTML(string=html, base_url="https://pack.invalid/", url_fetcher=_static_fetcher())
    # The file's dates are the issue time (dcterms.created in the template) and its identifier is
    # the pack's, so the same history makes the same bytes. The embedded font subsets carry a
    # "modified" time too, which fontTools takes from SOURCE_DATE_EPOCH when it is set (the
    # reproducible-builds convention); without it, two makings a second apart differ.
    with _source_date_epoch(context["pack"].issued_at):
        rendered = document.render(pdf_tags=True)
        pdf = rendered.write_pdf(pdf_tags=True, pdf_identifier=_identifier(context))
    return pdf, len(rendered.pages)


_environ_lock = threading.Lock()


@contextlib.contextmanager
def _source_date_epoch(moment):
    # The environment is the process's: one pack at a time sets it (a worker thread may make another).
    with _environ_lock:
        before = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = str(int(moment.timestamp()))
        try:
            yield
        finally:
            if before is None:
                del os.environ["SOURCE_DATE_EPOCH"]
            else:
                os.environ["SOURCE_DATE_EPOCH"] = before


def _identifier(context):
    pack = context["pack"]
    seed = f"swp-pack-{pack.meeting_id}-{pack.pk}-{pack.issued_at.isoformat()}"
    return hashlib.md5(seed.encode(), usedforsecurity=False).hexdigest().encode()


# The XLSX -----------------------------------------------------------------------------------------


def render_xlsx(data, meeting, pack, marking, carried=(), attendance=()):
    """The pack as a workbook: a sheet per part, every action in full. Text that a spreadsheet would
    run as a formula is escaped; the marking heads every printed page.

    Written with XlsxWriter, which is faster than openpyxl on a large plan, and reproducible: its zip
    entries carry a fixed date and its properties the `created` one (the issue time), so the same
    figures make the same bytes."""
    book = PackWorkbook(pack, Marking(marking).label)
    _cover_sheet(book, data, meeting, pack)
    _summary_sheet(book, data, pack.quarter)
    _exceptions_sheet(book, data)
    _actions_sheet(book, data)
    _changes_sheet(book, data)
    _kpis_sheet(book, data)
    _agencies_sheet(book, data)
    _challenges_sheet(book, data)
    _previous_meetings_sheet(book, carried)
    if meeting:
        _attendance_sheet(book, attendance)
    return book.close()


class PackWorkbook:
    """An XlsxWriter workbook with the pack's properties, its formats (made once) and sheets headed
    and footed by the marking."""

    def __init__(self, pack, label):
        self.label = label
        self.buffer = io.BytesIO()
        # Every cell is written by its type (PackSheet.row), so no string is ever read as a number, URL
        # or formula.
        self.workbook = xlsxwriter.Workbook(self.buffer, {"in_memory": True})
        issued_utc = pack.issued_at.astimezone(datetime.UTC).replace(tzinfo=None)
        title = f"{pack.title} pack: {pack.quarter}"
        self.workbook.set_properties({"author": pack.strategy.partnership.name, "title": title, "created": issued_utc})
        self.bold = self.workbook.add_format({"bold": True})
        self.date_formats = {
            datetime.datetime: self.workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"}),
            datetime.date: self.workbook.add_format({"num_format": "dd/mm/yyyy"}),
        }
        # & starts a header code in a spreadsheet's page header: a literal one is doubled.
        self.printed = label.replace("&", "&&")
        self.unit_formats = {}

    def sheet(self, title, header=None):
        return PackSheet(self, title, header)

    def figure(self, indicator, value):
        """A KPI figure: the number with its unit's format, or nothing."""
        return None if value is None else (value, self.unit_format(indicator.unit, indicator.decimal_places))

    def unit_format(self, unit, places):
        """A cell format that shows a KPI figure as the service writes it ("12.5%", "£1,200") while
        the cell holds the number, so it sorts and sums."""
        if (unit, places) not in self.unit_formats:
            number = "#,##0" + ("." + "0" * places if places else "")
            if unit == "money":
                number = f'"£"{number}'
            elif suffix := UNIT_SUFFIX.get(unit, ""):
                number = f'{number}"{suffix}"'
            self.unit_formats[unit, places] = self.workbook.add_format({"num_format": number})
        return self.unit_formats[unit, places]

    def close(self):
        self.workbook.close()
        return self.buffer.getvalue()


class PackSheet:
    """A worksheet of the pack and the next row to write."""

    def __init__(self, book, title, header):
        self.book = book
        self.worksheet = book.workbook.add_worksheet(title)
        self.worksheet.set_header(f"&C{book.printed}")
        self.worksheet.set_footer(f"&C{book.printed}&RPage &P of &N")
        self.next_row = 0
        if header:
            for column, text in enumerate(header):
                self.worksheet.write_string(0, column, str(text), book.bold)
            self.next_row = 1

    def row(self, values):
        number, write = self.next_row, self.worksheet
        for column, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, str):  # most cells: tested first
                write.write_string(number, column, escape_formula(value))
            elif isinstance(value, datetime.date):
                write.write_datetime(number, column, value, self.book.date_formats[type(value)])
            elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
                write.write_number(number, column, value)
            elif isinstance(value, tuple):  # a number with its own format (PackWorkbook.figure)
                write.write_number(number, column, value[0], value[1])
            else:  # labels that are lazily translated strings, and anything else as its text
                write.write_string(number, column, escape_formula(str(value)))
        self.next_row += 1


STATUS_LABELS = [label for _, label in STATUS_COLUMNS]
RAG_LABELS = ["Green", "Amber", "Red"]


def _cover_sheet(book, data, meeting, pack):
    quarter = pack.quarter
    cover = book.sheet("Cover")
    for key, value in [
        ("Handling marking", book.label),
        ("Partnership", pack.strategy.partnership.name),
        ("Strategy", pack.strategy.title),
        ("Meeting", meeting.name if meeting else "None: the quarter's pack"),
        ("Date", meeting.date if meeting else None),
        ("Quarter reviewed", f"{quarter} ({quarter.months})"),
        ("Status as at", quarter.end),
        ("Issued", timezone.localtime(pack.issued_at).replace(tzinfo=None)),
        ("Issued by", _person(pack.issued_by)),
        ("Exceptions", "Red and Amber actions" if data.include_amber else "Red actions"),
    ]:
        cover.row([key, value])


def _summary_sheet(book, data, quarter):
    summary = book.sheet("Summary", ["Delivery group", "Actions", *STATUS_LABELS, *RAG_LABELS])
    for count in [*data.group_rows, data.total_row, data.was_total_row]:
        label = count.label if count is not data.was_total_row else f"All groups, end of {quarter.previous()}"
        summary.row([label, count.total, *(n for _, _, n, _ in count.by_status), *(n for _, _, n, _ in count.by_rag)])
    summary.row([])
    summary.row([f"Compared with {quarter.previous()}", "Actions"])
    for _change, change_label, n, _url in data.comparison:
        summary.row([change_label, n])


def _exceptions_sheet(book, data):
    header = ["Delivery group", "Ref", "Action", "Lead", "Status", "RAG", "Due date", "Revised due date"]
    exceptions = book.sheet("Exceptions", [*header, "Commentary", "Decision needed"])
    for group, found in data.exceptions:
        for state in found:
            update = state.update
            exceptions.row(
                [
                    group.name,
                    state.ref,
                    state.text,
                    state.leads,
                    Status(state.status).label,
                    RAG(state.rag).label if state.rag else "",
                    state.due_date,
                    state.revised_due_date,
                    update.commentary if update else "",
                    update.decision_needed if update else "",
                ]
            )


ACTIONS_HEADER = [
    "Delivery group",
    "Objective",
    "Ref",
    "Action",
    "Lead",
    "Status",
    "RAG",
    "Progress",
    "Due date",
    "Deadline as written",
    "Revised due date",
    "Last update",
    "Commentary",
    "Overdue",
    "No update this quarter",
    "Changes this quarter",
]


def _actions_sheet(book, data):
    actions = book.sheet("Actions", ACTIONS_HEADER)
    # Labels looked up once, not per row: the sheet has a row for every action.
    status_label, rag_label = dict(Status.choices), {"": "", **dict(RAG.choices)}
    objective_label = {o.pk: f"{o.number}. {o.title}" for o in data.objectives}
    group_name = {g.pk: g.name for g in data.groups}
    changes_label = functools.cache(lambda changes: ", ".join(sorted(str(change.label) for change in changes)))
    local = timezone.get_current_timezone()
    for state in data.actions:
        update = state.update
        actions.row(
            [
                group_name.get(state.group_id, ""),
                objective_label.get(state.objective_id, ""),
                state.ref,
                state.text,
                state.leads,
                status_label[state.status],
                rag_label[state.rag],
                state.progress,
                state.due_date,
                state.deadline_text,
                state.revised_due_date,
                state.recorded_at.astimezone(local).date() if state.recorded_at else None,
                update.commentary if update else "",
                "Yes" if state.overdue else "No",
                "Yes" if state.no_update else "No",
                changes_label(state.changes),
            ]
        )


def _changes_sheet(book, data):
    changes = book.sheet("Changes", ["Change", "Ref", "Action", "Lead", "Approved by", "Commentary"])
    for _change, heading, found, _url in data.changes:
        for state in found:
            update = state.update
            changes.row(
                [
                    heading,
                    state.ref,
                    state.text,
                    state.leads,
                    update.approved_by if update else "",
                    update.commentary if update else "",
                ]
            )


KPIS_HEADER = [
    "Ref",
    "Indicator",
    "Kind",
    "Latest value",
    "Unit",
    "Data to",
    "Incomplete data",
    "Target",
    "Target value",
    "RAG",
    "Since the period before",
    "Since a year earlier",
    "Comparator",
    "Comparator is",
]


def _kpis_sheet(book, data):
    kpis = book.sheet("KPIs", KPIS_HEADER)
    for kpi in [*data.kpis, *data.contextual_kpis]:
        indicator = kpi.indicator
        kpis.row(
            [
                indicator.ref,
                indicator.name,
                "Performance" if kpi.rated else "Contextual (not rated)",
                book.figure(indicator, kpi.value),
                indicator.get_unit_display(),
                kpi.data_to,
                kpi.coverage,
                kpi.target,
                book.figure(indicator, kpi.target_value),
                kpi.rag[1] if kpi.rag else "",
                kpi.since_previous[1] if kpi.since_previous else "",
                kpi.since_year_earlier[1] if kpi.since_year_earlier else "",
                book.figure(indicator, kpi.comparator_value),
                indicator.comparator_name if kpi.comparator_value is not None else "",
            ]
        )


def _agencies_sheet(book, data):
    header = ["Agency", "Leads", "Contributes to", "Actions", *STATUS_LABELS, *RAG_LABELS]
    agencies = book.sheet("By agency", [*header, "Updates due", "Updates on time", "Per cent on time"])
    for agency in data.agencies:
        extra = agency.extra
        agencies.row(
            [
                agency.label,
                extra["leads"],
                extra["contributes"],
                agency.total,
                *(n for _, _, n, _ in agency.by_status),
                *(n for _, _, n, _ in agency.by_rag),
                extra["owed"],
                extra["on_time"],
                extra["on_time_percent"],
            ]
        )


def _challenges_sheet(book, data):
    challenges = book.sheet(
        "Challenges",
        ["Meeting", "About", "Kind", "Challenge or decision", "Who responds", "Recorded by", "Recorded on"],
    )
    for challenge in data.challenges:
        challenges.row(
            [
                str(challenge.meeting),
                challenge.about_label,
                challenge.get_kind_display(),
                challenge.text,
                challenge.owner,
                _person(challenge.created_by),
                timezone.localtime(challenge.created_at).date(),
            ]
        )


def _previous_meetings_sheet(book, carried):
    previous = book.sheet(
        "Previous meetings", ["Meeting", "About", "Decision", "Owner", "Due", "State", "Overdue", "Response"]
    )
    for decision in carried:
        previous.row(
            [
                str(decision.meeting),
                decision.about_label,
                decision.text,
                decision.owner,
                decision.due_date,
                decision.get_state_display(),
                "Overdue" if decision.overdue else "",
                decision.response,
            ]
        )


def _attendance_sheet(book, attendance):
    present = book.sheet("Attendance", ["Name", "Organisation", "Attendance"])
    for label, people in attendance:
        for name, organisation in people:
            present.row([name, organisation, label])
