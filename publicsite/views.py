"""The public pages and open data: no sign-in, nothing set in the visitor's browser, cacheable.

An unpublished strategy, an unknown address and another partnership's item are the same plain 404.
An officer adds ?preview to see an unpublished strategy's pages as residents will; those answers
are never cached.

What an anonymous reader is given is drawn once and kept for CACHE_SECONDS for every anonymous reader
(`drawn_for_everyone`): the same time the answers tell browsers and proxies they may keep them, so
a change (an item held back, a quarter closed) reaches residents within it either way, and a large
plan's long table is not drawn again for each reader.
"""

from functools import wraps

from django.core.cache import caches
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from publicsite import content, opendata
from strategy import permissions
from strategy.models import Partnership, Strategy

CACHE_SECONDS = 300


def drawn_for_everyone(view):
    """Keep a public view's anonymous answer (not a preview) for CACHE_SECONDS, keyed by its path
    alone, so no query string can fill the cache. Signed-in readers and previews are drawn each time."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if "preview" in request.GET or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        pages = caches["public"]
        key = f"public-page:{request.path}"
        response = pages.get(key)
        if response is None:
            response = view(request, *args, **kwargs)
            if response.status_code == 200:
                pages.set(key, response, CACHE_SECONDS)
        return response

    return wrapper


def _cacheable(request, response, *, preview=False):
    """Public for 5 minutes to anyone's cache, unless the page was drawn for a signed-in reader
    (their name and sign-out form are in it) or is a preview."""
    if preview or request.user.is_authenticated:
        patch_cache_control(response, private=True, no_store=True)
    else:
        patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response


def _public_strategy(request, partnership_slug, strategy_slug):
    """The strategy if anyone may read it, or an officer previews it: (strategy, preview)."""
    asked = "preview" in request.GET
    strategy = get_object_or_404(
        Strategy.objects.select_related("partnership").filter(permissions.public_strategies_q(preview=asked)),
        partnership__slug=partnership_slug,
        slug=strategy_slug,
    )
    preview = asked and permissions.can_preview_public(request.user, strategy)
    if not strategy.published and not preview:
        raise Http404
    return strategy, preview


@require_GET
@drawn_for_everyone
def partnership_page(request, partnership_slug):
    partnership = get_object_or_404(Partnership, slug=partnership_slug)
    preview = "preview" in request.GET and permissions.is_officer(request.user, partnership.pk)
    strategies = list(
        partnership.strategies.filter(permissions.public_strategies_q(preview=preview)).order_by("-start_date")
    )
    if not strategies and not partnership.public_help:
        raise Http404  # a partnership that publishes nothing is not announced
    response = render(
        request,
        "public/partnership.html",
        {"partnership": partnership, "strategies": strategies, "preview": preview},
    )
    return _cacheable(request, response, preview=preview)


@require_GET
@drawn_for_everyone
def strategy_page(request, partnership_slug, strategy_slug):
    strategy, preview = _public_strategy(request, partnership_slug, strategy_slug)
    context = content.strategy_page(strategy, preview=preview)
    context.update(
        strategy=strategy,
        partnership=strategy.partnership,
        preview=preview,
        files=opendata.FILES,
        licence=content.OPEN_GOVERNMENT_LICENCE,
        licence_url=content.OPEN_GOVERNMENT_LICENCE_URL,
    )
    return _cacheable(request, render(request, "public/strategy.html", context), preview=preview)


@require_GET
@drawn_for_everyone
def data_dictionary(request, partnership_slug, strategy_slug):
    strategy, preview = _public_strategy(request, partnership_slug, strategy_slug)
    context = {
        "strategy": strategy,
        "partnership": strategy.partnership,
        "preview": preview,
        "files": opendata.FILES,
        "licence": content.OPEN_GOVERNMENT_LICENCE,
        "licence_url": content.OPEN_GOVERNMENT_LICENCE_URL,
    }
    return _cacheable(request, render(request, "public/data_dictionary.html", context), preview=preview)


BUILDERS = {
    "actions.csv": opendata.actions_csv,
    "status-history.csv": opendata.status_history_csv,
    "indicators.csv": opendata.indicators_csv,
}


@require_GET
@drawn_for_everyone
def open_data(request, partnership_slug, strategy_slug, file_name):
    strategy, preview = _public_strategy(request, partnership_slug, strategy_slug)
    body = BUILDERS[file_name](strategy, preview=preview)
    response = HttpResponse(body.encode("utf-8"), content_type="text/csv; charset=utf-8; header=present")
    # Inline, not an attachment: open data is for anyone's cache, unlike the marked downloads.
    response["Content-Disposition"] = f'inline; filename="{strategy.slug}-{file_name}"'
    response["X-Licence"] = content.OPEN_GOVERNMENT_LICENCE
    return _cacheable(request, response, preview=preview)
