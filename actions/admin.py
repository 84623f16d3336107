"""Back office for delivery groups, objectives, actions and their update history.

Chairs and leads may open the actions they may update and change their status, RAG and progress;
every such change is recorded as an update, so history is never lost.
"""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.http import HttpResponseRedirect
from django.utils import timezone

from actions.forms import update_rule_errors
from actions.imports.admin import ActionImportExportMixin, ActionPlanImportAdmin
from actions.models import (
    Action,
    ActionLead,
    ActionPlanImport,
    AwaitingSignOff,
    DeliveryGroup,
    Objective,
    QuarterLocked,
    StaleUpdate,
    Update,
)
from strategy import permissions
from strategy.admin import RelatedOnly, ScopedAdmin, ScopedInline

PROGRESS_FIELDS = ("status", "rag", "progress", "revised_due_date")
# What an update made in the back office takes: the progress, the form's words about it, and the
# latest update the form was opened on (the stale-form check, as on the update form).
UPDATE_FIELDS = (*PROGRESS_FIELDS, "update_commentary", "update_approved_by", "seen_update")


class ObjectiveInline(ScopedInline, admin.TabularInline):
    model = Objective
    fields = ["number", "title", "strategic_objective", "marking"]
    extra = 0
    show_change_link = True


@admin.register(DeliveryGroup)
class DeliveryGroupAdmin(ScopedAdmin):
    list_display = ["name", "strategy", "kind", "chair", "marking"]
    list_filter = [("strategy", RelatedOnly), "kind", "marking"]
    search_fields = ["name", "aim"]
    list_select_related = ["strategy", "chair"]
    autocomplete_fields = ["chair", "members"]
    inlines = [ObjectiveInline]


class ActionInline(ScopedInline, admin.TabularInline):
    model = Action
    fields = ["position", "ref", "text", "deadline_text", "status"]
    readonly_fields = ["status"]
    extra = 0
    show_change_link = True


@admin.register(Objective)
class ObjectiveAdmin(ScopedAdmin):
    list_display = ["__str__", "delivery_group", "strategic_objective", "marking"]
    list_filter = [("delivery_group__strategy", RelatedOnly), ("delivery_group", RelatedOnly), "marking"]
    search_fields = ["title"]
    list_select_related = ["delivery_group", "strategic_objective"]
    inlines = [ActionInline]


class ActionLeadInline(ScopedInline, admin.StackedInline):
    # Stacked, not tabular: a tabular inline's inputs have no labels (only column headers).
    model = ActionLead
    fields = ["person", "position"]
    autocomplete_fields = ["person"]
    extra = 0


