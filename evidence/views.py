"""The evidence pages: the area, police.uk imports and their progress, and the counts as CSV (officers);
the strategic assessment and its workbook (every member).

The partnership is the user's own; police.uk's data is public, so every page is OFFICIAL.
"""

import io
import zipfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max, Min
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from actions.imports.problems import ImportRefused, Problem
from evidence import area, assessment, charts, exports, police, records
from evidence.crime_indicators import crime_indicator_compute
from evidence.forms import AreaLookupForm, AssessmentForm, CrimeCountsForm, CrimeIndicatorForm, PoliceUploadForm
from evidence.models import CrimeIndicator, LocalAuthority, PoliceDataImport, PoliceMonth, Ward
from performance.models import Indicator
from strategy import permissions
from strategy.models import Marking, Strategy

REFRESH_SECONDS = 3
MARKING = Marking.OFFICIAL.label


def _partnership(user):
    """The officer's partnership; 403 for anyone else."""
    found = permissions.membership(user)
    if found is None or not permissions.can_manage_evidence(user, found.partnership_id):
        raise PermissionDenied
    return found.partnership


def _crumbs(*more):
    return [("Home", reverse("actions:home")), ("Evidence", reverse("evidence:home") if more else None), *more]


@login_required
@require_GET
def evidence_home(request):
    partnership = _partnership(request.user)
    return _render_home(request, partnership)


def _render_home(request, partnership, *, area_form=None, police_form=None, counts_form=None, status=200):
    lookup = area.current_area(partnership)
    authorities = LocalAuthority.objects.filter(partnership=partnership).current()
    months = (
        PoliceMonth.objects.filter(partnership=partnership)
        .values("month")
        .annotate(forces=Count("force"))
        .order_by("-month")
    )
    held = PoliceMonth.objects.filter(partnership=partnership).aggregate(first=Min("month"), last=Max("month"))
    initial_codes = ", ".join(authority.code for authority in authorities)
    context = {
        "lookup": lookup,
        "authorities": authorities,
        "wards": Ward.objects.filter(partnership=partnership).current().count() if lookup else 0,
        "retired_wards": Ward.objects.filter(partnership=partnership, retired_by__isnull=False).count(),
        "months": months,
        "area_form": area_form or AreaLookupForm(initial={"local_authorities": initial_codes}),
        "police_form": police_form or PoliceUploadForm(),
        "counts_form": counts_form
        or CrimeCountsForm(
            initial={
                "start": f"{held['first']:%Y-%m}" if held["first"] else "",
                "end": f"{held['last']:%Y-%m}" if held["last"] else "",
            }
        ),
        "crime_indicators": CrimeIndicator.objects.filter(
            indicator__in=Indicator.objects.visible_to(request.user).filter(strategy__partnership=partnership)
        )
        .select_related("indicator__strategy")
        .prefetch_related("wards")
        .order_by("indicator__strategy__title", "indicator__ref_sort"),
        "imports": PoliceDataImport.objects.filter(partnership=partnership)
        .defer("file_content", "preview", "result")
        .select_related("created_by")[:20],
        "marking": MARKING,
        "status": status,
        "crumbs": _crumbs(),
    }
    context["forms"] = [context["area_form"], context["police_form"], context["counts_form"]]
    return render(request, "evidence/evidence_home.html", context, status=status)


@login_required
@require_POST
def area_upload(request):
    partnership = _partnership(request.user)
    form = AreaLookupForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            lookup = area.area_import(
                partnership=partnership,
                content=upload.read(),
                file_name=upload.name,
                local_authority_codes=form.cleaned_data["local_authorities"],
                by=request.user,
            )
        except ImportRefused as refused:
            form.add_error("file", "; ".join(str(problem) for problem in refused.problems[:5]))
        else:
            messages.success(request, _area_message(lookup))
            return redirect("evidence:home")
    return _render_home(request, partnership, area_form=form, status=400)


def _area_message(lookup):
    text = f"The area now has {lookup.wards} wards and {lookup.lsoas} LSOAs (wards of {lookup.ward_year})."
    if lookup.renamed:
        text += f" Renamed: {', '.join(lookup.renamed)}."
    if lookup.retired:
        text += f" No longer in the lookup, kept with their counts: {', '.join(lookup.retired)}."
    return text


def _packed(uploads):
    """One upload's bytes and name: a single file as it is, several CSV files packed into one zip."""
    if len(uploads) == 1:
        return uploads[0].read(), uploads[0].name
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for upload in uploads:
            with archive.open(upload.name, "w") as member:
                for chunk in upload.chunks():
                    member.write(chunk)
    return buffer.getvalue(), f"{len(uploads)} files ({uploads[0].name}, ...)"


