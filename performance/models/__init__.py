"""Indicators, quarters, meetings, update rounds and the quarterly review (built on strategy and actions).

A package: indicators and their values are in performance/models/indicators.py; update rounds,
meetings, challenges and packs are here.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, DeliveryGroup, Objective

# Indicators and their values live in performance/models/indicators.py.
from performance.models.indicators import (  # noqa: F401
    Indicator,
    IndicatorQuerySet,
    IndicatorValue,
    IndicatorValueImport,
    IndicatorValueQuerySet,
)
from strategy import permissions
from strategy.audit import AuditedHistory
from strategy.models import Marking, Organisation, Person, Strategy
from strategy.periods import Quarter

# Update rounds, reminders and sign-off -------------------------------------------------------
# An officer opens a round for a strategy and quarter; the leads are e-mailed (performance/rounds.py
# sends, RoundEmail records what went out so nothing goes twice); closing the round locks the quarter.


class UpdateRoundQuerySet(models.QuerySet):
    def visible_to(self, user):
        return permissions.scope(self, user)

    def open(self):
        return self.filter(closed_at__isnull=True)

    def closed(self):
        return self.filter(closed_at__isnull=False)

    def for_quarter(self, quarter):
        return self.filter(year=quarter.year, number=quarter.number)


class UpdateRound(models.Model):
    """The officers' call for the leads' updates on a strategy's actions for one quarter."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="update_rounds")
    year = models.PositiveSmallIntegerField(
        help_text="The financial year of the quarter, by the year it starts: 2020 for 2020/21."
    )
    number = models.PositiveSmallIntegerField("quarter", help_text="1 (April to June) to 4 (January to March).")
    deadline = models.DateField(help_text="The day by which leads are asked to update their actions.")
    reminder_days = models.PositiveSmallIntegerField(
        default=3,
        help_text="How many working days before the deadline the reminder goes to leads who have not updated.",
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the round was closed; from then on its quarter is locked."
    )
    meeting = models.ForeignKey(
        "Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="update_rounds",
        help_text="The meeting the updates are for; the deadline defaults to ten working days before it.",
    )

    objects = UpdateRoundQuerySet.as_manager()

    scoping = Strategy.scoping.through("strategy")

    class Meta:
        ordering = ["strategy", "-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "year", "number"], name="update_round_one_per_quarter"),
            models.CheckConstraint(condition=Q(number__gte=1) & Q(number__lte=4), name="update_round_quarter_1_4"),
            models.CheckConstraint(condition=Q(reminder_days__lte=20), name="update_round_reminder_days_le_20"),
            models.CheckConstraint(
                condition=Q(closed_by__isnull=True) | Q(closed_at__isnull=False), name="update_round_closer_has_time"
            ),
        ]

    def __str__(self):
        return f"{self.strategy}: {self.quarter} update round"

    @property
    def quarter(self):
        return Quarter(self.year, self.number)

    @property
    def is_open(self):
        return self.closed_at is None

    def clean(self):
        if self.meeting_id and self.strategy_id and self.meeting.strategy_id != self.strategy_id:
            raise ValidationError({"meeting": "Choose a meeting of the same strategy, or no meeting."})


class RoundEmail(models.Model):
    """One e-mail sent to a lead for an update round. Recording it first is what makes sending
    idempotent: the constraints refuse a second opening e-mail or reminder to the same person, and a
    second "remind now" on the same day."""

    class Kind(models.TextChoices):
        OPENING = "opening", "Round opened"
        REMINDER = "reminder", "Reminder before the deadline"
        MANUAL = "manual", "Reminder sent by an officer"

    update_round = models.ForeignKey(UpdateRound, on_delete=models.CASCADE, related_name="emails")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="round_emails")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField(default=timezone.now)
    sent_on = models.DateField(help_text="The local date it was sent (one manual reminder a day).")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The officer who pressed Remind now; empty for e-mails sent on schedule.",
    )
    to_address = models.EmailField(help_text="The address it went to.")
    action_refs = models.TextField(blank=True, help_text="The actions it listed.")

    scoping = UpdateRound.scoping.through("update_round")

    class Meta:
        ordering = ["update_round", "person", "sent_at"]
        verbose_name = "update round e-mail"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["opening", "reminder", "manual"]), name="round_email_kind_valid"
            ),
            models.UniqueConstraint(
                fields=["update_round", "person", "kind"],
                condition=~Q(kind="manual"),
                name="round_email_once_per_kind",
            ),
            models.UniqueConstraint(
                fields=["update_round", "person", "sent_on"],
                condition=Q(kind="manual"),
                name="round_email_one_manual_a_day",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.person} ({self.update_round})"


