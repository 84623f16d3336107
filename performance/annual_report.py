"""The annual report: a strategy's work and progress over one financial year (April to March), made from
the plan whenever it is downloaded, as a Word document (DOCX) and a PDF.

`build_annual_report(strategy=, year=, user=, edition=)` gathers what the report says, as `edition` (a
marking) allows: everything marked above it is left out (groups, objectives, actions and their
indicators), so the OFFICIAL edition is what an OFFICIAL reader could see. The report is a list of
sections (SECTIONS), each made by one function from the gathered figures into plain blocks (headings,
paragraphs, lists, tables), which `render_docx` and `render_pdf` lay out; the report page shows the
same blocks.

- Key deliverables: the actions completed in the year, each with the commentary of the update that
  set it Complete (the first of its last run of Complete updates).
- Challenges: the actions Red, Deferred or Withdrawn in the year (or Red or Deferred as it began),
  with the words of the latest such update, and where each stood at the year's end.
- KPIs: performance.indicators.indicator_rows as at the year's last day (latest figure, target, RAG,
  directions of travel).
- The strategic assessment's headline figures for the year: evidence.assessment (police.uk's data,
  OFFICIAL), when the partnership holds any of the year's months.
- The introduction and conclusion: what officers wrote (AnnualReport), left out while empty.
"""

import datetime
import functools
import io
import re
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.shared import Pt

from actions.models import RAG, Action, Status, Update
from evidence.assessment import Assessment
from performance.indicators import indicator_rows
from performance.models import AnnualReport, Indicator
from performance.pack import _static_fetcher
from strategy import permissions
from strategy.models import Marking

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


# Financial years ------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class FinancialYear:
    """April to March, named by the year it starts in (2018 for 2018/19)."""

    year: int

    @classmethod
    def containing(cls, day):
        return cls(day.year if day.month >= 4 else day.year - 1)

    @classmethod
    def from_slug(cls, text):
        """From the form used in addresses and forms: "2018-19"."""
        match = re.fullmatch(r"\s*(\d{4})\s*[-/]\s*(\d{2}|\d{4})\s*", text or "")
        if not match or int(match[2]) % 100 != (int(match[1]) + 1) % 100:
            raise ValueError(f'"{text}" is not a financial year: write it like 2018-19.')
        return cls(int(match[1]))

    @property
    def start(self):
        return datetime.date(self.year, 4, 1)

    @property
    def end(self):
        return datetime.date(self.year + 1, 3, 31)

    @property
    def start_moment(self):
        return timezone.make_aware(datetime.datetime.combine(self.start, datetime.time.min))

    @property
    def end_moment(self):
        return timezone.make_aware(datetime.datetime.combine(self.end, datetime.time.max))

    @property
    def slug(self):
        return f"{self.year}-{(self.year + 1) % 100:02d}"

    def __str__(self):
        return f"{self.year}/{(self.year + 1) % 100:02d}"


def report_years(strategy, today=None):
    """The financial years of the strategy that have begun by `today`, newest first."""
    today = today or timezone.localdate()
    first = FinancialYear.containing(strategy.start_date)
    last = min(FinancialYear.containing(strategy.end_date), FinancialYear.containing(today))
    return [FinancialYear(year) for year in range(last.year, first.year - 1, -1)]


def default_year(strategy, years, user, today=None):
    """The year a report page opens on: the latest that has ended with a counted update `user` may
    see, else the one under way if it has one, else (no work recorded yet) the latest that has
    ended, else the one under way. One query, as the review's opening quarter is found."""
    if not years:
        return None
    today = today or timezone.localdate()
    under_way = FinancialYear.containing(today)
    last = (
        Update.objects.visible_to(user)
        .approved()
        .filter(action__strategy=strategy)
        .aggregate(
            ended=Max("recorded_at", filter=Q(recorded_at__lt=under_way.start_moment)),
            any=Max("recorded_at", filter=Q(recorded_at__lte=under_way.end_moment)),
        )
    )
    for moment in (last["ended"], last["any"]):
        year = FinancialYear.containing(timezone.localdate(moment)) if moment is not None else None
        if year in years:
            return year
    ended = [year for year in years if year.end < today]
    return ended[0] if ended else years[0]


# What officers write --------------------------------------------------------------------------------


