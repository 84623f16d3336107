"""The partnership and its strategy: partners, people, roles, principles and strategic objectives.

This app is the base: it imports nothing from `actions` or `performance`.
"""

import datetime
import re

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.text import slugify
from simple_history import register as register_history
from simple_history.models import HistoricalRecords

from strategy import audit
from strategy.audit import AuditedChange, AuditedHistory
from strategy.scoping import Scoping


def name_key(name):
    """The form of a name used to match people and teams: case and spacing ignored."""
    return re.sub(r"\s+", " ", (name or "")).strip().casefold()


class Marking(models.TextChoices):
    """Government Security Classifications handling markings, lowest first."""

    OFFICIAL = "official", "OFFICIAL"
    OFFICIAL_SENSITIVE = "official_sensitive", "OFFICIAL-SENSITIVE"

    @classmethod
    def from_text(cls, text):
        """A marking from its value or its label as written ("OFFICIAL-SENSITIVE"); blank is OFFICIAL."""
        cleaned = (text or "").strip().upper().replace(" ", "-").replace("_", "-")
        for value, label in cls.choices:
            if cleaned in {label, value.upper().replace("_", "-")}:
                return cls(value)
        if not cleaned:
            return cls.OFFICIAL
        raise ValueError(f"{text} is not a handling marking (use OFFICIAL or OFFICIAL-SENSITIVE)")

    @classmethod
    def up_to(cls, clearance):
        """The markings a user cleared to `clearance` may see."""
        values = list(cls.values)
        return values[: values.index(clearance) + 1] if clearance in values else []

    @classmethod
    def highest(cls, markings):
        values = list(cls.values)
        present = [values.index(m) for m in markings if m in values]
        return values[max(present)] if present else cls.OFFICIAL


class Partnership(models.Model):
    name = models.CharField(max_length=200, unique=True, help_text="e.g. Safer Westminster Partnership")
    short_name = models.CharField(max_length=30, blank=True, help_text="e.g. SWP")
    slug = models.SlugField(unique=True)
    area = models.CharField(max_length=200, blank=True, help_text="The area the partnership serves.")
    public_help = models.TextField(
        "how to get help",
        blank=True,
        help_text="Shown to residents on the partnership's public page: how to report a crime, get support or "
        "keep safe. One paragraph per line.",
    )

    scoping = Scoping(partnership="id")
    history = AuditedHistory(title=("name",), kind="Partnership")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def public_help_paragraphs(self):
        return [line.strip() for line in self.public_help.splitlines() if line.strip()]


class Organisation(models.Model):
    """A partner organisation: a responsible authority or another agency that owns actions."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="organisations")
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=30, blank=True)
    responsible_authority = models.BooleanField(
        default=False, help_text="A statutory responsible authority under the Crime and Disorder Act 1998."
    )

    scoping = Scoping(partnership="partnership")
    history = AuditedHistory(title=("name",), kind="Partner organisation")

    class Meta:
        ordering = ["-responsible_authority", "name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="organisation_unique_name"),
        ]

    def __str__(self):
        return self.name


class PersonQuerySet(models.QuerySet):
    def for_partnership(self, partnership):
        return self.filter(partnership=partnership)


class Person(models.Model):
    """Someone (or a team) who can lead actions or chair a group. Leads need not have a login."""

    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        TEAM = "team", "Team or organisation"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="people")
    name = models.CharField(max_length=200, help_text="A person's name, a job title or a team (e.g. IGU).")
    name_key = models.CharField(max_length=200, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PERSON)
    job_title = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True, help_text="Work email, used for update reminders.")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="people"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        help_text="The login account of this person, if they have one.",
    )

    objects = PersonQuerySet.as_manager()

    scoping = Scoping(partnership="partnership")
    history = AuditedHistory(title=("name",), kind="Person or team")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name_key"], name="person_unique_name"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = re.sub(r"\s+", " ", self.name).strip()
        self.name_key = name_key(self.name)
        super().save(*args, **kwargs)


class Membership(models.Model):
    """A login's place in one partnership: its role and its clearance."""

    class Role(models.TextChoices):
        OFFICER = "officer", "Officer"
        CHAIR = "chair", "Delivery-group chair"
        LEAD = "lead", "Lead"
        EXECUTIVE = "executive", "Executive member"
        VIEWER = "viewer", "Viewer"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)
    clearance = models.CharField(
        max_length=20,
        choices=Marking,
        default=Marking.OFFICIAL,
        help_text="The highest handling marking this user may see.",
    )

    scoping = Scoping(partnership="partnership")
    history = AuditedHistory(title=("user_id", "role"), kind="Role")

    class Meta:
        ordering = ["partnership", "user__username"]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}, {self.partnership})"


