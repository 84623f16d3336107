"""The officers' back office for partnerships, strategies, people and roles.

`ScopedAdmin` and `ScopedInline` are used by every app's admin: they show a user only their own
partnership's rows within their clearance (by each model's declared scoping), and ask
`strategy.permissions` what they may change.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import NestedObjects
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import router
from django.http import HttpResponseRedirect
from django.urls import reverse
from import_export.admin import ExportMixin, ImportMixin
from import_export.formats.base_formats import CSV, XLSX

from strategy import audit, permissions
from strategy.models import (
    Marking,
    Membership,
    Organisation,
    Partnership,
    Person,
    Principle,
    StrategicObjective,
    Strategy,
)
from strategy.resources import OrganisationResource, PersonResource

# Django's default related-field filter lists every row of the related table, whatever the
# partnership; this one lists only values found in the (scoped) list itself.
RelatedOnly = admin.RelatedOnlyFieldListFilter


def is_scoped(model):
    """Whether `model` declares how its rows are scoped (strategy/scoping.py): those rows are shown,
    offered and checked by that declaration, as everywhere else."""
    return permissions.scoping_of(model) is not None


class UnseenRefusal(str):
    """The one line a delete page shows when the delete reaches rows above the officer's clearance:
    nothing of those rows (no names, no references, no counts)."""

    refused_unseen = True


REFUSED_UNSEEN = UnseenRefusal(
    "Something this would delete or change is marked above your clearance, so it cannot be done from "
    "your account. Ask an officer cleared for it."
)
# Rows are checked this many ids at a time (databases cap the parameters of one query).
VISIBILITY_BATCH = 500


def _all_visible(model, pks, user):
    """Whether `user` may see every row `pks` of `model`: scoped models by their scope; any other
    (a many-to-many link, a row of the apps built on this one) by the scoped rows it points to."""
    pks = list(pks)
    if not pks:
        return True
    if is_scoped(model):
        manager = model._default_manager
        for start in range(0, len(pks), VISIBILITY_BATCH):
            batch = pks[start : start + VISIBILITY_BATCH]
            if permissions.scope(manager.filter(pk__in=batch), user).count() != len(set(batch)):
                return False
        return True
    links = [f for f in model._meta.concrete_fields if f.is_relation and f.many_to_one and is_scoped(f.related_model)]
    if not links:
        return True
    rows = model._default_manager.filter(pk__in=pks).values_list(*(f.attname for f in links))
    for index, link in enumerate(links):
        targets = {row[index] for row in rows if row[index] is not None}
        if not _all_visible(link.related_model, targets, user):
            return False
    return True


def touches_unseen(objs, user):
    """Whether deleting `objs` would delete any row `user` may not see, clear a link on one
    (on_delete=SET_NULL: an action's lead agency, a group's chair), or be stopped by one (PROTECT).
    A superuser sees everything."""
    objs = list(objs)
    if not objs or user.is_superuser:
        return False
    collector = NestedObjects(using=router.db_for_write(type(objs[0])))
    collector.collect(objs)
    for model, instances in collector.data.items():
        if not _all_visible(model, {obj.pk for obj in instances}, user):
            return True
    # Rows that would stop the delete (on_delete=PROTECT, e.g. a decision's owner) are listed by name
    # on the delete page: they too must be ones the user may see.
    protected = {}
    for obj in collector.protected:
        protected.setdefault(type(obj), set()).add(obj.pk)
    for model, pks in protected.items():
        if not _all_visible(model, pks, user):
            return True
    for (field, _value), batches in collector.field_updates.items():
        for batch in batches:
            pks = batch.values_list("pk", flat=True) if hasattr(batch, "values_list") else [obj.pk for obj in batch]
            if not _all_visible(field.model, pks, user):
                return True
    return False


class ScopedChoicesMixin:
    """Offer only the user's own partnership's rows in every choice field."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if is_scoped(db_field.related_model):
            kwargs["queryset"] = permissions.scope(db_field.related_model._default_manager.all(), request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if is_scoped(db_field.related_model):
            kwargs["queryset"] = permissions.scope(db_field.related_model._default_manager.all(), request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ScopedAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    """Members see their partnership's rows; officers change them; nobody else changes anything
    unless a subclass says so."""

    def get_queryset(self, request):
        return permissions.scope(super().get_queryset(request), request.user)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser or permissions.membership(request.user) is not None

    def has_add_permission(self, request):
        return permissions.is_officer(request.user)

    def has_change_permission(self, request, obj=None):
        return permissions.is_officer(request.user)

    def has_delete_permission(self, request, obj=None):
        return permissions.is_officer(request.user)

    def save_related(self, request, form, formsets, change):
        """A many-to-many field offers only the rows the officer may see, so saving it would drop the
        links to rows above their clearance (an indicator's OFFICIAL-SENSITIVE actions): those are kept."""
        if change:
            for field in form.instance._meta.many_to_many:
                if field.name in form.cleaned_data and is_scoped(field.related_model):
                    linked = getattr(form.instance, field.name).all()
                    unseen = linked.exclude(
                        pk__in=permissions.scope(field.related_model._default_manager.all(), request.user)
                    )
                    form.cleaned_data[field.name] = [*form.cleaned_data[field.name], *unseen]
        super().save_related(request, form, formsets, change)

    def get_deleted_objects(self, objs, request):
        """The delete page and the list's "delete selected" both ask here, and delete nothing while
        anything is listed as protected: a delete reaching rows above the officer's clearance is
        refused with one line that says nothing of them."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if touches_unseen(objs, request.user):
            return [], {}, set(), [REFUSED_UNSEEN]
        return deleted, counts, perms_needed, protected


class ScopedInline(ScopedChoicesMixin):
    def get_queryset(self, request):
        return permissions.scope(super().get_queryset(request), request.user)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        user = request.user

        class ClearanceHeldFormSet(formset):
            """A row ticked for deletion here is refused, like the delete page, if deleting it would
            delete or change anything above the officer's clearance."""

            def clean(self):
                super().clean()
                for form in self.forms:
                    if (
                        self.can_delete
                        and self._should_delete_form(form)
                        and form.instance.pk is not None
                        and touches_unseen([form.instance], user)
                    ):
                        raise ValidationError(REFUSED_UNSEEN)

        return ClearanceHeldFormSet

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser or permissions.membership(request.user) is not None

    def has_add_permission(self, request, obj=None):
        return permissions.is_officer(request.user)

    def has_change_permission(self, request, obj=None):
        return permissions.is_officer(request.user)

    def has_delete_permission(self, request, obj=None):
        return permissions.is_officer(request.user)


class OwnPartnershipMixin:
    """New rows an officer adds belong to the officer's partnership."""

    def get_exclude(self, request, obj=None):
        excluded = list(super().get_exclude(request, obj) or [])
        if not request.user.is_superuser:
            excluded.append("partnership")
        return excluded

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser and not change:
            obj.partnership_id = permissions.partnership_id(request.user)
        super().save_model(request, obj, form, change)


class BackOfficeExportMixin(ExportMixin):
    """An Export button on a list, for officers: it writes what the change list shows (its scoped,
    filtered queryset)."""

    formats = [CSV, XLSX]

    def has_export_permission(self, request):
        return permissions.can_import_export_in_back_office(request.user)

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {**super().get_resource_kwargs(request, *args, **kwargs), "acting_user": request.user}


class BackOfficeImportExportMixin(ImportMixin, BackOfficeExportMixin):
    """Import and Export buttons on a list of one partnership's rows, for officers.

    Import is the library's preview then confirm; the resource keeps every row in the officer's
    partnership, and a file with any problem, at preview or at confirm, saves nothing."""

    import_export_change_list_template = "admin/import_export/change_list_import_export.html"
    import_template_name = "admin/back_office_import.html"

    def has_import_permission(self, request):
        return permissions.can_import_export_in_back_office(request.user)

    def get_import_data_kwargs(self, **kwargs):
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def add_data_read_fail_error_to_form(self, form, e):
        form.add_error(
            "import_file", "The file could not be read in the format chosen: choose csv or xlsx to match it."
        )

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # The rows changed between preview and confirm: the transaction was rolled back.
            messages.error(request, "Nothing was imported: the file no longer imports cleanly. Upload it again.")
            return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import"))
        return super().process_result(result, request)


@admin.register(Partnership)
class PartnershipAdmin(ScopedAdmin):
    list_display = ["name", "short_name", "area"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Organisation)
class OrganisationAdmin(BackOfficeImportExportMixin, OwnPartnershipMixin, ScopedAdmin):
    resource_classes = [OrganisationResource]
    list_display = ["name", "short_name", "responsible_authority", "partnership"]
    list_filter = ["responsible_authority"]
    search_fields = ["name", "short_name"]


@admin.register(Person)
class PersonAdmin(BackOfficeImportExportMixin, OwnPartnershipMixin, ScopedAdmin):
    resource_classes = [PersonResource]
    list_display = ["name", "kind", "job_title", "organisation", "email", "user"]
    list_filter = ["kind", ("organisation", RelatedOnly)]
    search_fields = ["name", "job_title", "email"]
    list_select_related = ["organisation", "user"]
    autocomplete_fields = ["user"]


class PrincipleInline(ScopedInline, admin.StackedInline):
    model = Principle
    extra = 0


class StrategicObjectiveInline(ScopedInline, admin.StackedInline):
    model = StrategicObjective
    extra = 0


@admin.register(Strategy)
class StrategyAdmin(OwnPartnershipMixin, ScopedAdmin):
    list_display = ["title", "slug", "start_date", "end_date", "status", "marking"]
    list_filter = ["status", "marking"]
    search_fields = ["title", "slug", "vision"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [PrincipleInline, StrategicObjectiveInline]


@admin.register(StrategicObjective)
class StrategicObjectiveAdmin(ScopedAdmin):
    list_display = ["__str__", "strategy"]
    list_filter = [("strategy", RelatedOnly)]
    search_fields = ["title", "we_will"]


@admin.register(Membership)
class MembershipAdmin(OwnPartnershipMixin, ScopedAdmin):
    list_display = ["user", "role", "clearance", "partnership"]
    list_filter = ["role", "clearance"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    list_select_related = ["user", "partnership"]
    autocomplete_fields = ["user"]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        # An officer cannot grant a clearance above their own.
        if db_field.name == "clearance" and not request.user.is_superuser:
            allowed = permissions.allowed_markings(request.user)
            kwargs["choices"] = [(value, label) for value, label in Marking.choices if value in allowed]
        return super().formfield_for_choice_field(db_field, request, **kwargs)


class MembershipInline(ScopedInline, admin.StackedInline):
    model = Membership
    can_delete = False
    extra = 1
    max_num = 1

    def get_exclude(self, request, obj=None):
        return [] if request.user.is_superuser else ["partnership"]


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class ScopedUserAdmin(ScopedAdmin, UserAdmin):
    """Officers manage their partnership's logins; only a superuser grants superuser or staff rights."""

    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active", "membership"]
    list_select_related = ["membership"]
    list_filter = ["is_active", "membership__role"]

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser or obj is None:
            return super().get_fieldsets(request, obj)
        return [
            (None, {"fields": ["username", "password"]}),
            ("Personal info", {"fields": ["first_name", "last_name", "email"]}),
            ("Status", {"fields": ["is_active", "last_login", "date_joined"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        return [] if request.user.is_superuser else ["last_login", "date_joined"]

    def get_deleted_objects(self, objs, request):
        """A login that has made recorded changes is kept: deleting it would erase who wrote its
        updates and who made its changes in the audit trail. The delete page and the list's delete
        action both ask here, and refuse while anything is listed as protected."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        kept = [user for user in objs if audit.has_made_changes(user)]
        protected = [
            *protected,
            *(
                f"The login {user} has made changes that the audit trail records: untick Active instead"
                for user in kept
            ),
        ]
        return deleted, counts, perms_needed, protected

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.filter(is_superuser=False)

    def save_formset(self, request, form, formset, change):
        if formset.model is Membership and not request.user.is_superuser:
            for membership in formset.save(commit=False):
                membership.partnership_id = permissions.partnership_id(request.user)
                membership.save()
            formset.save_m2m()
            return
        super().save_formset(request, form, formset, change)