class StaleReport(Exception):
    """Someone saved the report's words after the form was opened."""

    def __init__(self, current):
        super().__init__("Someone else saved this report's introduction or conclusion after you opened the page.")
        self.current = current


def annual_report_text(strategy, year):
    """The AnnualReport row of `strategy` and `year`, or an unsaved empty one."""
    found = AnnualReport.objects.filter(strategy=strategy, year=year.year).select_related("updated_by").first()
    return found or AnnualReport(strategy=strategy, year=year.year)


@transaction.atomic
def annual_report_text_save(*, strategy, year, introduction, conclusion, by, expected_version):
    """Save the introduction and conclusion, unless someone saved since the form showed
    `expected_version` (then StaleReport, carrying what they saved)."""
    found = AnnualReport.objects.select_for_update().filter(strategy=strategy, year=year.year).first()
    report = found or AnnualReport(strategy=strategy, year=year.year)
    if report.version != expected_version:
        raise StaleReport(report)
    report.introduction, report.conclusion = introduction.strip(), conclusion.strip()
    report.version += 1
    report.updated_at, report.updated_by = timezone.now(), by
    report.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        # Another officer's first save of this year's text landed between the read and this one.
        raise StaleReport(AnnualReport.objects.get(strategy=strategy, year=year.year)) from None
    return report


# Gathering the year -------------------------------------------------------------------------------


@dataclass
class Entry:
    """An action as a deliverable or a challenge, with the update that makes it one."""

    action: Action
    update: Update | None
    at_year_end: str = ""  # the status word at the year's end (challenges)

    @property
    def group(self):
        return self.action.objective.delivery_group

    @property
    def state(self):
        update = self.update
        if update is None:
            return ""
        if update.rag == RAG.RED:
            return f"Red ({update.get_status_display()})"
        return update.get_status_display()


@dataclass
class Theme:
    """A strategic objective (or the work linked to none) with its year's deliverables and challenges."""

    title: str
    number: int | None
    commitments: list
    deliverables: list = field(default_factory=list)
    challenges: list = field(default_factory=list)


@dataclass
class Report:
    strategy: object
    year: FinancialYear
    edition: str
    text: AnnualReport
    themes: list
    kpis: list
    markings: list
    principles: list
    action_count: int

    @property
    def partnership(self):
        return self.strategy.partnership

    @property
    def marking(self):
        """The highest marking of anything this edition shows."""
        return Marking.highest(self.markings)

    @property
    def marking_label(self):
        return Marking(self.marking).label

    @property
    def edition_label(self):
        return Marking(self.edition).label

    @property
    def title(self):
        return f"{self.strategy.title}: annual report {self.year}"

    @property
    def deliverable_count(self):
        return sum(len(theme.deliverables) for theme in self.themes)

    @property
    def challenge_count(self):
        return sum(len(theme.challenges) for theme in self.themes)

    def file_name(self, extension):
        return f"{self.strategy.slug}-annual-report-{self.year.slug}-{Marking(self.edition).label.lower()}.{extension}"

    @functools.cached_property
    def sections(self):
        """The report's sections, in order: each SECTIONS function's, where it has something to say."""
        return [section for make in SECTIONS if (section := make(self)) is not None]


