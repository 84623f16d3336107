"""Pages for importing an action plan from a spreadsheet, and exporting one.

Officers only, and only into a strategy they are cleared for in full (strategy.permissions
.can_import_plan): upload a file, watch it being checked, read the preview, confirm or cancel (also
an import that stalled because its worker died), and see the result. Checking and importing run as tasks,
so the officer may leave and come back (the list of imports links to each). Export is for
anyone who may see the strategy, limited to the rows they may see.
"""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from actions.imports import MAX_ROWS, ImportRefused, Problem, summary_lines
from actions.imports.forms import ImportConfirmForm, ImportUploadForm
from actions.imports.records import ImportNotReady, import_cancel, import_confirm, import_create
from actions.models import Action, ActionPlanImport
from actions.spreadsheets import highest_marking, plan_rows, write_csv, write_plan_xlsx
from strategy import permissions
from strategy.models import Marking, Person, Strategy

# The progress page reloads itself this often (seconds) while a task runs.
REFRESH_SECONDS = 3


def managed_strategies(user):
    """The strategies whose plans this user may import."""
    strategies = Strategy.objects.visible_to(user).select_related("partnership").order_by("-start_date", "title")
    return [strategy for strategy in strategies if permissions.can_import_plan(user, strategy)]


def _import_for(user, pk):
    """The import `pk` if this user may manage its strategy: 404 outside their partnership, else 403."""
    record = get_object_or_404(
        ActionPlanImport.objects.defer("file_content").select_related("strategy__partnership", "created_by"), pk=pk
    )
    if not permissions.is_member(user, record.strategy.partnership_id):
        raise Http404
    if not permissions.can_import_plan(user, record.strategy):
        raise PermissionDenied
    return record


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    strategies = managed_strategies(request.user)
    may_add_strategy = permissions.can_add_strategy(request.user)
    if not strategies and (not may_add_strategy or request.method == "POST"):
        raise PermissionDenied
    queryset = Strategy.objects.filter(pk__in=[s.pk for s in strategies]).order_by("-start_date", "title")
    chosen = next((s for s in strategies if s.slug == request.GET.get("strategy")), None)
    if not strategies:
        form = None  # nothing to import into yet: only "Import into a new strategy"
    elif request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES, strategies=queryset)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                record = import_create(
                    strategy=form.cleaned_data["strategy"],
                    file_name=upload.name,
                    content=upload.read(),
                    by=request.user,
                    source=ActionPlanImport.Source.ADMIN
                    if request.POST.get("source") == "admin"
                    else ActionPlanImport.Source.WEB,
                )
            except ImportRefused as refused:
                form.add_error("file", str(refused.problems[0]))
            else:
                return redirect("actions:import_detail", pk=record.pk)
    else:
        form = ImportUploadForm(strategies=queryset, initial={"strategy": chosen or strategies[0]})
    return render(
        request,
        "actions/import_upload.html",
        {
            "form": form,
            "max_rows": MAX_ROWS,
            "from_admin": request.GET.get("from") == "admin",
            "may_add_strategy": may_add_strategy,
            "crumbs": [
                ("Home", reverse("actions:home")),
                ("Imports", reverse("actions:import_list")),
                ("Import", None),
            ],
        },
    )