class UpdateInline(ScopedInline, admin.TabularInline):
    model = Update
    fields = ["recorded_at", "created_by", "source", "status", "rag", "progress", "commentary"]
    readonly_fields = fields
    extra = 0
    ordering = ["-recorded_at", "-pk"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ActionAdminForm(forms.ModelForm):
    update_commentary = forms.CharField(
        label="Commentary for this update",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded in the action's history when the status, RAG or progress changes. "
        "Needed for Amber, Red, Complete, Deferred and Withdrawn. "
        "Do not include personal details of victims or offenders.",
    )
    update_approved_by = forms.CharField(
        label="Approved by",
        required=False,
        max_length=200,
        help_text="Needed for Deferred and Withdrawn: who approved it (a person or a meeting).",
    )

    seen_update = forms.CharField(required=False, widget=forms.HiddenInput)

    # The update form's field names, as update_rule_errors gives them, and this form's.
    RULE_FIELDS = {"commentary": "update_commentary", "approved_by": "update_approved_by"}
    user = None  # the signed-in user, set by ActionAdmin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial.setdefault("seen_update", self.instance.latest_update_id or "none")

    def seen_update_id(self):
        """The latest update when the form was opened; anything unreadable counts as none seen."""
        value = self.cleaned_data.get("seen_update") or ""
        return int(value) if value.isdigit() else None

    def changes_progress(self):
        return any(name in self.changed_data for name in PROGRESS_FIELDS)

    def clean(self):
        data = super().clean()
        if self.changes_progress() and self.instance.pk is not None:
            self._check_still_current()
        if self.changes_progress():
            # A change of progress here is an update like one made on the site, under the same rules.
            for name, message in update_rule_errors(
                status=data.get("status"),
                rag=data.get("rag"),
                progress=data.get("progress"),
                commentary=data.get("update_commentary"),
                revised_due_date=data.get("revised_due_date"),
                approved_by=data.get("update_approved_by"),
            ):
                self.add_error(self.RULE_FIELDS.get(name, name), message)
        return data

    def _check_still_current(self):
        """The rules Action.record_update enforces, as form errors that keep what was typed: no
        update over one still waiting for sign-off, and none over an update made since the form
        was opened (a lead's save must not silently undo a chair's later Red)."""
        action = self.instance
        if permissions.update_needs_sign_off(self.user, action):
            pending = action.updates.awaiting_sign_off().select_related("action").first()
            if pending is not None:
                self.add_error(None, str(AwaitingSignOff(pending)))
                return
        latest = Update.objects.filter(pk__in=Action.objects.filter(pk=action.pk).values("latest_update"))
        latest = latest.select_related("created_by").first()
        if (latest.pk if latest else None) != self.seen_update_id():
            self.add_error(None, stale_message(latest))
            # Saving again, having seen it, replaces it: the next submit is checked against this one.
            self.data = self.data.copy()
            self.data[self.add_prefix("seen_update")] = str(latest.pk if latest else "none")


def stale_message(latest):
    if latest is None:
        return "The action changed since you opened this page. Check your changes and save again."
    who = latest.created_by or "someone"
    return (
        f"{who} updated this action after you opened this page "
        f"({latest.get_status_display()}{', ' + latest.get_rag_display() if latest.rag else ''}, "
        f"{latest.progress}%, {timezone.localtime(latest.recorded_at):%d/%m/%Y %H:%M}). Your changes have not been "
        "saved: check them against that update, then save again to replace it."
    )


@admin.register(Action)
class ActionAdmin(ActionImportExportMixin, ScopedAdmin):
    form = ActionAdminForm
    list_display = [
        "ref",
        "short_text",
        "group",
        "lead_names",
        "deadline_text",
        "due_date",
        "status",
        "rag",
        "progress",
        "marking",
    ]
    list_filter = [
        ("strategy", RelatedOnly),
        ("objective__delivery_group", RelatedOnly),
        "status",
        "rag",
        "marking",
        ("lead_organisation", RelatedOnly),
    ]
    search_fields = ["ref", "text", "kpi", "leads__name"]
    inlines = [ActionLeadInline, UpdateInline]
    readonly_fields = ["due_date"]
    fieldsets = [
        (None, {"fields": ["objective", "position", "ref", "text", "kpi", "deadline_text", "due_date", "marking"]}),
        ("Agencies", {"fields": ["lead_organisation", "contributing_organisations"]}),
        ("Progress", {"fields": list(UPDATE_FIELDS)}),
    ]
    # Check boxes: the admin's filter_horizontal and autocomplete widgets fail WCAG 2.2 AA (ARIA where it
    # is not allowed; a search box with no label), and a partnership has few enough agencies to list.
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("objective__delivery_group", "strategy")
            .prefetch_related("lead_links__person")
        )

    @admin.display(description="Action")
    def short_text(self, action):
        return action.text if len(action.text) <= 80 else f"{action.text[:77]}..."

    @admin.display(description="Group", ordering="objective__delivery_group__position")
    def group(self, action):
        return action.objective.delivery_group.name

    @admin.display(description="Lead")
    def lead_names(self, action):
        return action.lead_names or "Not known"

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return permissions.role(request.user) in permissions.UPDATE_ROLES or request.user.is_superuser
        return permissions.can_update_action(request.user, obj)

    def get_readonly_fields(self, request, obj=None):
        if permissions.is_officer(request.user):
            return self.readonly_fields
        structural = [f for fields in (fs[1]["fields"] for fs in self.fieldsets) for f in fields]
        return [f for f in structural if f not in UPDATE_FIELDS]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else [ActionLeadInline]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The form checks the update rules first; this catches the same refusals when another update
        # lands between that check and the save (the whole save is rolled back).
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (AwaitingSignOff, QuarterLocked) as refused:
            message = str(refused)
        except StaleUpdate as stale:
            message = stale_message(stale.latest_update)
        self.message_user(request, message, messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        changed = [name for name in PROGRESS_FIELDS if name in form.changed_data]
        if not changed:
            super().save_model(request, obj, form, change)
            return
        wanted = {name: getattr(obj, name) for name in PROGRESS_FIELDS}
        if change:
            # The new state reaches the action through record_update, so it is in the history.
            original = Action.objects.get(pk=obj.pk)
            for name in PROGRESS_FIELDS:
                setattr(obj, name, getattr(original, name))
        else:
            obj.status, obj.rag, obj.progress, obj.revised_due_date = Action.status.field.default, "", 0, None
        super().save_model(request, obj, form, change)
        obj.record_update(
            by=request.user,
            status=wanted["status"],
            rag=wanted["rag"],
            progress=wanted["progress"],
            revised_due_date=wanted["revised_due_date"],
            commentary=form.cleaned_data.get("update_commentary", ""),
            approved_by=form.cleaned_data.get("update_approved_by", ""),
            source=Update.Source.ADMIN,
            expected_latest_update_id=form.seen_update_id() if change else False,
        )


@admin.register(Update)
class UpdateAdmin(ScopedAdmin):
    """The history is read-only here: an update is added through its action, never edited."""

    list_display = ["action", "recorded_at", "created_by", "source", "status", "rag", "progress"]
    list_filter = ["source", "status", "rag", ("action__strategy", RelatedOnly)]
    search_fields = ["action__ref", "commentary"]
    list_select_related = ["action", "created_by"]
    date_hierarchy = "recorded_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The record of spreadsheet imports (actions/imports/admin.py).
admin.site.register(ActionPlanImport, ActionPlanImportAdmin)