def build_annual_report(*, strategy, year, user, edition):
    """The strategy's report on `year` as `edition` (one of permissions.annual_report_editions) shows it
    to `user`. Queries: the text, principles and strategic objectives, the actions and their leads, the
    year's updates and those standing as it began, the indicators and their values."""
    if edition not in permissions.annual_report_editions(user, strategy):
        raise PermissionError(f"{Marking(edition).label} is not an edition this user may read.")
    actions = (
        Action.objects.visible_to(user)
        .filter(strategy=strategy)
        .filter(permissions.edition_q(Action.scoping, edition))
        .existing_at(year.end_moment)
        .filter(Q(archived_at__isnull=True) | Q(archived_at__gte=year.start_moment))
    )
    listed = list(
        actions.select_related("objective__delivery_group", "objective__strategic_objective")
        .prefetch_related("lead_links__person")
        .order_by(*("objective__delivery_group__position", "objective__number", "ref_sort", "pk"))
    )
    before = {
        update.action_id: update
        for update in Update.objects.latest_for(actions, year.start_moment - datetime.timedelta(microseconds=1))
    }
    during = {}
    for update in (
        Update.objects.approved()
        .filter(action__in=actions, recorded_at__gte=year.start_moment, recorded_at__lte=year.end_moment)
        .order_by("action_id", "recorded_at", "pk")
    ):
        during.setdefault(update.action_id, []).append(update)

    strategic = list(strategy.strategic_objectives.order_by("number"))
    themes = {so.pk: Theme(f"{so.number}. {so.title}", so.number, so.commitments) for so in strategic}
    other = Theme("Other work of the delivery groups", None, [])
    markings = [strategy.marking]
    for action in listed:
        objective = action.objective
        theme = themes.get(objective.strategic_objective_id, other)
        timeline = ([before[action.pk]] if action.pk in before else []) + during.get(action.pk, [])
        completing, challenge = _completing(timeline, year), _challenge(timeline, year)
        if completing is not None:
            theme.deliverables.append(Entry(action, completing))
        if challenge is not None:
            theme.challenges.append(Entry(action, challenge, at_year_end=_state_word(timeline[-1])))
        if completing or challenge:
            # The report is marked by what it shows: the actions it names, not those it only counts.
            markings += [action.marking, objective.marking, objective.delivery_group.marking]

    kpis = _kpis(strategy, year, user, edition)
    markings += [row.indicator.marking for row in kpis]
    return Report(
        strategy=strategy,
        year=year,
        edition=edition,
        text=annual_report_text(strategy, year),
        themes=[*themes.values(), *([other] if other.deliverables or other.challenges else [])],
        kpis=kpis,
        markings=markings,
        principles=list(strategy.principles.all()),
        action_count=len(listed),
    )


def _completing(timeline, year):
    """The update that set the action Complete, if that happened in `year` and it stayed Complete."""
    if not timeline or timeline[-1].status != Status.COMPLETE:
        return None
    first = len(timeline) - 1
    while first > 0 and timeline[first - 1].status == Status.COMPLETE:
        first -= 1
    completing = timeline[first]
    return completing if completing.recorded_at >= year.start_moment else None


def _is_challenge(update):
    return update.rag == RAG.RED or update.status in (Status.DEFERRED, Status.WITHDRAWN)


def _challenge(timeline, year):
    """The latest update that made the action Red, Deferred or Withdrawn in `year` (a withdrawal only
    when made in the year; Red or Deferred also when carried into it)."""
    for update in reversed(timeline):
        if not _is_challenge(update):
            continue
        if update.recorded_at >= year.start_moment or update.status != Status.WITHDRAWN:
            return update
    return None


def _state_word(update):
    if update.rag:
        return f"{update.get_status_display()}, {RAG(update.rag).label}"
    return update.get_status_display()


def _kpis(strategy, year, user, edition):
    within = Indicator.objects.filter(permissions.edition_indicators_q(Indicator.scoping, edition))
    return indicator_rows(strategy=strategy, user=user, as_at=year.end, indicators=within)


# Sections: what the report says, as blocks both renderers lay out ----------------------------------


@dataclass
class Block:
    kind: str  # "heading", "paragraph", "bullets", "table"
    text: str = ""
    level: int = 3
    items: list = field(default_factory=list)  # bullets; a table's rows
    header: list = field(default_factory=list)  # a table's column names

    @property
    def labelled_rows(self):
        """A table's rows as (column name, value) pairs: the page labels each cell for phones."""
        return [list(zip(self.header, row, strict=True)) for row in self.items]


@dataclass
class Section:
    title: str
    anchor: str
    blocks: list


def paragraphs(text):
    """Officers' text as paragraphs: one per blank line (single line breaks kept as spaces)."""
    return [" ".join(part.split()) for part in re.split(r"\n\s*\n", text or "") if part.strip()]


def _written(report, field_name, title, anchor):
    found = paragraphs(getattr(report.text, field_name))
    if not found:
        return None
    return Section(title, anchor, [Block("paragraph", text) for text in found])


def introduction_section(report):
    return _written(report, "introduction", "Introduction", "introduction")


def conclusion_section(report):
    return _written(report, "conclusion", "Conclusion", "conclusion")