# Meetings, challenges and packs ---------------------------------------------------------------
# A meeting reviews one quarter of a strategy. Members record challenges and decisions against an
# action or a delivery group for it, and an officer issues its pack (PDF and XLSX), kept here
# byte for byte as issued: performance/review.py gathers the figures, performance/pack.py writes them.


class HeldMeetingError(ValidationError):
    """What was recorded at a held meeting is changed only by a correction with a reason."""


def refuse_unless_corrected(instance, fields, *, meeting_id):
    """Refuse to save a change to `fields` of `instance` (new, or changed from the row in the database)
    at a held meeting unless a reason for the correction was given (`instance._change_reason`, which
    the history keeps beside the change)."""
    if (getattr(instance, "_change_reason", "") or "").strip() or not meeting_id:
        return
    if not Meeting.objects.filter(pk=meeting_id, held_at__isnull=False).exists():
        return
    if instance.pk is not None:
        before = type(instance).objects.filter(pk=instance.pk).values(*fields).first()
        if before is not None and all(before[name] == getattr(instance, name) for name in fields):
            return
    raise HeldMeetingError(
        "The meeting has been marked held: what was recorded at it is changed only by a correction, with a reason."
    )


# What a meeting records, of itself and of each challenge or decision: changed once it is held only by
# a correction. A decision's state and response are its follow-up, not the record, and stay open.
MEETING_RECORDED_FIELDS = ("strategy_id", "kind", "delivery_group_id", "date", "year", "number", "title", "notes")
CHALLENGE_RECORDED_FIELDS = (
    "meeting_id",
    "kind",
    "action_id",
    "objective_id",
    "delivery_group_id",
    "text",
    "owner_person_id",
    "owner_organisation_id",
    "owner_text",
    "due_date",
)


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user):
        return permissions.scope(self, user)

    def for_quarter(self, quarter):
        return self.filter(year=quarter.year, number=quarter.number)