class StrategyQuerySet(models.QuerySet):
    def for_partnership(self, partnership):
        return self.filter(partnership=partnership)

    def visible_to(self, user):
        # Imported here: strategy.permissions imports this module for the roles and markings its rules read.
        from strategy import permissions

        return permissions.scope(self, user)

    def listed_for(self, user):
        """The strategies the pages offer `user` to choose from: those they may see, drafts left out."""
        return self.visible_to(user).exclude(status=Strategy.Status.DRAFT)


class Strategy(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        ARCHIVED = "archived", "Archived"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="strategies")
    title = models.CharField(max_length=200)
    slug = models.SlugField(help_text="Used in web addresses and on the command line, e.g. swp-2020-2023.")
    start_date = models.DateField()
    end_date = models.DateField()
    vision = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    marking = models.CharField(max_length=20, choices=Marking, default=Marking.OFFICIAL)
    requires_sign_off = models.BooleanField(
        "updates need the chair's sign-off",
        default=False,
        help_text="When on, a lead's update is submitted to the delivery-group chair, and counts only once "
        "the chair (or an officer) has approved it.",
    )
    published = models.BooleanField(
        default=False,
        help_text="When on, anyone can read the strategy's public page and open data, without signing in: what "
        "is marked OFFICIAL and not held back.",
    )
    is_sample = models.BooleanField(
        "sample data",
        default=False,
        help_text="Made-up data for trying the service (the demo's current strategy); its pages say so.",
    )

    objects = StrategyQuerySet.as_manager()

    scoping = Scoping(partnership="partnership", marking=("marking",))
    history = AuditedHistory(title=("title",), kind="Strategy")

    class Meta:
        ordering = ["partnership", "-start_date"]
        verbose_name_plural = "strategies"
        constraints = [
            models.UniqueConstraint(fields=["partnership", "slug"], name="strategy_unique_slug"),
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="strategy_period_order"),
        ]

    def __str__(self):
        return self.title

    @property
    def period(self):
        return f"{self.start_date:%Y}-{self.end_date:%Y}"

    def runs_in(self, quarter):
        """Whether any day of `quarter` falls in the strategy's period."""
        return self.start_date <= quarter.end and self.end_date >= quarter.start

    def choose_slug(self):
        """A slug for a new strategy from its title and period (never just "new", the add page's
        address), unique in its partnership."""
        base = (
            slugify(f"{self.title} {self.period}" if self.period not in self.title else self.title)[:45] or "strategy"
        )
        taken = set(Strategy.objects.filter(partnership_id=self.partnership_id).values_list("slug", flat=True))
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        self.slug = slug
        return slug


