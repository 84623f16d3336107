"""Pages for indicators: the list with latest values, one indicator with its chart and history,
entering and correcting a value, and importing values from a spreadsheet.

Every view fetches what it shows through `visible_to(user)` (404 for what a user may not see) and
asks `strategy.permissions` before changing anything (403).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from actions.imports import MAX_ROWS, ImportRefused, Problem
from actions.models import Action
from performance import value_imports
from performance.charts import indicator_charts, indicator_sparkline
from performance.filters import IndicatorFilter
from performance.forms import ValueCorrectionForm, ValueForm, ValueImportUploadForm
from performance.indicators import (
    Period,
    direction,
    format_value,
    indicator_rows,
    period_type_of,
    plain,
    points_from_values,
    rag,
    target_for,
    target_text,
    trend_summary,
)
from performance.models import Indicator, IndicatorValue, IndicatorValueImport
from strategy import permissions
from strategy.models import Marking, Strategy

REFRESH_SECONDS = 3


def _default_strategy(strategies, user):
    """The newest active strategy that has indicators the user may see; else the newest active one."""
    with_indicators = (
        Indicator.objects.visible_to(user)
        .filter(strategy__in=[s.pk for s in strategies])
        .order_by("-strategy__start_date")
        .values_list("strategy", flat=True)
        .first()
    )
    found = next((s for s in strategies if s.pk == with_indicators), None)
    active = [s for s in strategies if s.status == Strategy.Status.ACTIVE]
    return found or (active[0] if active else (strategies[0] if strategies else None))


def _get_indicator(request, pk):
    indicators = Indicator.objects.visible_to(request.user).select_related(
        "strategy", "owning_organisation", "delivery_group"
    )
    return get_object_or_404(indicators, pk=pk)


COMPUTED_MESSAGE = (
    "{ref}'s values are computed from police.uk crime data, so they cannot be typed in or corrected: they "
    "change when the crime data is imported again, or when its definition changes."
)


def _refuse_if_computed(request, indicator):
    """Back to the indicator page, saying why, when its values are computed; else None."""
    if not indicator.computed:
        return None
    messages.error(request, COMPUTED_MESSAGE.format(ref=indicator.ref))
    return redirect("performance:indicator_detail", pk=indicator.pk)


def _crumbs(indicator, *more):
    return [
        ("Indicators", f"{reverse('performance:indicator_list')}?{urlencode({'strategy': indicator.strategy.slug})}"),
        (indicator.ref, reverse("performance:indicator_detail", args=[indicator.pk])),
        *more,
    ]


@login_required
@require_GET
def indicator_list(request):
    """Every indicator of a strategy with its latest value, target, RAG, directions and trend.

    Queries, whatever the number of indicators and values: membership, strategies, the default
    strategy (when none is chosen), the filter's three choice lists, the indicators, their recent
    values, and whether the user may import.
    """
    strategies = list(Strategy.objects.listed_for(request.user).order_by("-start_date", "title"))
    slug = request.GET.get("strategy")
    if slug:
        strategy = next((s for s in strategies if s.slug == slug), None)
        if strategy is None:
            raise Http404
    else:
        strategy = _default_strategy(strategies, request.user)
    context = {"strategy": strategy, "strategies": strategies}
    if strategy is not None:
        filterset = IndicatorFilter(request.GET, queryset=Indicator.objects.all(), strategy=strategy, user=request.user)
        rows = indicator_rows(strategy=strategy, user=request.user, indicators=filterset.qs)
        rows = [row for row in rows if filterset.rag_wanted(row)]
        # One reverse() for all rows, formatted per row: the list holds every indicator of the strategy.
        detail_url = reverse("performance:indicator_detail", args=[0]).replace("/0/", "/{}/")
        for row in rows:
            row.url = detail_url.format(row.indicator.pk)
            row.sparkline = indicator_sparkline(row.indicator, row.points) if row.latest else ""
        performance = [row for row in rows if row.rated]
        counts = dict.fromkeys(("green", "amber", "red", "grey"), 0)
        for row in performance:
            counts[row.rag[0]] += 1
        context.update(
            filter=filterset,
            performance_rows=performance,
            contextual_rows=[row for row in rows if not row.rated],
            rag_counts=counts,
            total=len(rows),
            filtered=any(request.GET.get(name) for name in ("group", "objective", "priority", "rag")),
            may_import=Indicator.objects.for_strategy(strategy).enterable_by(request.user).exists(),
        )
    return render(request, "performance/indicator_list.html", context)


@login_required
@require_GET
def indicator_detail(request, pk):
    indicator = _get_indicator(request, pk)
    history = list(indicator.values.select_related("entered_by").order_by("-period_start", "-entered_at", "-pk"))
    for value in history:
        value.display = format_value(indicator, value.value)
        value.parts = f"{plain(value.numerator)} of {plain(value.denominator)}" if value.numerator is not None else ""
    displays = {value.pk: value.display for value in history}
    for value in history:
        value.replaced_display = displays.get(value.replaces_id, "")
    current = [value for value in history if value.superseded_at is None]
    points = points_from_values(current)
    by_period = {point.period: point for point in points}
    table = []
    for point, value in zip(points, sorted(current, key=lambda v: v.period_start), strict=True):
        previous = by_period.get(point.period.previous())
        year_earlier = by_period.get(point.period.year_earlier())
        table.append(
            {
                "point": point,
                "value": value,
                "display": format_value(indicator, point.value),
                "comparator": format_value(indicator, point.comparator_value),
                "target": format_value(indicator, target_for(indicator, point.comparator_value), exact=True),
                "rag": rag(indicator, point.value, point.comparator_value),
                "since_previous": direction(indicator.polarity, point.value, previous.value) if previous else None,
                "since_year_earlier": (
                    direction(indicator.polarity, point.value, year_earlier.value) if year_earlier else None
                ),
            }
        )
    table.reverse()  # newest first, like every history in the service
    row = indicator_rows(strategy=indicator.strategy, user=request.user, indicators=Indicator.objects.filter(pk=pk))
    return render(
        request,
        "performance/indicator_detail.html",
        {
            "indicator": indicator,
            "row": row[0] if row else None,
            "chart": indicator_charts(indicator, points) if points else None,
            "has_comparator": any(point.comparator_value is not None for point in points),
            "summary": trend_summary(indicator, points),
            "table": table,
            "history": history,
            "corrected": [value for value in history if value.replaces_id],
            "target": target_text(indicator),
            "baseline": format_value(indicator, indicator.baseline_value),
            "tolerance": plain(indicator.amber_tolerance),
            "owners": indicator.owners.all(),
            "strategic_objectives": indicator.strategic_objectives.all(),
            "objectives": indicator.objectives.select_related("delivery_group").visible_to(request.user),
            "linked_actions": Action.objects.visible_to(request.user)
            .filter(indicators=indicator)
            .select_related("objective__delivery_group"),
            "may_enter": permissions.can_enter_values(request.user, indicator),
            "computed_message": COMPUTED_MESSAGE.format(ref=indicator.ref) if indicator.computed else "",
            "may_define": indicator.computed
            and permissions.can_define_crime_indicators(request.user, indicator.strategy),
            "marking": Marking(indicator.marking).label,
            "crumbs": _crumbs(indicator)[:1],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def value_add(request, pk):
    indicator = _get_indicator(request, pk)
    if refused := _refuse_if_computed(request, indicator):
        return refused
    if not permissions.can_enter_values(request.user, indicator):
        raise PermissionDenied("Only the indicator's owners and officers can enter its values.")
    form = ValueForm(request.POST or None, indicator=indicator)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            value = indicator.record_value(
                period=data["period"],
                value=data["value"],
                by=request.user,
                data_to=data["data_to"],
                numerator=data["numerator"],
                denominator=data["denominator"],
                comparator_value=data["comparator_value"],
                commentary=data["commentary"].strip(),
                data_quality_note=data["data_quality_note"].strip(),
                source=IndicatorValue.Source.WEB,
            )
        except ValidationError as error:
            form.add_error("period", error.messages[0])
        else:
            messages.success(
                request,
                f"{format_value(indicator, value.value)} for {data['period']} has been saved to {indicator.ref}.",
            )
            return redirect("performance:indicator_detail", pk=indicator.pk)
    return render(
        request,
        "performance/value_form.html",
        {
            "indicator": indicator,
            "form": form,
            "period_type": period_type_of(indicator),
            "crumbs": _crumbs(indicator),
            "marking": Marking(indicator.marking).label,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def value_correct(request, pk, value_pk):
    indicator = _get_indicator(request, pk)
    current = get_object_or_404(indicator.values.all(), pk=value_pk)
    if refused := _refuse_if_computed(request, indicator):
        return refused
    if not permissions.can_enter_values(request.user, indicator):
        raise PermissionDenied("Only the indicator's owners and officers can correct its values.")
    period = Period(current.period_start, current.period_type)
    if current.superseded_at is not None:
        latest = indicator.values.current().filter(period_start=current.period_start).first()
        messages.info(request, f"That figure for {period} has already been corrected: this is the latest one.")
        if latest is None:
            return redirect("performance:indicator_detail", pk=indicator.pk)
        return redirect("performance:value_correct", pk=indicator.pk, value_pk=latest.pk)
    initial = {
        "period": str(period),
        "value": plain(current.value),
        "numerator": plain(current.numerator),
        "denominator": plain(current.denominator),
        "comparator_value": plain(current.comparator_value),
        "data_to": current.data_to if current.data_to != current.period_end else None,
        "commentary": current.commentary,
        "data_quality_note": current.data_quality_note,
    }
    form = ValueCorrectionForm(request.POST or None, indicator=indicator, current=current, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            value = indicator.record_value(
                period=period,
                value=data["value"],
                by=request.user,
                data_to=data["data_to"],
                numerator=data["numerator"],
                denominator=data["denominator"],
                comparator_value=data["comparator_value"],
                commentary=data["commentary"].strip(),
                data_quality_note=data["data_quality_note"].strip(),
                source=IndicatorValue.Source.WEB,
                replaces=current,
                correction_reason=data["correction_reason"].strip(),
            )
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            messages.success(
                request,
                f"{indicator.ref} for {period} was corrected from {format_value(indicator, current.value)} to "
                f"{format_value(indicator, value.value)}. The old figure is kept in the history.",
            )
            return redirect("performance:indicator_detail", pk=indicator.pk)
    return render(
        request,
        "performance/value_correct.html",
        {
            "indicator": indicator,
            "current": current,
            "current_display": format_value(indicator, current.value),
            "period": period,
            "form": form,
            "crumbs": _crumbs(indicator),
            "marking": Marking(indicator.marking).label,
        },
    )


# Importing values -----------------------------------------------------------------------------


def _import_strategies(user):
    """The strategies for which this user may enter some indicator's values."""
    enterable = Indicator.objects.enterable_by(user).values("strategy")
    return Strategy.objects.listed_for(user).order_by("-start_date", "title").filter(pk__in=enterable)


