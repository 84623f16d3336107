"""Sign-in security: two-factor pages (set up an authenticator app, enter a code, recovery codes),
the two hooks django-axes calls (the locked-out page, the client's address), and the password reset
page with its limits.

Built on django-otp: a TOTPDevice per user (the authenticator app) and a StaticDevice holding ten
one-time recovery codes. `strategy.middleware.TwoFactorMiddleware` sends officers and administrators
here when settings.TWO_FACTOR_REQUIRED is on; anyone signed in may set it up.

- set up: the secret is shown as text and as a QR code drawn inline as SVG (segno; no image from
  elsewhere, nothing the CSP forbids); a code from the app confirms it, then the recovery codes are
  shown, once.
- verify: a code from the app or an unused recovery code (which is then used up). Wrong codes slow
  down (django-otp's throttling doubles the wait after each failure).
- recovery codes: a verified user may replace them with ten new ones (the old ones stop working).
"""

import logging
import math
import re
from base64 import b32encode
from urllib.parse import urlsplit

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import PasswordResetView
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from strategy.addresses import client_ip
from strategy.models import PasswordResetRequest

logger = logging.getLogger(__name__)

RECOVERY_CODE_COUNT = 10
DEVICE_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def has_confirmed_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _next_url(request):
    """Where to go after the second factor: the `next` asked for, if it is on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return settings.LOGIN_REDIRECT_URL


def _secret_text(device):
    """The base32 secret in groups of four, as authenticator apps accept it typed in."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _qr_svg(device):
    """The device's otpauth:// address as an inline SVG QR code, with a text alternative."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, dark="#0b0c0c", light="#ffffff", border=4, svgclass="app-qr-code", lineclass=None
    )
    label = "QR code for your authenticator app. If you cannot scan it, type in the key shown below it."
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" focusable="false" ', 1))  # noqa: S308


def _clean_code(value):
    return re.sub(r"[\s-]", "", value or "").lower()


def replace_recovery_codes(user):
    """Ten new one-time recovery codes for `user`; any old ones stop working. Returns the codes."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Security code",
        max_length=40,
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
        widget=forms.TextInput(
            attrs={
                "class": "govuk-input--width-10",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
            }
        ),
    )


class VerifyForm(CodeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        field.help_text = "The 6-digit code from your authenticator app, or one of your recovery codes."
        field.widget.attrs.pop("inputmode")
        field.error_messages["required"] = "Enter the 6-digit code from your authenticator app, or a recovery code"


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    user = request.user
    if has_confirmed_device(user):
        # Only a verified session may change its second factor; anyone else proves it first.
        if not user.is_verified():
            return redirect("strategy:two_factor_verify")
        messages.info(request, "Two-factor sign-in is already set up for your account.")
        return redirect("strategy:two_factor_recovery_codes")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    form = CodeForm(request.POST or None)
    form.fields["code"].help_text = "The 6-digit code your authenticator app shows after you have added the key."
    if request.method == "POST" and form.is_valid():
        if device.verify_token(_clean_code(form.cleaned_data["code"])):
            with transaction.atomic():
                TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                codes = replace_recovery_codes(user)
            otp_login(request, device)
            return render(
                request,
                "registration/two_factor_recovery_codes.html",
                {"codes": codes, "just_set_up": True, "next": _next_url(request)},
            )
        form.add_error(
            "code",
            "The code is not right: check you added the key shown on this page, then enter the code your app shows now",
        )
    return render(
        request,
        "registration/two_factor_setup.html",
        {"form": form, "secret": _secret_text(device), "qr_code": _qr_svg(device), "next": _next_url(request)},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    if not has_confirmed_device(user):
        return redirect(f"{reverse('strategy:two_factor_setup')}?{urlencode({'next': _next_url(request)})}")
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = _clean_code(form.cleaned_data["code"])
        wait = _throttled_seconds(user, code)
        device = None if wait else _verified_device(user, code)
        if wait:
            form.add_error(
                "code",
                f"You have entered too many wrong codes: wait {wait} second{'s' if wait != 1 else ''}, then enter "
                "the code your authenticator app shows",
            )
        elif device is None:
            form.add_error(
                "code",
                "The code is not right or has expired: enter the code your authenticator app shows now, or an "
                "unused recovery code",
            )
        else:
            request.session.cycle_key()  # a new session key for the fully signed-in session
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = StaticToken.objects.filter(device=device).count()
                messages.warning(
                    request,
                    f"You signed in with a recovery code, which cannot be used again. You have {left} left: "
                    "if you have lost your authenticator app, ask an officer to reset your two-factor sign-in.",
                )
            return redirect(_next_url(request))
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": _next_url(request)})


def _device_model(code):
    """Six digits are a code from the app; anything else is tried as a recovery code."""
    return TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice


def _throttled_seconds(user, code):
    """How long django-otp's back-off still refuses codes for the device `code` was meant for."""
    for device in _device_model(code).objects.filter(user=user, confirmed=True):
        allowed, details = device.verify_is_allowed()
        if not allowed and details and details.get("locked_until"):
            return max(1, math.ceil((details["locked_until"] - timezone.now()).total_seconds()))
    return 0


def _verified_device(user, code):
    """The device that accepts `code`: the authenticator app for 6 digits, else the recovery codes."""
    for device in _device_model(code).objects.filter(user=user, confirmed=True):
        verified = verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified
    return None


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_recovery_codes(request):
    """How many recovery codes are left, and a button for ten new ones (shown once)."""
    user = request.user
    if not has_confirmed_device(user):
        return redirect("strategy:two_factor_setup")
    if not user.is_verified():
        return redirect("strategy:two_factor_verify")
    if request.method == "POST":
        codes = replace_recovery_codes(user)
        return render(
            request, "registration/two_factor_recovery_codes.html", {"codes": codes, "next": _next_url(request)}
        )
    left = StaticToken.objects.filter(device__user=user).count()
    return render(request, "registration/two_factor_recovery_codes.html", {"left": left})


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out sign-in (settings.AXES_LOCKOUT_CALLABLE), status 429.

    The same page whether or not the username exists, so it reveals no accounts.
    """
    return render(
        request,
        "registration/locked_out.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": settings.AXES_COOLOFF_MINUTES},
        status=429,
    )


class LimitedPasswordResetForm(PasswordResetForm):
    """Django's reset form, sending nothing past the limits (PasswordResetRequest.admit).

    The page that follows is the same whether the link was sent, held back or there is no such
    account, so the form tells nobody which addresses have one or how often they were tried.
    """

    def save(self, *args, request=None, **kwargs):
        if PasswordResetRequest.admit(address=self.cleaned_data["email"], client=client_ip(request)):
            # The link is to the site's configured address (SITE_URL), as in every e-mail the service
            # sends, not to whatever host and scheme the request arrived with behind a proxy.
            site = urlsplit(settings.SITE_URL)
            kwargs["domain_override"] = site.netloc + site.path.rstrip("/")
            kwargs["use_https"] = site.scheme == "https"
            super().save(*args, request=request, **kwargs)
        else:
            logger.warning("Password reset held back: past the limit for its address or for its client")


password_reset = PasswordResetView.as_view(form_class=LimitedPasswordResetForm)
