"""Update rounds: opening one, who has returned, the e-mails to leads, sign-off, closing and corrections.

The operations are keyword-only functions, each atomic except `reminders_send`, which gives every
e-mail a transaction of its own so that one that went out stays recorded when a later one fails.

Rules kept here:
- A round asks about the strategy's current actions that are open, or that have an update counted
  for it. An update counts for a round when it is dated (recorded_at) on or after the first day of the
  round's quarter and is approved or waiting for sign-off: a lead who submitted has done their part.
- Closing a round locks its quarter: an ordinary update dated in it is refused (record_update asks
  actions.models.quarter_locked); an officer records a correction instead, with a reason.
- A pack issued at `issued_at` is regenerated exactly as issued from
  `Update.objects.as_at(quarter.end_moment, known_by=issued_at)` (actions/models.py).
- Working days are Monday to Friday except bank holidays in England and Wales (the same in both
  nations), which python-holidays knows, one-off holidays such as 19 September 2022 included.
"""

import datetime
import functools
import logging
import smtplib
from collections import defaultdict
from dataclasses import dataclass, field

import holidays
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from actions.models import CURRENT, Action, ActionLead, Update, quarter_locked
from performance.models import RoundEmail, UpdateRound
from strategy.models import Marking, Strategy
from strategy.periods import Quarter

logger = logging.getLogger(__name__)

DEFAULT_DEADLINE_WORKING_DAYS = 10
COUNTED_STATES = (Update.ReviewState.APPROVED, Update.ReviewState.SUBMITTED)


# Dates ---------------------------------------------------------------------------------------


@functools.cache
def _bank_holidays(year):
    """England and Wales's bank holidays in `year`."""
    return frozenset(holidays.UnitedKingdom(subdiv="ENG", years=year))


def is_working_day(day):
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def working_days_before(day, days):
    """The date `days` working days (Monday to Friday, not a bank holiday) before `day`."""
    while days > 0:
        day -= datetime.timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def reminder_date(update_round):
    return working_days_before(update_round.deadline, update_round.reminder_days)


def default_deadline(meeting_date):
    """Ten working days before the meeting the round serves."""
    return working_days_before(meeting_date, DEFAULT_DEADLINE_WORKING_DAYS)


# Who has returned ------------------------------------------------------------------------------


def counted_updates(quarter):
    """Updates that count as a return for a round of `quarter` (match them to actions with OuterRef)."""
    return Update.objects.filter(recorded_at__gte=quarter.start_moment, review_state__in=COUNTED_STATES)


def round_actions(update_round, actions=None):
    """The actions the round asks about, each annotated `returned` (True once updated for it)."""
    actions = Action.objects.all() if actions is None else actions
    returned = Exists(counted_updates(update_round.quarter).filter(action=OuterRef("pk")))
    return (
        actions.filter(strategy_id=update_round.strategy_id)
        .current()
        .annotate(returned=returned)
        .filter(Q(returned=True) | CURRENT.open())
    )


@dataclass
class LeadReturn:
    """One lead's return within one delivery group."""

    person_id: int
    name: str
    email: str
    refs: list = field(default_factory=list)  # (ref, returned)
    emails: dict = field(default_factory=dict)  # kind -> last sent_at, over the whole round

    @property
    def total(self):
        return len(self.refs)

    @property
    def updated(self):
        return sum(returned for _, returned in self.refs)

    @property
    def outstanding(self):
        return [ref for ref, returned in self.refs if not returned]


@dataclass
class GroupReturn:
    group_id: int
    name: str
    leads: dict = field(default_factory=dict)  # person_id -> LeadReturn
    unled: list = field(default_factory=list)  # (ref, returned) of actions with no lead
    actions: int = 0
    returned: int = 0
    marking: str = Marking.OFFICIAL  # the highest of its listed actions', their objectives' and the group's


