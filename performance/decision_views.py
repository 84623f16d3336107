"""The decision log: the list of decisions across meetings (filtered, bookmarkable, downloadable), one
decision (closing it with a response), changing one, and marking a meeting held.

Members see the decisions of their partnership's meetings, none about anything above their clearance
(ChallengeQuerySet.visible_to). A decision's owner, signed in, closes it as done; officers close or drop
any and change what it says (strategy.permissions). Once its meeting is held, a change is a correction
with a reason, kept in the audit trail beside it.
"""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from actions.views import my_actions_page
from performance import decisions as log
from performance.decision_forms import AttendanceForm, DecisionChangeForm, DecisionCloseForm
from performance.filters import DecisionFilter
from performance.meeting_views import _meeting_for
from performance.models import Attendance, Challenge
from strategy import permissions
from strategy.models import Person

PAGE_SIZE = 50
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _filtered(request, today):
    decisions = (
        Challenge.objects.visible_to(request.user)
        .decisions()
        .with_related()
        .order_by(F("due_date").asc(nulls_last=True), "-meeting__date", "pk")
    )
    filterset = DecisionFilter(request.GET or None, queryset=decisions, user=request.user, today=today)
    return filterset, (filterset.qs if filterset.is_bound and filterset.is_valid() else decisions)


@login_required
@require_GET
def decision_list(request):
    today = timezone.localdate()
    filterset, decisions = _filtered(request, today)
    page = Paginator(decisions, PAGE_SIZE).get_page(request.GET.get("page"))
    for decision in page.object_list:
        decision.overdue = decision.is_overdue(today)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "performance/decision_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "querystring": query.urlencode(),
            "marking": log.highest_marking(page.object_list).label,
            "crumbs": [("Meetings", reverse("performance:meeting_list")), ("Decisions", None)],
        },
    )


