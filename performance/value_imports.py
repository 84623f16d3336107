"""Importing indicator values from a spreadsheet: check it (the preview), confirm, apply all or nothing.

It runs the action-plan import's pipeline (`actions.imports.pipeline`: read -> plan -> apply): the
file is read by the same code (size limit, kind from the content, .xlsx / .csv / .ods read in
bounded memory, row and cell limits, headers by their synonyms), problems are the same `Problem`s
naming sheet, row and column, and the apply is all or nothing. The upload is kept on the record
between the preview and the confirm, and the check and the import run as background tasks
(`actions.imports.lifecycle`).

A file has one table (on each sheet) with a header row holding at least Indicator, Period and
Value, and optionally Note (or Commentary), Data to, Numerator, Denominator, Comparator and Data
quality. Indicator is a reference (KPI-V1) or an indicator's exact name; Period is "2019/20 Q2",
"Sep 2019", "2019-09" or "2019/20" (a date cell reads as its month). A row for a period that has
a figure already corrects it when the figure differs (the old one stays in the history) and is
left alone when it is the same.
"""

import datetime
import functools
import hashlib
import json
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from actions.imports import lifecycle, pipeline, tables
from actions.imports.lifecycle import ImportNotReady, ImportStillRunning
from actions.imports.pipeline import (
    ImportResult,
    header_columns,
    header_key,
    is_blank,
    read_tables,
    second_column,
    synonym_keys,
    unknown_columns,
)
from actions.imports.problems import ImportRefused, Problem, capped
from actions.imports.reading import HEADER_SEARCH_ROWS
from actions.imports.vocabulary import clean_text
from actions.models import Action, DeliveryGroup, Objective, ref_sort_key
from actions.spreadsheets import unescape_formula
from performance.indicators import (
    InvalidPeriod,
    Period,
    format_value,
    parse_number,
    period_problem,
    value_problem,
)
from performance.models import Indicator, IndicatorValue, IndicatorValueImport
from strategy.audit import bulk_create_audited, record_changed
from strategy.dates import InvalidDate, read_day
from strategy.models import Marking, Organisation, Partnership, Person, StrategicObjective, Strategy, name_key

logger = logging.getLogger(__name__)
State = IndicatorValueImport.State

__all__ = [
    "ImportNotReady",
    "ImportStillRunning",
    "value_import_apply_run",
    "value_import_cancel",
    "value_import_check_run",
    "value_import_confirm",
    "value_import_create",
    "values_check",
]

COLUMNS = {
    "indicator": ["Indicator", "Indicator reference", "Reference", "Ref", "KPI", "Measure", "Indicator name"],
    "period": ["Period", "Month", "Quarter", "Financial year", "Year"],
    "value": ["Value", "Figure", "Actual", "Result"],
    "note": ["Note", "Notes", "Commentary", "Comment", "Comments"],
    "data_to": ["Data to", "Data to date", "Data up to"],
    "numerator": ["Numerator"],
    "denominator": ["Denominator"],
    "comparator": ["Comparator", "Comparator value", "Benchmark"],
    "data_quality": ["Data quality", "Data quality note"],
}
COLUMN_KEYS = synonym_keys(COLUMNS)
REQUIRED = ("indicator", "period", "value")
EXPECTED = "Indicator, Period, Value and Note"
# How many rows of each kind a stored preview lists (the counts are always whole).
LISTED = 300
_THOUSANDTH = Decimal("0.001")


@dataclass
class Row:
    sheet: str | None
    number: int
    cells: dict
    headers: dict  # column -> header as written


class PlannedValue(NamedTuple):
    """What one row of the file would do to one indicator's figure for one period."""

    kind: str  # "new", "corrected" or "unchanged"
    row: Row
    indicator: Indicator
    period: Period
    fields: dict  # the new IndicatorValue's fields
    current: IndicatorValue | None  # the figure it corrects or leaves alone