def round_returns(update_round, *, actions):
    """Who has updated and who has not, per delivery group: three queries (the actions with their
    `returned` flag, their leads, the e-mails sent), whatever the number of actions.

    `actions` is the queryset to start from (the viewer's visible actions)."""
    scope = round_actions(update_round, actions)
    rows = list(
        scope.order_by(
            "objective__delivery_group__position", "objective__delivery_group__name", "ref_sort"
        ).values_list(
            "pk",
            "ref",
            "returned",
            "objective__delivery_group_id",
            "objective__delivery_group__name",
            "marking",
            "objective__marking",
            "objective__delivery_group__marking",
        )
    )
    leads = defaultdict(list)
    for action_id, person_id, name, email in (
        ActionLead.objects.filter(action__in=scope.values("pk"))
        .order_by("person__name")
        .values_list("action_id", "person_id", "person__name", "person__email")
    ):
        leads[action_id].append((person_id, name, email))
    sent = defaultdict(dict)
    for person_id, kind, last in (
        RoundEmail.objects.filter(update_round=update_round)
        .values("person_id", "kind")
        .annotate(last=Max("sent_at"))
        .values_list("person_id", "kind", "last")
    ):
        sent[person_id][kind] = last
    groups = {}
    for action_id, ref, returned, group_id, group_name, *markings in rows:
        group = groups.setdefault(group_id, GroupReturn(group_id=group_id, name=group_name))
        group.marking = Marking.highest([group.marking, *markings])
        group.actions += 1
        group.returned += bool(returned)
        if not leads[action_id]:
            group.unled.append((ref, returned))
        for person_id, name, email in leads[action_id]:
            lead = group.leads.get(person_id)
            if lead is None:
                lead = group.leads[person_id] = LeadReturn(person_id, name, email, emails=sent[person_id])
            lead.refs.append((ref, bool(returned)))
    for group in groups.values():
        group.leads = sorted(group.leads.values(), key=lambda lead: (not lead.outstanding, lead.name))
    return list(groups.values())


def _outstanding_by_person(update_round, person_id=None):
    """{person: [actions not yet updated for the round]}, for the people who lead them."""
    outstanding = round_actions(update_round).filter(returned=False)
    links = (
        ActionLead.objects.filter(action__in=outstanding.values("pk"))
        .select_related("person", "action__objective__delivery_group", "action__strategy")
        .order_by("person__name", "action__objective__delivery_group__position", "action__ref_sort")
    )
    if person_id is not None:
        links = links.filter(person_id=person_id)
    found = defaultdict(list)
    for link in links:
        found[link.person].append(link.action)
    return found


# Opening and closing ---------------------------------------------------------------------------


@transaction.atomic
def deadline_problems(deadline, quarter, today=None):
    """Why a deadline for a round of `quarter` cannot be right: one that has passed would make every
    lead late at once (and their e-mail ask for the past), one before the quarter begins asks for
    updates about months to come."""
    problems = []
    if deadline < (today or timezone.localdate()):
        problems.append("The deadline must be today or a later date")
    if quarter is not None and deadline < quarter.start:
        problems.append(f"The deadline must be on or after the first day of {quarter}, {quarter.start:%d/%m/%Y}")
    return problems


def round_problems(*, strategy, quarter, deadline=None, meeting=None, today=None):
    """What stops a round of `strategy` for `quarter` being opened, by field: the quarter must fall
    in the strategy's period and have no round yet; the meeting must be the strategy's; the deadline
    (typed, or ten working days before the meeting) must not have passed. The form shows them all
    at once beside the problems of what was typed; round_open refuses them whoever calls it."""
    today = today or timezone.localdate()
    problems = defaultdict(list)
    if quarter is not None:
        first, last = Quarter.containing(strategy.start_date), Quarter.containing(strategy.end_date)
        if not first <= quarter <= last:
            problems["quarter"].append(f"Choose a quarter of {strategy}, which runs from {first} to {last}")
        elif UpdateRound.objects.filter(strategy=strategy).for_quarter(quarter).exists():
            problems["quarter"].append(f"{strategy} already has an update round for {quarter}")
    if meeting is not None and meeting.strategy_id != strategy.pk:
        problems["meeting"].append("Choose a meeting of the same strategy, or no meeting")
    elif deadline is not None:
        problems["deadline"] += deadline_problems(deadline, quarter, today)
    elif meeting is None:
        problems["deadline"].append("Enter a deadline, or choose the meeting the round serves")
    elif (derived := default_deadline(meeting.date)) < today:
        problems["deadline"].append(
            f"Ten working days before that meeting was {derived:%d/%m/%Y}, which has passed: enter a deadline"
        )
    return {name: messages for name, messages in problems.items() if messages}


def round_open(*, strategy, quarter, by, deadline=None, meeting=None, reminder_days=3, today=None):
    """Open the update round for `strategy` and `quarter`. The e-mails go from `reminders_send`.

    The deadline defaults to ten working days before the `meeting` the round serves. Raises
    ValidationError with each of round_problems, by field.
    """
    if strategy.status != Strategy.Status.ACTIVE:
        raise ValidationError(f"{strategy} is not active: rounds are opened for active strategies only.")
    if problems := round_problems(strategy=strategy, quarter=quarter, deadline=deadline, meeting=meeting, today=today):
        raise ValidationError(problems)
    if deadline is None:
        deadline = default_deadline(meeting.date)
    update_round = UpdateRound(
        strategy=strategy,
        year=quarter.year,
        number=quarter.number,
        deadline=deadline,
        reminder_days=reminder_days,
        opened_by=by,
        meeting=meeting,
    )
    update_round.full_clean()
    update_round.save()
    return update_round


