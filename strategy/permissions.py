"""Who may see and change what: the one place that decides.

Views, querysets and admin classes in every app ask these functions; none decides on its own.

The rules:
- A user belongs to one partnership (their Membership) and sees nothing of any other.
- A user sees only items marked at or below their clearance; an item inside a higher-marked
  strategy, group or objective is hidden with it.
- Officer: manages everything in their partnership.
- Delivery-group chair: updates every action of the groups they chair, and the actions they lead.
- Lead: updates the actions they lead.
- Executive member and viewer: read everything in the partnership, change nothing.
- A superuser (the deployment's administrator) may do everything, in every partnership.
"""

import functools

from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Exists, OuterRef, Q, Subquery

from strategy.models import Marking, Membership, Person, Strategy
from strategy.scoping import Scoping

Role = Membership.Role

READ_ROLES = frozenset(Role.values)
UPDATE_ROLES = frozenset({Role.OFFICER, Role.CHAIR, Role.LEAD})


def membership(user):
    """The user's Membership with its partnership (one query, then cached on the user).

    The same query says whether the user leads or chairs anything and whether any strategy of the
    partnership uses sign-off, so the header's navigation (`navigation`) costs no query of its own.
    """
    if user is None or not user.is_authenticated:
        return None
    if not hasattr(user, "_swp_membership"):
        # One at most (one login, one membership), so read as it is: first() would add an order and a
        # LIMIT, which has PostgreSQL plan the joins once more for the quickest first row.
        user._swp_membership = next(iter(_memberships().filter(user=user)), None)
    return user._swp_membership


@functools.cache
def _memberships():
    """Memberships with their partnership and what the navigation asks of them. Every page asks, and
    only the user differs, so the subqueries are put together once per process rather than per page
    (the queryset is only ever filtered, which copies it, never read itself)."""
    mine = Person.objects.filter(user=OuterRef("user_id"))
    return Membership.objects.select_related("partnership").annotate(
        leads_actions=Exists(mine.filter(lead_links__isnull=False)),
        chairs_groups=Exists(mine.filter(chaired_groups__isnull=False)),
        # Decisions of meetings (performance app, by their related names) still open for them.
        owns_decisions=Exists(mine.filter(decisions__state="open")),
        organisation_owns_decisions=Exists(mine.filter(organisation__decisions__state="open")),
        partnership_signs_off=Exists(
            Strategy.objects.filter(partnership=OuterRef("partnership_id"), requires_sign_off=True).exclude(
                status=Strategy.Status.ARCHIVED
            )
        ),
    )


def role(user):
    found = membership(user)
    return found.role if found else None


def partnership_id(user):
    found = membership(user)
    return found.partnership_id if found else None


def person_id(user):
    """The Person this login is, or None. Cached on the user for the request."""
    return _person(user)[0]


def person_organisation_id(user):
    """The partner organisation of the Person this login is, or None (same cached query as person_id)."""
    return _person(user)[1]


def _person(user):
    if not hasattr(user, "_swp_person"):
        found = None
        if user.is_authenticated:
            found = Person.objects.filter(user=user).values_list("pk", "organisation_id").first()
        user._swp_person = found or (None, None)
    return user._swp_person


def allowed_markings(user):
    if user.is_authenticated and user.is_superuser:
        return list(Marking.values)
    found = membership(user)
    return Marking.up_to(found.clearance) if found else []


def cleared_for(user, *markings):
    allowed = allowed_markings(user)
    return all(marking in allowed for marking in markings)


def is_officer(user, partnership_pk=None):
    if user.is_authenticated and user.is_superuser:
        return True
    found = membership(user)
    return bool(
        found and found.role == Role.OFFICER and (partnership_pk is None or found.partnership_id == partnership_pk)
    )


def is_member(user, partnership_pk):
    if user.is_authenticated and user.is_superuser:
        return True
    return partnership_id(user) == partnership_pk


def can_import_export_in_back_office(user):
    """Partner organisations, people, indicators and indicator values go in and out of the back office
    as spreadsheets for an officer (their own partnership's rows within their clearance only) and the
    deployment's administrator."""
    return is_officer(user)


