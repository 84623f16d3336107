"""What each user is told, and sending it: `notifications_send` (run by `manage.py send_notifications`).

Every run looks at what is in the database now (notifications/items.py finds, per recipient and kind,
what they may be told of), so nothing has to remember to notify when it happens.

Each thing told is an item with a key ("update:12"). A user's preference for the kind says how it goes:
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
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from notifications.items import COLLECTORS, DUE_SOON, LOOKBACK, ROLES, absolute, candidates, midnight
from notifications.models import WEEKLY_KINDS, Frequency, Kind, Notification, Preference
from strategy import permissions

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "notifications.unsubscribe"

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


def user_notify(*, user, now, connection, result, may_be_told=None):
    """Send `user` what is due for each kind, as their preferences say."""
    today = timezone.localdate(now)
    frequencies = Preference.objects.frequencies(user)
    role = permissions.role(user)
    for kind, frequency in frequencies.items():
        if frequency == Frequency.OFF or (kind in ROLES and role not in ROLES[kind]):
            continue
        if may_be_told is not None and user.pk not in may_be_told[kind]:
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
            due = [item for item in items if item.key not in told and item.when < midnight(period_start)]
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
            user_notify(user=user, now=now, connection=connection, result=result, may_be_told=found)
    return result
