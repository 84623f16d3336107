"""What each user may be told of, kind by kind, found through their own visibility querysets
(strategy/permissions.py): each collector takes the recipient and returns Items, nothing they may not see.

- sign-off: the updates waiting for a chair's sign-off;
- returned: a lead's own updates that a chair returned, with the reason and a link to the form;
- decisions: open decisions a user owns, when assigned, in the week before they are due, once overdue;
- imports: the spreadsheet imports a user started, once finished, refused or failed;
- packs: packs issued, for the partnership's officers who may open them;
- following: new updates, challenges and decisions on the actions a user follows.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import truncatewords
from django.urls import reverse
from django.utils import timezone

from actions.models import ActionPlanImport, Update
from notifications.models import Follow, Kind
from performance.models import Challenge, IndicatorValueImport, MeetingPack
from strategy import permissions
from strategy.models import Membership

# What happened longer ago than this is never told: a first run, or one after a long outage, does
# not send weeks of old news. Two weeks covers a weekly digest's whole week.
LOOKBACK = datetime.timedelta(days=14)
DUE_SOON = datetime.timedelta(days=7)


@dataclass
class Item:
    key: str
    when: datetime.datetime  # when it happened: a digest tells what happened before its day or week began
    ref: str  # the action's reference, or what else it is about
    text: str
    url: str
    detail: str = ""
    title: str = ""  # what the action says, shortened
    headline: str = ""  # the subject when sent on its own, if not the kind's usual one


def absolute(path):
    return settings.SITE_URL.rstrip("/") + path


def _short(text):
    return truncatewords(text, 25)


def _who(user):
    return (user.get_full_name() or user.username) if user else "someone"


def midnight(day):
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
            title=_short(update.action.text),
            text=f"submitted by {_who(update.created_by)} on {timezone.localtime(update.created_at):%-d %B %Y}.",
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
            title=_short(update.action.text),
            text=f"returned by {_who(update.reviewed_by)} on "
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
        due_soon_from = midnight(decision.due_date - DUE_SOON)
        if decision.due_date < today:
            text = f"Overdue since {decision.due_date:%-d %B %Y}: {_short(decision.text)}"
            when = midnight(decision.due_date + datetime.timedelta(days=1))
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