def needs_two_factor(user):
    """Officers and administrators (superusers, staff) sign in with a second factor when
    settings.TWO_FACTOR_REQUIRED is on: they can change a whole partnership's plans and people."""
    if user is None or not user.is_authenticated:
        return False
    return bool(user.is_superuser or user.is_staff or role(user) == Role.OFFICER)


# Logins are Django's own model, so their scoping is declared here rather than on the model.
LOGIN_SCOPING = Scoping(partnership="membership__partnership")


def scoping_of(model):
    """The Scoping `model` declares (strategy/scoping.py), or None for a model scoped by nothing. A
    history model declares its own or is scoped as the model it records, whose links its rows copy."""
    if model is User:
        return LOGIN_SCOPING
    declared = getattr(model, "scoping", None)
    if declared is None and hasattr(model, "instance_type"):
        declared = getattr(model.instance_type, "scoping", None)
    return declared


def scope(queryset, user, scoping=None, *, seen=None):
    """Rows of `queryset` the user may see: their partnership only, within their clearance, by the
    Scoping its model declares (or `scoping`). `seen`: a link from these rows to one row the caller
    has already found the user may see (Scoping.beyond), when every row of `queryset` links to it."""
    scoping = scoping or scoping_of(queryset.model)
    if scoping is None:
        raise ImproperlyConfigured(f"{queryset.model.__name__} declares no scoping (strategy/scoping.py)")
    if seen is not None:
        scoping = scoping.beyond(seen)
    if not user.is_authenticated:
        return queryset.none()
    if not user.is_superuser:
        found = membership(user)
        if found is None:
            return queryset.none()
        if callable(scoping.partnership):
            queryset = scoping.partnership(queryset, found.partnership_id)
        else:
            queryset = queryset.filter(**{scoping.partnership: found.partnership_id})
    allowed = allowed_markings(user)
    return within_markings(queryset, allowed, scoping) if len(allowed) < len(Marking.values) else queryset


def within_markings(queryset, allowed, scoping=None):
    """Rows of `queryset` that no marking outside `allowed` hides, by the Scoping its model declares
    (or `scoping`): the clearance half of `scope`."""
    scoping = scoping or scoping_of(queryset.model)
    hidden = [marking for marking in Marking.values if marking not in allowed]
    for path in scoping.marking:
        queryset = queryset.filter(**{f"{path}__in": allowed})
    for path in scoping.marking_if_linked:
        queryset = queryset.exclude(**{f"{path}__in": hidden})
    return queryset


# Actions -------------------------------------------------------------------------------------
# These take an Action (from the actions app) and read only its fields, so this module stays in
# the base app without importing what is built on it.


def action_markings(action):
    group = action.objective.delivery_group
    return (action.marking, action.objective.marking, group.marking, action.strategy.marking)


def can_view_action(user, action):
    return is_member(user, action.strategy.partnership_id) and cleared_for(user, *action_markings(action))


def can_follow_action(user, action):
    """Anyone who may see an action may follow it (e-mails of its updates and decisions, each filtered
    again to what they may see when it is sent)."""
    return user.is_authenticated and can_view_action(user, action)


def updatable_actions_q(user):
    """A filter for the actions this user may update (inside what they may see)."""
    if user.is_authenticated and user.is_superuser:
        return Q(computed_from="")
    found = membership(user)
    if found is None or found.role not in UPDATE_ROLES:
        return Q(pk__in=[])
    if found.role == Role.OFFICER:
        return Q()
    me = person_id(user)
    if me is None:
        return Q(pk__in=[])
    if found.role == Role.CHAIR:
        return Q(objective__delivery_group__chair_id=me) | Q(leads__id=me)
    return Q(leads__id=me)


def can_update_action(user, action):
    if not can_view_action(user, action) or action.archived_at is not None:
        return False
    found = membership(user)
    if user.is_superuser or (found and found.role == Role.OFFICER):
        return True
    if found is None or found.role not in UPDATE_ROLES:
        return False
    me = person_id(user)
    if me is None:
        return False
    if found.role == Role.CHAIR and action.objective.delivery_group.chair_id == me:
        return True
    return action.leads.filter(pk=me).exists()


def can_manage_strategy(user, strategy):
    """Officers shape strategies: groups, objectives, actions, imports."""
    return is_officer(user, strategy.partnership_id) and cleared_for(user, strategy.marking)


