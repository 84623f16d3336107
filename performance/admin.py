"""Back office for indicators: officers define them (unit, polarity, target, owners, links), and import
and export them as spreadsheets.

Values are read-only here, and exported but never imported: entering and correcting them goes through
the indicator's page (or a value import), which check what a figure must be and keep every corrected
figure in the history with a reason (performance.resources says why). Scoping and rights come from
strategy.admin and strategy.permissions like every other model.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from actions.imports.admin import cancel_stalled_imports
from performance.models import (
    Attendance,
    Challenge,
    Indicator,
    IndicatorValue,
    IndicatorValueImport,
    Meeting,
    MeetingPack,
    RoundEmail,
    UpdateRound,
)
from performance.resources import IndicatorResource, IndicatorValueResource
from performance.value_imports import value_import_cancel
from strategy import permissions
from strategy.admin import BackOfficeExportMixin, BackOfficeImportExportMixin, RelatedOnly, ScopedAdmin, ScopedInline

VALUE_FIELDS = [
    "period_type",
    "period_start",
    "data_to",
    "value",
    "numerator",
    "denominator",
    "comparator_value",
    "commentary",
    "data_quality_note",
    "entered_by",
    "entered_at",
    "source",
    "replaces",
    "correction_reason",
    "superseded_at",
]


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class IndicatorValueInline(ReadOnlyMixin, ScopedInline, admin.TabularInline):
    model = IndicatorValue
    fk_name = "indicator"
    fields = ["period_start", "period_type", "value", "comparator_value", "entered_at", "source", "superseded_at"]
    readonly_fields = fields
    extra = 0
    ordering = ["-period_start", "-entered_at"]
    verbose_name_plural = "values (enter and correct them on the indicator's page)"


@admin.register(Indicator)
class IndicatorAdmin(BackOfficeImportExportMixin, ScopedAdmin):
    resource_classes = [IndicatorResource]
    list_display = ["ref", "name", "strategy", "kind", "unit", "frequency", "target_kind", "marking", "page"]
    list_filter = [("strategy", RelatedOnly), "kind", "frequency", "marking", ("delivery_group", RelatedOnly)]
    search_fields = ["ref", "name", "definition"]
    list_select_related = ["strategy"]
    autocomplete_fields = ["owners", "actions", "objectives", "strategic_objectives", "owning_organisation"]
    fieldsets = [
        (None, {"fields": ["strategy", "ref", "name", "definition", "description", "marking"]}),
        ("Measure", {"fields": ["kind", "unit", "decimal_places", "polarity", "frequency", "period_basis"]}),
        ("Source and owners", {"fields": ["data_source", "owning_organisation", "owners", "delivery_group"]}),
        (
            "Baseline, target and comparator",
            {
                "fields": [
                    "baseline_value",
                    "baseline_period",
                    "target_kind",
                    "target_value",
                    "amber_tolerance",
                    "comparator_name",
                ]
            },
        ),
        ("What it measures", {"fields": ["strategic_objectives", "objectives", "actions"]}),
    ]
    inlines = [IndicatorValueInline]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, *Indicator.COMPUTED_DEFINITION_FIELDS] if obj is not None and obj.computed else fields

    @admin.display(description="On the site")
    def page(self, obj):
        return format_html('<a href="{}">View</a>', reverse("performance:indicator_detail", args=[obj.pk]))


@admin.register(IndicatorValue)
class IndicatorValueAdmin(BackOfficeExportMixin, ReadOnlyMixin, ScopedAdmin):
    resource_classes = [IndicatorValueResource]
    change_list_template = "admin/performance/indicatorvalue/change_list.html"
    list_display = ["indicator", "period_start", "period_type", "value", "source", "entered_at", "superseded_at"]
    list_filter = [
        ("indicator__strategy", RelatedOnly),
        "period_type",
        "source",
        ("superseded_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["indicator__ref", "indicator__name", "commentary"]
    list_select_related = ["indicator"]
    fields = ["indicator", *VALUE_FIELDS]
    readonly_fields = fields


def _may_cancel_value_import(user, record):
    return permissions.can_manage_value_imports(user, record.strategy)


@admin.register(IndicatorValueImport)
class IndicatorValueImportAdmin(ReadOnlyMixin, ScopedAdmin):
    """Read-only, but officers may cancel an import that stopped without finishing (its worker died)."""

    list_display = ["file_name", "strategy", "state", "stalled", "created_by", "created_at", "finished_at"]
    list_filter = ["state", ("strategy", RelatedOnly)]
    list_select_related = ["strategy", "created_by"]
    exclude = ["file_content"]
    actions = ["cancel_stalled"]
    readonly_fields = [
        "strategy",
        "created_by",
        "created_at",
        "updated_at",
        "finished_at",
        "state",
        "file_name",
        "file_size",
        "file_sha256",
        "preview",
        "result",
        "problems",
    ]

    def get_queryset(self, request):
        # A preview holds the figures of every indicator the file names: see can_manage_value_imports.
        return permissions.visible_value_imports(super().get_queryset(request), request.user)

    def has_cancel_permission(self, request):
        return permissions.is_officer(request.user)

    @admin.display(boolean=True, description="Stopped without finishing")
    def stalled(self, obj):
        return obj.stalled

    @admin.action(permissions=["cancel"], description="Cancel the selected imports that stopped without finishing")
    def cancel_stalled(self, request, queryset):
        cancel_stalled_imports(request, queryset, may_cancel=_may_cancel_value_import, cancel=value_import_cancel)


# Update rounds, reminders and sign-off -------------------------------------------------------
# Rounds are opened and closed on their pages (/rounds/), which send the e-mails and lock quarters; here
# officers may read them and fix a deadline. The e-mails sent are a read-only record.


@admin.register(UpdateRound)
class UpdateRoundAdmin(ScopedAdmin):
    list_display = ["__str__", "deadline", "reminder_days", "opened_at", "closed_at"]
    list_filter = [("strategy", RelatedOnly)]
    list_select_related = ["strategy"]
    readonly_fields = ["strategy", "year", "number", "opened_by", "opened_at", "closed_by", "closed_at"]

    def has_add_permission(self, request):
        return False  # opened on /rounds/new/, which e-mails the leads

    def has_delete_permission(self, request, obj=None):
        return False  # a closed round is what locks its quarter


@admin.register(RoundEmail)
class RoundEmailAdmin(ScopedAdmin):
    list_display = ["person", "kind", "to_address", "sent_at", "update_round", "action_refs"]
    list_filter = ["kind", ("update_round__strategy", RelatedOnly)]
    list_select_related = ["person", "update_round__strategy"]
    search_fields = ["person__name", "to_address"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Meetings, challenges and packs ---------------------------------------------------------------
# Officers manage meetings here as well as on /meetings/. Challenges are recorded on the review and
# kept as a record; packs are issued on the meeting's page and are read-only here (their files are
# downloaded from that page, by those cleared for their marking).


def _held(meeting):
    return meeting is not None and meeting.is_held


class ChallengeInline(ScopedInline, admin.TabularInline):
    model = Challenge
    fields = [
        "kind",
        "action",
        "objective",
        "delivery_group",
        "text",
        "owner_person",
        "owner_organisation",
        "owner_text",
        "due_date",
        "state",
        "created_by",
        "created_at",
    ]
    readonly_fields = ["created_by", "created_at"]
    autocomplete_fields = ["action", "owner_person"]
    extra = 0

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.select_related(
            "action", "objective", "delivery_group", "owner_person", "owner_organisation", "created_by"
        )

    # What was recorded at a held meeting is corrected on the decision's page, with a reason, and
    # deleted by nobody.
    def has_add_permission(self, request, obj=None):
        return not _held(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not _held(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _held(obj) and super().has_delete_permission(request, obj)


class AttendanceInline(ScopedInline, admin.TabularInline):
    """Who attended; once the meeting is held, corrected on the meeting's page with a reason."""

    model = Attendance
    fields = ["person", "state"]
    autocomplete_fields = ["person"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person")

    def has_add_permission(self, request, obj=None):
        return not _held(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not _held(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _held(obj) and super().has_delete_permission(request, obj)


@admin.register(Meeting)
class MeetingAdmin(ScopedAdmin):
    list_display = ["__str__", "strategy", "kind", "delivery_group", "date", "year", "number"]
    list_filter = [("strategy", RelatedOnly), "kind"]
    list_select_related = ["strategy", "delivery_group"]
    search_fields = ["title", "notes"]
    date_hierarchy = "date"
    inlines = [AttendanceInline, ChallengeInline]
    readonly_fields = ["held_at", "held_by"]

    def has_change_permission(self, request, obj=None):
        return not _held(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _held(obj) and super().has_delete_permission(request, obj)

    def save_formset(self, request, form, formset, change):
        if formset.model is Challenge:
            for challenge in formset.save(commit=False):
                challenge.created_by = challenge.created_by or request.user
                challenge.save()
            for removed in formset.deleted_objects:
                removed.delete()
            return
        super().save_formset(request, form, formset, change)


@admin.register(Challenge)
class ChallengeAdmin(ScopedAdmin):
    list_display = ["__str__", "kind", "meeting", "owner", "due_date", "state", "created_by", "created_at"]
    list_filter = ["kind", "state", ("meeting__strategy", RelatedOnly)]
    list_select_related = [
        "meeting__delivery_group",
        "action",
        "objective",
        "delivery_group",
        "owner_person",
        "owner_organisation",
        "created_by",
    ]
    search_fields = ["text", "owner_text", "owner_person__name", "owner_organisation__name", "action__ref"]
    readonly_fields = ["created_by", "created_at", "closed_at", "closed_by"]
    autocomplete_fields = ["action", "owner_person"]

    def has_change_permission(self, request, obj=None):
        return not (obj is not None and _held(obj.meeting)) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (obj is not None and _held(obj.meeting)) and super().has_delete_permission(request, obj)

    def has_add_permission(self, request):
        return False  # recorded on the review, for a meeting

    def save_model(self, request, obj, form, change):
        obj.created_by = obj.created_by or request.user
        super().save_model(request, obj, form, change)


@admin.register(MeetingPack)
class MeetingPackAdmin(ScopedAdmin):
    """The record of packs issued: who, when, which quarter, the marking and the checksums."""

    list_display = ["meeting", "quarter", "state", "issued_at", "issued_by", "marking", "pages", "pdf_size"]
    list_filter = ["state", "marking"]
    list_select_related = ["meeting__strategy", "meeting__delivery_group", "issued_by"]
    exclude = ["pdf_content", "xlsx_content"]
    readonly_fields = [
        "meeting",
        "year",
        "number",
        "include_amber",
        "state",
        "issued_at",
        "issued_by",
        "finished_at",
        "marking",
        "pages",
        "pdf_size",
        "pdf_sha256",
        "xlsx_size",
        "xlsx_sha256",
        "error",
        "task_id",
        "files",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("pdf_content", "xlsx_content")

    @admin.display(description="Files")
    def files(self, pack):
        if pack.state != MeetingPack.State.ISSUED:
            return "–"
        return format_html(
            '<a href="{}">PDF</a>, <a href="{}">Excel</a>',
            pack.pdf_url,
            pack.xlsx_url,
        )

    def has_add_permission(self, request):
        return False  # issued on the meeting's page or the review

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # an issued pack is a record of what the meeting was given
