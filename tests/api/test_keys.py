"""The officers' API keys page: make a key (shown once, stored hashed), list, revoke; all audited."""

import datetime

import pytest
import time_machine
from django.db import connection

from api.models import PartnerAPIKey
from strategy.models import Marking, Membership
from tests.api.conftest import caller
from tests.conftest import make_user

NOW = datetime.datetime(2025, 1, 20, 10, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def make(client, **data):
    fields = {"name": "Council Power BI", "clearance": "official", "expires_on": "31/03/2025"}
    return client.post("/api-keys/", {**fields, **data})


def test_an_officer_makes_a_key_that_is_shown_once_and_kept_only_hashed(client, officer, plan):
    client.force_login(officer)
    response = make(client, clearance="official_sensitive")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    key = PartnerAPIKey.objects.get()
    text = response.context["text"]
    assert f"Authorization: Api-Key {text}" in response.content.decode()
    assert (key.name, key.clearance, key.partnership, key.created_by) == (
        "Council Power BI",
        Marking.OFFICIAL_SENSITIVE,
        plan["partnership"],
        officer,
    )
    assert key.expiry_date.date() == datetime.date(2025, 3, 31)
    # Nothing in the database holds the key as shown.
    secret = text.partition(".")[2]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_partnerapikey")
        assert not any(secret in str(cell) for row in cursor.fetchall() for cell in row)
    assert key.hashed_key.startswith("sha512$$")
    # The list shows it, never its text again.
    page = client.get("/api-keys/").content.decode()
    assert "Council Power BI" in page and key.prefix in page and secret not in page
    assert caller(text).get("/api/v1/strategies/").json()["count"] == 1


def test_a_key_never_gets_a_clearance_above_the_officers(client, plan):
    official = make_user(
        "official-officer", partnership=plan["partnership"], role=Membership.Role.OFFICER, clearance=Marking.OFFICIAL
    )
    client.force_login(official)
    page = client.get("/api-keys/").content.decode()
    assert 'value="official"' in page and 'value="official_sensitive"' not in page
    response = make(client, clearance="official_sensitive")
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "clearance": ["Select a valid choice. official_sensitive is not one of the available choices."]
    }
    assert not PartnerAPIKey.objects.exists()


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"name": " "}, {"name": ["Enter who or what will use the key"]}),
        ({"name": "x" * 51}, {"name": ["Keep the name to 50 characters or fewer"]}),
        ({"clearance": ""}, {"clearance": ["Select the highest marking the key may read"]}),
        ({"expires_on": ""}, {"expires_on": ["Enter the date the key expires"]}),
        ({"expires_on": "31/02/2025"}, {"expires_on": ["Enter a real date, like 31/03/2027"]}),
        ({"expires_on": "19/01/2025"}, {"expires_on": ["The expiry date must be today or later"]}),
        (
            {"expires_on": "01/03/2028"},
            {"expires_on": ["The expiry date must be within 3 years: make a new key when it runs out"]},
        ),
    ],
)
def test_bad_input_is_explained_and_nothing_is_made(data, errors, client, officer):
    client.force_login(officer)
    response = make(client, **data)
    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert "There is a problem" in response.content.decode()
    assert not PartnerAPIKey.objects.exists()


def test_revoking_stops_the_key_at_once_and_both_are_in_the_audit_log(client, officer, plan):
    client.force_login(officer)
    make(client)
    key, text = PartnerAPIKey.objects.create_key(
        partnership=plan["partnership"],
        name="Scrutiny dashboard",
        expiry_date=NOW + datetime.timedelta(days=9),
        created_by=officer,
    )
    assert caller(text).get("/api/v1/").status_code == 200
    response = client.post(f"/api-keys/{key.prefix}/revoke/")
    assert response.status_code == 302 and response.url == "/api-keys/"
    key.refresh_from_db()
    assert (key.revoked, key.revoked_at, key.revoked_by) == (True, NOW, officer)
    assert caller(text).get("/api/v1/").status_code == 401
    history = PartnerAPIKey.history.filter(id=key.pk).order_by("history_date", "history_id")
    assert [(row.history_type, row.revoked, row.history_user) for row in history] == [
        ("+", False, None),
        ("~", True, officer),
    ]
    made = PartnerAPIKey.history.exclude(id=key.pk).get()
    assert (made.history_type, made.history_user, made.name) == ("+", officer, "Council Power BI")
    log = client.get("/audit/").content.decode()
    assert "API key" in log and "Scrutiny dashboard" in log and "Council Power BI" in log
    assert key.prefix in log and key.hashed_key.partition("$$")[2] not in log
    assert "Revoked" in client.get("/api-keys/").content.decode()


def test_keys_of_another_partnership_are_not_found_and_others_may_not_revoke(client, users, plan, elsewhere):
    theirs, _ = PartnerAPIKey.objects.create_key(partnership=elsewhere["partnership"], name="Theirs")
    ours, _ = PartnerAPIKey.objects.create_key(partnership=plan["partnership"], name="Ours")
    client.force_login(users["officer"])
    assert client.post(f"/api-keys/{theirs.prefix}/revoke/").status_code == 404
    assert "Theirs" not in client.get("/api-keys/").content.decode()
    for role in ("chair", "lead", "executive", "viewer"):
        client.force_login(users[role])
        assert client.post(f"/api-keys/{ours.prefix}/revoke/").status_code == 403
        assert client.get("/api-keys/").status_code == 403
    assert not PartnerAPIKey.objects.filter(revoked=True).exists()


def test_the_keys_page_shows_a_key_whose_maker_is_no_longer_an_officer_as_stopped(client, officer, plan):
    maker = make_user(
        "maker", partnership=plan["partnership"], role=Membership.Role.OFFICER, clearance=Marking.OFFICIAL_SENSITIVE
    )
    PartnerAPIKey.objects.create_key(partnership=plan["partnership"], name="Old report", created_by=maker)
    PartnerAPIKey.objects.create_key(partnership=plan["partnership"], name="New report", created_by=officer)
    Membership.objects.filter(user=maker).update(role=Membership.Role.VIEWER)
    client.force_login(officer)
    response = client.get("/api-keys/")
    assert {key.name: key.state() for key in response.context["keys"]} == {
        "New report": "Active",
        "Old report": "Stopped",
    }
    assert "its maker is no longer an officer here" in response.content.decode()


def test_officers_find_the_keys_page_in_the_navigation(client, users):
    client.force_login(users["officer"])
    assert 'href="/api-keys/"' in client.get("/strategies/").content.decode()
    client.force_login(users["viewer"])
    assert 'href="/api-keys/"' not in client.get("/strategies/").content.decode()


def test_the_keys_page_counts_its_queries(client, officer, plan, django_assert_num_queries):
    client.force_login(officer)
    for number in range(2):
        PartnerAPIKey.objects.create_key(partnership=plan["partnership"], name=f"Key {number}", created_by=officer)
    # session; user; membership (with the navigation's flags); the keys with who made and revoked them
    with django_assert_num_queries(4):
        assert client.get("/api-keys/").status_code == 200
    for number in range(2, 12):
        PartnerAPIKey.objects.create_key(partnership=plan["partnership"], name=f"Key {number}", created_by=officer)
    with django_assert_num_queries(4):
        assert client.get("/api-keys/").status_code == 200


def test_the_back_office_offers_no_api_key_model():
    """Keys are made and revoked on the keys page, scoped to the officer's partnership; the library's
    own unscoped key model is not in the back office."""
    from django.contrib import admin

    assert [m for m in admin.site._registry if m._meta.app_label in ("rest_framework_api_key", "api")] == []
