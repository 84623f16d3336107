"""The header's service navigation: each role's sections, decided by strategy.permissions.navigation,
and the current section marked with aria-current."""

import re

import pytest

from strategy.models import Membership, Person
from tests.conftest import make_user

MENU = re.compile(r'<ul class="govuk-service-navigation__list" id="navigation">(.*?)</ul>', re.S)
LINK = re.compile(r'<a class="govuk-service-navigation__link" href="([^"]+)"( aria-current="(\w+)")?>')


def menu(client, path="/privacy/"):
    """The navigation's links on `path`: [(href, aria-current or None)]."""
    content = client.get(path).content.decode()
    return [(href, current or None) for href, _, current in LINK.findall(MENU.search(content).group(1))]


def hrefs(client, path="/privacy/"):
    return [href for href, _ in menu(client, path)]


# Officers reach the crime assessment from Evidence; everyone else from a section of its own.
ASSESSMENT = "/evidence/assessment/"
OFFICER = [
    "/strategies/",
    "/actions/",
    "/imports/",
    "/rounds/",
    "/meetings/",
    "/indicators/",
    "/evidence/",
    "/audit/",
    "/api-keys/",
    "/admin/",
]


def test_officer_gets_the_officers_tools(client, officer):
    client.force_login(officer)

    assert hrefs(client) == OFFICER


def test_officer_gets_sign_off_where_a_strategy_uses_it(client, officer, plan):
    plan["strategy"].requires_sign_off = True
    plan["strategy"].save()
    client.force_login(officer)

    assert hrefs(client) == [*OFFICER[:4], "/sign-off/", *OFFICER[4:]]


def test_chair_gets_my_actions_and_sign_off_where_used(client, chair, plan):
    client.force_login(chair)
    assert hrefs(client) == ["/my/", "/actions/", "/indicators/", ASSESSMENT]

    plan["strategy"].requires_sign_off = True
    plan["strategy"].save()
    client.force_login(chair)  # a new request, a new look at the partnership
    assert hrefs(client) == ["/my/", "/actions/", "/indicators/", "/sign-off/", ASSESSMENT]


def test_lead_gets_my_actions_actions_and_indicators(client, lead, plan):
    plan["strategy"].requires_sign_off = True
    plan["strategy"].save()
    client.force_login(lead)

    assert hrefs(client) == ["/my/", "/actions/", "/indicators/", ASSESSMENT]


@pytest.mark.parametrize("role", ["executive", "viewer"])
def test_executive_and_viewer_get_the_review_and_no_my_actions(client, users, role):
    client.force_login(users[role])

    assert hrefs(client) == ["/review/", "/meetings/", "/actions/", "/indicators/", ASSESSMENT]


def test_nobody_who_leads_nothing_sees_my_actions(client, plan):
    nobody = Person.objects.create(partnership=plan["partnership"], name="Nina Nothing")
    user = make_user("nina", partnership=plan["partnership"], role=Membership.Role.LEAD, person=nobody)
    client.force_login(user)

    assert hrefs(client) == ["/actions/", "/indicators/", ASSESSMENT]


def test_the_current_section_is_marked(client, officer, lead, plan):
    client.force_login(officer)
    assert ("/strategies/", "page") in menu(client, "/strategies/")
    assert ("/strategies/", "true") in menu(client, f"/strategies/{plan['strategy'].slug}/")
    assert [current for _, current in menu(client, "/privacy/")] == [None] * len(OFFICER)
    # An officer reaches the update form from the action list.
    assert ("/actions/", "true") in menu(client, f"/actions/{plan['v1_1'].pk}/update/")

    client.force_login(lead)
    # A lead's update form is a step of My actions.
    assert menu(client, f"/actions/{plan['v1_1'].pk}/update/") == [
        ("/my/", "true"),
        ("/actions/", None),
        ("/indicators/", None),
        (ASSESSMENT, None),
    ]
    assert ("/actions/", "true") in menu(client, f"/actions/{plan['v1_1'].pk}/")


def test_the_navigation_costs_no_query_of_its_own(client, officer, django_assert_num_queries):
    client.force_login(officer)
    client.get("/privacy/")
    # The session, the user, and the membership (which carries what the navigation needs).
    with django_assert_num_queries(3):
        client.get("/privacy/")
