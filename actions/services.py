"""Operations across several models: loading a partnership's plans from a document, demo logins.

Each function is keyword-only and atomic; running one twice leaves the database as running it once.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction

from actions.models import Action, ActionLead, DeliveryGroup, Objective
from strategy.models import (
    Marking,
    Membership,
    Organisation,
    Partnership,
    Person,
    Principle,
    StrategicObjective,
    Strategy,
    name_key,
)

DEMO_LOGINS = [
    # username, role, person the login is (by name), clearance
    ("officer", Membership.Role.OFFICER, "", Marking.OFFICIAL_SENSITIVE),
    ("chair", Membership.Role.CHAIR, "Sara Sutton", Marking.OFFICIAL),
    ("lead", Membership.Role.LEAD, "Serena Simon", Marking.OFFICIAL),
    ("executive", Membership.Role.EXECUTIVE, "", Marking.OFFICIAL_SENSITIVE),
    ("viewer", Membership.Role.VIEWER, "", Marking.OFFICIAL),
]


def _date(text):
    return datetime.date.fromisoformat(text)


@transaction.atomic
def partnership_document_load(*, document):
    """Create or bring up to date a partnership, its partners, people, strategies and action plans.

    `document` has the shape of fixtures/swp_demo.json. Rows are matched on natural keys
    (slugs, names, numbers, action references), so loading twice changes nothing.
    """
    spec = document["partnership"]
    partnership, _ = Partnership.objects.update_or_create(
        slug=spec["slug"],
        defaults={"name": spec["name"], "short_name": spec.get("short_name", ""), "area": spec.get("area", "")},
    )
    organisations = {}
    for item in document.get("organisations", []):
        organisations[item["name"]], _ = Organisation.objects.update_or_create(
            partnership=partnership,
            name=item["name"],
            defaults={
                "short_name": item.get("short_name", ""),
                "responsible_authority": item.get("responsible_authority", False),
            },
        )
    people = {}
    for item in document.get("people", []):
        person = Person.objects.filter(partnership=partnership, name_key=name_key(item["name"])).first()
        person = person or Person(partnership=partnership)
        person.name = item["name"]
        person.kind = item.get("kind", Person.Kind.PERSON)
        person.job_title = item.get("job_title", "")
        person.organisation = organisations.get(item.get("organisation", ""))
        person.save()
        people[name_key(person.name)] = person
    for item in document.get("strategies", []):
        _strategy_load(partnership=partnership, spec=item, organisations=organisations, people=people)
    return partnership


def _strategy_load(*, partnership, spec, organisations, people):
    strategy, _ = Strategy.objects.update_or_create(
        partnership=partnership,
        slug=spec["slug"],
        defaults={
            "title": spec["title"],
            "start_date": _date(spec["start_date"]),
            "end_date": _date(spec["end_date"]),
            "vision": spec.get("vision", ""),
            "summary": spec.get("summary", ""),
            "status": spec.get("status", Strategy.Status.DRAFT),
            "marking": Marking.from_text(spec.get("marking")),
        },
    )
    for position, item in enumerate(spec.get("principles", []), start=1):
        Principle.objects.update_or_create(
            strategy=strategy,
            position=position,
            defaults={"title": item["title"], "description": item.get("description", "")},
        )
    strategic_objectives = {}
    for item in spec.get("strategic_objectives", []):
        strategic_objectives[item["number"]], _ = StrategicObjective.objects.update_or_create(
            strategy=strategy,
            number=item["number"],
            defaults={
                "title": item["title"],
                "we_will": "\n".join(item.get("we_will", [])),
                "evidence": item.get("evidence", ""),
            },
        )
    for position, item in enumerate(spec.get("delivery_groups", []), start=1):
        group, _ = DeliveryGroup.objects.update_or_create(
            strategy=strategy,
            name=item["name"],
            defaults={
                "kind": item.get("kind", DeliveryGroup.Kind.DELIVERY),
                "code": item.get("code", "") or _group_code(item),
                "position": position,
                "aim": item.get("aim", ""),
                "chair": people.get(name_key(item.get("chair", ""))),
                "chair_note": item.get("chair_note", ""),
                "marking": Marking.from_text(item.get("marking")),
            },
        )
        for objective_spec in item.get("objectives", []):
            objective, _ = Objective.objects.update_or_create(
                delivery_group=group,
                number=objective_spec["number"],
                defaults={
                    "title": objective_spec["title"],
                    "strategic_objective": strategic_objectives.get(objective_spec.get("strategic_objective")),
                    "marking": Marking.from_text(objective_spec.get("marking")),
                },
            )
            for action_position, action_spec in enumerate(objective_spec.get("actions", []), start=1):
                _action_load(
                    objective=objective,
                    position=action_position,
                    spec=action_spec,
                    organisations=organisations,
                    people=people,
                )
    return strategy


def _group_code(spec):
    refs = [a["ref"] for o in spec.get("objectives", []) for a in o.get("actions", []) if a.get("ref")]
    return refs[0].rstrip("0123456789.") if refs else ""


def _action_load(*, objective, position, spec, organisations, people):
    leads = [people[name_key(name)] for name in spec.get("leads", [])]
    lead_organisation = organisations.get(spec.get("lead_organisation", ""))
    if lead_organisation is None:
        lead_organisation = next((person.organisation for person in leads if person.organisation), None)
    action = Action.objects.filter(strategy_id=objective.delivery_group.strategy_id, ref=spec["ref"]).first()
    action = action or Action(ref=spec["ref"])
    action.objective = objective
    action.position = position
    action.text = spec["text"]
    action.kpi = spec.get("kpi", "")
    action.deadline_text = spec.get("deadline", "")
    action.marking = Marking.from_text(spec.get("marking"))
    action.lead_organisation = lead_organisation
    action.full_clean(exclude=["strategy", "objective", "latest_update"], validate_unique=False)
    action.save()
    ActionLead.objects.filter(action=action).exclude(person__in=leads).delete()
    for lead_position, person in enumerate(leads, start=1):
        ActionLead.objects.update_or_create(action=action, person=person, defaults={"position": lead_position})
    action.contributing_organisations.set(organisations[name] for name in spec.get("contributing_organisations", []))
    return action


@transaction.atomic
def demo_logins_create(*, partnership, password):
    """One login for each role, named after it; safe to run again (it resets their passwords)."""
    User = get_user_model()
    users = []
    for username, role, person_name, clearance in DEMO_LOGINS:
        user, _ = User.objects.get_or_create(username=username)
        user.email = f"{username}@swp.example"
        user.first_name = person_name.split(" ")[0] if person_name else username.title()
        user.last_name = person_name.split(" ", 1)[1] if " " in person_name else "(demo)"
        user.is_active = True
        user.set_password(password)
        user.save()
        Membership.objects.update_or_create(
            user=user, defaults={"partnership": partnership, "role": role, "clearance": clearance}
        )
        if person_name:
            person = Person.objects.get(partnership=partnership, name_key=name_key(person_name))
            person.user = user
            person.email = person.email or user.email
            person.save()
        users.append(user)
    return users
