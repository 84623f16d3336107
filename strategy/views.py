"""Public pages about the service (footer pages) and the load balancer's health check; strategy
pages with action counts live in actions."""

import logging

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_deny
from django.views.decorators.http import require_GET, require_safe

logger = logging.getLogger(__name__)


def strategy_among(strategies, slug):
    """The strategy with this slug among `strategies`, those a page has already read for its switcher
    (so finding it costs no query), or 404: another partnership's, or one the reader may not see, is
    not found."""
    strategy = next((strategy for strategy in strategies if strategy.slug == slug), None)
    if strategy is None:
        raise Http404("No strategy you may see has that address.")
    return strategy


@require_GET
def accessibility(request):
    """The accessibility statement, after the GOV.UK model statement; public."""
    return render(
        request,
        "strategy/accessibility.html",
        {
            "organisation": settings.ACCESSIBILITY_ORGANISATION,
            "contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL,
            "contact_phone": settings.ACCESSIBILITY_CONTACT_PHONE,
            "compliance": settings.ACCESSIBILITY_COMPLIANCE,
            "statement_date": settings.ACCESSIBILITY_STATEMENT_DATE,
            "reviewed_date": settings.ACCESSIBILITY_REVIEWED_DATE,
            "tested_date": settings.ACCESSIBILITY_TESTED_DATE,
            "site_url": settings.SITE_URL,
            "idle_minutes": settings.SESSION_COOKIE_AGE // 60,
        },
    )


@require_GET
def privacy(request):
    """The privacy notice: what the service holds about people, why, and their rights; public."""
    return render(
        request,
        "strategy/privacy.html",
        {
            "controller": settings.PRIVACY_CONTROLLER,
            "contact_email": settings.PRIVACY_CONTACT_EMAIL,
            "dpo_email": settings.PRIVACY_DPO_EMAIL,
            "retention_years": settings.PRIVACY_RETENTION_YEARS,
            "idle_minutes": settings.SESSION_COOKIE_AGE // 60,
        },
    )


@never_cache
@xframe_options_deny  # strategy.middleware.HealthCheckMiddleware calls this before XFrameOptionsMiddleware
@require_safe
def healthz(request):
    """For a load balancer: 200 "ok" when this app server can reach its database, else 503.

    No sign-in, no session, no template, one trivial query. The reply never says what failed (that
    goes to the server log), so it tells an outsider nothing.
    """
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.warning("Health check failed: the database cannot be reached", exc_info=True)
        return HttpResponse("unavailable", status=503, content_type="text/plain; charset=utf-8")
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