def _import_for(user, pk):
    record = get_object_or_404(
        IndicatorValueImport.objects.defer("file_content").select_related("strategy", "created_by"), pk=pk
    )
    if not permissions.is_member(user, record.strategy.partnership_id) or not permissions.cleared_for(
        user, record.strategy.marking
    ):
        raise Http404
    # Officers cleared for the strategy's indicators manage every import of it; anyone else their own.
    if not permissions.can_view_value_import(user, record):
        raise PermissionDenied
    return record


@login_required
@require_GET
def value_import_list(request):
    strategies = _import_strategies(request.user)
    if not strategies.exists():
        raise PermissionDenied("Only officers and indicators' owners can import values.")
    imports = permissions.visible_value_imports(
        IndicatorValueImport.objects.filter(strategy__in=strategies), request.user
    ).defer("file_content", "preview", "result")
    return render(
        request,
        "performance/value_import_list.html",
        {
            "imports": imports.select_related("strategy", "created_by")[:100],
            "crumbs": [("Indicators", reverse("performance:indicator_list")), ("Value imports", None)],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def value_import_upload(request):
    strategies = _import_strategies(request.user)
    choices = list(strategies)
    if not choices:
        raise PermissionDenied("Only officers and indicators' owners can import values.")
    chosen = next((s for s in choices if s.slug == request.GET.get("strategy")), choices[0])
    if request.method == "POST":
        form = ValueImportUploadForm(request.POST, request.FILES, strategies=strategies)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                record = value_imports.value_import_create(
                    strategy=form.cleaned_data["strategy"],
                    file_name=upload.name,
                    content=upload.read(),
                    by=request.user,
                )
            except ImportRefused as refused:
                form.add_error("file", str(refused.problems[0]))
            else:
                return redirect("performance:value_import_detail", pk=record.pk)
    else:
        form = ValueImportUploadForm(strategies=strategies, initial={"strategy": chosen})
    return render(
        request,
        "performance/value_import_upload.html",
        {
            "form": form,
            "max_rows": MAX_ROWS,
            "crumbs": [
                ("Indicators", reverse("performance:indicator_list")),
                ("Value imports", reverse("performance:value_import_list")),
                ("Import", None),
            ],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def value_import_detail(request, pk):
    """The import as it stands: progress, the preview with its confirm button, problems or result."""
    record = _import_for(request.user, pk)
    State = IndicatorValueImport.State
    if request.method == "POST":
        try:
            value_imports.value_import_confirm(record)
        except value_imports.ImportNotReady as error:
            messages.error(request, str(error))
        return redirect("performance:value_import_detail", pk=record.pk)
    report = record.result if record.state == State.IMPORTED else record.preview
    return render(
        request,
        "performance/value_import_detail.html",
        {
            "record": record,
            "report": report or {},
            "problems": [Problem.from_dict(p) for p in (record.problems or [])],
            "notes": [Problem.from_dict(p) for p in (report or {}).get("notes", [])],
            "running": record.state in IndicatorValueImport.RUNNING_STATES and not record.stalled,
            "stalled": record.stalled,
            "refresh_seconds": REFRESH_SECONDS,
            "marking": Marking(record.strategy.marking).label,
            "crumbs": [
                ("Indicators", f"{reverse('performance:indicator_list')}?strategy={record.strategy.slug}"),
                ("Value imports", reverse("performance:value_import_list")),
                (record.file_name, None),
            ],
        },
    )


@login_required
@require_POST
def value_import_cancel(request, pk):
    record = _import_for(request.user, pk)
    try:
        value_imports.value_import_cancel(record)
    except value_imports.ImportNotReady as error:
        messages.error(request, str(error))
        return redirect("performance:value_import_detail", pk=record.pk)
    messages.success(request, f"The import of {record.file_name} was cancelled. Nothing was saved.")
    return redirect("performance:value_import_list")


__all__ = [
    "indicator_detail",
    "indicator_list",
    "value_add",
    "value_correct",
    "value_import_cancel",
    "value_import_detail",
    "value_import_list",
    "value_import_upload",
]