def can_add_strategy(user):
    """Officers of a partnership add its strategies (a superuser in no partnership uses the back office)."""
    found = membership(user)
    return bool(found and found.role == Role.OFFICER)


def _hidden_markings(user):
    return [marking for marking in Marking.values if marking not in allowed_markings(user)]


def can_import_plan(user, strategy):
    """Officers import an action plan into a strategy, and see its imports, only if cleared for
    everything in it: every delivery group, objective and action, whatever its marking.

    Why the whole strategy and not a preview trimmed to the officer's clearance: an import rewrites
    the plan as a whole. Its preview lists the current values of every group, objective and action
    the file changes, its result what was changed, and "archive the actions not in this file" reaches
    actions the officer could not see; a trimmed preview would ask them to confirm changes they were
    not shown. One answer for the import pages, their records and the back office.
    """
    if not can_manage_strategy(user, strategy):
        return False
    hidden = _hidden_markings(user)
    if not hidden:
        return True
    # Read through the strategy's reverse relations, so this module imports nothing of the actions app.
    groups = strategy.delivery_groups.all()
    return not (
        groups.filter(marking__in=hidden).exists()
        or groups.filter(objectives__marking__in=hidden).exists()
        or strategy.actions.filter(marking__in=hidden).exists()
    )


# Indicators ------------------------------------------------------------------------------------
# These take an Indicator (from the performance app) and read only its fields and its owners.
# An indicator's owners are the Person rows named on it; an owner whose Person is linked to their
# login, and whose role may change things (officer, chair or lead), may enter and correct its values.


def indicator_markings(indicator):
    return (indicator.marking, indicator.strategy.marking)


def can_view_indicator(user, indicator):
    return is_member(user, indicator.strategy.partnership_id) and cleared_for(user, *indicator_markings(indicator))


def value_enterers_q(user):
    """A filter for the indicators whose values this user may enter (inside what they may see)."""
    if user.is_authenticated and user.is_superuser:
        return Q()
    found = membership(user)
    if found is None or found.role not in UPDATE_ROLES:
        return Q(pk__in=[])
    if found.role == Role.OFFICER:
        return Q(computed_from="")
    me = person_id(user)
    return Q(owners__id=me, computed_from="") if me is not None else Q(pk__in=[])


def can_enter_values(user, indicator):
    """Officers of the partnership and the indicator's owners enter and correct its values; nobody types
    over the values of an indicator computed from data (e.g. police.uk's crime counts)."""
    if indicator.computed or not can_view_indicator(user, indicator):
        return False
    found = membership(user)
    if user.is_superuser or (found and found.role == Role.OFFICER):
        return True
    if found is None or found.role not in UPDATE_ROLES:
        return False
    me = person_id(user)
    return me is not None and indicator.owners.filter(pk=me).exists()


def can_manage_indicators(user, strategy):
    """Officers define indicators (their targets, owners and links) in the back office."""
    return can_manage_strategy(user, strategy)


def can_manage_value_imports(user, strategy):
    """Officers see and manage every value import of a strategy only if cleared for all its indicators.

    An import's preview and result carry the figures of the indicators it names, whatever their
    marking; an officer cleared only for OFFICIAL would otherwise read OFFICIAL-SENSITIVE figures that
    a cleared colleague uploaded. (The one who uploaded a file always sees their own import: they could
    only name indicators they may enter.)"""
    if not can_manage_indicators(user, strategy):
        return False
    hidden = _hidden_markings(user)
    return not hidden or not strategy.indicators.filter(marking__in=hidden).exists()


def can_view_value_import(user, record):
    strategy = record.strategy
    if not is_member(user, strategy.partnership_id) or not cleared_for(user, strategy.marking):
        return False
    return record.created_by_id == user.pk or can_manage_value_imports(user, strategy)


def visible_value_imports(queryset, user):
    """`queryset` of value imports cut to those can_view_value_import allows (for lists and the admin)."""
    queryset = scope(queryset, user)
    mine = Q(created_by_id=user.pk)
    if not is_officer(user):
        return queryset.filter(mine)
    hidden = _hidden_markings(user)
    if not hidden:
        return queryset
    with_hidden = Strategy.objects.filter(indicators__marking__in=hidden).values("pk")
    return queryset.filter(mine | ~Q(strategy__in=with_hidden))