def strategy_section(report):
    strategy = report.strategy
    blocks = [
        Block(
            "paragraph",
            f"{strategy.title} runs from {strategy.start_date:%B %Y} to {strategy.end_date:%B %Y}. This report covers "
            f"the financial year {report.year}, 1 April {report.year.year} to 31 March {report.year.year + 1}.",
        )
    ]
    if strategy.vision:
        blocks += [Block("heading", "Vision"), Block("paragraph", strategy.vision)]
    if report.principles:
        blocks += [
            Block("heading", "Cross-cutting principles"),
            Block("bullets", items=[p.title for p in report.principles]),
        ]
    numbered = [theme for theme in report.themes if theme.number is not None]
    if numbered:
        blocks += [Block("heading", "Strategic objectives"), Block("bullets", items=[t.title for t in numbered])]
    return Section("The strategy", "strategy", blocks)


def delivery_section(report):
    """Per objective: what was delivered and what held work back."""
    blocks = [
        Block(
            "paragraph",
            f"In {report.year} {report.deliverable_count} action{'s' if report.deliverable_count != 1 else ''} "
            f"of the plan {'were' if report.deliverable_count != 1 else 'was'} completed, and "
            f"{report.challenge_count} {'were' if report.challenge_count != 1 else 'was'} rated Red, deferred or "
            "withdrawn. The words are the leads' own, from their updates.",
        )
    ]
    for theme in report.themes:
        blocks.append(Block("heading", theme.title, level=3))
        blocks.append(Block("heading", "Key deliverables", level=4))
        if theme.deliverables:
            blocks.append(
                Block(
                    "table",
                    text=f"Actions completed in {report.year}: {theme.title}",
                    header=["Ref", "Action", "Lead", "Completed", "What was delivered"],
                    items=[
                        [
                            entry.action.ref,
                            entry.action.text,
                            entry.action.lead_names or "Not known",
                            f"{timezone.localtime(entry.update.recorded_at):%d/%m/%Y}",
                            entry.update.commentary or "No commentary given",
                        ]
                        for entry in theme.deliverables
                    ],
                )
            )
        else:
            blocks.append(Block("paragraph", f"No action of this objective was completed in {report.year}."))
        blocks.append(Block("heading", "Challenges", level=4))
        if theme.challenges:
            blocks.append(
                Block(
                    "table",
                    text=f"Actions Red, deferred or withdrawn in {report.year}: {theme.title}",
                    header=["Ref", "Action", "Lead", "Rated", "Reason", "At 31 March"],
                    items=[
                        [
                            entry.action.ref,
                            entry.action.text,
                            entry.action.lead_names or "Not known",
                            f"{entry.state} on {timezone.localtime(entry.update.recorded_at):%d/%m/%Y}",
                            _reason(entry.update),
                            entry.at_year_end,
                        ]
                        for entry in theme.challenges
                    ],
                )
            )
        else:
            blocks.append(
                Block("paragraph", f"No action of this objective was Red, deferred or withdrawn in {report.year}.")
            )
    return Section("Delivery: key deliverables and challenges", "delivery", blocks)


def _reason(update):
    parts = [update.commentary or "No reason given"]
    revised = f"{update.revised_due_date:%d/%m/%Y}" if update.revised_due_date else ""
    if revised and revised not in parts[0]:
        parts.append(f"Revised date {revised}.")
    if update.approved_by and update.status in (Status.DEFERRED, Status.WITHDRAWN):
        parts.append(f"Approved by {update.approved_by}.")
    return " ".join(parts)


def _direction(pair):
    return f"{pair[0]} {pair[1]}" if pair else "–"


KPI_HEADER = ["Indicator", "Latest", "Target", "RAG", "Since the period before", "Since a year earlier", "Comparator"]


def kpi_section(report):
    if not report.kpis:
        return Section(
            "Key performance indicators", "kpis", [Block("paragraph", "This strategy has no indicators yet.")]
        )
    rows = []
    for row in report.kpis:
        indicator = row.indicator
        rows.append(
            [
                f"{indicator.ref} {indicator.name}".strip(),
                f"{row.value_display} ({row.period})" if row.latest else "No figure yet",
                row.target if row.rated else "Not rated",
                (row.rag[1] if row.rag else "–") if row.rated else "–",
                _direction(row.since_previous),
                _direction(row.since_year_earlier),
                row.comparator or "–",
            ]
        )
    return Section(
        "Key performance indicators",
        "kpis",
        [
            Block(
                "paragraph",
                f"Each indicator's latest figure with data to 31 March {report.year.year + 1} or earlier. The "
                "arrow shows which way the figure moved; the word whether that is better, given the indicator's "
                "polarity. Contextual indicators are not rated.",
            ),
            Block(
                "table",
                text=f"Key performance indicators at the end of {report.year}",
                header=KPI_HEADER,
                items=rows,
            ),
        ],
    )