@dataclass
class ValueImportResult(ImportResult):
    """What a check or an import of indicator values found and did."""

    plan: list = field(default_factory=list)  # PlannedValues, in the file's order

    def work_out_digest(self):
        """A fingerprint of what would be saved and of the figures it replaces."""
        entries = [
            [kind, indicator.pk, period.start.isoformat(), current.pk if current else None, _jsonable(fields)]
            for kind, _, indicator, period, fields, current in self.plan
        ]
        return hashlib.sha256(json.dumps(entries, sort_keys=True).encode()).hexdigest()

    def report(self):
        per_indicator = {}
        listed = []
        totals = {"new": 0, "corrected": 0, "unchanged": 0}
        for kind, row, indicator, period, fields, current in self.plan:
            totals[kind] += 1
            counts = per_indicator.setdefault(
                indicator.pk,
                {"ref": indicator.ref, "name": indicator.name, "new": 0, "corrected": 0, "unchanged": 0},
            )
            counts[kind] += 1
            if kind != "unchanged" and len(listed) < LISTED:
                listed.append(
                    {
                        "kind": kind,
                        "place": Problem("", sheet=row.sheet, row=row.number).place,
                        "ref": indicator.ref,
                        "period": str(period),
                        "old": format_value(indicator, current.value) if current else "",
                        "new": format_value(indicator, fields["value"]),
                        "note": fields["commentary"],
                    }
                )
        return {
            "rows": self.rows,
            "totals": totals,
            "indicators": sorted(per_indicator.values(), key=lambda counts: ref_sort_key(counts["ref"])),
            "changes": listed,
            "changes_anything": bool(totals["new"] or totals["corrected"]),
            "notes": [note.as_dict() for note in self.notes],
        }


def _jsonable(fields):
    return {key: (str(value) if value is not None else None) for key, value in sorted(fields.items())}


def _reworded(problem):
    """The shared reader's refusals speak of "the plan"; here the file holds values."""
    return Problem(
        problem.message.replace("Split the plan", "Split the values"),
        sheet=problem.sheet,
        row=problem.row,
        column=problem.column,
    )


# Read ---------------------------------------------------------------------------------------------


def read_rows(content, name=""):
    """(rows, notes): the file's data rows with their places, or ImportRefused."""
    rows, notes, problems = [], [], []
    headers_found = []

    def read_sheet(sheet_name, lines):
        found, any_content = _read_sheet(sheet_name, lines, rows, notes, problems)
        headers_found.append(found)
        if len(rows) > tables.MAX_ROWS:
            raise tables.too_many_rows()
        return any_content

    try:
        read_tables(content, name, read_sheet)
    except ImportRefused as refused:
        raise ImportRefused([_reworded(problem) for problem in refused.problems]) from None
    if problems:
        raise ImportRefused(problems)
    if not any(headers_found):
        raise ImportRefused(Problem(f"No header row was found: the first rows should name the columns {EXPECTED}."))
    if not rows:
        raise ImportRefused(Problem(f"{name or 'The file'} has a header row but no values below it."))
    return rows, capped(notes, "notes")


def _column_of(header):
    return COLUMN_KEYS.get(header_key(header))


def _read_sheet(sheet_name, lines, rows, notes, problems):
    """Read one sheet's rows into `rows`; returns (header found, anything in the sheet)."""
    columns = None
    headers = {}
    seen = 0
    any_content = False
    for number, values in lines:
        if all(is_blank(value) for value in values):
            continue
        any_content = True
        if columns is None:
            seen += 1
            found = header_columns(values, _column_of)
            if len(found) >= 2:
                columns = _use_header(sheet_name, number, values, found, headers, notes, problems)
                if columns is None:
                    return True, True
                continue
            if seen >= HEADER_SEARCH_ROWS:
                break
            continue
        cells = {}
        for index, value in enumerate(values):
            if index in columns and not is_blank(value):
                cells[columns[index]] = value if not isinstance(value, str) else unescape_formula(clean_text(value))
        if not cells:
            continue
        rows.append(Row(sheet=sheet_name, number=number, cells=cells, headers=headers))
        if len(rows) > tables.MAX_ROWS:
            return True, True
    if columns is None and any_content and sheet_name:
        notes.append(
            Problem(
                f"no header row naming the columns {EXPECTED} was found, so the sheet was not read", sheet=sheet_name
            )
        )
    return columns is not None, any_content