class Principle(models.Model):
    """A cross-cutting principle that applies to every delivery group of a strategy."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="principles")
    position = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    scoping = Strategy.scoping.through("strategy")
    history = AuditedHistory(title=("title",), kind="Principle")

    class Meta:
        ordering = ["strategy", "position"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "position"], name="principle_unique_position"),
        ]

    def __str__(self):
        return self.title


class StrategicObjective(models.Model):
    """A priority of the strategy, with what the partnership says "we will" do about it."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="strategic_objectives")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    we_will = models.TextField(blank=True, help_text='What "we will" do: one commitment per line.')
    evidence = models.TextField(blank=True, help_text="The evidence behind the objective.")

    scoping = Strategy.scoping.through("strategy")
    history = AuditedHistory(title=("number", "title"), kind="Strategic objective")

    class Meta:
        ordering = ["strategy", "number"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "number"], name="strategic_objective_unique_number"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    @property
    def commitments(self):
        return [line.strip() for line in self.we_will.splitlines() if line.strip()]


class PasswordResetRequest(models.Model):
    """A password reset someone asked for, kept while it counts towards the limits.

    At most settings.PASSWORD_RESET_LIMIT_PER_ADDRESS e-mails go to one address, and at most
    PASSWORD_RESET_LIMIT_PER_CLIENT requests from one client are acted on, in any
    PASSWORD_RESET_WINDOW_MINUTES. The address is kept only as a keyed digest: this table says
    nothing of who asked. State in the database, so every app server counts the same requests.
    """

    address_digest = models.CharField(max_length=64, help_text="A keyed digest of the address, never the address.")
    client = models.GenericIPAddressField(null=True, blank=True, help_text="The address the request came from.")
    requested_at = models.DateTimeField(default=timezone.now, help_text="When it was asked for.")

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = "password reset request"
        verbose_name_plural = "password reset requests"
        indexes = [
            models.Index(fields=["address_digest", "requested_at"], name="password_reset_by_address"),
            models.Index(fields=["client", "requested_at"], name="password_reset_by_client"),
            models.Index(fields=["requested_at"], name="password_reset_by_time"),
        ]

    def __str__(self):
        return f"Password reset asked for at {self.requested_at:%Y-%m-%d %H:%M}"

    @staticmethod
    def digest(address):
        return salted_hmac("strategy.PasswordResetRequest", address.strip().casefold(), algorithm="sha256").hexdigest()

    @classmethod
    def admit(cls, *, address, client):
        """Whether a reset for `address` asked from `client` may be acted on now; if so, it is counted.

        Requests refused are not counted, so someone asking again and again holds nothing back
        for longer than the window, and the table grows by no more than the limits allow.
        """
        now = timezone.now()
        since = now - datetime.timedelta(minutes=settings.PASSWORD_RESET_WINDOW_MINUTES)
        cls.objects.filter(requested_at__lt=since).delete()
        recent = cls.objects.filter(requested_at__gte=since)
        digest = cls.digest(address)
        if recent.filter(address_digest=digest).count() >= settings.PASSWORD_RESET_LIMIT_PER_ADDRESS:
            return False
        if recent.filter(client=client).count() >= settings.PASSWORD_RESET_LIMIT_PER_CLIENT:
            return False
        cls.objects.create(address_digest=digest, client=client, requested_at=now)
        return True


# Logins and their changes are audited too (the role and clearance are on Membership). Password
# hashes are never copied into the history, and signing in (last_login) is not a change.
class LoginHistory(HistoricalRecords):
    def post_save(self, instance, created, using=None, **kwargs):
        # Django saves last_login alone at every sign-in; excluding the field still left a row.
        if not created and set(kwargs.get("update_fields") or ()) == {"last_login"}:
            return
        super().post_save(instance, created, using=using, **kwargs)


def _users_of_partnership(queryset, partnership_id):
    return queryset.filter(id__in=Membership.objects.filter(partnership_id=partnership_id).values("user_id"))


class LoginHistoryScoping:
    """A login's history rows have no link to its partnership: they are those of its members' logins."""

    scoping = Scoping(partnership=_users_of_partnership)


register_history(
    User,
    app="strategy",
    records_class=LoginHistory,
    excluded_fields=["password", "last_login"],
    bases=[AuditedChange, LoginHistoryScoping],
)
audit.register(User, title=("username",), kind="Login")
