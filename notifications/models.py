"""E-mail notifications: what each signed-in user wants to be told (Preference), the actions they follow
(Follow), and every notification e-mail sent (Notification), recorded before it goes so that none goes twice.

What is told and when is decided in notifications/services.py; the round reminders to leads are
performance's (RoundEmail) and are not governed by these preferences.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from actions.models import Action


class Kind(models.TextChoices):
    """What a notification is about. Each kind has one preference per user."""

    SIGN_OFF = "sign_off", "Updates waiting for your sign-off"
    RETURNED = "returned", "Your updates returned by the chair"
    DECISIONS = "decisions", "Decisions you own: assigned, due within a week, overdue"
    IMPORTS = "imports", "Your spreadsheet imports finished or failed"
    PACKS = "packs", "Meeting packs issued"
    FOLLOWING = "following", "Actions you follow: their updates and decisions"


class Frequency(models.TextChoices):
    AT_ONCE = "at_once", "At once"
    DIGEST = "digest", "Digest"
    OFF = "off", "Off"


# How often a digest goes: daily, except for the actions someone follows (weekly).
WEEKLY_KINDS = frozenset({Kind.FOLLOWING})
DEFAULT_FREQUENCY = {
    Kind.SIGN_OFF: Frequency.DIGEST,
    Kind.RETURNED: Frequency.AT_ONCE,
    Kind.DECISIONS: Frequency.AT_ONCE,
    Kind.IMPORTS: Frequency.AT_ONCE,
    Kind.PACKS: Frequency.AT_ONCE,
    Kind.FOLLOWING: Frequency.DIGEST,
}


def digest_label(kind):
    return "Weekly digest" if kind in WEEKLY_KINDS else "Daily digest"


class PreferenceQuerySet(models.QuerySet):
    def frequencies(self, user):
        """{kind: frequency} for `user`, every kind present (the default where none is chosen)."""
        chosen = dict(self.filter(user=user).values_list("kind", "frequency"))
        return {kind: chosen.get(kind, DEFAULT_FREQUENCY[kind]) for kind in Kind}


class Preference(models.Model):
    """How one user wants one kind of notification: at once, as a digest, or not at all."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    changed_at = models.DateTimeField(default=timezone.now)

    objects = PreferenceQuerySet.as_manager()

    class Meta:
        ordering = ["user", "kind"]
        verbose_name = "notification preference"
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once_per_kind"),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="notification_preference_kind_valid"),
            models.CheckConstraint(
                condition=Q(frequency__in=Frequency.values), name="notification_preference_frequency_valid"
            ),
        ]

    def __str__(self):
        return f"{self.user}: {self.get_kind_display()}, {self.get_frequency_display().lower()}"


class Follow(models.Model):
    """A user follows an action: a digest of its updates and decisions from then on."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user", "action"]
        constraints = [models.UniqueConstraint(fields=["user", "action"], name="follow_once_per_action")]

    def __str__(self):
        return f"{self.user} follows {self.action.ref}"


class Notification(models.Model):
    """One notification e-mail sent. Recording it first is what makes sending idempotent: `key` names
    what it is for ("update:12" sent at once, "day:2026-12-04" or "week:2026-W49" for a digest), and the
    constraint refuses a second row with the same user, kind and key."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=100, help_text="What it is for: one item, or a digest's day or week.")
    items = models.TextField(blank=True, help_text="The items it told of, one key a line.")
    refs = models.TextField(blank=True, help_text="The action references it named.")
    subject = models.CharField(max_length=200)
    to_address = models.EmailField(help_text="The address it went to.")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = "notification e-mail"
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "key"], name="notification_once_per_key"),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="notification_kind_valid"),
        ]
        indexes = [models.Index(fields=["user", "kind", "sent_at"], name="notification_user_kind")]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.user} ({self.key})"
