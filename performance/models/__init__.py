"""Indicators, quarters, meetings, update rounds and the quarterly review (built on strategy and actions).

A package: indicators and their values are in performance/models/indicators.py; update rounds,
meetings, challenges and packs are here.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, DeliveryGroup

# Indicators and their values (issue 5) live in performance/models/indicators.py.
from performance.models.indicators import (  # noqa: F401
    Indicator,
    IndicatorQuerySet,
    IndicatorValue,
    IndicatorValueImport,
    IndicatorValueQuerySet,
)
from strategy import permissions
from strategy.models import Marking, Person, Strategy

# Update rounds, reminders and sign-off (issue 6) -----------------------------------------------
# An officer opens a round for a strategy and quarter; the leads are e-mailed (performance/rounds.py
# sends, RoundEmail records what went out so nothing goes twice); closing the round locks the quarter.


class UpdateRoundQuerySet(models.QuerySet):
    def visible_to(self, user):
        return permissions.scope(self, user, partnership="strategy__partnership", marking="strategy__marking")

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
        from strategy.periods import Quarter

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


# Meetings, challenges and packs (issue 6) -------------------------------------------------------
# A meeting reviews one quarter of a strategy. Members record challenges and decisions against an
# action or a delivery group for it, and an officer issues its pack (PDF and XLSX), kept here
# byte for byte as issued: performance/review.py gathers the figures, performance/pack.py writes them.


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user):
        return permissions.visible_meetings(self, user)

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

    objects = MeetingQuerySet.as_manager()

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

    @property
    def name(self):
        if self.title:
            return self.title
        if self.kind == self.Kind.DELIVERY_GROUP and self.delivery_group_id:
            return f"{self.delivery_group.name} delivery group"
        return self.get_kind_display()

    @property
    def quarter(self):
        from strategy.periods import Quarter

        return Quarter(self.year, self.number)

    def clean(self):
        from strategy.periods import Quarter

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
    def visible_to(self, user):
        """Challenges on what the user may see: the meeting's, and the action's or the group's markings."""
        meetings = Meeting.objects.visible_to(user)
        actions = Action.objects.visible_to(user)
        groups = permissions.scope(
            DeliveryGroup.objects.all(),
            user,
            partnership="strategy__partnership",
            marking=("marking", "strategy__marking"),
        )
        return self.filter(meeting__in=meetings).filter(
            Q(action__in=actions) | Q(action__isnull=True, delivery_group__in=groups)
        )


class Challenge(models.Model):
    """A challenge the meeting put, or a decision it took, about an action or a delivery group."""

    class Kind(models.TextChoices):
        CHALLENGE = "challenge", "Challenge"
        DECISION = "decision", "Decision"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="challenges")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CHALLENGE)
    action = models.ForeignKey(Action, on_delete=models.CASCADE, null=True, blank=True, related_name="challenges")
    delivery_group = models.ForeignKey(
        DeliveryGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="challenges"
    )
    text = models.TextField(help_text="What was challenged or decided, in a sentence or two.")
    owner = models.CharField(max_length=200, blank=True, help_text="Who is to respond or act, if anyone.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="review_challenges"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ChallengeQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "created_at", "pk"]
        verbose_name = "challenge or decision"
        verbose_name_plural = "challenges and decisions"
        constraints = [
            models.CheckConstraint(condition=Q(kind="challenge") | Q(kind="decision"), name="challenge_kind_valid"),
            models.CheckConstraint(
                condition=(Q(action__isnull=False) & Q(delivery_group__isnull=True))
                | (Q(action__isnull=True) & Q(delivery_group__isnull=False)),
                name="challenge_about_one_thing",
            ),
            models.CheckConstraint(condition=~Q(text=""), name="challenge_text_required"),
        ]

    def __str__(self):
        about = self.action.ref if self.action_id else self.delivery_group.name
        return f"{self.get_kind_display()} on {about} ({self.meeting})"

    @property
    def about(self):
        return self.action if self.action_id else self.delivery_group

    def clean(self):
        if not (self.text or "").strip():
            raise ValidationError({"text": f"Enter the {self.get_kind_display().lower()}"})
        if bool(self.action_id) == bool(self.delivery_group_id):
            raise ValidationError("Choose one action or one delivery group the challenge or decision is about.")
        if not self.meeting_id:
            return
        group = self.action.objective.delivery_group if self.action_id else self.delivery_group
        if group.strategy_id != self.meeting.strategy_id:
            raise ValidationError("Choose an action or delivery group of the meeting's strategy.")
        if self.meeting.delivery_group_id and group.pk != self.meeting.delivery_group_id:
            raise ValidationError(f"This meeting is the {self.meeting.name}'s: choose one of its actions or the group.")


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
        from strategy.periods import Quarter

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