@login_required
@require_GET
def import_list(request):
    strategies = managed_strategies(request.user)
    if not strategies:
        raise PermissionDenied
    imports = (
        ActionPlanImport.objects.filter(strategy__in=strategies)
        .defer("file_content", "preview", "result")
        .select_related("strategy", "created_by")
        .order_by("-created_at", "-pk")[:100]
    )
    return render(
        request,
        "actions/import_list.html",
        {"imports": imports, "crumbs": [("Home", reverse("actions:home")), ("Imports", None)]},
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_detail(request, pk):
    """The import as it stands: progress, preview (with the confirm form), problems or result."""
    record = _import_for(request.user, pk)
    form = None
    if record.state == ActionPlanImport.State.READY:
        form = _confirm_form(record, request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                state = import_confirm(
                    record,
                    blue_means=form.cleaned_data["blue_means"] or record.blue_means,
                    archive_missing=form.cleaned_data["archive_missing"],
                    lower_markings=form.cleaned_data["lower_markings"],
                    lead_choices=form.lead_choices(),
                )
            except ImportNotReady as error:
                messages.error(request, _not_ready_message(error))
            else:
                if state == ActionPlanImport.State.CHECKING:
                    messages.info(
                        request, "The preview is being made again with your choices: check it, then confirm the import."
                    )
            return redirect("actions:import_detail", pk=record.pk)
    elif request.method == "POST":
        messages.error(request, f"This import is {record.get_state_display().lower()}: there is nothing to confirm.")
        return redirect("actions:import_detail", pk=record.pk)
    report = record.result if record.state == ActionPlanImport.State.IMPORTED else record.preview
    context = {
        "record": record,
        "form": form,
        "report": report,
        "summary": summary_lines(report) if report else [],
        "problems": [Problem.from_dict(p) for p in (record.problems or report.get("problems", []))],
        "notes": [Problem.from_dict(p) for p in report.get("notes", [])] if report else [],
        "lowered": [Problem.from_dict(p) for p in report.get("lowered", [])] if report else [],
        "running": record.state in ActionPlanImport.RUNNING_STATES and not record.stalled,
        "stalled": record.stalled,
        "refresh_seconds": REFRESH_SECONDS,
        "marking": Marking(record.strategy.marking).label,
        "crumbs": [
            ("Home", reverse("actions:home")),
            ("Imports", reverse("actions:import_list")),
            (record.file_name, None),
        ],
    }
    return render(request, "actions/import_detail.html", context)


def _confirm_form(record, data):
    """The confirm form of a ready import, with a choice for each lead's name that matches no one."""
    initial = {"blue_means": record.blue_means, "archive_missing": record.archive_missing}
    unknown_leads = (record.preview or {}).get("unknown_leads", [])
    people = []
    if unknown_leads:
        people = Person.objects.filter(partnership_id=record.strategy.partnership_id).order_by("name").only("name")
    lowered = len((record.preview or {}).get("lowered", []))
    return ImportConfirmForm(data, initial=initial, unknown_leads=unknown_leads, people=people, lowered=lowered)


def _not_ready_message(error):
    """The error in words, with a link to the stalled import standing in the way if there is one."""
    if error.blocker is None:
        return str(error)
    url = reverse("actions:import_detail", args=[error.blocker.pk])
    return format_html('{} <a class="govuk-notification-banner__link" href="{}">Go to that import</a>.', error, url)


@login_required
@require_POST
def import_cancel_view(request, pk):
    record = _import_for(request.user, pk)
    try:
        import_cancel(record)
    except ImportNotReady as error:
        messages.error(request, str(error))
        return redirect("actions:import_detail", pk=record.pk)
    messages.success(request, f"The import of {record.file_name} was cancelled. Nothing was saved.")
    return redirect("actions:import_list")


@login_required
@require_GET
def plan_export(request, slug, file_format):
    """The strategy's plan as .xlsx (the importable layout) or .csv (a flat table)."""
    strategy = Strategy.objects.visible_to(request.user).filter(slug=slug).first()
    if strategy is None:
        raise Http404
    actions = None
    if not permissions.can_manage_strategy(request.user, strategy) or not permissions.cleared_for(
        request.user, *Marking.values
    ):
        # Only what this user may see; objectives with nothing visible are left out.
        actions = Action.objects.visible_to(request.user).for_strategy(strategy).current()
    stamp = timezone.localdate().isoformat()
    rows = list(plan_rows(strategy, actions=actions))
    # The file carries the highest marking of what it holds, in its name as in its cells and headers.
    marking = highest_marking(strategy, actions)
    if file_format == "csv":
        buffer = io.StringIO()
        write_csv(rows, buffer)
        response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    else:
        buffer = io.BytesIO()
        write_plan_xlsx(strategy, buffer, actions=actions)
        response = HttpResponse(
            buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = (
        f'attachment; filename="{strategy.slug}-action-plan-{marking.label.lower()}-{stamp}.{file_format}"'
    )
    return response