@login_required
@require_GET
def decision_list_download(request, file_format):
    today = timezone.localdate()
    _, decisions = _filtered(request, today)
    found = list(decisions)
    marking = log.highest_marking(found)
    rows = log.rows(found, today=today)
    if file_format == "csv":
        buffer = io.StringIO()
        log.write_csv(rows, buffer)
        content = buffer.getvalue()
    else:
        buffer = io.BytesIO()
        log.write_xlsx(rows, buffer)
        content = buffer.getvalue()
    response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
    name = f"decisions-{today.isoformat()}-{marking.label.lower()}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _decision_for(user, pk):
    """The decision `pk` if the user may see it, else 404."""
    return get_object_or_404(Challenge.objects.visible_to(user).decisions().with_related(), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def decision_detail(request, pk):
    """One decision, its history of changes, and closing it (owner or officer)."""
    decision = _decision_for(request.user, pk)
    may_close = permissions.can_close_decision(request.user, decision)
    may_change = permissions.can_change_decision(request.user, decision)
    form = DecisionCloseForm(request.POST if request.method == "POST" else None, may_drop=may_change)
    if request.method == "POST":
        if not may_close:
            raise PermissionDenied("Only the decision's owner or an officer closes it, and only while it is open.")
        if form.is_valid():
            try:
                with transaction.atomic():
                    decision.record_close(
                        by=request.user, state=form.cleaned_data["state"], response=form.cleaned_data["response"]
                    )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, f"The decision has been closed as {decision.get_state_display().lower()}.")
                return redirect("performance:decision_detail", pk=decision.pk)
    decision.overdue = decision.is_overdue()
    return render(
        request,
        "performance/decision_detail.html",
        {
            "decision": decision,
            "form": form,
            "may_close": may_close,
            "may_change": may_change,
            "changes": decision.history.select_related("history_user").order_by("-history_date", "-history_id"),
            "marking": log.highest_marking([decision]).label,
            "crumbs": [
                ("Decisions", reverse("performance:decision_list")),
                (str(decision.meeting), reverse("performance:meeting_detail", args=[decision.meeting_id])),
                ("Decision", None),
            ],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_edit(request, pk):
    """Change what a decision says; once its meeting is held, as a correction with a reason."""
    decision = _decision_for(request.user, pk)
    if not permissions.can_change_decision(request.user, decision):
        raise PermissionDenied("Only officers change a decision.")
    form = DecisionChangeForm(request.POST if request.method == "POST" else None, decision=decision)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                changed = form.apply()
                changed.full_clean()
                changed.save()
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "The decision has been saved.")
            return redirect("performance:decision_detail", pk=decision.pk)
    return render(
        request,
        "performance/decision_form.html",
        {
            "form": form,
            "decision": decision,
            "crumbs": [
                ("Decisions", reverse("performance:decision_list")),
                ("Decision", reverse("performance:decision_detail", args=[decision.pk])),
                ("Change", None),
            ],
        },
    )


@login_required
@require_POST
def meeting_held(request, pk):
    """Mark the meeting held: from now on what was recorded at it is changed only by a correction."""
    meeting = _meeting_for(request.user, pk)
    if not permissions.can_mark_meeting_held(request.user, meeting):
        raise PermissionDenied("Only officers mark a meeting held.")
    if meeting.date > timezone.localdate():
        messages.error(request, f"{meeting} has not taken place yet: mark it held on or after the day.")
    elif meeting.is_held:
        messages.info(request, f"{meeting} was already marked held.")
    else:
        meeting.held_at, meeting.held_by = timezone.now(), request.user
        meeting._change_reason = "Marked held"
        meeting.save(update_fields=["held_at", "held_by"])
        messages.success(request, f"{meeting} has been marked held.")
    return redirect("performance:meeting_detail", pk=meeting.pk)


@login_required
@require_POST
def decision_respond(request, pk):
    """An owner (or an officer) answers an open decision from My actions: the response closes it as
    done (officers may drop it instead, the response saying why)."""
    decision = _decision_for(request.user, pk)
    if decision.state != Challenge.State.OPEN:
        messages.info(request, f"The decision was already closed as {decision.get_state_display().lower()}.")
        return redirect("actions:my_actions")
    if not permissions.can_close_decision(request.user, decision):
        raise PermissionDenied("Only the decision's owner or an officer answers it.")
    form = Challenge.close_form(decision, permissions.can_change_decision(request.user, decision), request.POST)
    if form.is_valid():
        with transaction.atomic():
            decision.record_close(
                by=request.user, state=form.cleaned_data["state"], response=form.cleaned_data["response"]
            )
        state = decision.get_state_display().lower()
        messages.success(request, f"Your response has been recorded: the decision is closed as {state}.")
        return redirect("actions:my_actions")
    return my_actions_page(request, responding=decision.pk, response_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_attendance(request, pk):
    """Record who attended the meeting; once it is held, as a correction with a reason."""
    meeting = _meeting_for(request.user, pk)
    if not permissions.can_record_attendance(request.user, meeting):
        raise PermissionDenied("Only officers record attendance.")
    people = list(
        Person.objects.filter(partnership_id=meeting.strategy.partnership_id, kind=Person.Kind.PERSON)
        .select_related("organisation")
        .order_by("name", "pk")
    )
    recorded = {row.person_id: row for row in Attendance.objects.filter(meeting=meeting)}
    form = AttendanceForm(
        request.POST if request.method == "POST" else None, meeting=meeting, people=people, recorded=recorded
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                changed = form.save()
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            if changed:
                plural = "s" if changed > 1 else ""
                messages.success(request, f"The attendance has been saved ({changed} change{plural}).")
            else:
                messages.info(request, "Nothing was changed.")
            return redirect(reverse("performance:meeting_detail", args=[meeting.pk]) + "#attendance")
    return render(
        request,
        "performance/meeting_attendance.html",
        {
            "form": form,
            "meeting": meeting,
            "crumbs": [
                ("Meetings and packs", reverse("performance:meeting_list")),
                (str(meeting), reverse("performance:meeting_detail", args=[meeting.pk])),
                ("Attendance", None),
            ],
        },
    )