class Meeting(models.Model):
    """A meeting of the Executive Group, a delivery group or the partnership board, and the quarter it reviews."""

    class Kind(models.TextChoices):
        EXECUTIVE = "executive", "Executive Group"
        DELIVERY_GROUP = "delivery_group", "Delivery group"
        BOARD = "board", "Partnership board"

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.EXECUTIVE)
    delivery_group = models.ForeignKey(
        DeliveryGroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="meetings",
        help_text="For a delivery group's meeting: the group (its pack covers that group only).",
    )
    date = models.DateField(help_text="The day of the meeting.")
    year = models.PositiveSmallIntegerField(
        "financial year",
        help_text="The financial year of the quarter it reviews, by the year it starts: 2020 for 2020/21.",
    )
    number = models.PositiveSmallIntegerField("quarter", help_text="1 (April to June) to 4 (January to March).")
    title = models.CharField(
        max_length=200, blank=True, help_text='Leave blank to name it after its kind, e.g. "Executive Group".'
    )
    notes = models.TextField(blank=True, help_text="Anything members should know, e.g. where it meets.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    held_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When an officer marked it held: from then on what was recorded at it changes only by a "
        "correction with a reason, and nothing of it is deleted.",
    )
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = MeetingQuerySet.as_manager()
    # A group's meeting is hidden with its group; other meetings have no group to hide them.
    scoping = Strategy.scoping.through("strategy", marking_if_linked=("delivery_group__marking",))
    history = AuditedHistory(
        title=("title", "date"),
        kind="Meeting",
    )

    class Meta:
        ordering = ["strategy", "-date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(number__gte=1) & Q(number__lte=4), name="meeting_quarter_1_4"),
            models.CheckConstraint(
                condition=Q(kind="executive") | Q(kind="delivery_group") | Q(kind="board"), name="meeting_kind_valid"
            ),
            models.CheckConstraint(
                condition=(Q(kind="delivery_group") & Q(delivery_group__isnull=False))
                | (~Q(kind="delivery_group") & Q(delivery_group__isnull=True)),
                name="meeting_group_only_for_group_meetings",
            ),
            models.UniqueConstraint(
                fields=["strategy", "kind", "date"],
                condition=Q(delivery_group__isnull=True),
                name="meeting_one_a_day_per_kind",
            ),
            models.UniqueConstraint(
                fields=["delivery_group", "date"],
                condition=Q(delivery_group__isnull=False),
                name="meeting_one_a_day_per_group",
            ),
        ]

    def __str__(self):
        return f"{self.name}, {self.date.day} {self.date:%B %Y}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            refuse_unless_corrected(self, MEETING_RECORDED_FIELDS, meeting_id=self.pk)
        super().save(*args, **kwargs)

    @property
    def is_held(self):
        return self.held_at is not None

    def same_body(self):
        """Meetings of the same body: the strategy's meetings of this kind (and group, for a group's)."""
        return Meeting.objects.filter(
            strategy_id=self.strategy_id, kind=self.kind, delivery_group_id=self.delivery_group_id
        )

    def previous(self):
        """The same body's meeting before this one, or None."""
        return (
            self.same_body()
            .filter(Q(date__lt=self.date) | Q(date=self.date, pk__lt=self.pk))
            .order_by("-date", "-pk")
            .first()
        )

    @property
    def name(self):
        if self.title:
            return self.title
        if self.kind == self.Kind.DELIVERY_GROUP and self.delivery_group_id:
            return f"{self.delivery_group.name} delivery group"
        return self.get_kind_display()

    @property
    def quarter(self):
        return Quarter(self.year, self.number)

    def clean(self):
        errors = {}
        if self.number not in (1, 2, 3, 4):
            errors["number"] = "Choose a quarter from 1 (April to June) to 4 (January to March)."
        elif self.date and self.year:
            quarter = Quarter(self.year, self.number)
            if quarter.end > self.date:
                errors["number"] = (
                    f"A meeting on {self.date:%d/%m/%Y} cannot review {quarter}: that quarter ends on "
                    f"{quarter.end:%d/%m/%Y}. Choose a quarter that has ended by the meeting."
                )
            elif self.strategy_id and (
                quarter.end < self.strategy.start_date or quarter.start > self.strategy.end_date
            ):
                errors["number"] = (
                    f"{quarter} is outside {self.strategy} ({self.strategy.start_date:%d/%m/%Y} to "
                    f"{self.strategy.end_date:%d/%m/%Y}). Choose a quarter of the strategy."
                )
        if self.kind == self.Kind.DELIVERY_GROUP and not self.delivery_group_id:
            errors["delivery_group"] = "Choose the delivery group whose meeting this is."
        elif self.kind != self.Kind.DELIVERY_GROUP and self.delivery_group_id:
            errors["delivery_group"] = "Only a delivery group's meeting names a delivery group: leave it blank."
        elif self.delivery_group_id and self.strategy_id and self.delivery_group.strategy_id != self.strategy_id:
            errors["delivery_group"] = "Choose a delivery group of the meeting's strategy."
        if errors:
            raise ValidationError(errors)


class ChallengeQuerySet(models.QuerySet):
    def visible_to(self, user, *, seen=None):
        """Challenges and decisions the user may see: their partnership's, none at a meeting or about an
        action, objective or group marked above their clearance (Challenge.scoping). `seen`: as for
        strategy.permissions.scope (an action's challenges, "action", once the action is found)."""
        return permissions.scope(self, user, seen=seen)

    def decisions(self):
        return self.filter(kind=Challenge.Kind.DECISION)

    def open(self):
        return self.filter(kind=Challenge.Kind.DECISION, state=Challenge.State.OPEN)

    def overdue(self, today=None):
        return self.open().filter(due_date__lt=today or timezone.localdate())

    def carried_into(self, meeting, *, previous=None):
        """Decisions from the same body's earlier meetings that the meeting follows up: those still
        open, and those closed since the body last met (so it sees what was done)."""
        previous = meeting.previous() if previous is None else previous
        earlier = (
            self.decisions()
            .filter(
                meeting__strategy_id=meeting.strategy_id,
                meeting__kind=meeting.kind,
                meeting__delivery_group_id=meeting.delivery_group_id,
            )
            .filter(Q(meeting__date__lt=meeting.date) | Q(meeting__date=meeting.date, meeting_id__lt=meeting.pk))
        )
        recent = Q(state=Challenge.State.OPEN)
        if previous:
            recent |= Q(closed_at__date__gte=previous.date)
        return earlier.filter(recent)

    def owned_by(self, user):
        """Decisions `user` owns (strategy.permissions.owned_decisions_q), within what they may see."""
        return self.visible_to(user).decisions().filter(permissions.owned_decisions_q(user))

    def with_related(self):
        return self.select_related(
            "meeting__strategy",
            "meeting__delivery_group",
            "action__objective__delivery_group",
            "action__strategy",
            "objective__delivery_group",
            "delivery_group",
            "owner_person",
            "owner_organisation",
            "created_by",
            "closed_by",
        )