# Update rounds, reminders and sign-off ---------------------------------------------------------


def can_manage_rounds(user, strategy):
    """Officers open and close a strategy's update rounds, see who has returned and send reminders."""
    return is_officer(user, strategy.partnership_id) and cleared_for(user, strategy.marking)


def can_approve_update(user, action):
    """The action's delivery-group chair signs its updates off; officers may too."""
    if user is None or not can_view_action(user, action) or not user.is_authenticated:
        return False
    if is_officer(user, action.strategy.partnership_id):
        return True
    found = membership(user)
    if found is None or found.role != Role.CHAIR:
        return False
    me = person_id(user)
    return me is not None and action.objective.delivery_group.chair_id == me


def update_needs_sign_off(user, action):
    """With sign-off on, an update counts only once approved, unless its author may approve it."""
    return bool(action.strategy.requires_sign_off) and not (
        user is None or (user.is_authenticated and user.is_superuser) or can_approve_update(user, action)
    )


def sign_off_updates_q(user):
    """A filter on updates for those this user may sign off (inside what they may see)."""
    if user.is_authenticated and user.is_superuser:
        return Q()
    found = membership(user)
    if found is None:
        return Q(pk__in=[])
    if found.role == Role.OFFICER:
        return Q()
    me = person_id(user)
    if found.role != Role.CHAIR or me is None:
        return Q(pk__in=[])
    return Q(action__objective__delivery_group__chair_id=me)


def can_sign_off_any(user):
    """Whether the sign-off queue is for this user: chairs and officers."""
    return bool(user.is_authenticated and (user.is_superuser or role(user) in (Role.OFFICER, Role.CHAIR)))


def can_record_correction(user, action):
    """Only officers correct a closed quarter's history (with a reason, kept in the history)."""
    return can_view_action(user, action) and is_officer(user, action.strategy.partnership_id)


# The quarterly review, meetings and packs -------------------------------------------------------
# These take a Strategy, a Meeting or a MeetingPack (from the performance app) and read only their
# fields, so this module stays in the base app.

REVIEW_CHALLENGE_ROLES = frozenset({Role.OFFICER, Role.CHAIR, Role.EXECUTIVE})


def can_view_review(user, strategy):
    """Every member of the partnership cleared for the strategy sees its review, meetings and packs."""
    return is_member(user, strategy.partnership_id) and cleared_for(user, strategy.marking)


def can_record_challenge(user, strategy):
    """Executive members, delivery-group chairs and officers record challenges and decisions."""
    if not can_view_review(user, strategy):
        return False
    return bool(user.is_superuser or role(user) in REVIEW_CHALLENGE_ROLES)


def can_manage_meetings(user, strategy):
    """Officers add, change and remove a strategy's meetings."""
    return can_manage_strategy(user, strategy)


def can_generate_pack(user, strategy):
    """Officers issue meeting packs."""
    return can_manage_strategy(user, strategy)


def meeting_markings(meeting):
    group = meeting.delivery_group if meeting.delivery_group_id else None
    return (meeting.strategy.marking, group.marking if group else Marking.OFFICIAL)


def can_view_meeting(user, meeting):
    return is_member(user, meeting.strategy.partnership_id) and cleared_for(user, *meeting_markings(meeting))


def can_mark_meeting_held(user, meeting):
    """Officers mark a meeting held, and correct what was recorded at it afterwards (with a reason)."""
    return can_manage_meetings(user, meeting.strategy)


def can_change_decision(user, decision):
    """Officers change what a decision says (its text, owner, due date), and drop it."""
    return can_manage_meetings(user, decision.meeting.strategy)


# A decision owned by a partner organisation is answered by the organisation's people who sign in and
# take part (any role but viewer): at the meeting "Police" means whoever speaks for the police.
OWNING_ROLES = frozenset({Role.OFFICER, Role.CHAIR, Role.LEAD, Role.EXECUTIVE})