@transaction.atomic
def round_close(*, update_round, by, today=None):
    """Close the round and lock its quarter. Refused while the quarter is still running (updates made
    today would fall in a locked quarter) or while updates dated in it wait for sign-off."""
    update_round = UpdateRound.objects.select_for_update().get(pk=update_round.pk)
    today = today or timezone.localdate()
    quarter = update_round.quarter
    if not update_round.is_open:
        raise ValidationError(f"The {quarter} round was closed already.")
    if today <= quarter.end:
        raise ValidationError(
            f"{quarter} has not ended yet: the round can be closed from {quarter.next().start:%-d %B %Y}."
        )
    pending = Update.objects.awaiting_sign_off().filter(
        action__strategy_id=update_round.strategy_id,
        recorded_at__gte=quarter.start_moment,
        recorded_at__lte=quarter.end_moment,
    )
    waiting = pending.count()
    if waiting:
        raise ValidationError(
            f"{waiting} update{'s' if waiting != 1 else ''} dated in {quarter} "
            f"{'are' if waiting != 1 else 'is'} waiting for sign-off: the chairs must approve or return "
            f"{'them' if waiting != 1 else 'it'} before the round is closed."
        )
    update_round.closed_at, update_round.closed_by = timezone.now(), by
    update_round.save(update_fields=["closed_at", "closed_by"])
    return update_round


@transaction.atomic
def round_change(*, update_round, deadline, reminder_days, today=None):
    """Move an open round's deadline or reminder. A deadline already passed may stay as it is."""
    if not update_round.is_open:
        raise ValidationError("The round is closed: its deadline can no longer change.")
    if deadline != update_round.deadline and (problems := deadline_problems(deadline, update_round.quarter, today)):
        raise ValidationError({"deadline": problems})
    update_round.deadline, update_round.reminder_days = deadline, reminder_days
    update_round.full_clean()
    update_round.save(update_fields=["deadline", "reminder_days"])
    return update_round


# E-mails ---------------------------------------------------------------------------------------


@dataclass
class RoundEmailsSent:
    """What sending a round's e-mails did: the RoundEmail rows sent, and who was passed over or failed."""

    sent: list = field(default_factory=list)  # RoundEmail rows
    skipped_no_email: list = field(default_factory=list)  # people
    already_sent: list = field(default_factory=list)  # people
    failed: list = field(default_factory=list)  # (person, error text)

    def merge(self, other):
        for name in ("sent", "skipped_no_email", "already_sent", "failed"):
            getattr(self, name).extend(getattr(other, name))
        return self

    def summary(self):
        return {
            "sent": len(self.sent),
            "no_email": len(self.skipped_no_email),
            "already_sent": len(self.already_sent),
            "failed": len(self.failed),
        }


SUBJECTS = {
    RoundEmail.Kind.OPENING: "Please update your actions for {quarter} by {deadline}",
    RoundEmail.Kind.REMINDER: "Reminder: please update your actions for {quarter} by {deadline}",
    RoundEmail.Kind.MANUAL: "Reminder: please update your actions for {quarter} by {deadline}",
}


def _email_lines(actions):
    """What the e-mail says about each action: a sensitive one by reference and link only."""
    lines = []
    for action in actions:
        markings = (action.marking, action.objective.marking, action.objective.delivery_group.marking)
        sensitive = Marking.highest([*markings, action.strategy.marking]) != Marking.OFFICIAL
        lines.append(
            {
                "ref": action.ref,
                "text": "" if sensitive else action.text,
                "sensitive": sensitive,
                "group": action.objective.delivery_group.name,
                # Opened from the e-mail, the form's "Save and next" goes on through the to-do list.
                "url": settings.SITE_URL.rstrip("/") + reverse("actions:action_update", args=[action.pk]) + "?todo=1",
            }
        )
    return lines


def _message(*, update_round, person, kind, actions, connection):
    quarter = update_round.quarter
    context = {
        "person": person,
        "round": update_round,
        "quarter": quarter,
        "strategy": update_round.strategy,
        "partnership": update_round.strategy.partnership,
        "deadline": update_round.deadline,
        "actions": _email_lines(actions),
        "kind": kind,
        "site_url": settings.SITE_URL.rstrip("/"),
        "my_actions_url": settings.SITE_URL.rstrip("/") + reverse("actions:my_actions"),
        "site_name": settings.SITE_NAME,
    }
    template = "emails/round_opening.txt" if kind == RoundEmail.Kind.OPENING else "emails/round_reminder.txt"
    subject = SUBJECTS[kind].format(quarter=quarter, deadline=f"{update_round.deadline:%A %-d %B %Y}")
    return EmailMessage(
        subject=subject,
        body=render_to_string(template, context),
        to=[person.email],
        connection=connection,
    )


