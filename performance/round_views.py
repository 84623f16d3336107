"""Pages for update rounds (officers), sign-off (chairs) and corrections to closed quarters (officers).

Each view fetches through `visible_to(user)` (404 for what a user may not see) and asks
`strategy.permissions` before showing or changing anything (403). The work is done in
performance/rounds.py; the e-mails go out through the `send_update_reminders` task.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from actions.models import PLAN_ORDER, Action, AwaitingSignOff, QuarterLocked, ReviewRefused, Update, locked_quarters
from performance import rounds, tasks
from performance.models import Meeting, UpdateRound
from performance.round_forms import RoundChangeForm, RoundOpenForm, RoundStrategyForm, SignOffForm, UpdateCorrectionForm
from strategy import permissions
from strategy.models import Marking, Strategy

OFFICERS_ONLY = "Only officers of the partnership run update rounds."


def _manageable_strategies(user):
    strategies = Strategy.objects.visible_to(user).filter(status=Strategy.Status.ACTIVE).select_related("partnership")
    return [strategy for strategy in strategies if permissions.can_manage_rounds(user, strategy)]


def _get_round(request, pk):
    update_round = get_object_or_404(
        UpdateRound.objects.visible_to(request.user).select_related("strategy__partnership", "opened_by"), pk=pk
    )
    if not permissions.can_manage_rounds(request.user, update_round.strategy):
        raise PermissionDenied(OFFICERS_ONLY)
    return update_round


def _meetings(strategies):
    """The meetings a round may serve: those of the strategies, from a quarter ago on."""
    since = timezone.localdate() - datetime.timedelta(days=92)
    return Meeting.objects.filter(strategy__in=strategies, date__gte=since).select_related("strategy").order_by("date")


def _errors_into(form, error):
    """A service's ValidationError onto the form: field errors on their fields, the rest on top."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@login_required
@require_GET
def round_list(request):
    if not permissions.is_officer(request.user):
        raise PermissionDenied(OFFICERS_ONLY)
    update_rounds = (
        UpdateRound.objects.visible_to(request.user)
        .select_related("strategy", "opened_by", "closed_by")
        .order_by("-year", "-number", "strategy__title")
    )
    # ?strategy=<slug>: one strategy's rounds (the strategy page links here).
    if slug := request.GET.get("strategy"):
        update_rounds = update_rounds.filter(strategy__slug=slug)
    return render(request, "performance/round_list.html", {"rounds": update_rounds})


@login_required
@require_http_methods(["GET", "POST"])
def round_open(request):
    strategies = _manageable_strategies(request.user)
    if not strategies:
        raise PermissionDenied(OFFICERS_ONLY)
    queryset = Strategy.objects.filter(pk__in=[strategy.pk for strategy in strategies])
    # Two steps, so the quarters offered follow the strategy without JavaScript: first the strategy
    # (skipped when there is one), then the round for it.
    if request.method == "POST":
        chosen = next((s for s in strategies if str(s.pk) == request.POST.get("strategy")), None)
    elif len(strategies) == 1:
        chosen = strategies[0]
    else:
        chosen = next((s for s in strategies if s.slug == request.GET.get("strategy")), None)
    if chosen is None:
        step = RoundStrategyForm(request.GET if "strategy" in request.GET else None, strategies=queryset)
        step.is_valid()  # a strategy that is not one of these is said so
        return render(request, "performance/round_open.html", {"step": step})
    meetings = _meetings(queryset.filter(pk=chosen.pk))
    form = RoundOpenForm(request.POST or None, strategies=queryset, strategy=chosen, meetings=meetings)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            update_round = rounds.round_open(
                strategy=data["strategy"],
                quarter=data["quarter"],
                by=request.user,
                deadline=data["deadline"],
                meeting=data.get("meeting"),
                reminder_days=data["reminder_days"],
            )
        except ValidationError as error:
            _errors_into(form, error)
        else:
            tasks.send_update_reminders.enqueue(round_id=update_round.pk)
            messages.success(
                request,
                f"The {update_round.quarter} update round is open. Leads with actions to update are being e-mailed.",
            )
            return redirect("performance:round_returns", pk=update_round.pk)
    return render(
        request, "performance/round_open.html", {"form": form, "strategy": chosen, "choose_again": len(strategies) > 1}
    )


@login_required
@require_GET
def round_returns(request, pk):
    update_round = _get_round(request, pk)
    groups = rounds.round_returns(update_round, actions=Action.objects.visible_to(request.user))
    total = sum(group.actions for group in groups)
    returned = sum(group.returned for group in groups)
    outstanding_people = {lead.person_id for group in groups for lead in group.leads if lead.outstanding}
    return render(
        request,
        "performance/round_returns.html",
        {
            "round": update_round,
            "groups": groups,
            "total": total,
            "returned": returned,
            # The strip carries the highest marking of what the page lists: the strategy's, or a group's above it.
            "marking": Marking(
                Marking.highest([update_round.strategy.marking, *(group.marking for group in groups)])
            ).label,
            "outstanding_people": len(outstanding_people),
            "reminder_date": rounds.reminder_date(update_round),
            "today": timezone.localdate(),
            "crumbs": [("Update rounds", reverse("performance:round_list")), (str(update_round.quarter), "")],
        },
    )


