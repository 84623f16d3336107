"""Template context every page needs: the site's name, the signed-in user's partnership and the
header's navigation."""

import re

from django.conf import settings
from django.urls import reverse

from strategy import permissions

# Each section of the header's navigation: its label, its page (a URL name) and the addresses
# that belong to it. Who is offered which is strategy.permissions.navigation's to decide.
SECTIONS = {
    "my_actions": ("My actions", "actions:my_actions", ("/my/",)),
    "strategies": ("Strategies", "actions:strategy_list", ("/strategies/", "/review/")),
    "review": ("Review", "performance:review_home", ("/review/", "/strategies/")),
    "actions": ("Actions", "actions:action_list", ("/actions/",)),
    "imports": ("Imports", "actions:import_list", ("/imports/",)),
    "rounds": ("Update rounds", "performance:round_list", ("/rounds/",)),
    "sign_off": ("Sign-off", "performance:signoff_queue", ("/sign-off/",)),
    "meetings": ("Meetings and packs", "performance:meeting_list", ("/meetings/",)),
    "indicators": ("Indicators", "performance:indicator_list", ("/indicators/",)),
    "evidence": ("Evidence", "evidence:home", ("/evidence/",)),
    "assessment": ("Crime assessment", "evidence:assessment", ("/evidence/assessment",)),
    "audit": ("Audit log", "strategy:audit_log", ("/audit/",)),
    "api_keys": ("API keys", "api:keys", ("/api-keys/",)),
    "back_office": ("Back office", "admin:index", ("/admin/",)),
}
# The update form is a step of My actions for those who have it, else of the action list.
UPDATE_FORM = re.compile(r"^/actions/\d+/update/$")


def navigation_items(user, path):
    """The header's links for this user: (label, href, aria-current: "page", "true" or "")."""
    sections = permissions.navigation(user)
    current = next(
        (
            section
            for section in sections
            if any(path.startswith(prefix) for prefix in SECTIONS[section][2])
            and not (section == "actions" and "my_actions" in sections and UPDATE_FORM.match(path))
        ),
        "my_actions" if "my_actions" in sections and UPDATE_FORM.match(path) else None,
    )
    items = []
    for section in sections:
        label, name, _prefixes = SECTIONS[section]
        href = reverse(name)
        items.append((label, href, ("page" if path == href else "true") if section == current else ""))
    return items


def site(request):
    user = getattr(request, "user", None)
    found = permissions.membership(user) if user is not None else None
    return {
        "site_name": settings.SITE_NAME,
        "site_organisation": settings.SITE_ORGANISATION,
        "site_contact_email": settings.SITE_CONTACT_EMAIL,
        "current_membership": found,
        "current_partnership": found.partnership if found else None,
        "navigation": navigation_items(user, request.path) if user is not None else [],
    }
