"""Who is calling the API: a caller with no key, or a key sent as `Authorization: Api-Key <key>`.

A key that is unknown, revoked or expired, or whose maker is no longer an active officer of its
partnership, is refused with 401 (never read as "no key": a report
whose key lapsed should fail loudly, not quietly get less data). Requests carry no session and no
CSRF token: the API reads only, and a signed-in officer's browser reads it as anyone does.
"""

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework_api_key.permissions import KeyParser

from api.models import PartnerAPIKey
from strategy import permissions

KEYWORD = KeyParser.keyword  # "Api-Key"


class APIKeyAuthentication(BaseAuthentication):
    """request.auth is the PartnerAPIKey (request.user stays None: a key is not a person)."""

    parser = KeyParser()

    def authenticate(self, request):
        raw = self.parser.get(request)
        if raw is None:
            return None
        try:
            key = PartnerAPIKey.objects.get_from_key(raw.strip())
        except PartnerAPIKey.DoesNotExist:
            raise exceptions.AuthenticationFailed("This API key is not valid: check it was copied whole.") from None
        now = timezone.now()
        if key.has_expired:
            raise exceptions.AuthenticationFailed(
                f"This API key expired on {timezone.localtime(key.expiry_date):%d/%m/%Y}: ask an officer for a new one."
            )
        if not permissions.api_key_works(key):
            raise exceptions.AuthenticationFailed(
                "This API key stopped working when the officer who made it stopped being one: "
                "ask an officer for a new one."
            )
        key.record_use(now)
        return (None, key)

    def authenticate_header(self, request):
        return KEYWORD