def _use_header(sheet_name, number, values, found, headers, notes, problems):
    """{column index: column} of the sheet's header row (filling `headers`), or None if it lacks a
    column every file needs."""
    missing = [column for column in REQUIRED if column not in found.values()]
    if missing:
        names = " or ".join(COLUMNS[column][0] for column in missing)
        problems.append(
            Problem(
                f"no {names} column was found; the header row should name the columns {EXPECTED}",
                sheet=sheet_name,
                row=number,
            )
        )
        return None
    columns = {}
    for index, column in found.items():
        written = clean_text(values[index])
        if column in headers:
            notes.append(second_column(COLUMNS[column][0], sheet=sheet_name, row=number, written=written))
            continue
        columns[index] = column
        headers[column] = written
    notes.extend(unknown_columns(values, found, sheet=sheet_name, row=number, clean=clean_text))
    return columns


# Plan ---------------------------------------------------------------------------------------------


class Index:
    """The strategy's indicators the user may see and enter, and their current values: loaded in a
    fixed number of queries whatever the size of the file."""

    def __init__(self, strategy, by):
        visible = list(Indicator.objects.for_strategy(strategy).visible_to(by)) if by is not None else []
        self.by_ref = {name_key(indicator.ref): indicator for indicator in visible}
        self.by_name = {}
        for indicator in visible:
            self.by_name.setdefault(name_key(indicator.name), []).append(indicator)
        self.enterable = set(
            Indicator.objects.for_strategy(strategy).enterable_by(by).values_list("pk", flat=True) if by else []
        )
        self.current = {
            (value.indicator_id, value.period_start): value
            for value in IndicatorValue.objects.current().filter(indicator__in=[i.pk for i in visible])
        }

    def indicator(self, text):
        key = name_key(str(text))
        if key in self.by_ref:
            return self.by_ref[key], None
        named = self.by_name.get(key, [])
        if len(named) == 1:
            return named[0], None
        if len(named) > 1:
            refs = ", ".join(indicator.ref for indicator in named)
            return None, f'"{text}" is the name of several indicators ({refs}): use the reference instead'
        return None, f'"{text}" is not an indicator of this strategy: use its reference, like KPI-V1, or its exact name'


def _place(row, column=None):
    """The sheet, row and (written) header of a cell, as a Problem's keywords."""
    place = {"sheet": row.sheet, "row": row.number}
    if column is not None:
        place["column"] = row.headers.get(column, COLUMNS[column][0])
    return place


def _number(row, column, problems, *, required=False):
    raw = row.cells.get(column)
    if raw is None:
        if required:
            problems.append(Problem("the value is blank: enter a number, like 14", **_place(row, column)))
        return None
    try:
        return parse_number(raw)
    except ValueError as error:
        problems.append(Problem(f"{error}: enter a number, like 14 or 14.5", **_place(row, column)))
        return None


def _date(raw):
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    text = str(raw).strip()
    try:
        day = read_day(text)
    except InvalidDate:
        day = None
    if day is None:
        raise ValueError(f'"{text}" is not a date: write it like 30/09/2019')
    return day


def _row_indicator(row, index):
    """(the indicator a row names and the user may enter values for, None) or (None, a Problem)."""
    place = _place(row, "indicator")
    if "indicator" not in row.cells:
        return None, Problem("the indicator is blank: give its reference, like KPI-V1", **place)
    indicator, why = index.indicator(row.cells["indicator"])
    if indicator is None:
        return None, Problem(why, **place)
    if indicator.computed:
        why = f"{indicator.ref}'s values are computed from police.uk crime data: they cannot be imported"
        return None, Problem(why, **place)
    if indicator.pk not in index.enterable:
        return None, Problem(f"you cannot enter values for {indicator.ref}: only its owners and officers can", **place)
    return indicator, None


def _row_period(row, indicator, seen, today):
    """(the period a row gives, once in the file and open for the indicator, None) or (None, a Problem)."""
    place = _place(row, "period")
    try:
        period = Period.parse(row.cells.get("period"))
    except InvalidPeriod as error:
        return None, Problem(str(error), **place)
    if why := period_problem(indicator, period, today=today):
        return None, Problem(why, **place)
    if (indicator.pk, period) in seen:
        why = f"{indicator.ref} {period} is also on row {seen[indicator.pk, period]}: give each period once"
        return None, Problem(why, **place)
    seen[indicator.pk, period] = row.number
    return period, None


