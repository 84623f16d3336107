"""What each user is told, and sending it: `notifications_send` (run by `manage.py send_notifications`).

Every run looks at what is in the database now, so nothing has to remember to notify when it happens:
- sign-off: the updates waiting for a chair's sign-off (all of them, in each day's digest);
- returned: a lead's own updates that a chair returned, with the reason and a link to the form;
- decisions: open decisions a user owns, when assigned, in the week before they are due, once overdue;
- imports: the spreadsheet imports a user started, once finished or failed;
- packs: packs issued, to the partnership's officers who may open them;
- following: new updates, challenges and decisions on the actions a user follows.

Each of these is an item with a key ("update:12"). A user's preference for the kind says how it goes:
at once (one e-mail per item, keyed by the item), as a digest (one e-mail a day, or a week for actions
followed, keyed by the day or week, with what happened before the day or week began), or not at all.
An item told once, either way, is not told again; the sign-off digest lists what still waits every day.

Every item is found through the recipient's own visibility querysets (strategy/permissions.py), so no
e-mail tells anyone of something above their clearance or in another partnership.

Every e-mail is recorded (Notification) in the same transaction that sends it: a record refused by
the constraint means it went already, a failed send leaves no record and goes on the next run.
"""

import datetime
import logging
import smtplib
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.defaultfilters import truncatewords
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from actions.models import ActionPlanImport, Update
from notifications.models import WEEKLY_KINDS, Follow, Frequency, Kind, Notification, Preference
from performance.models import Challenge, IndicatorValueImport, MeetingPack
from strategy import permissions
from strategy.models import Membership

logger = logging.getLogger(__name__)

# What happened longer ago than this is never told: a first run, or one after a long outage, does
# not send weeks of old news. Two weeks covers a weekly digest's whole week.
LOOKBACK = datetime.timedelta(days=14)
DUE_SOON = datetime.timedelta(days=7)
UNSUBSCRIBE_SALT = "notifications.unsubscribe"


@dataclass
class Item:
    key: str
    when: datetime.datetime  # when it happened: a digest tells what happened before its day or week began
    ref: str  # the action's reference, or what else it is about
    text: str
    url: str
    detail: str = ""
    headline: str = ""  # the subject when sent on its own, if not the kind's usual one


def absolute(path):
    return settings.SITE_URL.rstrip("/") + path


def _short(text):
    return truncatewords(text, 25)


def _who(user):
    return (user.get_full_name() or user.username) if user else "someone"