class Challenge(models.Model):
    """A challenge the meeting put about an action or a delivery group, or a decision it took (an action
    arising) about an action, an objective, a group or nothing in particular, which someone owns and
    closes with a response."""

    class Kind(models.TextChoices):
        CHALLENGE = "challenge", "Challenge"
        DECISION = "decision", "Decision"

    class State(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="challenges")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CHALLENGE)
    action = models.ForeignKey(Action, on_delete=models.CASCADE, null=True, blank=True, related_name="challenges")
    objective = models.ForeignKey(
        Objective,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="decisions",
        help_text="For a decision about one objective.",
    )
    delivery_group = models.ForeignKey(
        DeliveryGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="challenges"
    )
    text = models.TextField(help_text="What was challenged or decided, in a sentence or two.")
    owner_person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name="owner",
        help_text="The person who is to act on the decision.",
    )
    owner_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name="owning agency",
        help_text="Or the partner organisation that is to act on it.",
    )
    owner_text = models.CharField(
        "who responds (as written)",
        max_length=200,
        blank=True,
        help_text="Who is to respond, in words: challenges, and decisions recorded before owners were chosen.",
    )
    due_date = models.DateField(null=True, blank=True, help_text="When the decision is to be acted on by.")
    state = models.CharField(
        max_length=10, choices=State.choices, blank=True, help_text="A decision's: open until done or dropped."
    )
    response = models.TextField(blank=True, help_text="What was done, or why it was dropped, written when closed.")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="review_challenges"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ChallengeQuerySet.as_manager()
    # Hidden with its meeting, and with what it is about: a decision about the meeting as a whole is
    # about nothing, so a missing action, objective or group hides nothing.
    scoping = Meeting.scoping.through(
        "meeting",
        marking_if_linked=(
            *(f"action__{path}" for path in Action.scoping.marking),
            "objective__marking",
            "objective__delivery_group__marking",
            "delivery_group__marking",
        ),
        # At most one of them, by the constraint challenge_about_one_thing below.
        one_of=("action", "objective", "delivery_group"),
    )
    history = AuditedHistory(
        title=("kind", "text"),
        kind="Challenge or decision",
        author="created_by",
    )

    class Meta:
        ordering = ["meeting", "created_at", "pk"]
        verbose_name = "challenge or decision"
        verbose_name_plural = "challenges and decisions"
        constraints = [
            models.CheckConstraint(condition=Q(kind="challenge") | Q(kind="decision"), name="challenge_kind_valid"),
            # A challenge is about one action or one group; a decision about at most one action,
            # objective or group (none: the meeting as a whole).
            models.CheckConstraint(
                condition=(
                    Q(kind="challenge")
                    & Q(objective__isnull=True)
                    & (
                        (Q(action__isnull=False) & Q(delivery_group__isnull=True))
                        | (Q(action__isnull=True) & Q(delivery_group__isnull=False))
                    )
                )
                | (
                    Q(kind="decision")
                    & ~(Q(action__isnull=False) & Q(objective__isnull=False))
                    & ~(Q(action__isnull=False) & Q(delivery_group__isnull=False))
                    & ~(Q(objective__isnull=False) & Q(delivery_group__isnull=False))
                ),
                name="challenge_about_one_thing",
            ),
            models.CheckConstraint(condition=~Q(text=""), name="challenge_text_required"),
            models.CheckConstraint(
                condition=(Q(kind="challenge") & Q(state=""))
                | (Q(kind="decision") & Q(state__in=["open", "done", "dropped"])),
                name="challenge_state_only_for_decisions",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["", "open"]) | (Q(closed_at__isnull=False) & ~Q(response="")),
                name="decision_closed_with_response",
            ),
            models.CheckConstraint(
                condition=Q(owner_person__isnull=True) | Q(owner_organisation__isnull=True),
                name="decision_one_owner",
            ),
        ]
        indexes = [models.Index(fields=["state", "due_date"], name="decision_state_due")]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.about_label} ({self.meeting})"

    def save(self, *args, **kwargs):
        refuse_unless_corrected(self, CHALLENGE_RECORDED_FIELDS, meeting_id=self.meeting_id)
        super().save(*args, **kwargs)

    @property
    def about(self):
        return self.action or self.objective or self.delivery_group

    @property
    def about_label(self):
        if self.action_id:
            return self.action.ref
        if self.objective_id:
            return f"Objective {self.objective.number}"
        if self.delivery_group_id:
            return f"{self.delivery_group.name} (group)"
        return "The meeting as a whole"

    @property
    def owner(self):
        """Who owns it: the person, the partner organisation, or the owner as written."""
        if self.owner_person_id:
            return self.owner_person.name
        if self.owner_organisation_id:
            return self.owner_organisation.name
        return self.owner_text

    def is_overdue(self, today=None):
        return bool(self.state == self.State.OPEN and self.due_date and self.due_date < (today or timezone.localdate()))

    def clean(self):
        if not (self.text or "").strip():
            raise ValidationError({"text": f"Enter the {self.get_kind_display().lower()}"})
        about = [bool(self.action_id), bool(self.objective_id), bool(self.delivery_group_id)]
        if self.kind == self.Kind.CHALLENGE and (
            self.objective_id or bool(self.action_id) == bool(self.delivery_group_id)
        ):
            raise ValidationError("Choose one action or one delivery group the challenge is about.")
        if sum(about) > 1:
            raise ValidationError("Choose one action, objective or delivery group the decision is about, or none.")
        if self.owner_person_id and self.owner_organisation_id:
            raise ValidationError({"owner_person": "Choose a person or a partner organisation as the owner, not both."})
        if not self.meeting_id:
            return
        strategy = self.meeting.strategy
        for owner in (self.owner_person, self.owner_organisation):
            if owner is not None and owner.partnership_id != strategy.partnership_id:
                raise ValidationError({"owner_person": "Choose an owner of the meeting's partnership."})
        if self.action_id:
            group = self.action.objective.delivery_group
        elif self.objective_id:
            group = self.objective.delivery_group
        else:
            group = self.delivery_group
        if group is None:
            return
        if group.strategy_id != self.meeting.strategy_id:
            raise ValidationError("Choose an action, objective or delivery group of the meeting's strategy.")
        if self.meeting.delivery_group_id and group.pk != self.meeting.delivery_group_id:
            raise ValidationError(f"This meeting is the {self.meeting.name}'s: choose one of its actions or the group.")

    @staticmethod
    def close_form(decision, may_drop, data=None):
        """The form answering `decision` on My actions (prefixed, as the page holds one per decision)."""
        # Imported here: performance.decision_forms builds its forms on these models.
        from performance.decision_forms import DecisionCloseForm

        return DecisionCloseForm(data, may_drop=may_drop, prefix=f"decision-{decision.pk}")

    def record_close(self, *, by, state, response):
        """Close the decision as done or dropped, with the response (what was done, or why dropped)."""
        if self.kind != self.Kind.DECISION:
            raise ValidationError("Only a decision is closed.")
        if state not in (self.State.DONE, self.State.DROPPED):
            raise ValidationError({"state": "Choose done or dropped."})
        if not (response or "").strip():
            raise ValidationError({"response": "Enter what was done, or why the decision is dropped"})
        self.state, self.response = state, response.strip()
        self.closed_at, self.closed_by = timezone.now(), by
        self._change_reason = f"Closed as {self.get_state_display().lower()}"
        self.save(update_fields=["state", "response", "closed_at", "closed_by"])


