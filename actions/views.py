"""The leads' pages: home, strategy overview, my actions, the action list and its downloads, an action
and its update form.

Every view fetches what it shows through `visible_to(user)` (404 for what a user may not see, so
existence does not leak) and asks `strategy.permissions` before changing anything (403).
"""

import datetime
import io
from collections import Counter, defaultdict

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from actions.filters import ActionFilter
from actions.forms import ActionUpdateForm, AsAtForm, StrategyForm
from actions.models import (
    Action,
    AwaitingSignOff,
    DeliveryGroup,
    QuarterLocked,
    StaleUpdate,
    StateAsAt,
    Status,
    Update,
    collecting_quarter,
    default_strategy,
    ended_quarters,
    lead_links_in_order,
    locked_quarters,
)
from actions.spreadsheets import highest_marking, plan_rows, write_csv, write_xlsx
from actions.todo import lead_quarter, next_to_update
from strategy import permissions
from strategy.models import Marking, Membership, Strategy
from strategy.periods import Quarter
from strategy.views import strategy_among

PAGE_SIZE = 50
# The action page shows how it stood at the end of the last quarter (what the review reads), and every
# quarter on asking: each quarter is a part of one query, and building each costs as much as a query.
QUARTER_ENDS_SHOWN = 1
# And its latest year of updates, the rest on asking: an action of a long strategy has dozens, a long
# page on a phone to scroll past.
UPDATES_SHOWN = 4
# Submissions apart from the history: one waits for the chair, and a few returned ones may sit above it.
SUBMISSIONS_SHOWN = 5


def _default_strategy(user):
    return default_strategy(Strategy.objects.listed_for(user), user)


def _get_strategy(request, slug):
    return get_object_or_404(Strategy.objects.visible_to(request.user).select_related("partnership"), slug=slug)


def _get_action(request, pk, actions):
    """The action `pk` of `actions` if the user may see it (else 404). Each page passes a queryset
    joining only what it shows: every table more in the query makes PostgreSQL's planning of it
    markedly slower. Read as a list, not with get(): get() asks for its rows with a LIMIT, and a
    LIMIT has PostgreSQL plan every way of joining the tables once more, for the quickest first row,
    where the primary key leaves at most one row."""
    found = list(actions.visible_to(request.user).filter(pk=pk).order_by())
    if not found:
        raise Http404(f"No {actions.model._meta.object_name} matches the given query.")
    return found[0]


def _get_action_with_details(request, pk):
    """The action for its page, with its flags, leads, agencies, indicators and review challenges."""
    actions = Action.objects.with_flags().select_related(
        "strategy", "objective__delivery_group__chair", "objective__strategic_objective", "lead_organisation"
    )
    action = _get_action(request, pk, actions)
    prefetch_related_objects([action], lead_links_in_order("person__organisation"), "contributing_organisations")
    # The indicators that measure the action and the review meetings' challenges and decisions about
    # it (the performance app's), read through the action's relations so this app imports nothing of
    # the one built on it; only those the user may see.
    action.visible_indicators = list(action.indicators.visible_to(request.user).order_by("ref_sort", "pk"))
    action.review_challenges = list(
        action.challenges.visible_to(request.user, seen="action")
        .select_related("meeting__delivery_group", "created_by", "owner_person", "owner_organisation")
        .order_by("created_at", "pk")
    )
    return action


def _awaiting_sign_off(actions, quarter):
    """Ids of the listed actions whose update for this quarter waits for the chair (one query)."""
    return set(
        Update.objects.awaiting_sign_off()
        .filter(action__in=[action.pk for action in actions], recorded_at__gte=quarter.start_moment)
        .order_by()  # a set: the updates' plan order would join their actions, groups and strategies
        .values_list("action_id", flat=True)
    )


def _flag(action, *, awaiting=frozenset()):
    """Attach what the lists show beside an action of ActionQuerySet.with_flags: besides overdue and due
    soon, not updated this quarter unless updated and waiting for the chair's sign-off (the lead has
    done their part)."""
    action.awaiting_sign_off = action.pk in awaiting
    action.returned_for_changes = False
    action.needs_update = action.no_update and not action.awaiting_sign_off
    return action


