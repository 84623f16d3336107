"""API keys: a named consumer's read-only access to one partnership's data, up to a clearance."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager

from strategy import permissions
from strategy.audit import AuditedHistory
from strategy.models import Marking, Partnership
from strategy.scoping import Scoping

# A key's last use is written at most this often, so a report polling the API is not a write per request.
LAST_USED_EVERY = datetime.timedelta(minutes=1)


class PartnerAPIKeyQuerySet(models.QuerySet):
    def for_partnership(self, partnership_id):
        return self.filter(partnership_id=partnership_id).annotate(
            makers_clearance=permissions.api_key_makers_clearance()
        )

    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked=False).filter(Q(expiry_date__isnull=True) | Q(expiry_date__gt=now))


class PartnerAPIKeyManager(BaseAPIKeyManager.from_queryset(PartnerAPIKeyQuerySet)):
    def get_usable_keys(self):
        # The maker's clearance comes in the same query: every request is read at it (permissions).
        return (
            super()
            .get_usable_keys()
            .select_related("partnership")
            .annotate(makers_clearance=permissions.api_key_makers_clearance())
        )


class PartnerAPIKey(AbstractAPIKey):
    """Stored hashed (the library keeps only a SHA-512 of the key and its prefix); shown once."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="api_keys")
    clearance = models.CharField(
        max_length=20,
        choices=Marking.choices,
        default=Marking.OFFICIAL,
        help_text="The highest marking the key reads; never above that of the officer who made it.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True, help_text="Recorded at most once a minute.")

    objects = PartnerAPIKeyManager()

    # The audit log names a key by its prefix; its id (prefix and hash) is not shown there.
    audit_hidden_fields = ("id",)

    # Creation and revocation are changes to the row; its last use is written with update(), unaudited.
    scoping = Scoping(partnership="partnership")
    history = AuditedHistory(
        title=("name",),
        kind="API key",
        excluded_fields=["hashed_key", "last_used_at"],
    )

    class Meta(AbstractAPIKey.Meta):
        ordering = ["-created"]
        verbose_name = "API key"
        verbose_name_plural = "API keys"
        constraints = [
            models.CheckConstraint(condition=Q(clearance__in=Marking.values), name="api_key_clearance_is_a_marking"),
            models.CheckConstraint(
                condition=Q(revoked=False) | Q(revoked_at__isnull=False), name="api_key_revoked_has_a_time"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix})"

    def state(self, now=None):
        now = now or timezone.now()
        if self.revoked:
            return "Revoked"
        if self.expiry_date is not None and self.expiry_date <= now:
            return "Expired"
        if not permissions.api_key_works(self):
            return "Stopped"
        return "Active"

    def revoke(self, *, by):
        """Revoked for good (the library refuses to un-revoke); kept, with who and when, for the audit."""
        if self.revoked:
            return
        self.revoked, self.revoked_at, self.revoked_by = True, timezone.now(), by
        self.save(update_fields=["revoked", "revoked_at", "revoked_by"])

    def record_use(self, now=None):
        """Note the key's use, unless noted less than LAST_USED_EVERY ago (then no query at all)."""
        now = now or timezone.now()
        if self.last_used_at is not None and now - self.last_used_at < LAST_USED_EVERY:
            return
        type(self).objects.filter(pk=self.pk).update(last_used_at=now)
        self.last_used_at = now