def owned_decisions_q(user):
    """Q on decisions (Challenge) for those `user` owns: naming their Person, or their organisation
    if their role takes part. Nothing for a login not linked to a Person."""
    me, organisation = person_id(user), person_organisation_id(user)
    if me is None:
        return Q(pk__in=[])
    owned = Q(owner_person_id=me)
    if organisation is not None and role(user) in OWNING_ROLES:
        owned |= Q(owner_organisation_id=organisation)
    return owned & Q(meeting__strategy__partnership_id=partnership_id(user))


def owns_decision(user, decision):
    if not user.is_authenticated or not is_member(user, decision.meeting.strategy.partnership_id):
        return False
    me = person_id(user)
    if me is not None and decision.owner_person_id == me:
        return True
    organisation = person_organisation_id(user)
    return bool(
        organisation is not None and decision.owner_organisation_id == organisation and role(user) in OWNING_ROLES
    )


def can_close_decision(user, decision):
    """An open decision is closed with a response by its owner (the person it names, signed in, or one
    of the organisation it names: owns_decision) or by an officer. Only officers drop one."""
    if decision.kind != "decision" or decision.state != "open":
        return False
    return can_change_decision(user, decision) or owns_decision(user, decision)


def can_record_attendance(user, meeting):
    """Officers record who attended a meeting (after it is held, as a correction with a reason)."""
    return can_manage_meetings(user, meeting.strategy)


def can_view_pack(user, pack):
    """An issued pack is marked as the most sensitive thing in it; only those cleared for that open it,
    who may see its meeting (or, for a pack without one, its strategy's review)."""
    seen = can_view_meeting(user, pack.meeting) if pack.meeting_id else can_view_review(user, pack.strategy)
    return seen and cleared_for(user, pack.marking)


# The annual report ------------------------------------------------------------------------------
# A strategy's report on a financial year, made from the plan when asked for. Its editions are
# markings: an edition leaves out everything marked above it (groups, objectives, actions and their
# indicators), so the OFFICIAL edition is what an OFFICIAL reader could see.


def can_view_annual_report(user, strategy):
    """Every member cleared for the strategy reads its annual report, as its review."""
    return can_view_review(user, strategy)


def can_edit_annual_report(user, strategy):
    """Officers write the report's introduction and conclusion."""
    return can_manage_strategy(user, strategy)


def annual_report_editions(user, strategy):
    """The editions of the strategy's annual report this user may download, lowest first: the markings
    they are cleared for, from the strategy's own up (nothing of an OFFICIAL-SENSITIVE strategy can be
    left in an OFFICIAL edition)."""
    if not can_view_annual_report(user, strategy):
        return []
    floor = list(Marking.values).index(strategy.marking)
    return [marking for marking in allowed_markings(user) if list(Marking.values).index(marking) >= floor]


def edition_q(scoping, edition, *, also=()):
    """A filter for the rows (of a model scoped by `scoping`) an edition marked `edition` may carry:
    nothing marked above it, on its scoping's paths or on `also`. A path that reaches no row (an
    indicator of no delivery group) leaves nothing out."""
    hidden = [marking for marking in Marking.values if marking not in Marking.up_to(edition)]
    condition = Q()
    for path in (*scoping.marking, *scoping.marking_if_linked, *also):
        condition &= ~Q(**{f"{path}__in": hidden})
    return condition


def edition_indicators_q(scoping, edition):
    """edition_q for indicators: one that belongs to an OFFICIAL-SENSITIVE delivery group is left out of
    an OFFICIAL edition with its group, though an OFFICIAL reader may see the indicator itself."""
    return edition_q(scoping, edition, also=("delivery_group__marking",))


# The header's service navigation ---------------------------------------------------------------
# Each role's sections, in the order the header shows them (the labels and addresses are the
# context processor's). Officers reach the crime assessment from Evidence; everyone else has it as
# a section of its own. "my_actions" only for someone who leads or chairs something; "sign_off"
# only where a strategy of the partnership uses it.

NAVIGATION = {
    Role.OFFICER: (
        "strategies",
        "actions",
        "imports",
        "rounds",
        "sign_off",
        "meetings",
        "indicators",
        "evidence",
        "audit",
        "api_keys",
        "back_office",
    ),
    Role.CHAIR: ("my_actions", "actions", "indicators", "sign_off", "assessment"),
    Role.LEAD: ("my_actions", "actions", "indicators", "assessment"),
    Role.EXECUTIVE: ("my_actions", "review", "meetings", "actions", "indicators", "assessment"),
    Role.VIEWER: ("my_actions", "review", "meetings", "actions", "indicators", "assessment"),
}