@login_required
@require_GET
def home(request):
    """Leads and chairs start at their actions; everyone else at the strategy overview."""
    if permissions.role(request.user) in (Membership.Role.LEAD, Membership.Role.CHAIR):
        return redirect("actions:my_actions")
    strategy = _default_strategy(request.user)
    if strategy is None:
        return redirect("actions:strategy_list")
    return redirect("actions:strategy_detail", slug=strategy.slug)


@login_required
@require_GET
def strategy_list(request):
    strategies = Strategy.objects.visible_to(request.user).select_related("partnership")
    return render(
        request,
        "actions/strategy_list.html",
        {"strategies": strategies, "may_add": permissions.can_add_strategy(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def strategy_add(request):
    """An officer adds a strategy; from the import page ("Import into a new strategy") the next step
    is uploading its plan."""
    if not permissions.can_add_strategy(request.user):
        raise PermissionDenied("Only officers add strategies.")
    found = permissions.membership(request.user)
    then_import = (request.GET.get("then") or request.POST.get("then")) == "import"
    form = StrategyForm(
        request.POST if request.method == "POST" else None,
        partnership=found.partnership,
        clearance_markings=permissions.allowed_markings(request.user),
    )
    if request.method == "POST" and form.is_valid():
        strategy = form.save()
        messages.success(request, f"{strategy.title} has been added.")
        if then_import:
            return redirect(f"{reverse('actions:import_upload')}?{urlencode({'strategy': strategy.slug})}")
        return redirect("actions:strategy_detail", slug=strategy.slug)
    return render(
        request,
        "actions/strategy_form.html",
        {
            "form": form,
            "then_import": then_import,
            "crumbs": [("Strategies", reverse("actions:strategy_list")), ("Add a strategy", None)],
        },
    )


@login_required
@require_GET
def strategy_detail(request, slug):
    strategy = _get_strategy(request, slug)
    # ?as_at=2024-Q2: the counts as they stood at the end of a past quarter, from the update history.
    as_at_form = AsAtForm(request.GET if "as_at" in request.GET else None, quarters=ended_quarters(strategy))
    as_at = as_at_form.quarter
    visible = Action.objects.for_strategy(strategy).visible_to(request.user).as_at_end_of(as_at)
    status_field = "status" if as_at is None else "as_at_status"
    counts = defaultdict(Counter)
    for group_id, status, n in (
        visible.order_by().values_list("objective__delivery_group", status_field).annotate(n=Count("pk"))
    ):
        counts[group_id][status] = n
    groups = DeliveryGroup.objects.filter(strategy=strategy).select_related("chair").visible_to(request.user)
    group_rows = [
        {
            "group": group,
            "total": sum(counts[group.pk].values()),
            "by_status": [(value, label, counts[group.pk][value]) for value, label in Status.choices],
        }
        for group in groups
    ]
    # The strip carries the highest marking of what the page shows: the strategy's, or a group's above it.
    marking = Marking.highest([strategy.marking, *(row["group"].marking for row in group_rows)])
    return render(
        request,
        "actions/strategy_detail.html",
        {
            "strategy": strategy,
            "principles": strategy.principles.all(),
            "strategic_objectives": strategy.strategic_objectives.all(),
            "group_rows": group_rows,
            "statuses": Status.choices,
            "may_manage": permissions.can_manage_strategy(request.user, strategy),
            "may_import": permissions.can_import_plan(request.user, strategy),
            "as_at_form": as_at_form,
            "as_at": as_at,
            "marking": Marking(marking).label,
        },
    )


@login_required
@require_GET
def my_actions(request):
    """The lead's to-do list for the quarter (actions.todo)."""
    return my_actions_page(request)


def my_actions_page(request, *, responding=None, response_form=None):
    """My actions; with `responding` (a decision's pk) and its bound `response_form` when the response
    the user sent for it did not validate, shown beside it with the errors."""
    entries = lead_quarter(request.user)
    to_sign_off = 0
    if permissions.can_sign_off_any(request.user):  # chairs land here: what waits for them
        to_sign_off = Update.objects.awaiting_sign_off_by(request.user).count()
    close_form = apps.get_model("performance", "Challenge").close_form  # the app built on this one
    for entry in entries:
        for decision in entry.decisions:
            decision.may_drop = permissions.can_change_decision(request.user, decision)
            decision.form = response_form if decision.pk == responding else close_form(decision, decision.may_drop)
    return render(
        request,
        "actions/my_actions.html",
        {
            "entries": entries,
            "several": len(entries) > 1,
            "to_sign_off": to_sign_off,
            "has_person": permissions.person_id(request.user) is not None,
            "response_form": response_form,
        },
    )


def _filtered_actions(request, strategies):
    """The strategy of `strategies` (those listed for the user) named by the request, the bound filter and
    the filtered actions of the action list."""
    slug = request.GET.get("strategy")
    strategy = strategy_among(strategies, slug) if slug else _default_strategy(request.user)
    if strategy is None:
        return None, None, Action.objects.none()
    base = Action.objects.for_strategy(strategy).visible_to(request.user)
    as_at = ActionFilter.quarter_as_at(request.GET, strategy)
    # The quarterly review links here "as at" a past quarter: the plan as it stood at its end.
    base = base.as_at_end_of(as_at) if as_at else base.current().with_flags()
    data = request.GET.copy()
    data.pop("page", None)
    filterset = ActionFilter(data, queryset=base, strategy=strategy, user=request.user)
    return strategy, filterset, filterset.qs


@login_required
@require_GET
def action_list(request):
    strategies = list(Strategy.objects.listed_for(request.user))
    strategy, filterset, actions = _filtered_actions(request, strategies)
    page = Paginator(actions.with_related(), PAGE_SIZE).get_page(request.GET.get("page"))
    quarter = Quarter.current()
    as_at = filterset.quarter if filterset is not None else None
    awaiting = _awaiting_sign_off(page.object_list, quarter) if as_at is None else set()
    for action in page.object_list:
        if as_at is not None:
            _flag_as_at(action, as_at)
        else:
            _flag(action, awaiting=awaiting)
            action.as_at_state = None  # the row shows the action's own state
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "actions/action_list.html",
        {
            "marking": _page_marking(strategy, page.object_list),
            "strategy": strategy,
            "strategies": strategies,
            "filter": filterset,
            "page_obj": page,
            "querystring": query.urlencode(),
            "columns": _sort_columns(query),
            "download_query": urlencode({**query.dict(), "strategy": strategy.slug}) if strategy else "",
            "as_at": as_at,
            "now_query": urlencode([(k, v) for k, values in query.lists() if k != "as_at" for v in values]),
        },
    )


def _page_marking(strategy, actions):
    """The marking strip of a page listing `actions`: the highest of theirs, their objectives', groups'
    and the strategy's (all loaded with the actions, so no query)."""
    if strategy is None:
        return ""
    found = [strategy.marking]
    for action in actions:
        found += [action.marking, action.objective.marking, action.objective.delivery_group.marking]
    return Marking(Marking.highest(found)).label


def _flag_as_at(action, quarter):
    """Attach what the list shows of an action as it stood at the end of `quarter`: its state then
    and that state's flags (`as_at_state`, from ActionQuerySet.with_flags_as_at)."""
    action.as_at_state = StateAsAt.annotated(action, quarter)
    action.overdue, action.needs_update = action.as_at_state.overdue, action.as_at_state.no_update
    return action


SORTABLE_COLUMNS = [
    ("Ref", "ref"),
    ("Action", None),
    ("Lead", None),
    ("Status", "status"),
    ("Progress", "progress"),
    ("Due", "due_date"),
    ("Last updated", "updated"),
]


def _sort_columns(query):
    """The list's column headers: each sortable one links to sorting by it (again: the other way)."""
    current = query.get("sort", "")
    columns = []
    for label, key in SORTABLE_COLUMNS:
        if key is None:
            columns.append({"label": label})
            continue
        ascending = current == key
        descending = current == f"-{key}"
        link = query.copy()
        link["sort"] = f"-{key}" if ascending else key
        columns.append(
            {
                "label": label,
                "url": f"?{link.urlencode()}",
                "aria_sort": "ascending" if ascending else "descending" if descending else "none",
                "numeric": key == "progress",
            }
        )
    return columns


@login_required
@require_GET
def action_list_download(request, file_format):
    strategy, filterset, actions = _filtered_actions(request, Strategy.objects.listed_for(request.user))
    if strategy is None:
        raise PermissionDenied("There is no strategy to download.")
    if filterset.quarter is not None:
        # A download is the plan as it stands now, ready to edit and import again: one "as at" a past
        # quarter would either write today's status beside yesterday's filters or, imported back,
        # rewind every action. The list itself shows the past state.
        messages.error(
            request,
            f"Downloads give each action's current state, not its state at the end of {filterset.quarter}. "
            "Select “Show the current state instead”, then download.",
        )
        return redirect(f"{reverse('actions:action_list')}?{request.GET.urlencode()}")
    rows = list(plan_rows(strategy, actions=actions))
    marking = highest_marking(strategy, actions)  # of the actions, their objectives and groups, the strategy
    name = f"{strategy.slug}-actions-{marking.label.lower()}.{file_format}"
    if file_format == "csv":
        buffer = io.StringIO()
        write_csv(rows, buffer)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        buffer = io.BytesIO()
        write_xlsx(rows, buffer, title=strategy.slug)
        response = HttpResponse(
            buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def action_detail(request, pk):
    action = _get_action_with_details(request, pk)
    updates, sign_off = _history_and_sign_off(action)
    _flag(action)
    may_correct = permissions.can_record_correction(request.user, action)
    quarters = ended_quarters(action.strategy)
    every_quarter = request.GET.get("quarters") == "all" or len(quarters) <= QUARTER_ENDS_SHOWN
    every_update = request.GET.get("history") == "all" or len(updates) <= UPDATES_SHOWN
    # Each "show all" link keeps the other section as the reader asked for it.
    asked = {section: "all" for section in ("quarters", "history") if request.GET.get(section) == "all"}
    return render(
        request,
        "actions/action_detail.html",
        {
            "action": action,
            "updates": updates if every_update else updates[:UPDATES_SHOWN],
            "update_count": len(updates),
            "every_update": every_update,
            # The table shows of the flags only whether the action was updated in the quarter.
            "quarter_ends": Action.objects.filter(pk=action.pk).quarter_ends(
                quarters if every_quarter else quarters[:QUARTER_ENDS_SHOWN], flags=("updated_in_quarter",)
            ),
            "every_quarter": every_quarter,
            "every_quarter_url": f"?{urlencode({**asked, 'quarters': 'all'})}#quarter-ends",
            "every_update_url": f"?{urlencode({**asked, 'history': 'all'})}#history",
            "last_quarter": quarters[0] if quarters else None,
            "sign_off_updates": sign_off,
            "may_update": permissions.can_update_action(request.user, action),
            "may_approve": permissions.can_approve_update(request.user, action),
            "locked_quarters": locked_quarters(action.strategy_id) if may_correct else [],
            "crumbs": _crumbs(action),
        },
    )


def _history_and_sign_off(action):
    """The action's updates that count, newest first (its history), and, with sign-off on, the latest
    five submissions apart from it, waiting for the chair or returned, since the last update that
    counts (an older return has been dealt with): one read of its updates."""
    every = list(action.updates.select_related("created_by", "reviewed_by").order_by("-recorded_at", "-pk"))
    history = [update for update in every if update.counts]
    since = max((update.created_at for update in history), default=None)
    submitted = [update for update in every if not update.counts and (since is None or update.created_at > since)]
    submitted.sort(key=lambda update: (update.created_at, update.pk), reverse=True)
    return history, submitted[:SUBMISSIONS_SHOWN]


def _recorded_at(day):
    """When an update dated `day` counts from: now for today (or no date), else the day's last moment."""
    if day is None or day == timezone.localdate():
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))


def _crumbs(action):
    strategy = action.strategy
    group = action.objective.delivery_group
    return [
        (strategy.title, reverse("actions:strategy_detail", args=[strategy.slug])),
        (group.name, f"{reverse('actions:action_list')}?{urlencode({'strategy': strategy.slug, 'group': group.pk})}"),
    ]


@login_required
@require_http_methods(["GET", "POST"])
def action_update(request, pk):
    action = _get_action(
        request, pk, Action.objects.select_related("strategy", "objective__delivery_group", "latest_update__created_by")
    )
    if not permissions.can_update_action(request.user, action):
        raise PermissionDenied("You cannot update this action: only its leads, its group's chair and officers can.")
    conflict = None
    # Opened from the to-do list (My actions): "Save and next" goes on to the next action to update.
    todo = request.GET.get("todo") == "1"
    # While a round collects the updates for a quarter that has ended, they describe that quarter.
    collecting = collecting_quarter(action.strategy_id)
    returned = action.returned_update()
    if request.method == "POST":
        form = ActionUpdateForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                update = action.record_update(
                    by=request.user,
                    status=data["status"],
                    rag=data["rag"],
                    progress=data["progress"],
                    commentary=data["commentary"].strip(),
                    revised_due_date=data["revised_due_date"],
                    decision_needed=data["decision_needed"].strip(),
                    approved_by=data["approved_by"].strip(),
                    evidence_url=data["evidence_url"],
                    public_note=data["public_note"].strip(),
                    recorded_at=_recorded_at(data.get("recorded_on")),
                    expected_latest_update_id=form.seen_update_id(),
                )
            except QuarterLocked as locked:
                form.add_error("recorded_on", str(locked))
            except AwaitingSignOff as waiting:
                form.add_error(None, str(waiting))
            except StaleUpdate as stale:
                conflict = stale.latest_update
                # Keep everything the user typed; the next submit is checked against the newer update.
                data = request.POST.copy()
                data["seen_update"] = str(conflict.pk) if conflict else ""
                form = ActionUpdateForm(data)
                form.is_valid()
                if conflict is None:  # the form named an update that is not the action's latest: altered
                    form.add_error(None, "This form was out of date. Check your update and save it again.")
            else:
                if update.review_state == Update.ReviewState.SUBMITTED:
                    messages.success(
                        request,
                        f"Your update to {action.ref} has been sent to the delivery-group chair for sign-off. "
                        "It will count once approved.",
                    )
                else:
                    messages.success(request, f"Your update to {action.ref} has been saved.")
                if request.POST.get("then") == "next":
                    following = next_to_update(request.user, action, after_returned=returned is not None)
                    if following is None:
                        return redirect("actions:my_actions")
                    return redirect(f"{reverse('actions:action_update', args=[following.pk])}?todo=1")
                return redirect("actions:action_detail", pk=action.pk)
    else:
        form = ActionUpdateForm(initial=_update_form_initial(action, returned=returned, collecting=collecting))
    if conflict is not None:
        conflict = type(conflict).objects.select_related("created_by").get(pk=conflict.pk)
    return render(
        request,
        "actions/action_update.html",
        {
            "action": action,
            "form": form,
            "conflict": conflict,
            "conflict_list": [conflict] if conflict else [],
            "collecting": collecting,
            "returned": returned,
            "previous": action.latest_update,
            "todo": todo,
            "needs_sign_off": permissions.update_needs_sign_off(request.user, action),
            "crumbs": _crumbs(action),
        },
        status=409 if conflict else 200,
    )


def _update_form_initial(action, *, returned, collecting):
    """The update form as it opens: the action as its latest counted update left it (the previous
    commentary is shown above the box, not copied in), or, when the chair returned the lead's update,
    everything that update said, to change rather than type again."""
    initial = {
        "status": action.status,
        "rag": action.rag,
        "progress": action.progress,
        "revised_due_date": action.revised_due_date,
        "recorded_on": collecting.end if collecting else None,
        "seen_update": action.latest_update_id or "none",
    }
    if returned is not None:
        fields = ("status", "rag", "progress", "commentary", "revised_due_date", "decision_needed", "approved_by")
        initial.update({name: getattr(returned, name) for name in fields}, evidence_url=returned.evidence_url)
    return initial