def _midnight(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# Items of each kind, for one recipient --------------------------------------------------------------


def _sign_off_items(user, *, now, today):
    updates = (
        Update.objects.awaiting_sign_off_by(user)
        .select_related("action", "created_by")
        .order_by("action__strategy_id", "action__ref_sort", "pk")
    )
    return [
        Item(
            key=f"update:{update.pk}",
            when=update.created_at,
            ref=update.action.ref,
            text=f"{_short(update.action.text)} Submitted by {_who(update.created_by)} on "
            f"{timezone.localtime(update.created_at):%-d %B %Y}.",
            url=absolute(reverse("performance:signoff_review", args=[update.pk])),
        )
        for update in updates
    ]


def _returned_items(user, *, now, today):
    updates = (
        Update.objects.visible_to(user)
        .filter(review_state=Update.ReviewState.RETURNED, created_by=user, reviewed_at__gte=now - LOOKBACK)
        .select_related("action", "reviewed_by")
        .order_by("reviewed_at", "pk")
    )
    return [
        Item(
            key=f"update:{update.pk}",
            when=update.reviewed_at,
            ref=update.action.ref,
            text=f"{_short(update.action.text)} Returned by {_who(update.reviewed_by)} on "
            f"{timezone.localtime(update.reviewed_at):%-d %B %Y}. The form keeps what you wrote.",
            detail=f"Their reason: {update.review_comment}",
            url=absolute(reverse("actions:action_update", args=[update.action_id])),
        )
        for update in updates
    ]


def _decision_about(decision):
    return decision.action.ref if decision.action_id else decision.about_label


def _decision_items(user, *, now, today):
    decisions = (
        Challenge.objects.visible_to(user).open().filter(owner_person__user=user).with_related().order_by("due_date")
    )
    items = []
    for decision in decisions:
        url = absolute(reverse("performance:decision_detail", args=[decision.pk]))
        due = f" Due by {decision.due_date:%-d %B %Y}." if decision.due_date else ""
        base = {"ref": _decision_about(decision), "url": url}
        if decision.created_at >= now - LOOKBACK:
            text = f"Assigned to you at {decision.meeting}: {_short(decision.text)}{due}"
            items.append(Item(key=f"assigned:{decision.pk}", when=decision.created_at, text=text, **base))
        if decision.due_date is None:
            continue
        due_soon_from = _midnight(decision.due_date - DUE_SOON)
        if decision.due_date < today:
            text = f"Overdue since {decision.due_date:%-d %B %Y}: {_short(decision.text)}"
            when = _midnight(decision.due_date + datetime.timedelta(days=1))
            items.append(Item(key=f"overdue:{decision.pk}:{decision.due_date}", when=when, text=text, **base))
        elif now >= due_soon_from and decision.created_at < due_soon_from:
            # One assigned within the week before it is due was told its due date when assigned.
            text = f"Due on {decision.due_date:%-d %B %Y}: {_short(decision.text)}"
            items.append(Item(key=f"due:{decision.pk}:{decision.due_date}", when=due_soon_from, text=text, **base))
    return items


def _import_items(user, *, now, today):
    finished = {"finished_at__gte": now - LOOKBACK, "created_by": user}
    states = ["imported", "refused", "failed"]
    items = []
    for record in ActionPlanImport.objects.filter(state__in=states, **finished).select_related("strategy"):
        if permissions.can_import_plan(user, record.strategy):
            items.append(_import_item(record, "plan-import", reverse("actions:import_detail", args=[record.pk])))
    values = IndicatorValueImport.objects.filter(state__in=states, **finished).select_related("strategy")
    for record in permissions.visible_value_imports(values, user):
        items.append(_import_item(record, "value-import", reverse("performance:value_import_detail", args=[record.pk])))
    return sorted(items, key=lambda item: item.when)


IMPORT_OUTCOMES = {"imported": "finished", "refused": "refused: problems found", "failed": "failed"}


def _import_item(record, prefix, path):
    outcome = IMPORT_OUTCOMES[record.state]
    return Item(
        key=f"{prefix}:{record.pk}",
        when=record.finished_at,
        ref=record.file_name,
        text=f"Your import into {record.strategy.title} {outcome}.",
        url=absolute(path),
        headline=f"Import {outcome.split(':')[0]}: {record.file_name}",
    )


def _pack_items(user, *, now, today):
    if not permissions.is_officer(user):
        return []
    packs = (
        MeetingPack.objects.filter(
            state=MeetingPack.State.ISSUED,
            finished_at__gte=now - LOOKBACK,
            strategy__partnership_id=permissions.partnership_id(user),
        )
        .select_related("strategy", "meeting__strategy", "meeting__delivery_group", "issued_by")
        .order_by("finished_at", "pk")
    )
    return [
        Item(
            key=f"pack:{pack.pk}",
            when=pack.finished_at,
            ref=pack.title,
            text=f"The {pack.quarter} pack, {pack.get_marking_display()}, issued by {_who(pack.issued_by)}.",
            url=absolute(
                reverse("performance:meeting_detail", args=[pack.meeting_id]) if pack.meeting_id else pack.pdf_url
            ),
        )
        for pack in packs
        if permissions.can_view_pack(user, pack)
    ]


def _following_items(user, *, now, today):
    since = {follow.action_id: follow.created_at for follow in Follow.objects.filter(user=user)}
    if not since:
        return []
    start = now - LOOKBACK
    items = []
    updates = (
        Update.objects.visible_to(user)
        .approved()
        .filter(action_id__in=since, created_at__gte=start)
        .exclude(created_by=user)
        .select_related("action", "created_by")
    )
    for update in updates:
        if update.created_at >= since[update.action_id]:
            items.append(
                Item(
                    key=f"update:{update.pk}",
                    when=update.created_at,
                    ref=update.action.ref,
                    text=f"Updated by {_who(update.created_by)}: {update.get_status_display()}"
                    f"{f', {update.get_rag_display()}' if update.rag else ''}, {update.progress}% done.",
                    url=absolute(reverse("actions:action_detail", args=[update.action_id])),
                )
            )
    challenges = (
        Challenge.objects.visible_to(user)
        .filter(action_id__in=since, created_at__gte=start)
        .select_related("action", "meeting__strategy", "meeting__delivery_group")
    )
    for challenge in challenges:
        if challenge.created_at >= since[challenge.action_id]:
            items.append(
                Item(
                    key=f"{challenge.kind}:{challenge.pk}",
                    when=challenge.created_at,
                    ref=challenge.action.ref,
                    text=f"{challenge.get_kind_display()} at {challenge.meeting}: {_short(challenge.text)}",
                    url=absolute(reverse("actions:action_detail", args=[challenge.action_id])),
                )
            )
    return sorted(items, key=lambda item: item.when)


COLLECTORS = {
    Kind.SIGN_OFF: _sign_off_items,
    Kind.RETURNED: _returned_items,
    Kind.DECISIONS: _decision_items,
    Kind.IMPORTS: _import_items,
    Kind.PACKS: _pack_items,
    Kind.FOLLOWING: _following_items,
}

# Who each kind is for: round reminders are performance's; a sign-off digest goes to chairs only
# (officers may sign off too, but see the queue as part of their work).
ROLES = {Kind.SIGN_OFF: {Membership.Role.CHAIR}, Kind.PACKS: {Membership.Role.OFFICER}}

INTRO = {
    Kind.SIGN_OFF: "These updates are waiting for your sign-off:",
    Kind.RETURNED: "A chair returned your update. Open the form to change it and submit it again:",
    Kind.DECISIONS: "Decisions you own, to act on:",
    Kind.IMPORTS: "Your spreadsheet imports:",
    Kind.PACKS: "Meeting packs issued:",
    Kind.FOLLOWING: "What happened on the actions you follow:",
}

SUBJECT_ONE = {
    Kind.SIGN_OFF: "{ref}: an update is waiting for your sign-off",
    Kind.RETURNED: "{ref}: your update was returned",
    Kind.DECISIONS: "A decision for you to act on: {ref}",
    Kind.IMPORTS: "Your import of {ref}",
    Kind.PACKS: "Pack issued: {ref}",
    Kind.FOLLOWING: "{ref}: news on an action you follow",
}

SUBJECT_DIGEST = {
    Kind.SIGN_OFF: "{count} waiting for your sign-off",
    Kind.RETURNED: "{count} returned to you",
    Kind.DECISIONS: "Your decisions: {count} to act on",
    Kind.IMPORTS: "Your imports: {count} finished",
    Kind.PACKS: "{count} issued",
    Kind.FOLLOWING: "This week on the actions you follow: {count}",
}
NOUNS = {
    Kind.SIGN_OFF: ("update", "updates"),
    Kind.RETURNED: ("update", "updates"),
    Kind.DECISIONS: ("item", "items"),
    Kind.IMPORTS: ("import", "imports"),
    Kind.PACKS: ("pack", "packs"),
    Kind.FOLLOWING: ("change", "changes"),
}


def _subject(kind, items, *, digest):
    if not digest:
        if items[0].headline:
            return items[0].headline[:200]
        return SUBJECT_ONE[kind].format(ref=items[0].ref)[:200]
    one, many = NOUNS[kind]
    count = f"{len(items)} {one if len(items) == 1 else many}"
    return SUBJECT_DIGEST[kind].format(count=count)[:200]


# Unsubscribing ------------------------------------------------------------------------------------


def unsubscribe_token(user, kind):
    """A signed token naming one user and one kind: the footer's link, which works without signing in."""
    return signing.dumps([user.pk, str(kind)], salt=UNSUBSCRIBE_SALT)


def unsubscribe_read(token):
    """(user, kind) from a token, or None if it was tampered with or names no one."""
    try:
        user_id, kind = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if kind not in Kind.values:
        return None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    return (user, Kind(kind)) if user else None


@transaction.atomic
def preference_set(*, user, kind, frequency):
    preference, _ = Preference.objects.update_or_create(
        user=user, kind=kind, defaults={"frequency": frequency, "changed_at": timezone.now()}
    )
    return preference


# Sending ------------------------------------------------------------------------------------------


@dataclass
class SendResult:
    sent: list = field(default_factory=list)  # Notification rows
    already_sent: list = field(default_factory=list)  # (user, kind, key)
    no_email: list = field(default_factory=list)  # users
    failed: list = field(default_factory=list)  # (user, error text)

    def summary(self):
        return {
            "sent": len(self.sent),
            "already_sent": len(self.already_sent),
            "no_email": len(self.no_email),
            "failed": len(self.failed),
        }


def address(user):
    """Where a user's notifications go: their login's address, else their Person's."""
    if user.email:
        return user.email
    person = getattr(user, "person", None)
    return person.email if person else ""


def _period_key(kind, today):
    if kind in WEEKLY_KINDS:
        year, week, _ = today.isocalendar()
        return f"week:{year}-W{week:02d}", today - datetime.timedelta(days=today.weekday())
    return f"day:{today.isoformat()}", today


def _message(*, user, kind, items, digest, to, connection):
    token = unsubscribe_token(user, kind)
    unsubscribe_url = absolute(reverse("notifications:unsubscribe", args=[token]))
    context = {
        "user": user,
        "name": user.get_full_name() or user.username,
        "intro": INTRO[kind],
        "items": items,
        "kind_label": Kind(kind).label,
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": absolute(reverse("notifications:preferences")),
        "site_name": settings.SITE_NAME,
    }
    message = EmailMultiAlternatives(
        subject=_subject(kind, items, digest=digest),
        body=render_to_string("emails/notification.txt", context),
        to=[to],
        connection=connection,
        # RFC 8058: mail programs offer their own "Unsubscribe" button, which POSTs to the link.
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.attach_alternative(render_to_string("emails/notification.html", context), "text/html")
    return message


def _send_one(*, user, kind, key, items, digest, connection, result):
    to = address(user)
    if not to:
        result.no_email.append(user)
        return
    try:
        with transaction.atomic():
            message = _message(user=user, kind=kind, items=items, digest=digest, to=to, connection=connection)
            record = Notification.objects.create(
                user=user,
                kind=kind,
                key=key,
                items="\n".join(item.key for item in items),
                refs=", ".join(dict.fromkeys(item.ref for item in items)),
                subject=message.subject,
                to_address=to,
            )
            message.send()
    except IntegrityError:
        result.already_sent.append((user, kind, key))
    except (OSError, smtplib.SMTPException) as error:
        logger.warning("The %s notification %s to %s failed: %s", kind, key, user, error)
        result.failed.append((user, str(error)))
    else:
        result.sent.append(record)


def _told(user, kind, *, now):
    """The keys of the items already told to `user` of `kind` (within the look-back, which is all that
    could be told again)."""
    rows = Notification.objects.filter(user=user, kind=kind, sent_at__gte=now - LOOKBACK - DUE_SOON)
    return {key for items in rows.values_list("items", flat=True) for key in items.splitlines()}


def candidates(now):
    """{kind: ids of the users who may have something of that kind to be told}: a handful of queries, so
    that a run looks closer only at them, however many people have a login."""
    since = now - LOOKBACK
    ids = {
        Kind.SIGN_OFF: Update.objects.awaiting_sign_off().values_list(
            "action__objective__delivery_group__chair__user", flat=True
        ),
        Kind.RETURNED: Update.objects.filter(
            review_state=Update.ReviewState.RETURNED, reviewed_at__gte=since
        ).values_list("created_by", flat=True),
        Kind.DECISIONS: Challenge.objects.open().values_list("owner_person__user", flat=True),
        Kind.IMPORTS: [
            *ActionPlanImport.objects.filter(finished_at__gte=since).values_list("created_by", flat=True),
            *IndicatorValueImport.objects.filter(finished_at__gte=since).values_list("created_by", flat=True),
        ],
        Kind.PACKS: Membership.objects.filter(
            role=Membership.Role.OFFICER,
            partnership__in=MeetingPack.objects.filter(state=MeetingPack.State.ISSUED, finished_at__gte=since).values(
                "strategy__partnership"
            ),
        ).values_list("user", flat=True),
        # No ordering: a follow's default one would join the actions.
        Kind.FOLLOWING: Follow.objects.order_by().values_list("user", flat=True),
    }
    return {
        kind: set(found.order_by() if hasattr(found, "order_by") else found) - {None} for kind, found in ids.items()
    }


def user_notify(*, user, now, connection, result, candidates=None):
    """Send `user` what is due for each kind, as their preferences say."""
    today = timezone.localdate(now)
    frequencies = Preference.objects.frequencies(user)
    role = permissions.role(user)
    for kind, frequency in frequencies.items():
        if frequency == Frequency.OFF or (kind in ROLES and role not in ROLES[kind]):
            continue
        if candidates is not None and user.pk not in candidates[kind]:
            continue
        key, period_start = _period_key(kind, today)
        digest = frequency == Frequency.DIGEST
        if digest and Notification.objects.filter(user=user, kind=kind, key=key).exists():
            continue  # this day's (or week's) digest went already
        items = COLLECTORS[kind](user, now=now, today=today)
        if not items:
            continue
        told = _told(user, kind, now=now)
        if not digest:
            for item in items:
                if item.key not in told:
                    _send_one(
                        user=user,
                        kind=kind,
                        key=item.key,
                        items=[item],
                        digest=False,
                        connection=connection,
                        result=result,
                    )
            continue
        if kind == Kind.SIGN_OFF:
            due = items  # what still waits, every day
        else:
            due = [item for item in items if item.key not in told and item.when < _midnight(period_start)]
        if due:
            _send_one(user=user, kind=kind, key=key, items=due, digest=True, connection=connection, result=result)


def recipients():
    """Active users of a partnership with an address to write to."""
    return (
        get_user_model()
        .objects.filter(is_active=True, membership__isnull=False)
        .select_related("person")
        .order_by("pk")
    )


def notifications_send(*, now=None, connection=None):
    """Send every user what is due now. Safe to run as often as you like: what went is not sent again."""
    now = now or timezone.now()
    result = SendResult()
    found = candidates(now)
    users = recipients().filter(pk__in=set().union(*found.values()))
    with connection or get_connection() as connection:
        for user in users:
            user_notify(user=user, now=now, connection=connection, result=result, candidates=found)
    return result