@login_required
@require_POST
def police_upload(request):
    partnership = _partnership(request.user)
    form = PoliceUploadForm(request.POST, request.FILES)
    if form.is_valid() and area.current_area(partnership) is None:
        form.add_error(
            "files",
            "The partnership has no area yet: load the ONS lookup above first, so the crime data can be counted "
            "by ward",
        )
    if form.is_valid():
        content, name = _packed(form.cleaned_data["files"])
        try:
            record = records.import_create(partnership=partnership, file_name=name, content=content, by=request.user)
        except ImportRefused as refused:
            form.add_error("files", str(refused.problems[0]))
        else:
            return redirect("evidence:police_import_detail", pk=record.pk)
    return _render_home(request, partnership, police_form=form, status=400)


def _import_for(user, pk):
    record = get_object_or_404(
        PoliceDataImport.objects.defer("file_content").select_related("partnership", "created_by"), pk=pk
    )
    if not permissions.is_member(user, record.partnership_id):
        raise Http404
    if not permissions.can_manage_evidence(user, record.partnership_id):
        raise PermissionDenied
    return record


@login_required
@require_http_methods(["GET", "POST"])
def police_import_detail(request, pk):
    record = _import_for(request.user, pk)
    if request.method == "POST":
        if record.state != PoliceDataImport.State.READY:
            messages.error(
                request, f"This import is {record.get_state_display().lower()}: there is nothing to confirm."
            )
        else:
            try:
                records.import_confirm(record)
            except records.ImportNotReady as error:
                messages.error(request, str(error))
        return redirect("evidence:police_import_detail", pk=record.pk)
    report = record.result if record.state == PoliceDataImport.State.IMPORTED else record.preview
    context = {
        "record": record,
        "report": report,
        "summary": police.summary_lines(report) if report.get("totals") else [],
        "problems": [Problem.from_dict(p) for p in record.problems or []],
        "running": record.state in PoliceDataImport.RUNNING_STATES and not record.stalled,
        "stalled": record.stalled,
        "refresh_seconds": REFRESH_SECONDS,
        "marking": MARKING,
        "crumbs": _crumbs((record.file_name, None)),
    }
    return render(request, "evidence/police_import_detail.html", context)


@login_required
@require_POST
def police_import_cancel(request, pk):
    record = _import_for(request.user, pk)
    try:
        records.import_cancel(record)
    except records.ImportNotReady as error:
        messages.error(request, str(error))
        return redirect("evidence:police_import_detail", pk=record.pk)
    messages.success(request, f"The import of {record.file_name} was cancelled. Nothing was saved.")
    return redirect("evidence:home")


@login_required
@require_GET
def crime_counts_csv(request):
    partnership = _partnership(request.user)
    form = CrimeCountsForm(request.GET)
    if not form.is_valid():
        return _render_home(request, partnership, counts_form=form, status=400)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    buffer = io.StringIO()
    exports.write_crime_counts(buffer, partnership=partnership, start=start, end=end)
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{partnership.slug}-crime-counts-{start}-to-{end}-official.csv"'
    )
    return response


# The strategic assessment ------------------------------------------------------------------------


def _member_partnership(user):
    """The member's partnership, for the pages every member reads; 403 for a user in none."""
    found = permissions.membership(user)
    if found is None or not permissions.can_view_assessment(user, found.partnership_id):
        raise PermissionDenied
    return found.partnership


def _assessment(request):
    """(partnership, form, assessment or None) for the query string's choices."""
    partnership = _member_partnership(request.user)
    options = assessment.AssessmentOptions.for_partnership(partnership)
    form = AssessmentForm(request.GET, options=options)
    found = None
    if form.is_valid() and options.months_held:
        data = form.cleaned_data
        found = assessment.Assessment.for_window(
            partnership, data["end"], crime_types=data["type"], wards=data["ward"], top=data["top"], options=options
        )
    return partnership, form, found


@login_required
@require_GET
def assessment_page(request):
    partnership, form, found = _assessment(request)
    status = 400 if form.errors else 200
    officer = permissions.can_manage_evidence(request.user, partnership.pk)
    context = {
        "form": form,
        "found": found,
        "charts": [
            (trend, charts.assessment_chart(trend, found.window, chart_id=f"trend-{index}"))
            for index, trend in enumerate(found.trends)
        ]
        if found
        else [],
        "filtered": bool(request.GET),
        "query": request.GET.urlencode(),
        "officer": officer,
        "marking": MARKING,
        "status": status,
        "crumbs": _crumbs(("Strategic assessment", None))
        if officer
        else [("Home", reverse("actions:home")), ("Strategic assessment", None)],
    }
    return render(request, "evidence/assessment.html", context, status=status)