def _row_data_to(row, period, today, problems):
    """The day a row's figure counts to: its Data to cell, else the period's end (today for a period
    still running). Adds a problem and returns None if the cell is wrong."""
    if "data_to" not in row.cells:
        return min(period.end, today)
    try:
        data_to = _date(row.cells["data_to"])
    except ValueError as error:
        problems.append(Problem(str(error), **_place(row, "data_to")))
        return None
    if not (period.start <= data_to <= period.end):
        problems.append(Problem(f"{data_to:%d/%m/%Y} is not within {period}", **_place(row, "data_to")))
    elif data_to > today:
        problems.append(Problem(f"{data_to:%d/%m/%Y} is in the future", **_place(row, "data_to")))
    return data_to


def _row_fields(row, indicator, period, today, problems):
    """The new figure's fields a row gives, or None (with its problems added)."""
    before = len(problems)
    value = _number(row, "value", problems, required=True)
    numerator = _number(row, "numerator", problems)
    denominator = _number(row, "denominator", problems)
    comparator = _number(row, "comparator", problems)
    if len(problems) > before:
        return None
    for name, number in (("value", value), ("comparator", comparator)):
        if number is not None and (why := value_problem(indicator, number)):
            problems.append(Problem(why, **_place(row, name)))
    if denominator is not None and denominator <= 0:
        problems.append(Problem("the denominator must be greater than 0", **_place(row, "denominator")))
    data_to = _row_data_to(row, period, today, problems)
    if len(problems) > before:
        return None
    return {
        "value": value.quantize(_THOUSANDTH),
        "numerator": numerator,
        "denominator": denominator,
        "comparator_value": comparator,
        "data_to": data_to,
        "commentary": str(row.cells.get("note", "")).strip(),
        "data_quality_note": str(row.cells.get("data_quality", "")).strip(),
    }


def _plan_row(row, index, seen, today, problems):
    """The PlannedValue of one row, or None (with its problem added)."""
    indicator, problem = _row_indicator(row, index)
    period = None
    if indicator is not None:
        period, problem = _row_period(row, indicator, seen, today)
    if problem is not None:
        problems.append(problem)
        return None
    fields = _row_fields(row, indicator, period, today, problems)
    if fields is None:
        return None
    current = index.current.get((indicator.pk, period.start))
    if current is None:
        kind = "new"
    elif _same(current, fields):
        kind = "unchanged"
    else:
        kind = "corrected"
    return PlannedValue(kind, row, indicator, period, fields, current)


def _plan(rows_and_notes, *, strategy, by, today):
    rows, notes = rows_and_notes
    index = Index(strategy, by)
    result = ValueImportResult(notes=notes, rows=len(rows))
    seen = {}  # (indicator pk, period) -> the row that gives it
    for row in rows:
        if planned := _plan_row(row, index, seen, today, result.problems):
            result.plan.append(planned)
    result.problems = capped(result.problems)
    result.digest = result.work_out_digest()
    return result


def _same(current, fields):
    """Whether a row says what the period's current value already says (blank cells change nothing)."""
    if current.value != fields["value"] or current.data_to != fields["data_to"]:
        return False
    for name in ("numerator", "denominator", "comparator_value"):
        if fields[name] is not None and getattr(current, name) != fields[name]:
            return False
    for name in ("commentary", "data_quality_note"):
        if fields[name] and getattr(current, name) != fields[name]:
            return False
    return True


def _steps(*, strategy, content, file_name, by, today=None):
    """The pipeline's read and plan steps for one file."""
    return {
        "read": lambda: read_rows(content, file_name),
        "plan": functools.partial(_plan, strategy=strategy, by=by, today=today or timezone.localdate()),
        "refused": lambda problems: ValueImportResult(problems=problems),
    }


def values_check(*, strategy, content, file_name="", by=None, today=None):
    """What importing `content` into `strategy`'s indicators would do. Saves nothing."""
    return pipeline.preview(**_steps(strategy=strategy, content=content, file_name=file_name, by=by, today=today))


# Apply --------------------------------------------------------------------------------------------