def _send_one(*, update_round, person, kind, actions, connection, today, by=None):
    """Record the e-mail, then send it, in one transaction: a refused record means it went already;
    a failed send leaves no record, so the next run tries again."""
    result = RoundEmailsSent()
    if not person.email:
        result.skipped_no_email.append(person)
        return result
    try:
        with transaction.atomic():
            record = RoundEmail.objects.create(
                update_round=update_round,
                person=person,
                kind=kind,
                sent_on=today,
                sent_by=by,
                to_address=person.email,
                action_refs=", ".join(action.ref for action in actions),
            )
            _message(update_round=update_round, person=person, kind=kind, actions=actions, connection=connection).send()
    except IntegrityError:
        result.already_sent.append(person)
    except (OSError, smtplib.SMTPException) as error:
        logger.warning("Update round %s: the %s e-mail to %s failed: %s", update_round.pk, kind, person, error)
        result.failed.append((person, str(error)))
    else:
        result.sent.append(record)
    return result


def reminders_send(*, update_round=None, today=None, connection=None):
    """Send what is due for every open round (or one): the opening e-mail to each lead with actions
    still to update who has not had it, and from the reminder date the reminder to those told
    before that date who still have not updated. Running it twice sends nothing new."""
    today = today or timezone.localdate()
    rounds = UpdateRound.objects.open().select_related("strategy__partnership")
    if update_round is not None:
        rounds = rounds.filter(pk=update_round.pk)
    result = RoundEmailsSent()
    with connection or get_connection() as connection:
        for each in rounds:
            result.merge(_round_send(update_round=each, today=today, connection=connection))
    return result


def _round_send(*, update_round, today, connection):
    result = RoundEmailsSent()
    outstanding = _outstanding_by_person(update_round)
    if not outstanding:
        return result
    opened = dict(
        RoundEmail.objects.filter(update_round=update_round, kind=RoundEmail.Kind.OPENING).values_list(
            "person_id", "sent_on"
        )
    )
    reminded = set(
        RoundEmail.objects.filter(update_round=update_round, kind=RoundEmail.Kind.REMINDER).values_list(
            "person_id", flat=True
        )
    )
    remind_from = reminder_date(update_round)
    for person, actions in outstanding.items():
        if person.pk not in opened:
            kind = RoundEmail.Kind.OPENING
        elif today >= remind_from and person.pk not in reminded and opened[person.pk] < remind_from:
            kind = RoundEmail.Kind.REMINDER
        else:
            continue
        result.merge(
            _send_one(
                update_round=update_round,
                person=person,
                kind=kind,
                actions=actions,
                connection=connection,
                today=today,
            )
        )
    return result


def reminders_send_now(*, update_round, by, person_id=None, today=None, connection=None):
    """An officer's "Remind now": a reminder to one lead, or to everyone outstanding, at most one a
    day each."""
    if not update_round.is_open:
        raise ValidationError("The round is closed: no more reminders go out for it.")
    today = today or timezone.localdate()
    result = RoundEmailsSent()
    outstanding = _outstanding_by_person(update_round, person_id=person_id)
    with connection or get_connection() as connection:
        for person, actions in outstanding.items():
            result.merge(
                _send_one(
                    update_round=update_round,
                    person=person,
                    kind=RoundEmail.Kind.MANUAL,
                    actions=actions,
                    connection=connection,
                    today=today,
                    by=by,
                )
            )
    return result


# Sign-off --------------------------------------------------------------------------------------


@transaction.atomic
def update_approve(*, update, by, comment=""):
    """The chair approves a submitted update: it counts from now (see Update.approve)."""
    return update.approve(by=by, comment=(comment or "").strip())


@transaction.atomic
def update_return(*, update, by, comment):
    """The chair returns a submitted update to its lead with a comment; it never counts."""
    return update.return_to_lead(by=by, comment=comment)


# Corrections -----------------------------------------------------------------------------------


@transaction.atomic
def correction_record(*, action, quarter, by, reason, status, rag="", progress=None, commentary="", **fields):
    """Correct a locked quarter's history: a new update dated on the quarter's last moment, marked as a
    correction with who (created_by), when (created_at) and why (`reason`)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the closed quarter's record is being corrected"})
    if not quarter_locked(action.strategy_id, quarter):
        raise ValidationError(
            {"quarter": f"{quarter} is not closed: record the change with the ordinary update form instead"}
        )
    return action.record_update(
        by=by,
        status=status,
        rag=rag,
        progress=progress,
        commentary=commentary,
        source=Update.Source.CORRECTION,
        recorded_at=quarter.end_moment,
        correction_reason=reason,
        **fields,
    )
