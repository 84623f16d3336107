"""How often the API may be called: per client address without a key, per key with one
(settings.REST_FRAMEWORK's DEFAULT_THROTTLE_RATES, from API_THROTTLE_ANONYMOUS and API_THROTTLE_KEY)."""

from rest_framework.throttling import SimpleRateThrottle

from strategy.addresses import client_ip


class AnonymousThrottle(SimpleRateThrottle):
    scope = "anonymous"

    def get_cache_key(self, request, view):
        if request.auth is not None:
            return None
        # The address django-axes counts sign-ins against: X-Forwarded-For only as far as it is trusted.
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request._request)}


class KeyThrottle(SimpleRateThrottle):
    scope = "api_key"

    def get_cache_key(self, request, view):
        if request.auth is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.prefix}