@login_required
@require_POST
def round_remind(request, pk):
    update_round = _get_round(request, pk)
    person = request.POST.get("person", "all")
    person_id = None if person == "all" else (int(person) if person.isdigit() else -1)
    try:
        result = rounds.reminders_send_now(update_round=update_round, by=request.user, person_id=person_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("performance:round_returns", pk=update_round.pk)
    parts = []
    if result.sent:
        parts.append(f"Reminder sent to {', '.join(row.person.name for row in result.sent)}.")
    if result.already_sent:
        names = ", ".join(person.name for person in result.already_sent)
        parts.append(f"Already reminded today, so not sent again: {names}.")
    if result.skipped_no_email:
        names = ", ".join(person.name for person in result.skipped_no_email)
        parts.append(f"No e-mail address, so not reminded: {names}.")
    if result.failed:
        parts.append(f"Could not be sent (try again later): {', '.join(p.name for p, _ in result.failed)}.")
    if not parts:
        parts.append("Nobody to remind: every lead has updated.")
    (messages.success if result.sent and not result.failed else messages.info)(request, " ".join(parts))
    return redirect("performance:round_returns", pk=update_round.pk)


@login_required
@require_http_methods(["GET", "POST"])
def round_change(request, pk):
    update_round = _get_round(request, pk)
    initial = {"deadline": update_round.deadline, "reminder_days": update_round.reminder_days}
    form = RoundChangeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rounds.round_change(update_round=update_round, **form.cleaned_data)
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(
                request, f"The {update_round.quarter} round's deadline is now {update_round.deadline:%-d %B %Y}."
            )
            return redirect("performance:round_returns", pk=update_round.pk)
    return render(request, "performance/round_change.html", {"round": update_round, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def round_close(request, pk):
    update_round = _get_round(request, pk)
    problem = None
    if request.method == "POST":
        try:
            rounds.round_close(update_round=update_round, by=request.user)
        except ValidationError as error:
            problem = " ".join(error.messages)
        else:
            messages.success(
                request,
                f"The {update_round.quarter} round is closed and the quarter is locked: "
                "later changes to it are recorded as corrections.",
            )
            return redirect("performance:round_returns", pk=update_round.pk)
    return render(
        request,
        "performance/round_close.html",
        {"round": update_round, "problem": problem, "not_yet": update_round.quarter.end >= timezone.localdate()},
        status=400 if problem else 200,
    )


# Corrections to closed quarters ----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def round_correction(request, action_pk):
    action = get_object_or_404(
        Action.objects.visible_to(request.user).select_related("strategy", "objective__delivery_group"),
        pk=action_pk,
    )
    if not permissions.can_record_correction(request.user, action):
        raise PermissionDenied("Only officers record corrections to a closed quarter.")
    quarters = locked_quarters(action.strategy_id)
    form = UpdateCorrectionForm(request.POST or None, quarters=quarters)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rounds.correction_record(
                action=action,
                quarter=data["quarter"],
                by=request.user,
                reason=data["reason"],
                status=data["status"],
                rag=data["rag"],
                progress=data["progress"],
                commentary=data["commentary"].strip(),
                revised_due_date=data["revised_due_date"],
                decision_needed=data["decision_needed"].strip(),
                approved_by=data["approved_by"].strip(),
                evidence_url=data["evidence_url"],
            )
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, f"The correction to {action.ref} for {data['quarter']} has been recorded.")
            return redirect("actions:action_detail", pk=action.pk)
    return render(
        request,
        "performance/round_correction.html",
        {
            "action": action,
            "form": form,
            "quarters": quarters,
            "crumbs": [(action.ref, reverse("actions:action_detail", args=[action.pk])), ("Correction", "")],
        },
    )


# Sign-off --------------------------------------------------------------------------------------


@login_required
@require_GET
def signoff_queue(request):
    if not permissions.can_sign_off_any(request.user):
        raise PermissionDenied("Only delivery-group chairs and officers sign updates off.")
    updates = (
        Update.objects.awaiting_sign_off_by(request.user)
        .select_related("action__objective__delivery_group", "action__strategy", "created_by")
        # In the plan's order, references natural (V1.9 before V1.10), as every list of actions reads.
        .order_by("action__strategy__title", *(f"action__{field}" for field in PLAN_ORDER), "created_at", "pk")
    )
    return render(request, "performance/signoff_queue.html", {"updates": updates})


@login_required
@require_http_methods(["GET", "POST"])
def signoff_review(request, pk):
    update = get_object_or_404(
        Update.objects.visible_to(request.user).select_related(
            "action__strategy",
            "action__objective__delivery_group",
            "action__latest_update",
            "created_by",
            "reviewed_by",
        ),
        pk=pk,
    )
    action = update.action
    if not permissions.can_approve_update(request.user, action):
        raise PermissionDenied("Only the delivery group's chair and officers sign its updates off.")
    form = SignOffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "approve":
                rounds.update_approve(update=update, by=request.user, comment=data["comment"])
                messages.success(request, f"The update to {action.ref} is approved and now counts.")
            else:
                rounds.update_return(update=update, by=request.user, comment=data["comment"])
                messages.success(request, f"The update to {action.ref} has been returned to the lead.")
        except (ReviewRefused, QuarterLocked, AwaitingSignOff) as refused:
            form.add_error(None, str(refused))
        except ValidationError as error:
            _errors_into(form, error)
        else:
            return redirect("performance:signoff_queue")
    return render(
        request,
        "performance/signoff_review.html",
        {
            "update": update,
            "submitted": [update],
            "action": action,
            "current": action.latest_update,
            "form": form,
            "crumbs": [("Sign-off", reverse("performance:signoff_queue")), (action.ref, "")],
        },
    )
