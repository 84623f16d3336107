"""Meetings pages: the list, one meeting (its challenges and packs), adding and changing one, issuing
its pack and downloading a pack as issued.

Every member sees the meetings of strategies they may see (strategy.permissions.can_view_meeting);
officers add and change them (can_manage_meetings) and issue packs (can_generate_pack). An issued
pack opens only for those cleared for its marking (can_view_pack), and is always served from the
bytes kept when it was issued.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from actions.models import DeliveryGroup
from performance.decision_forms import MeetingCorrectionForm
from performance.decisions import carried_forward
from performance.decisions import markings as decision_markings
from performance.models import Attendance, Challenge, Meeting, MeetingPack
from performance.pack import CONTENT_TYPES, pack_create
from performance.review_views import visible_strategies
from strategy import permissions
from strategy.models import Marking
from strategy.periods import Quarter
from strategy.views import strategy_among

# The meeting page reloads itself this often (seconds) while a pack is being made.
REFRESH_SECONDS = 3


def strategy_quarters(strategy):
    """Every quarter of the strategy, oldest first (a meeting may be planned before its quarter ends)."""
    quarter, last, found = Quarter.containing(strategy.start_date), Quarter.containing(strategy.end_date), []
    while quarter <= last:
        found.append(quarter)
        quarter = quarter.next()
    return found


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label="Whose meeting", choices=Meeting.Kind.choices, widget=forms.RadioSelect)
    delivery_group = forms.ChoiceField(
        label="Delivery group",
        required=False,
        help_text="Only for a delivery group's meeting.",
        error_messages={"invalid_choice": "Choose one of the strategy's delivery groups"},
    )
    date = forms.DateField(
        label="Date of the meeting",
        help_text="For example, 27/10/2020",
        error_messages={"required": "Enter the date of the meeting"},
    )
    quarter = forms.ChoiceField(
        label="Quarter it reviews",
        help_text="Usually the quarter that ended before the meeting.",
        error_messages={"invalid_choice": "Choose a quarter of the strategy"},
    )
    title = forms.CharField(
        label="Title (optional)",
        required=False,
        max_length=200,
        help_text='Leave blank to name it after whose meeting it is, e.g. "Executive Group".',
    )
    notes = forms.CharField(label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, strategy, user, instance=None, **kwargs):
        self.strategy, self.instance = strategy, instance or Meeting(strategy=strategy)
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "kind": instance.kind,
                "delivery_group": instance.delivery_group_id or "",
                "date": instance.date,
                "quarter": instance.quarter.slug,
                "title": instance.title,
                "notes": instance.notes,
            }
        super().__init__(*args, **kwargs)
        self.groups = list(
            DeliveryGroup.objects.filter(strategy=strategy, kind=DeliveryGroup.Kind.DELIVERY).visible_to(user)
        )
        self.fields["delivery_group"].choices = [("", "Not a delivery group's meeting")] + [
            (str(g.pk), g.name) for g in self.groups
        ]
        self.fields["quarter"].choices = [(q.slug, f"{q} ({q.months})") for q in reversed(strategy_quarters(strategy))]

    def clean(self):
        data = super().clean()
        if not self.errors:
            meeting = self.instance
            meeting.kind = data["kind"]
            meeting.delivery_group = next((g for g in self.groups if str(g.pk) == data["delivery_group"]), None)
            meeting.date = data["date"]
            quarter = Quarter.from_slug(data["quarter"])
            meeting.year, meeting.number = quarter.year, quarter.number
            meeting.title, meeting.notes = data["title"].strip(), data["notes"].strip()
            try:
                meeting.full_clean()
            except ValidationError as error:
                names = {"number": "quarter", "year": "quarter"}
                for name, texts in error.message_dict.items():
                    field = names.get(name, name)
                    for message in texts:
                        if field == "__all__" and "already exists" in message:
                            message = (
                                f"{self.strategy} already has a meeting of this kind on "
                                f"{meeting.date:%d/%m/%Y}: change the date or the kind"
                            )
                        self.add_error(field if field in self.fields else None, message)
        return data


def _meeting_for(user, pk):
    """The meeting `pk` if the user may see it, else 404."""
    meeting = get_object_or_404(
        Meeting.objects.visible_to(user).select_related("strategy__partnership", "delivery_group"), pk=pk
    )
    if not permissions.can_view_meeting(user, meeting):
        raise Http404
    return meeting


def _managed_strategy(request):
    slug = request.GET.get("strategy") or request.POST.get("strategy")
    strategies = visible_strategies(request.user)
    strategy = strategies.filter(slug=slug).first() if slug else strategies.filter(status="active").first()
    strategy = strategy or (strategies.first() if not slug else None)
    if strategy is None:
        raise Http404("No strategy you may see has that address.")
    if not permissions.can_manage_meetings(request.user, strategy):
        raise PermissionDenied("Only officers add and change meetings.")
    return strategy


@login_required
@require_GET
def meeting_list(request):
    strategies = list(visible_strategies(request.user))
    slug = request.GET.get("strategy")
    strategy = strategy_among(strategies, slug) if slug else None
    meetings = Meeting.objects.visible_to(request.user).select_related("strategy", "delivery_group")
    if strategy is not None:
        meetings = meetings.filter(strategy=strategy)
    meetings = meetings.order_by("-date", "pk")
    manageable = [s for s in strategies if permissions.can_manage_meetings(request.user, s)]
    return render(
        request,
        "performance/meeting_list.html",
        {
            "meetings": meetings,
            "strategy": strategy,
            "strategies": strategies,
            "may_add": bool(manageable),
            "add_strategy": strategy if strategy in manageable else (manageable[0] if manageable else None),
            # A quarter has its review once it has ended: a meeting ahead of that links to none yet.
            "today": _today(),
            "crumbs": [("Home", reverse("actions:home")), ("Meetings and packs", None)],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_add(request):
    strategy = _managed_strategy(request)
    initial = {"kind": Meeting.Kind.EXECUTIVE}
    if request.GET.get("quarter"):
        initial["quarter"] = request.GET["quarter"]
    form = MeetingForm(
        request.POST if request.method == "POST" else None, strategy=strategy, user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                form.instance.save()
        except IntegrityError:
            form.add_error(None, "Another meeting like this was added at the same time: check the list of meetings")
        else:
            messages.success(request, f"{form.instance} has been added.")
            return redirect("performance:meeting_detail", pk=form.instance.pk)
    return render(
        request,
        "performance/meeting_form.html",
        {
            "form": form,
            "strategy": strategy,
            "meeting": None,
            "crumbs": [("Meetings and packs", reverse("performance:meeting_list")), ("Add a meeting", None)],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk):
    meeting = _meeting_for(request.user, pk)
    if not permissions.can_manage_meetings(request.user, meeting.strategy):
        raise PermissionDenied("Only officers add and change meetings.")
    form = MeetingForm(
        request.POST if request.method == "POST" else None,
        strategy=meeting.strategy,
        user=request.user,
        instance=meeting,
    )
    # Once held, a change to the meeting is a correction: the reason goes into the audit trail with it.
    correction = MeetingCorrectionForm(request.POST if request.method == "POST" else None) if meeting.is_held else None
    if request.method == "POST" and form.is_valid() and (correction is None or correction.is_valid()):
        if correction is not None:
            form.instance._change_reason = f"Correction: {correction.cleaned_data['reason'].strip()}"
        try:
            with transaction.atomic():
                form.instance.save()
        except IntegrityError:
            form.add_error(None, "Another meeting like this was saved at the same time: check the list of meetings")
        else:
            messages.success(request, f"{form.instance} has been saved.")
            return redirect("performance:meeting_detail", pk=meeting.pk)
    return render(
        request,
        "performance/meeting_form.html",
        {
            "form": form,
            "correction": correction,
            "strategy": meeting.strategy,
            "meeting": meeting,
            "crumbs": [
                ("Meetings and packs", reverse("performance:meeting_list")),
                (str(meeting), reverse("performance:meeting_detail", args=[meeting.pk])),
                ("Change", None),
            ],
        },
    )


@login_required
@require_GET
def meeting_detail(request, pk):
    meeting = _meeting_for(request.user, pk)
    strategy = meeting.strategy
    challenges = Challenge.objects.visible_to(request.user).filter(meeting=meeting).with_related()
    carried = carried_forward(meeting, user=request.user, today=_today())
    attendance = Attendance.objects.filter(meeting=meeting).select_related("person__organisation")
    packs = list(meeting.packs.defer("pdf_content", "xlsx_content").select_related("issued_by"))
    # A pack marked above the user's clearance is not listed for them at all, not even by name.
    packs = [pack for pack in packs if permissions.cleared_for(request.user, pack.marking)]
    for pack in packs:
        pack.meeting = meeting
        pack.may_open = True
    return render(
        request,
        "performance/meeting_detail.html",
        {
            "meeting": meeting,
            "challenges": challenges,
            "carried": carried,
            "attendance": attendance_by_state(attendance),
            "may_record_attendance": permissions.can_record_attendance(request.user, meeting),
            "overdue_count": sum(1 for decision in carried if decision.overdue),
            "packs": packs,
            "generating": any(p.state == MeetingPack.State.GENERATING for p in packs),
            "refresh_seconds": REFRESH_SECONDS,
            "may_manage": permissions.can_manage_meetings(request.user, strategy),
            "may_issue": permissions.can_generate_pack(request.user, strategy),
            # Packs above a reader's clearance are neither listed nor denied (see the template).
            "cleared_for_all": permissions.cleared_for(request.user, *Marking.values),
            "may_mark_held": not meeting.is_held
            and meeting.date <= _today()
            and permissions.can_mark_meeting_held(request.user, meeting),
            "quarter_ended": meeting.quarter.end < _today(),
            # The page names its packs, so it is marked as the most sensitive of them it lists.
            "marking": Marking(
                Marking.highest(
                    [
                        *permissions.meeting_markings(meeting),
                        *(p.marking for p in packs if p.state == "issued"),
                        *(m for decision in carried for m in decision_markings(decision)),
                    ]
                )
            ).label,
            "crumbs": [("Meetings and packs", reverse("performance:meeting_list")), (str(meeting), None)],
        },
    )


def attendance_by_state(rows):
    """[(state label, [Attendance])] for the states anyone is recorded in, attended first."""
    grouped = {state: [] for state in Attendance.State}
    for row in rows:
        grouped[Attendance.State(row.state)].append(row)
    return [(state.label, found) for state, found in grouped.items() if found]


def _today():
    return timezone.localdate()


@login_required
@require_POST
def pack_generate(request, pk):
    """Issue the meeting's pack: the figures as known now, made in the background (a few seconds)."""
    meeting = _meeting_for(request.user, pk)
    if not permissions.can_generate_pack(request.user, meeting.strategy):
        raise PermissionDenied("Only officers issue meeting packs.")
    if meeting.quarter.end >= _today():
        messages.error(request, f"{meeting.quarter} has not ended yet: its pack can be issued once it has.")
        return redirect("performance:meeting_detail", pk=meeting.pk)
    pack = pack_create(meeting=meeting, by=request.user, include_amber=bool(request.POST.get("amber")))
    if pack.state == MeetingPack.State.FAILED:
        messages.error(request, f"The pack could not be made: {pack.error}")
    elif pack.state == MeetingPack.State.ISSUED:
        messages.success(request, f"The pack for {meeting} has been issued.")
    else:
        messages.info(request, "The pack is being made: this page will show it when it is ready.")
    return redirect("performance:meeting_detail", pk=meeting.pk)


@login_required
@require_GET
def pack_download(request, pk, pack_pk, file_format):
    """A meeting's pack exactly as issued (the bytes kept then), for those cleared for its marking."""
    meeting = _meeting_for(request.user, pk)
    pack = get_object_or_404(MeetingPack.objects.filter(meeting=meeting, state=MeetingPack.State.ISSUED), pk=pack_pk)
    pack.meeting, pack.strategy = meeting, meeting.strategy
    return _pack_file(request.user, pack, file_format)


@login_required
@require_GET
def pack_file(request, pk, file_format):
    """Any pack exactly as issued, with or without a meeting (the review's list links here)."""
    pack = get_object_or_404(
        MeetingPack.objects.filter(state=MeetingPack.State.ISSUED).select_related(
            "strategy__partnership", "meeting__strategy__partnership", "meeting__delivery_group"
        ),
        pk=pk,
    )
    return _pack_file(request.user, pack, file_format)


def _pack_file(user, pack, file_format):
    if not permissions.can_view_pack(user, pack):
        raise Http404  # a pack marked above the user's clearance, or another partnership's, is not there at all
    content = bytes(pack.pdf_content if file_format == "pdf" else pack.xlsx_content)
    response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{pack.file_name(file_format)}"'
    return response
