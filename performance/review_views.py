"""The quarterly review dashboard, recording a challenge or decision on it, and issuing its pack.

/review/ opens on the strategy with the most recent ended quarter that has updates (or the strategy
and quarter its switcher names: ?strategy=...&quarter=...), /review/<strategy>/ on that strategy's
most recent such quarter, and /review/<strategy>/<year>-Q<n>/ shows that quarter: everything
performance/review.py works out, each count linking to the action list filtered to exactly those
actions as at the quarter's end.
Every member may see it (strategy.permissions.can_view_review); executive members, chairs and
officers record challenges and decisions (can_record_challenge).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from actions.models import default_strategy, ended_quarters
from performance.decision_forms import OwnerField, owner_choices, set_owner
from performance.models import Challenge, MeetingPack
from performance.pack import pack_create
from performance.review import (
    EXCEPTION_LIMIT,
    LIST_LIMIT,
    RAG_COLUMNS,
    STATUS_COLUMNS,
    build_review,
    default_quarter,
    latest_reviewed,
    listed_states,
    load_details,
)
from strategy import permissions
from strategy.models import Marking, Strategy
from strategy.periods import Quarter
from strategy.views import strategy_among
from strategy.widgets import LongSelect

NO_CASE_DATA = "Do not include names or details of victims, offenders or other individuals."
# Past this many objectives, their counts get a page of their own (keeps the dashboard light).
OBJECTIVE_ROWS_ON_DASHBOARD = 50


def visible_strategies(user):
    return Strategy.objects.listed_for(user).order_by("-start_date", "title")


def strategy_for(user, slug, *, among=None):
    """The strategy with this slug that the user may see, or 404 (another partnership's is not found).
    `among`: the user's visible_strategies (with their partnerships) when a page has read them already."""
    if among is None:
        strategy = visible_strategies(user).select_related("partnership").filter(slug=slug).first()
    else:
        strategy = strategy_among(among, slug)
    if strategy is None or not permissions.can_view_review(user, strategy):
        raise Http404("No strategy you may see has that address.")
    return strategy


def period_of(strategy, slug, *, periods, parse, kind, state):
    """The period of `strategy` named in the address (`slug`, read by `parse`: Quarter.from_slug,
    FinancialYear.from_slug), if it is one of `periods` (newest first); otherwise 404 saying which
    are, e.g. "2031-Q1 is not a quarter of ... that has ended (from 2024/25 Q1 to 2025/26 Q2)"."""
    try:
        period = parse(slug)
    except ValueError:
        period = None
    if period is None or period not in periods:
        span = f"from {periods[-1]} to {periods[0]}" if periods else f"none has {state} yet"
        raise Http404(f"{slug} is not {kind} of {strategy} that has {state} ({span}).")
    return period


def quarter_of(strategy, slug):
    """The ended quarter of `strategy` named in the address (2020-Q2), or 404 saying which exist."""
    return period_of(
        strategy, slug, periods=ended_quarters(strategy), parse=Quarter.from_slug, kind="a quarter", state="ended"
    )


class ChallengeForm(forms.Form):
    """A challenge or decision for one of the quarter's meetings. A challenge is about one action (by
    its reference) or a whole delivery group; a decision about one of those, an objective, or the
    meeting as a whole, and has an owner (a person or a partner organisation) and a due date.
    Everything is checked against the review already loaded (an action reference by one query for
    that action as at the quarter), so a plan of thousands of actions is not a select of thousands of
    options."""

    meeting = forms.ChoiceField(label="Meeting", error_messages={"invalid_choice": "Choose one of the meetings"})
    kind = forms.ChoiceField(
        label="Challenge or decision", choices=Challenge.Kind.choices, widget=forms.RadioSelect, initial="challenge"
    )
    action = forms.CharField(
        label="Action reference",
        required=False,
        max_length=20,
        help_text="For example, V1.2. Leave blank for a whole delivery group, an objective or the whole meeting.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "spellcheck": "false"}),
    )
    group = forms.ChoiceField(
        label="Or a whole delivery group",
        required=False,
        error_messages={"invalid_choice": "Choose one of the delivery groups"},
    )
    objective = forms.ChoiceField(
        label="Or, for a decision, an objective",
        required=False,
        help_text="A decision about none of these is about the meeting as a whole.",
        error_messages={"invalid_choice": "Choose one of the objectives"},
        widget=LongSelect,
    )
    text = forms.CharField(
        label="What was challenged or decided",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=NO_CASE_DATA,
    )
    owner = OwnerField(
        label="Owner (for a decision)",
        required=False,
        help_text="The person or partner organisation who is to act on the decision.",
    )
    due_date = forms.DateField(
        label="Due date (for a decision)",
        required=False,
        help_text="For example, 31/1/2027",
        error_messages={"invalid": "Enter the due date as a date, like 31/1/2027"},
    )
    owner_text = forms.CharField(
        label="Who is to respond (for a challenge, optional)",
        required=False,
        max_length=200,
        help_text="For example, the delivery-group chair.",
    )

    def __init__(self, *args, review, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.review = review
        self.fields["meeting"].choices = [(str(m.pk), str(m)) for m in review.meetings]
        if len(review.meetings) == 1:
            self.fields["meeting"].initial = str(review.meetings[0].pk)
        self.fields["group"].choices = [("", "Not a whole group")] + [(str(g.pk), g.name) for g in review.groups]
        # A plan has hundreds of objectives and two markings: ask once per marking.
        cleared = {
            marking: permissions.cleared_for(user, marking) for marking in {o.marking for o in review.objectives}
        }
        self.objectives = [o for o in review.objectives if cleared[o.marking]]
        names = {g.pk: g.name for g in review.groups}
        self.fields["objective"].choices = [("", "Not an objective")] + [
            (str(o.pk), f"{names.get(o.delivery_group_id, '')} {o.number}: {o.title}"[:120]) for o in self.objectives
        ]
        self.fields["owner"].choices = owner_choices(review.strategy.partnership_id)

    def clean_action(self):
        ref = self.cleaned_data["action"].strip()
        if not ref:
            return None
        found = self.review.action_by_ref(ref)
        if found is None:
            raise ValidationError(f"There is no action {ref} in this review: enter a reference like V1.2")
        return found

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise ValidationError("Enter what was challenged or decided")
        return text

    def clean(self):
        data = super().clean()
        if not {"action", "group", "objective", "kind"} <= set(data):
            return data
        chosen = [bool(data["action"]), bool(data["group"]), bool(data["objective"])]
        if data["kind"] == Challenge.Kind.CHALLENGE:
            if data["objective"]:
                self.add_error("objective", "A challenge is about an action or a delivery group: leave this blank")
            elif bool(data["action"]) == bool(data["group"]):
                self.add_error(
                    "action",
                    "Enter the reference of one action, or choose a whole delivery group"
                    if not data["action"]
                    else "Enter an action reference or choose a delivery group, not both",
                )
        else:
            if sum(chosen) > 1:
                self.add_error("action", "Enter one action, or choose one delivery group or objective, not several")
            if not data.get("owner") and "owner" not in self.errors:
                self.add_error("owner", "Choose who owns the decision")
            if not data.get("due_date") and "due_date" not in self.errors:
                self.add_error("due_date", "Enter when the decision is due")
        return data

    def challenge(self, *, by):
        """An unsaved Challenge from the cleaned data."""
        data = self.cleaned_data
        meeting = next(m for m in self.review.meetings if str(m.pk) == data["meeting"])
        challenge = Challenge(meeting=meeting, kind=data["kind"], text=data["text"], created_by=by)
        if data["action"]:
            challenge.action_id = data["action"].pk
        elif data["group"]:
            challenge.delivery_group = next(g for g in self.review.groups if str(g.pk) == data["group"])
        elif data["objective"]:
            challenge.objective = next(o for o in self.objectives if str(o.pk) == data["objective"])
        if challenge.kind == Challenge.Kind.DECISION:
            challenge.state, challenge.due_date = Challenge.State.OPEN, data["due_date"]
            set_owner(challenge, data["owner"])
        else:
            challenge.owner_text = data["owner_text"].strip()
        return challenge


@login_required
@require_GET
def review_home(request):
    """The strategy and quarter the switcher names, else the most recent ended quarter with updates
    (else the default strategy's latest ended quarter)."""
    strategies = list(visible_strategies(request.user))
    slug, chosen = request.GET.get("strategy"), request.GET.get("quarter")
    if slug:
        strategy = strategy_among(strategies, slug)
        quarters = ended_quarters(strategy)
        quarter = next((q for q in quarters if q.slug == chosen), None)
        if quarter is None:
            if chosen:
                messages.info(request, f"{strategy} has no ended quarter {chosen}: here is its latest review.")
            return redirect("performance:review_latest", slug=strategy.slug)
        return redirect("performance:review", slug=strategy.slug, quarter=quarter.slug)
    strategy, quarter = latest_reviewed(strategies, request.user)
    if strategy is None:
        strategy = default_strategy(visible_strategies(request.user), request.user)
        if strategy is None:
            return render(request, "performance/review_empty.html", {"strategy": None}, status=200)
        return redirect("performance:review_latest", slug=strategy.slug)
    return redirect("performance:review", slug=strategy.slug, quarter=quarter.slug)


@login_required
@require_GET
def review_latest(request, slug):
    """The strategy's most recent ended quarter with updates (else its latest ended quarter), or the
    one chosen in the quarter picker."""
    strategy = strategy_for(request.user, slug)
    chosen = request.GET.get("quarter")
    if chosen:
        quarter = quarter_of(strategy, chosen)
    else:
        quarter = latest_reviewed([strategy], request.user)[1] or default_quarter(strategy)
    if quarter is None:
        return render(request, "performance/review_empty.html", {"strategy": strategy})
    url = reverse("performance:review", args=[strategy.slug, quarter.slug])
    if request.GET.get("amber"):
        url += "?amber=on"
    return redirect(url)


def quarter_packs(strategy, quarter, user, meetings):
    """The packs issued (or being made) for the quarter, without a meeting or at the meetings the user
    may see, leaving out those marked above their clearance (one query)."""
    packs = list(
        MeetingPack.objects.filter(strategy=strategy, year=quarter.year, number=quarter.number)
        .filter(Q(meeting__isnull=True) | Q(meeting__in=[m.pk for m in meetings]))
        .defer("pdf_content", "xlsx_content")
        .select_related("issued_by")
        .order_by("-issued_at", "-pk")
    )
    by_pk = {m.pk: m for m in meetings}
    for pack in packs:
        pack.strategy = strategy
        pack.meeting = by_pk.get(pack.meeting_id)
    return [p for p in packs if permissions.can_view_pack(user, p)]


NO_MEETING = "none"


class PackIssueForm(forms.Form):
    """Issue the quarter's pack for one of the meetings that review it, or with no meeting."""

    meeting = forms.ChoiceField(
        label="For the meeting",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the meeting the pack is for, or no meeting",
            "invalid_choice": "Choose a meeting, or no meeting",
        },
    )
    amber = forms.BooleanField(label="Include Amber actions in the exceptions", required=False)

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.meetings = meetings
        self.fields["meeting"].choices = [(str(m.pk), str(m)) for m in meetings] + [
            (NO_MEETING, "No meeting: the quarter's pack")
        ]
        if len(meetings) <= 1:
            self.fields["meeting"].initial = str(meetings[0].pk) if meetings else NO_MEETING

    def clean_meeting(self):
        """The meeting chosen, or None for no meeting."""
        return next((m for m in self.meetings if str(m.pk) == self.cleaned_data["meeting"]), None)


def _dashboard(request, strategy, quarter, *, form=None, pack_form=None, status=200, strategies=None):
    include_amber = bool(request.GET.get("amber") or request.POST.get("amber"))
    data = build_review(
        strategy=strategy, quarter=quarter, user=request.user, include_amber=include_amber, every_action=False
    )
    load_details(data, listed_states(data))
    may_challenge = permissions.can_record_challenge(request.user, strategy)
    if may_challenge and form is None and data.meetings:
        form = ChallengeForm(review=data, user=request.user, initial={"action": request.GET.get("challenge", "")[:20]})
    elif form is not None:
        form.review = data
    today = timezone.localdate()
    decisions = (
        Challenge.objects.visible_to(request.user)
        .open()
        .filter(meeting__strategy=strategy)
        .aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
    )
    quarters = ended_quarters(strategy)
    here = reverse("performance:review", args=[strategy.slug, quarter.slug])
    position = quarters.index(quarter)
    may_issue = permissions.can_generate_pack(request.user, strategy)
    if may_issue and pack_form is None:
        pack_form = PackIssueForm(meetings=data.meetings)
    return render(
        request,
        "performance/review_dashboard.html",
        {
            "strategy": strategy,
            "quarter": quarter,
            "review": data,
            "marking": Marking(data.marking).label,
            "limit": LIST_LIMIT,
            "exception_limit": EXCEPTION_LIMIT,
            "status_columns": STATUS_COLUMNS,
            "rag_columns": RAG_COLUMNS,
            "objective_limit": OBJECTIVE_ROWS_ON_DASHBOARD,
            "form": form,
            "may_challenge": may_challenge,
            "decisions": decisions,
            "may_manage_meetings": permissions.can_manage_meetings(request.user, strategy),
            "packs": quarter_packs(strategy, quarter, request.user, data.meetings),
            # Packs above a reader's clearance are neither offered nor denied: one cleared for
            # everything is told plainly when there are none.
            "cleared_for_all": permissions.cleared_for(request.user, *Marking.values),
            "may_issue": may_issue,
            "pack_form": pack_form,
            "strategies": visible_strategies(request.user) if strategies is None else strategies,
            "quarters": quarters,
            "earlier": quarters[position + 1] if position + 1 < len(quarters) else None,
            "later": quarters[position - 1] if position > 0 else None,
            "amber_url": here if include_amber else f"{here}?{urlencode({'amber': 'on'})}",
            "include_amber": include_amber,
            "crumbs": [
                (strategy.title, reverse("actions:strategy_detail", args=[strategy.slug])),
                ("Quarterly review", None),
            ],
        },
        status=status,
    )


@login_required
@require_GET
def review_dashboard(request, slug, quarter):
    # The switcher lists the strategies the reader may see: the one shown is found among them.
    strategies = list(visible_strategies(request.user).select_related("partnership"))
    strategy = strategy_for(request.user, slug, among=strategies)
    return _dashboard(request, strategy, quarter_of(strategy, quarter), strategies=strategies)


@login_required
@require_GET
def review_objectives(request, slug, quarter):
    """The counts per objective, for a plan with too many objectives for the dashboard."""
    strategy = strategy_for(request.user, slug)
    quarter = quarter_of(strategy, quarter)
    data = build_review(strategy=strategy, quarter=quarter, user=request.user, every_action=False)
    return render(
        request,
        "performance/review_objectives.html",
        {
            "strategy": strategy,
            "quarter": quarter,
            "review": data,
            "marking": Marking(data.marking).label,
            "status_columns": STATUS_COLUMNS,
            "rag_columns": RAG_COLUMNS,
            "crumbs": [
                (strategy.title, reverse("actions:strategy_detail", args=[strategy.slug])),
                (f"Quarterly review {quarter}", reverse("performance:review", args=[strategy.slug, quarter.slug])),
                ("Per objective", None),
            ],
        },
    )


@login_required
@require_POST
def challenge_record(request, slug, quarter):
    """Record a challenge or decision, then go back to the dashboard's list of them."""
    strategy = strategy_for(request.user, slug)
    quarter = quarter_of(strategy, quarter)
    if not permissions.can_record_challenge(request.user, strategy):
        raise PermissionDenied("Only executive members, delivery-group chairs and officers record challenges.")
    data = build_review(strategy=strategy, quarter=quarter, user=request.user, every_action=False)
    form = ChallengeForm(request.POST, review=data, user=request.user)
    if not data.meetings:
        form.add_error(None, f"No meeting reviews {quarter} yet: an officer adds one on the meetings page first")
    elif form.is_valid():
        challenge = form.challenge(by=request.user)
        try:
            with transaction.atomic():
                challenge.full_clean()
                challenge.save()
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"Your {challenge.get_kind_display().lower()} has been recorded.")
            return redirect(reverse("performance:review", args=[strategy.slug, quarter.slug]) + "#challenges")
    return _dashboard(request, strategy, quarter, form=form)


