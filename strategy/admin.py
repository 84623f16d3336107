"""The officers' back office for partnerships, strategies, people and roles.

`ScopedAdmin` and `ScopedInline` are used by every app's admin: they show a user only their own
partnership's rows within their clearance, and ask `strategy.permissions` what they may change.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group, User

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

# How each model reaches its partnership and the markings that hide it; apps built on this one
# add their models (see actions/admin.py).
SCOPES = {
    Partnership: ("pk", ()),
    Organisation: ("partnership", ()),
    Person: ("partnership", ()),
    Membership: ("partnership", ()),
    Strategy: ("partnership", ("marking",)),
    Principle: ("strategy__partnership", ("strategy__marking",)),
    StrategicObjective: ("strategy__partnership", ("strategy__marking",)),
    User: ("membership__partnership", ()),
}


# Django's default related-field filter lists every row of the related table, whatever the
# partnership; this one lists only values found in the (scoped) list itself.
RelatedOnly = admin.RelatedOnlyFieldListFilter


def scoped(queryset, user):
    partnership, markings = SCOPES[queryset.model]
    return permissions.scope(queryset, user, partnership=partnership, marking=markings)


class ScopedChoicesMixin:
    """Offer only the user's own partnership's rows in every choice field."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model in SCOPES:
            kwargs["queryset"] = scoped(db_field.related_model._default_manager.all(), request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.related_model in SCOPES:
            kwargs["queryset"] = scoped(db_field.related_model._default_manager.all(), request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ScopedAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    """Members see their partnership's rows; officers change them; nobody else changes anything
    unless a subclass says so."""

    def get_queryset(self, request):
        return scoped(super().get_queryset(request), request.user)

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


class ScopedInline(ScopedChoicesMixin):
    def get_queryset(self, request):
        return scoped(super().get_queryset(request), request.user)

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
class OrganisationAdmin(OwnPartnershipMixin, ScopedAdmin):
    list_display = ["name", "short_name", "responsible_authority", "partnership"]
    list_filter = ["responsible_authority"]
    search_fields = ["name", "short_name"]


@admin.register(Person)
class PersonAdmin(OwnPartnershipMixin, ScopedAdmin):
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
