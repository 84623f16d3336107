"""Template context every page needs: the site's name and the signed-in user's partnership."""

from django.conf import settings

from strategy import permissions


def site(request):
    user = getattr(request, "user", None)
    found = permissions.membership(user) if user is not None else None
    return {
        "site_name": settings.SITE_NAME,
        "site_organisation": settings.SITE_ORGANISATION,
        "site_contact_email": settings.SITE_CONTACT_EMAIL,
        "current_membership": found,
        "current_partnership": found.partnership if found else None,
        "may_view_audit": user is not None and permissions.can_view_audit(user),
    }
