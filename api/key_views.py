"""The officers' API keys page: make a key for a named consumer, see the partnership's keys, revoke one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods, require_POST

from api.forms import APIKeyForm
from api.models import PartnerAPIKey
from api.services import api_key_create
from strategy import permissions


def _check(request):
    if not permissions.can_manage_api_keys(request.user):
        raise PermissionDenied("Only officers make and revoke API keys.")
    return permissions.membership(request.user)


@login_required
@require_http_methods(["GET", "POST"])
def key_list(request):
    found = _check(request)
    form = APIKeyForm(request.POST or None, clearances=permissions.api_key_clearances(request.user))
    if request.method == "POST" and form.is_valid():
        key, text = api_key_create(
            partnership=found.partnership,
            name=form.cleaned_data["name"],
            clearance=form.cleaned_data["clearance"],
            expires_on=form.cleaned_data["expires_on"],
            by=request.user,
        )
        # Shown in this answer only, never stored in the clear, never cached.
        response = render(
            request,
            "api/key_created.html",
            {"key": key, "text": text, "api_url": request.build_absolute_uri(reverse("api:api-root"))},
        )
        patch_cache_control(response, private=True, no_store=True)
        return response
    keys = PartnerAPIKey.objects.for_partnership(found.partnership_id).select_related("created_by", "revoked_by")
    return render(
        request,
        "api/key_list.html",
        {"form": form, "keys": keys, "api_url": request.build_absolute_uri(reverse("api:api-root"))},
    )


@login_required
@require_POST
def key_revoke(request, prefix):
    found = _check(request)
    key = get_object_or_404(PartnerAPIKey.objects.for_partnership(found.partnership_id), prefix=prefix)
    if not permissions.can_revoke_api_key(request.user, key):
        raise PermissionDenied
    if not key.revoked:
        key.revoke(by=request.user)
        messages.success(request, f"The key for {key.name} is revoked: it no longer works.")
    return redirect("api:keys")
