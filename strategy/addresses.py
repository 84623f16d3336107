"""The address a request came from, as django-axes counts it and the audit trail records it."""

from django.conf import settings


def client_ip(request):
    """The address django-axes counts failed sign-ins against (settings.AXES_CLIENT_IP_CALLABLE).

    Directly on the internet: REMOTE_ADDR. Behind N proxies that each append the address they saw
    to X-Forwarded-For (settings.AXES_IPWARE_PROXY_COUNT = N), the N-th entry from the right: the
    address the outermost trusted proxy saw. Entries further left are whatever the client sent,
    so they are never trusted.
    """
    count = settings.AXES_IPWARE_PROXY_COUNT
    if count:
        forwarded = [part.strip() for part in request.headers.get("x-forwarded-for", "").split(",") if part.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")
