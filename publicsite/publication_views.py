"""The officers' publication page of a strategy: publish it, hold items back, write public wording.

Every change is saved through the models, so the audit trail records it with who and from where.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from actions.models import Action, DeliveryGroup, Objective
from publicsite.forms import ITEM_KINDS, PublicationForm, item_form_class
from strategy import permissions
from strategy.models import Marking, Strategy


def _strategy_to_publish(request, slug):
    strategy = get_object_or_404(Strategy.objects.visible_to(request.user).select_related("partnership"), slug=slug)
    if not permissions.can_manage_publication(request.user, strategy):
        raise PermissionDenied("Only officers publish a strategy and choose what is public.")
    return strategy


def _crumbs(strategy, here):
    return [
        ("Strategies", reverse("actions:strategy_list")),
        (strategy.title, reverse("actions:strategy_detail", args=[strategy.slug])),
        (here, None),
    ]


@login_required
@require_http_methods(["GET", "POST"])
def publication(request, slug):
    strategy = _strategy_to_publish(request, slug)
    partnership = strategy.partnership
    if request.method == "POST":
        form = PublicationForm(request.POST)
        if form.is_valid():
            with transaction.atomic():
                if form.cleaned_data["published"] != strategy.published:
                    strategy.published = form.cleaned_data["published"]
                    strategy.save(update_fields=["published"])
                help_text = form.cleaned_data["public_help"].strip()
                if help_text != partnership.public_help:
                    partnership.public_help = help_text
                    partnership.save(update_fields=["public_help"])
            messages.success(request, f"{strategy.title} is {'published' if strategy.published else 'not published'}.")
            return redirect("public:publication", slug=strategy.slug)
    else:
        form = PublicationForm(initial={"published": strategy.published, "public_help": partnership.public_help})
    user = request.user
    groups = DeliveryGroup.objects.filter(strategy=strategy).visible_to(user)
    objectives = Objective.objects.filter(delivery_group__strategy=strategy).visible_to(user)
    actions = Action.objects.visible_to(user).for_strategy(strategy).current()
    shown = {
        "group": set(groups.public(preview=True).values_list("pk", flat=True)),
        "objective": set(objectives.public(preview=True).values_list("pk", flat=True)),
        "action": set(actions.public(preview=True).values_list("pk", flat=True)),
    }
    actions_of, objectives_of = {}, {}
    for action in actions.only("pk", "ref", "text", "objective_id", "marking", "held_back", "public_wording"):
        action.shown = action.pk in shown["action"]
        actions_of.setdefault(action.objective_id, []).append(action)
    objective_fields = ("pk", "number", "title", "delivery_group_id", "marking", "held_back", "public_wording")
    for objective in objectives.only(*objective_fields):
        objective.shown = objective.pk in shown["objective"]
        objective.item_actions = actions_of.get(objective.pk, [])
        objectives_of.setdefault(objective.delivery_group_id, []).append(objective)
    groups = list(groups)
    for group in groups:
        group.shown = group.pk in shown["group"]
        group.item_objectives = objectives_of.get(group.pk, [])
    # The page lists every item the officer may see, so it carries the highest of their markings.
    listed = [strategy, *groups, *(o for g in groups for o in g.item_objectives)]
    listed += [a for g in groups for o in g.item_objectives for a in o.item_actions]
    return render(
        request,
        "public/publication.html",
        {
            "strategy": strategy,
            "form": form,
            "groups": groups,
            "marking": Marking(Marking.highest(item.marking for item in listed)).label,
            "public_url": reverse("public:strategy", args=[partnership.slug, strategy.slug]),
            "crumbs": _crumbs(strategy, "Publication"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def publication_item(request, slug, kind, pk):
    strategy = _strategy_to_publish(request, slug)
    if kind not in ITEM_KINDS:
        raise Http404
    model, noun, strategy_path = ITEM_KINDS[kind]
    item = get_object_or_404(model.objects.filter(**{strategy_path: strategy}), pk=pk)
    if not permissions.cleared_for(request.user, *_markings(item)):
        raise Http404
    form_class = item_form_class(model)
    form = form_class(request.POST if request.method == "POST" else None, instance=item)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"The {noun}'s publication has been saved.")
        return redirect(f"{reverse('public:publication', args=[strategy.slug])}#{kind}-{item.pk}")
    return render(
        request,
        "public/publication_item.html",
        {
            "strategy": strategy,
            "item": item,
            "noun": noun,
            "marking": Marking(Marking.highest([strategy.marking, *_markings(item)])).label,
            "form": form,
            "crumbs": [
                *_crumbs(strategy, "Publication")[:-1],
                ("Publication", reverse("public:publication", args=[strategy.slug])),
                (str(item)[:60], None),
            ],
        },
    )


def _markings(item):
    if isinstance(item, Action):
        return permissions.action_markings(item)
    if isinstance(item, Objective):
        return (item.marking, item.delivery_group.marking)
    return (item.marking,)