ATTENDANCE_RECORDED_FIELDS = ("meeting_id", "person_id", "state")


class Attendance(models.Model):
    """Whether one of the partnership's people attended a meeting, sent apologies or was absent."""

    class State(models.TextChoices):
        ATTENDED = "attended", "Attended"
        APOLOGIES = "apologies", "Sent apologies"
        ABSENT = "absent", "Absent"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="attendance")
    state = models.CharField(max_length=10, choices=State.choices)

    scoping = Meeting.scoping.through("meeting")
    history = AuditedHistory(
        title=("state",),
        kind="Meeting attendance",
    )

    class Meta:
        ordering = ["meeting", "person__name", "pk"]
        verbose_name_plural = "attendance"
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="attendance_once_per_person"),
            models.CheckConstraint(
                condition=Q(state__in=["attended", "apologies", "absent"]), name="attendance_state_valid"
            ),
        ]

    def __str__(self):
        return f"{self.person}: {self.get_state_display()} ({self.meeting})"

    def save(self, *args, **kwargs):
        refuse_unless_corrected(self, ATTENDANCE_RECORDED_FIELDS, meeting_id=self.meeting_id)
        super().save(*args, **kwargs)

    def clean(self):
        if self.meeting_id and self.person_id and self.person.partnership_id != self.meeting.strategy.partnership_id:
            raise ValidationError({"person": "Choose one of the meeting's partnership's people."})