def _write(result, *, by, file_name, value_import):
    """Save the planned figures, superseding those they correct; None if the figures changed meanwhile."""
    now = timezone.now()
    replaced = [planned.current.pk for planned in result.plan if planned.kind == "corrected"]
    if IndicatorValue.objects.filter(pk__in=replaced, superseded_at__isnull=True).update(superseded_at=now) != len(
        replaced
    ):
        return None
    superseded = list(IndicatorValue.objects.filter(pk__in=replaced))
    record_changed(superseded, IndicatorValue, by=by, reason="Corrected by an indicator values import")
    created = []
    for kind, _, indicator, period, fields, current in result.plan:
        if kind == "unchanged":
            continue
        new = {**fields}
        if kind == "corrected":
            for name in ("numerator", "denominator", "comparator_value"):
                if new[name] is None:
                    new[name] = getattr(current, name)
            for name in ("commentary", "data_quality_note"):
                new[name] = new[name] or getattr(current, name)
        created.append(
            IndicatorValue(
                indicator=indicator,
                period_type=period.type,
                period_start=period.start,
                period_end=period.end,
                entered_by=by if by is not None and by.is_authenticated else None,
                entered_at=now,
                source=IndicatorValue.Source.IMPORT,
                replaces=current if kind == "corrected" else None,
                correction_reason=f"Corrected by the import of {file_name or 'a file'}" if kind == "corrected" else "",
                value_import=value_import,
                **new,
            )
        )
    try:
        with transaction.atomic():
            bulk_create_audited(created, IndicatorValue, by=by, reason="Indicator values import", batch_size=2000)
    except IntegrityError:
        return None  # another import saved a figure for one of these periods first
    totals = result.report()["totals"]
    return {"created": totals["new"], "corrected": totals["corrected"], "unchanged": totals["unchanged"]}


@transaction.atomic
def values_apply(*, strategy, content, file_name="", by=None, expected_digest=None, value_import=None):
    """Import `content`: every row or, on any problem or if the figures changed since the preview, nothing.

    Returns (result, stale, applied counts).
    """
    # One import into a strategy's indicators at a time: the second waits here, then sees the first's values.
    Strategy.objects.select_for_update().filter(pk=strategy.pk).first()
    result = pipeline.apply(
        **_steps(strategy=strategy, content=content, file_name=file_name, by=by),
        write=functools.partial(_write, by=by, file_name=file_name, value_import=value_import),
        expected_digest=expected_digest,
    )
    return result, result.stale, result.applied


# The recorded import's life: uploaded, checked, confirmed, imported -----------------------------------


@task()
def value_import_check(import_id):
    """Check an uploaded file of values and store its preview."""
    return value_import_check_run(import_id)


@task()
def value_import_apply(import_id):
    """Import a confirmed file of values, all or nothing."""
    return value_import_apply_run(import_id)


def value_import_create(*, strategy, file_name, content, by=None, background=True):
    """Record an upload and start checking it: as a task (run by the worker), or here and now."""
    record = lifecycle.record_create(
        IndicatorValueImport, strategy=strategy, file_name=file_name, content=content, by=by
    )
    if background:
        lifecycle.enqueue(IndicatorValueImport, record, value_import_check, only_if_unset=True)
    else:
        value_import_check_run(record.pk)
    record.refresh_from_db()
    return record


def _check(record, report):
    outcome = values_check(
        strategy=record.strategy,
        content=bytes(record.file_content),
        file_name=record.file_name,
        by=record.created_by,
    )
    if outcome.ok:
        fields = {"rows_total": outcome.rows, "preview": outcome.report(), "digest": outcome.digest}
    else:
        fields = {"rows_total": outcome.rows, "preview": {"notes": [note.as_dict() for note in outcome.notes]}}
    return lifecycle.Checked(fields=fields, problems=outcome.problems)


def _apply(record, report):
    outcome, stale, applied = values_apply(
        strategy=record.strategy,
        content=bytes(record.file_content),
        file_name=record.file_name,
        by=record.created_by,
        expected_digest=record.digest,
        value_import=record,
    )
    return lifecycle.Applied(
        stale=stale, problems=outcome.problems, result={**outcome.report(), "applied": applied} if outcome.ok else {}
    )


def value_import_check_run(pk):
    return lifecycle.check_run(IndicatorValueImport, pk, check=_check, label="Value import")