def navigation(user):
    """The sections of the header's navigation this user is offered, in order."""
    if user is None or not user.is_authenticated:
        return ()
    found = membership(user)
    if found is None:
        # The deployment's administrator, in no partnership: the officers' tools but a partnership's keys.
        return tuple(s for s in NAVIGATION[Role.OFFICER] if s != "api_keys") if user.is_superuser else ()
    leads_something = (
        found.leads_actions
        or found.chairs_groups
        or found.owns_decisions
        or (found.organisation_owns_decisions and found.role in OWNING_ROLES)
    )
    return tuple(
        section
        for section in NAVIGATION[found.role]
        if (section != "my_actions" or leads_something) and (section != "sign_off" or found.partnership_signs_off)
    )


# The audit trail -------------------------------------------------------------------------------


def can_view_audit(user):
    """Officers read and download their partnership's audit log (superusers: everyone's); nobody
    changes it. What each row shows is scoped like everything else (partnership and clearance)."""
    return bool(user.is_authenticated and (user.is_superuser or role(user) == Role.OFFICER))


# The evidence: the area and police.uk's crime data ----------------------------------------------


def can_manage_evidence(user, partnership_pk):
    """Officers load their partnership's area and crime data, and download its counts (police.uk's
    data is public, so the evidence is OFFICIAL: no clearance needed beyond a member's)."""
    return is_officer(user, partnership_pk)


def can_view_assessment(user, partnership_pk):
    """Every member of the partnership reads its strategic assessment and downloads it: it is made of
    police.uk's public data, so OFFICIAL, and needs no clearance beyond a member's."""
    return is_member(user, partnership_pk)


def can_define_crime_indicators(user, strategy):
    """Officers define a strategy's indicators computed from the crime counts, and change their definitions."""
    return can_manage_evidence(user, strategy.partnership_id) and can_manage_indicators(user, strategy)


# The public pages and open data ----------------------------------------------------------------
# What anyone may read without signing in: an item of a published strategy, marked OFFICIAL all the
# way up (item, objective, group, strategy), that no officer has held back at any level above or on
# it. Every public page and file, and the API built on them, filters with these and nothing else.
# `preview` drops only "published": an officer sees the page as it will be before publishing it.

PUBLIC_MARKING = Marking.OFFICIAL
ACTION_HELD_BACK_PATHS = ("held_back", "objective__held_back", "objective__delivery_group__held_back")


def public_q(scoping, *, published, held_back=(), preview=False):
    """A filter for the rows (of a model scoped by `scoping`) anyone may read: `published` the path to
    the strategy's published flag, `held_back` the paths to every hold-back flag; every marking on the
    scoping's paths OFFICIAL."""
    condition = Q() if preview else Q(**{published: True})
    for path in scoping.marking:
        condition &= Q(**{path: PUBLIC_MARKING})
    for path in scoping.marking_if_linked:
        condition &= ~Q(**{f"{path}__in": [m for m in Marking.values if m != PUBLIC_MARKING]})
    for path in held_back:
        condition &= Q(**{path: False})
    return condition


def public_strategies_q(*, preview=False):
    return public_q(Strategy.scoping, published="published", preview=preview)


def public_groups_q(scoping, *, preview=False):
    return public_q(scoping, published="strategy__published", held_back=("held_back",), preview=preview)


def public_objectives_q(scoping, *, preview=False):
    return public_q(
        scoping,
        published="delivery_group__strategy__published",
        held_back=("held_back", "delivery_group__held_back"),
        preview=preview,
    )


def public_actions_q(scoping, *, preview=False):
    return public_q(scoping, published="strategy__published", held_back=ACTION_HELD_BACK_PATHS, preview=preview)


def public_indicators_q(scoping, *, preview=False):
    """An indicator is public with its strategy; one that belongs to a delivery group, with its group."""
    group = Q(delivery_group__isnull=True) | Q(delivery_group__marking=PUBLIC_MARKING, delivery_group__held_back=False)
    return public_q(scoping, published="strategy__published", preview=preview) & group


