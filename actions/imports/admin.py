"""The back office's Import and Export buttons on the action list, and the import records.

The buttons (django-import-export's admin integration) open the same pages as the rest of the
site, so an import from the back office is checked, previewed, confirmed and recorded exactly as
one from the import page: one code path.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from import_export.admin import ImportExportMixin

from actions.imports.lifecycle import ImportNotReady
from actions.imports.records import import_cancel
from strategy import permissions
from strategy.models import Marking, Strategy


def _strategy_from_filters(request):
    """The strategy the action list is filtered to, if it is filtered to one the user may see."""
    pk = request.GET.get("strategy__id__exact")
    if not pk or not pk.isdigit():
        return None
    return Strategy.objects.visible_to(request.user).filter(pk=pk).first()


class ActionImportExportMixin(ImportExportMixin):
    """Import and Export buttons on the action list that lead to the site's import and export."""

    def has_import_permission(self, request):
        # The upload page then offers only the strategies the officer is cleared for.
        return permissions.is_officer(request.user)

    def has_export_permission(self, request):
        return request.user.is_superuser or permissions.membership(request.user) is not None

    def import_action(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        query = {"from": "admin"}
        if strategy := _strategy_from_filters(request):
            query["strategy"] = strategy.slug
        return redirect(f"{reverse('actions:import_upload')}?{urlencode(query)}")

    def process_import(self, request, **kwargs):
        # The library's confirm step would import a file uploaded on another back-office page as
        # bare Action rows; action plans are only ever applied through the site's import.
        raise PermissionDenied

    def export_action(self, request):
        if not self.has_export_permission(request):
            raise PermissionDenied
        if strategy := _strategy_from_filters(request):
            return redirect("actions:plan_export", slug=strategy.slug, file_format="xlsx")
        strategies = Strategy.objects.visible_to(request.user).order_by("-start_date", "title")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Export an action plan",
            "strategies": strategies,
        }
        return TemplateResponse(request, "actions/includes/admin_export_choose.html", context)


def cancel_stalled_imports(request, queryset, *, may_cancel, cancel):
    """The back office's way out for imports whose worker died: cancel the selected ones that stalled.

    `may_cancel(user, record)` is the same rule as the import's page; `cancel` the importer's own
    cancel, which refuses an import still running (its row is locked by the worker)."""
    cancelled, refused = [], []
    for record in queryset.select_related("strategy"):
        if not record.stalled or not may_cancel(request.user, record):
            refused.append(f"{record.file_name}: only an import that stopped without finishing can be cancelled here")
            continue
        try:
            cancel(record)
        except ImportNotReady as error:
            refused.append(f"{record.file_name}: {error}")
        else:
            cancelled.append(record.file_name)
    if cancelled:
        messages.success(
            request, f"Cancelled {len(cancelled)} import(s); nothing of them was saved: {', '.join(cancelled)}."
        )
    for reason in refused:
        messages.warning(request, reason)


def _may_cancel_plan_import(user, record):
    return permissions.can_import_plan(user, record.strategy)


class ActionPlanImportAdmin(admin.ModelAdmin):
    """Every import, read-only: the record of who brought which file into which strategy. Officers may
    cancel an import that stopped without finishing (its worker died), which frees the strategy."""

    list_display = ["file_name", "strategy", "state", "stalled", "source", "created_by", "created_at", "file_size"]
    actions = ["cancel_stalled"]
    list_filter = ["state", "source"]
    search_fields = ["file_name", "file_sha256"]
    list_select_related = ["strategy", "created_by"]
    exclude = ["file_content", "preview", "result"]
    readonly_fields = [
        "strategy",
        "created_by",
        "created_at",
        "updated_at",
        "finished_at",
        "source",
        "state",
        "file_name",
        "file_size",
        "file_sha256",
        "blue_means",
        "archive_missing",
        "plan_digest",
        "problems",
        "task_id",
        "stage",
        "rows_total",
        "rows_done",
    ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).defer("file_content", "preview", "result")
        queryset = permissions.scope(queryset, request.user)
        if permissions.cleared_for(request.user, *Marking.values):
            return queryset
        # The same rule as the import pages: only the imports of strategies the officer may import into.
        strategies = Strategy.objects.visible_to(request.user)
        return queryset.filter(strategy__in=[s.pk for s in strategies if permissions.can_import_plan(request.user, s)])

    def has_module_permission(self, request):
        return permissions.is_officer(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.is_officer(request.user) and (
            obj is None or permissions.can_import_plan(request.user, obj.strategy)
        )

    def has_cancel_permission(self, request):
        return permissions.is_officer(request.user)

    @admin.display(boolean=True, description="Stopped without finishing")
    def stalled(self, obj):
        return obj.stalled

    @admin.action(permissions=["cancel"], description="Cancel the selected imports that stopped without finishing")
    def cancel_stalled(self, request, queryset):
        cancel_stalled_imports(request, queryset, may_cancel=_may_cancel_plan_import, cancel=import_cancel)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