class MeetingPack(models.Model):
    """A quarter's pack as issued, for a meeting or for no meeting (the quarter's pack from the review):
    the PDF and the XLSX, their checksums, and what they were made from.

    The files are kept here, never on a path a web server could serve; `issued_at` is the moment
    the figures were known at, so the pack can be made again exactly as issued (performance/pack.py).
    """

    class State(models.TextChoices):
        GENERATING = "generating", "Being made"
        ISSUED = "issued", "Issued"
        FAILED = "failed", "Failed"

    strategy = models.ForeignKey(
        Strategy, on_delete=models.PROTECT, related_name="packs", help_text="The strategy whose quarter it shows."
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="packs",
        help_text="The meeting it is for; none for a quarter's pack issued from the review.",
    )
    year = models.PositiveSmallIntegerField("financial year", help_text="The quarter the pack shows, as issued.")
    number = models.PositiveSmallIntegerField("quarter")
    include_amber = models.BooleanField(
        default=False, help_text="The exceptions include Amber actions as well as Red ones."
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.GENERATING)
    issued_at = models.DateTimeField(
        default=timezone.now, help_text="The figures are as they were known at this moment."
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="issued_packs"
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    marking = models.CharField(
        max_length=20,
        choices=Marking.choices,
        default=Marking.OFFICIAL,
        help_text="The highest handling marking of anything in the pack.",
    )
    pages = models.PositiveIntegerField(default=0, help_text="Pages in the PDF.")
    pdf_content = models.BinaryField(blank=True, editable=False)
    pdf_size = models.PositiveIntegerField(default=0, help_text="In bytes.")
    pdf_sha256 = models.CharField("PDF SHA-256", max_length=64, blank=True)
    xlsx_content = models.BinaryField(blank=True, editable=False)
    xlsx_size = models.PositiveIntegerField(default=0, help_text="In bytes.")
    xlsx_sha256 = models.CharField("XLSX SHA-256", max_length=64, blank=True)
    error = models.TextField(blank=True, help_text="Why the pack could not be made.")
    task_id = models.CharField(max_length=64, blank=True, help_text="The background task making the pack.")

    # A pack is marked as the most sensitive thing in it.
    scoping = Strategy.scoping.through("strategy", marking=("marking",))
    history = AuditedHistory(
        title=("year", "number", "state"),
        kind="Meeting pack",
        author="issued_by",
        excluded_fields=["pdf_content", "xlsx_content"],
    )

    class Meta:
        ordering = ["strategy", "-issued_at", "-pk"]
        verbose_name = "meeting pack"
        constraints = [
            models.CheckConstraint(condition=Q(number__gte=1) & Q(number__lte=4), name="meeting_pack_quarter_1_4"),
            models.CheckConstraint(
                condition=Q(state__in=["generating", "issued", "failed"]), name="meeting_pack_state_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state="issued") | (Q(finished_at__isnull=False) & ~Q(pdf_sha256="") & ~Q(xlsx_sha256="")),
                name="meeting_pack_issued_has_files",
            ),
            models.CheckConstraint(
                condition=~Q(state="failed") | Q(finished_at__isnull=False), name="meeting_pack_failed_has_time"
            ),
        ]

    def __str__(self):
        return f"Pack for {self.meeting or self.quarter} ({self.get_state_display()})"

    def save(self, *args, **kwargs):
        if self.meeting_id and not self.strategy_id:
            self.strategy_id = self.meeting.strategy_id  # a meeting's pack is of the meeting's strategy
        super().save(*args, **kwargs)

    def clean(self):
        if self.meeting_id and self.strategy_id and self.meeting.strategy_id != self.strategy_id:
            raise ValidationError("A meeting's pack is of the meeting's strategy.")
        if self.meeting_id and self.year and (self.year, self.number) != (self.meeting.year, self.meeting.number):
            raise ValidationError("A meeting's pack shows the quarter the meeting reviews.")

    @property
    def quarter(self):
        return Quarter(self.year, self.number)

    @property
    def title(self):
        """What the pack's cover and lists call it: its meeting, or the strategy's quarterly review."""
        return str(self.meeting) if self.meeting_id else f"Quarterly review of {self.strategy.title}"

    def file_url(self, file_format):
        """Where the file is downloaded: under its meeting's address, or the packs' own for no meeting."""
        if self.meeting_id:
            return reverse("performance:pack_download", args=[self.meeting_id, self.pk, file_format])
        return reverse("performance:pack_file", args=[self.pk, file_format])

    @property
    def pdf_url(self):
        return self.file_url("pdf")

    @property
    def xlsx_url(self):
        return self.file_url("xlsx")

    def file_name(self, extension):
        """A meeting's pack is named by the meeting's date, a pack without one by its quarter."""
        marking = Marking(self.marking).label.lower()
        if self.meeting_id:
            return f"{self.meeting.strategy.slug}-{self.meeting.date.isoformat()}-pack-{marking}.{extension}"
        return f"{self.strategy.slug}-{self.quarter.slug.lower()}-pack-{marking}.{extension}"


@receiver(pre_delete, sender=Meeting)
@receiver(pre_delete, sender=Challenge)
@receiver(pre_delete, sender=Attendance)
@receiver(pre_delete, sender=MeetingPack)
def keep_held_meetings(sender, instance, **kwargs):
    """Nobody deletes a held meeting, what was recorded at it, or its issued packs: not on the pages,
    in the back office or by deleting what they belong to."""
    meeting_id = instance.pk if sender is Meeting else instance.meeting_id
    if meeting_id and Meeting.objects.filter(pk=meeting_id, held_at__isnull=False).exists():
        raise models.ProtectedError(f"{instance} was recorded at a held meeting and is kept.", {instance})


# The annual report: performance/annual_report.py makes it from the plan; officers write its opening and close.


class AnnualReport(models.Model):
    """What officers write for a strategy's annual report on one financial year: the introduction and the
    conclusion. Everything else in the report comes from the plan when it is downloaded.

    `version` goes up by one at every save, so a form opened before someone else saved is refused
    rather than overwriting their words (performance/annual_report.py, annual_report_text_save)."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="annual_reports")
    year = models.PositiveSmallIntegerField(
        "financial year", help_text="The year the financial year starts in: 2018 for 2018/19 (April to March)."
    )
    introduction = models.TextField(blank=True, help_text="Opens the report. One paragraph per blank line.")
    conclusion = models.TextField(blank=True, help_text="Closes the report. One paragraph per blank line.")
    version = models.PositiveIntegerField(default=0, editable=False, help_text="Goes up by one at every save.")
    updated_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="annual_reports_written",
    )

    scoping = Strategy.scoping.through("strategy")
    history = AuditedHistory(
        title=("year",),
        kind="Annual report",
        author="updated_by",
    )

    class Meta:
        ordering = ["strategy", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "year"], name="annual_report_unique_year"),
            models.CheckConstraint(condition=Q(year__gte=1990) & Q(year__lte=2100), name="annual_report_year_range"),
        ]

    def __str__(self):
        return f"Annual report {self.year}/{(self.year + 1) % 100:02d}: {self.strategy}"
