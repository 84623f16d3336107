import datetime

from django.db import transaction
from django.utils import timezone

from api.models import PartnerAPIKey


@transaction.atomic
def api_key_create(*, partnership, name, clearance, expires_on, by):
    """A new key for `partnership`, working to the end of `expires_on` (local time). Returns the key
    and its text, which is shown once and never stored (only its hash is)."""
    end = datetime.datetime.combine(expires_on, datetime.time.max)
    key = PartnerAPIKey(
        partnership=partnership,
        name=name,
        clearance=clearance,
        expiry_date=timezone.make_aware(end),
        created_by=by,
    )
    text = PartnerAPIKey.objects.assign_key(key)
    key.full_clean()
    key.save()
    return key, text