def assessment_section(report):
    """The strategic assessment's headline figures for the year (police.uk's counts, April to March, against
    the year before), as the evidence app words them; left out when no month of the year is held."""
    found = Assessment.for_window(report.partnership, end_month=report.year.end)
    if found is None or len(found.missing) == len(found.window.months):
        return None
    return Section(
        "The strategic assessment: crime and anti-social behaviour",
        "assessment",
        [
            *(Block("paragraph", sentence) for sentence in found.headline()),
            Block(
                "table",
                text=f"Headline figures, {found.window}",
                header=["Figure", "Value"],
                items=[list(pair) for pair in found.headline_figures()],
            ),
        ],
    )


# The sections in order.
SECTIONS = [
    introduction_section,
    strategy_section,
    assessment_section,
    delivery_section,
    kpi_section,
    conclusion_section,
]


# DOCX ------------------------------------------------------------------------------------------------


def render_docx(report):
    """The report as a Word document: real headings (so Word's navigation and contents work), tables with
    a repeated header row, the marking in every page's header and footer, and its core properties."""
    document = Document()
    marking = report.marking_label
    created = timezone.now().astimezone(datetime.UTC).replace(tzinfo=None)
    properties = document.core_properties
    properties.title = report.title
    properties.author = report.partnership.name
    properties.subject = f"Annual report {report.year}"
    properties.category = marking
    properties.keywords = f"{marking}, annual report, {report.year}"
    properties.comments = f"Handling marking: {marking}. {report.edition_label} edition."
    properties.created = properties.modified = created
    properties.last_modified_by = "swp"

    section = document.sections[0]
    for part in (section.header, section.footer):
        paragraph = part.paragraphs[0]
        paragraph.text = marking
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.runs[0].bold = True

    cover = document.add_paragraph()
    run = cover.add_run(marking)
    run.bold, run.font.size = True, Pt(14)
    document.add_paragraph(report.partnership.name)
    document.add_heading(report.title, level=0)
    document.add_paragraph(
        f"Financial year {report.year}: 1 April {report.year.year} to 31 March {report.year.year + 1}. "
        f"Handling marking: {marking}."
    )

    for part in report.sections:
        document.add_heading(part.title, level=1)
        for block in part.blocks:
            if block.kind == "heading":
                document.add_heading(block.text, level=min(block.level - 1, 9))
            elif block.kind == "paragraph":
                document.add_paragraph(block.text)
            elif block.kind == "bullets":
                for item in block.items:
                    document.add_paragraph(item, style="List Bullet")
            elif block.kind == "table":
                caption = document.add_paragraph(block.text, style="Caption")
                caption.paragraph_format.keep_with_next = True
                table = document.add_table(rows=1, cols=len(block.header))
                table.style = "Table Grid"
                heading_row = table.rows[0]
                # Repeated at the top of every page the table runs onto, and read as headers.
                heading_row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
                for cell, text in zip(heading_row.cells, block.header, strict=True):
                    cell.text = text
                    cell.paragraphs[0].runs[0].bold = True
                for values in block.items:
                    cells = table.add_row().cells
                    for cell, text in zip(cells, values, strict=True):
                        cell.text = str(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# PDF -------------------------------------------------------------------------------------------------


def render_pdf(report):
    """The report as a tagged PDF, laid out by WeasyPrint as the meeting pack is (its stylesheet, with the
    page upright, and its static-files-only fetcher)."""
    # Imported when a report is drawn: WeasyPrint needs Pango, a system library; without it the rest of
    # the service runs (performance.pack's check says why no PDF can be made).
    import weasyprint

    html = report_html(report)
    document = weasyprint.HTML(string=html, base_url="https://pack.invalid/", url_fetcher=_static_fetcher())
    return document.write_pdf(pdf_tags=True)


def report_html(report):
    """The HTML WeasyPrint lays out (never served to a browser)."""
    return render_to_string(
        "performance/annual_report_document.html",
        {"report": report, "sections": report.sections, "made_at": timezone.localtime()},
    )


def render_file(report, file_format):
    return render_docx(report) if file_format == "docx" else render_pdf(report)