def value_import_confirm(record, *, background=True):
    """The user confirmed the preview: import it."""
    record = lifecycle.confirm(
        IndicatorValueImport,
        record,
        busy_message="Another import of values into this strategy is running. Wait for it to finish, then confirm "
        "again.",
    )
    if background:
        lifecycle.enqueue(IndicatorValueImport, record, value_import_apply)
    else:
        value_import_apply_run(record.pk)
    return State.IMPORTING


def value_import_apply_run(pk):
    return lifecycle.apply_run(
        IndicatorValueImport,
        pk,
        apply=_apply,
        check=_check,
        stale_stage="The figures changed since your preview: checking again",
        label="Value import",
    )


def value_import_cancel(record):
    """Cancel an import waiting to be checked or confirmed, or one that stalled (its worker died)."""
    return lifecycle.cancel(IndicatorValueImport, record)


# Loading indicators and their values from a document (the demo data) ---------------------------------


@transaction.atomic
def indicators_document_load(*, document):
    """Create or bring up to date the indicators of `document` (the shape of fixtures/swp_indicators.json)
    and add their values. Matched on natural keys (strategy slug, indicator reference, period), so loading
    twice changes nothing; a value that differs from the document is corrected, keeping the old one."""
    partnership = Partnership.objects.get(slug=document["partnership"])
    loaded = 0
    for spec in document["indicators"]:
        strategy = Strategy.objects.get(partnership=partnership, slug=spec["strategy"])
        baseline = spec.get("baseline") or {}
        target = spec.get("target") or {}
        group = spec.get("delivery_group")
        indicator = Indicator.objects.filter(strategy=strategy, ref=spec["ref"]).first()
        indicator = indicator or Indicator(strategy=strategy, ref=spec["ref"])
        fields = {
            "name": spec["name"],
            "definition": spec.get("definition", ""),
            "description": spec.get("description", ""),
            "unit": spec["unit"],
            "decimal_places": spec.get("decimal_places", 0),
            "polarity": spec["polarity"],
            "kind": spec["kind"],
            "frequency": spec["frequency"],
            "period_basis": spec.get("period_basis", "period"),
            "data_source": spec.get("data_source", ""),
            "owning_organisation": Organisation.objects.filter(
                partnership=partnership, name=spec.get("owning_organisation", "")
            ).first(),
            "delivery_group": DeliveryGroup.objects.filter(strategy=strategy, name=group).first() if group else None,
            "baseline_value": _decimal(baseline.get("value")),
            "baseline_period": baseline.get("period", ""),
            "target_kind": target.get("kind", ""),
            "target_value": _decimal(target.get("value")),
            "amber_tolerance": Decimal(str(spec.get("amber_tolerance", 5))),
            "comparator_name": spec.get("comparator", ""),
            "marking": Marking.from_text(spec.get("marking", "")),
        }
        for name, value in fields.items():
            setattr(indicator, name, value)
        indicator.full_clean()  # a mistake in the document is named, not left to the database
        indicator.save()
        indicator.owners.set(
            Person.objects.filter(partnership=partnership, name_key__in=[name_key(n) for n in spec.get("owners", [])])
        )
        indicator.strategic_objectives.set(
            StrategicObjective.objects.filter(strategy=strategy, number__in=spec.get("strategic_objectives", []))
        )
        objectives = [
            Objective.objects.get(delivery_group__strategy=strategy, delivery_group__name=name, number=number)
            for name, number in spec.get("objectives", [])
        ]
        indicator.objectives.set(objectives)
        indicator.actions.set(Action.objects.filter(strategy=strategy, ref__in=spec.get("actions", [])))
        current = {value.period_start: value for value in indicator.values.current()}
        for item in spec.get("values", []):
            period = Period.parse(item["period"])
            fields = {
                "value": _decimal(item["value"]),
                "numerator": _decimal(item.get("numerator")),
                "denominator": _decimal(item.get("denominator")),
                "comparator_value": _decimal(item.get("comparator")),
                "commentary": item.get("note", ""),
            }
            existing = current.get(period.start)
            if existing is not None and all(getattr(existing, name) == value for name, value in fields.items()):
                continue
            indicator.record_value(
                period=period,
                source=IndicatorValue.Source.DEMO,
                replaces=existing,
                correction_reason="The demo data changed" if existing else "",
                **fields,
            )
        loaded += 1
    return loaded


def _decimal(value):
    return None if value is None else Decimal(str(value)).quantize(_THOUSANDTH)
