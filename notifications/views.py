"""The e-mail settings page, the footer's unsubscribe link (no sign-in) and the Follow button."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from actions.models import Action
from notifications.forms import PreferencesForm
from notifications.models import Follow, Frequency, Preference
from notifications.services import address, preference_set, unsubscribe_read
from strategy import permissions


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    frequencies = Preference.objects.frequencies(request.user)
    form = PreferencesForm(request.POST or None, frequencies=frequencies)
    if request.method == "POST" and form.is_valid():
        for kind, frequency in form.changed_frequencies().items():
            preference_set(user=request.user, kind=kind, frequency=frequency)
        messages.success(request, "Your e-mail settings have been saved.")
        return redirect("notifications:preferences")
    following = (
        Action.objects.visible_to(request.user)
        .filter(follows__user=request.user)
        .select_related("objective__delivery_group")
        .order_by("strategy_id", "ref_sort")
    )
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "address": address(request.user), "following": following},
    )


# The link in every e-mail's footer, and the address of its List-Unsubscribe header. It needs no
# sign-in: the signed token names the one person and the one kind it stops. A GET only asks (mail
# scanners open links); a POST stops the e-mails. Mail programs' own "Unsubscribe" buttons POST to it
# without a CSRF token (RFC 8058 one-click), so it is exempt: the token, not the session, is what
# authorises it, and a forged request would need the token anyway.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    found = unsubscribe_read(token)
    if found is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    user, kind = found
    done = False
    if request.method == "POST":
        preference_set(user=user, kind=kind, frequency=Frequency.OFF)
        done = True
    return render(request, "notifications/unsubscribe.html", {"kind": kind, "done": done, "token": token})


@login_required
@require_POST
def follow(request, pk, *, following):
    action = get_object_or_404(Action.objects.visible_to(request.user).select_related("strategy"), pk=pk)
    if not permissions.can_follow_action(request.user, action):
        return redirect("actions:action_detail", pk=action.pk)
    if following:
        Follow.objects.get_or_create(user=request.user, action=action)
        messages.success(request, f"You follow {action.ref}: a weekly e-mail tells you of its updates and decisions.")
    else:
        Follow.objects.filter(user=request.user, action=action).delete()
        messages.success(request, f"You no longer follow {action.ref}.")
    return redirect("actions:action_detail", pk=action.pk)