@login_required
@require_POST
def review_pack_issue(request, slug, quarter):
    """Issue the quarter's pack for one of its meetings, or with no meeting, from the review."""
    strategy = strategy_for(request.user, slug)
    quarter = quarter_of(strategy, quarter)
    if not permissions.can_generate_pack(request.user, strategy):
        raise PermissionDenied("Only officers issue meeting packs.")
    data = build_review(strategy=strategy, quarter=quarter, user=request.user, every_action=False)
    form = PackIssueForm(request.POST, meetings=data.meetings)
    if form.is_valid():
        meeting = form.cleaned_data["meeting"]
        amber = form.cleaned_data["amber"]
        pack = pack_create(meeting=meeting, strategy=strategy, quarter=quarter, by=request.user, include_amber=amber)
        named = f"The pack for {meeting}" if meeting else f"The pack for {quarter}"
        if pack.state == MeetingPack.State.FAILED:
            messages.error(request, f"The pack could not be made: {pack.error}")
        elif pack.state == MeetingPack.State.ISSUED:
            messages.success(request, f"{named} has been issued.")
        else:
            messages.info(request, f"{named} is being made: this page lists it when it is ready.")
        return redirect(reverse("performance:review", args=[strategy.slug, quarter.slug]) + "#packs")
    return _dashboard(request, strategy, quarter, pack_form=form)