def can_preview_public(user, strategy):
    """Officers see a strategy's public pages as residents will, published or not."""
    return can_manage_strategy(user, strategy)


def can_manage_publication(user, strategy):
    """Officers publish a strategy, hold items back and write their public wording."""
    return can_manage_strategy(user, strategy)


# The read-only API -----------------------------------------------------------------------------
# Two audiences. A caller with no key reads exactly what the public pages show (public_*_q above).
# A key (an officer made it for a named consumer, e.g. a council's Power BI report) reads its own
# partnership's data at or below its clearance, published or not, as a signed-in reader with that
# clearance would; never another partnership's, never above its clearance. `key` is None for a
# caller with no key; a key that is revoked or expired never gets here (api.authentication).
# A key reads for its maker, so never more than the maker may read now: its clearance is capped
# at the maker's current one, and it stops when the maker is no longer an active officer of its
# partnership (or is gone).

API_KEY_CLEARANCES = (Marking.OFFICIAL, Marking.OFFICIAL_SENSITIVE)


def api_key_makers_clearance():
    """An expression for a key's maker's clearance now, as an active officer of the key's
    partnership; NULL when the maker is not one (annotated on the key as it is looked up)."""
    officer = Membership.objects.filter(
        user=OuterRef("created_by"), partnership=OuterRef("partnership"), role=Role.OFFICER, user__is_active=True
    )
    return Subquery(officer.values("clearance")[:1])


def api_key_markings(key):
    """The markings `key` reads: up to its own clearance and its maker's, whichever is lower;
    none when its maker may no longer make keys. `key` carries `makers_clearance`
    (api_key_makers_clearance)."""
    makers = Marking.up_to(key.makers_clearance)
    return [marking for marking in Marking.up_to(key.clearance) if marking in makers]


def api_key_works(key):
    """A key works while its maker is an active officer of its partnership."""
    return key.makers_clearance is not None


def api_q(key, scoping, *, public):
    """A filter for the rows (of a model scoped by `scoping`) `key` (or, with None, anyone) may read
    through the API."""
    if key is None:
        return public
    condition = Q(**{scoping.partnership: key.partnership_id})
    allowed = api_key_markings(key)
    for path in scoping.marking:
        condition &= Q(**{f"{path}__in": allowed})
    for path in scoping.marking_if_linked:
        condition &= ~Q(**{f"{path}__in": [m for m in Marking.values if m not in allowed]})
    return condition


def api_partnerships_q(key):
    """A partnership is public when it has a published strategy or a "how to get help" block, as its
    public page is; a key reads only its own."""
    if key is None:
        published = Strategy.objects.filter(public_strategies_q(), partnership=OuterRef("pk"))
        return Q(Exists(published)) | ~Q(public_help="")
    return Q(pk=key.partnership_id)


def api_strategies_q(key):
    return api_q(key, Strategy.scoping, public=public_strategies_q())


def api_groups_q(key, scoping):
    return api_q(key, scoping, public=public_groups_q(scoping))


def api_objectives_q(key, scoping):
    return api_q(key, scoping, public=public_objectives_q(scoping))


def api_actions_q(key, scoping):
    return api_q(key, scoping, public=public_actions_q(scoping))


def api_indicators_q(key, scoping):
    return api_q(key, scoping, public=public_indicators_q(scoping))


def api_reads_internal_fields(key):
    """Internal text, leads, progress and live state go to keys only; anyone else gets the public
    wording and the figures as at the last closed quarter, as on the public pages."""
    return key is not None


def can_manage_api_keys(user):
    """Officers of a partnership make and revoke its API keys (and see the list of them)."""
    found = membership(user)
    return bool(found and found.role == Role.OFFICER)


def api_key_clearances(user):
    """The clearances an officer may give a key: up to their own."""
    found = membership(user)
    allowed = Marking.up_to(found.clearance) if found else []
    return [marking for marking in API_KEY_CLEARANCES if marking in allowed]


def can_revoke_api_key(user, key):
    return can_manage_api_keys(user) and partnership_id(user) == key.partnership_id