@login_required
@require_GET
def assessment_xlsx(request):
    partnership, form, found = _assessment(request)
    if found is None:  # bad choices or no data: the page says which
        query = request.GET.urlencode()
        return redirect(reverse("evidence:assessment") + (f"?{query}" if query else ""))
    content = exports.assessment_xlsx(found)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = (
        f'attachment; filename="{partnership.slug}-assessment-{found.window.last:%Y-%m}-official.xlsx"'
    )
    return response


# Indicators computed from the crime counts ------------------------------------------------------------


def _definable_strategies(user, partnership):
    """The partnership's strategies (not archived) in which this officer may define indicators."""
    strategies = (
        Strategy.objects.visible_to(user).filter(partnership=partnership).exclude(status=Strategy.Status.ARCHIVED)
    )
    allowed = [strategy.pk for strategy in strategies if permissions.can_define_crime_indicators(user, strategy)]
    return Strategy.objects.filter(pk__in=allowed).order_by("-start_date", "title")


def _save(request, form):
    """The form's indicator saved with its values computed, or None with the reason on the form."""
    try:
        return form.save(by=request.user)
    except ValidationError as error:
        found = error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]
        for field, problems in found:
            form.add_error(field if field in form.fields else None, problems)
        return None


def _computed_message(definition):
    indicator = definition.indicator
    written = indicator.values.current().count()
    return (
        f"{indicator.ref} {indicator.name} is computed from the crime data: {written} figure"
        f"{'' if written == 1 else 's'} from the months held."
    )


@login_required
@require_http_methods(["GET", "POST"])
def crime_indicator_create(request):
    partnership = _partnership(request.user)
    strategies = _definable_strategies(request.user, partnership)
    if not strategies.exists():
        raise PermissionDenied("Only officers cleared for a strategy define its indicators.")
    form = CrimeIndicatorForm(
        request.POST if request.method == "POST" else None,
        partnership=partnership,
        strategies=strategies,
        initial={"period_kind": CrimeIndicator.PeriodKind.QUARTERLY, "crimes": CrimeIndicator.Crimes.TYPES},
    )
    if request.method == "POST" and form.is_valid() and (definition := _save(request, form)) is not None:
        messages.success(request, _computed_message(definition))
        return redirect("performance:indicator_detail", pk=definition.indicator.pk)
    title = "Define an indicator from crime data"
    return _render_indicator_form(request, form, title=title, status=400 if form.errors else 200)


def _definition_for(request, pk):
    partnership = _partnership(request.user)
    indicator = get_object_or_404(
        Indicator.objects.visible_to(request.user).filter(strategy__partnership=partnership).select_related("strategy"),
        pk=pk,
    )
    definition = get_object_or_404(CrimeIndicator.objects.select_related("indicator__strategy"), indicator=indicator)
    if not permissions.can_define_crime_indicators(request.user, indicator.strategy):
        raise PermissionDenied
    return partnership, definition


@login_required
@require_http_methods(["GET", "POST"])
def crime_indicator_edit(request, pk):
    partnership, definition = _definition_for(request, pk)
    indicator = definition.indicator
    form = CrimeIndicatorForm(
        request.POST if request.method == "POST" else None,
        partnership=partnership,
        strategies=Strategy.objects.none(),
        indicator=indicator,
        initial=CrimeIndicatorForm.initial_for(definition),
    )
    if request.method == "POST" and form.is_valid() and (definition := _save(request, form)) is not None:
        messages.success(request, _computed_message(definition))
        return redirect("performance:indicator_detail", pk=indicator.pk)
    return _render_indicator_form(
        request, form, title=f"Change {indicator.ref}", indicator=indicator, status=400 if form.errors else 200
    )


@login_required
@require_POST
def crime_indicator_recompute(request, pk):
    _, definition = _definition_for(request, pk)
    written = crime_indicator_compute(definition=definition, by=request.user)
    messages.success(
        request,
        f"{definition.indicator.ref} was computed again from the crime data held: "
        f"{written or 'no'} figure{'' if written == 1 else 's'} changed.",
    )
    return redirect("performance:indicator_detail", pk=definition.indicator.pk)


def _render_indicator_form(request, form, *, title, indicator=None, status=200):
    crumbs = _crumbs((title, None))
    context = {"form": form, "title": title, "indicator": indicator, "marking": MARKING, "crumbs": crumbs}
    return render(request, "evidence/crime_indicator_form.html", context, status=status)
