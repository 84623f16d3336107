"""The back office's admin site: open to every member of a partnership, not only to staff."""

from django.contrib import admin

from strategy import permissions


class SwpAdminSite(admin.AdminSite):
    site_header = "Partnership back office"
    site_title = "Back office"
    index_title = "Strategies, action plans and people"

    def has_permission(self, request):
        """What each member sees inside is scoped by `strategy.permissions`."""
        user = request.user
        return user.is_active and (user.is_superuser or permissions.membership(user) is not None)
