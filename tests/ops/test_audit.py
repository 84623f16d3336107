"""The audit trail: every change recorded (pages, back office, imports, the ORM) with who, when,
from where and what changed; officers browse, filter and download it; nobody edits it."""

import csv
import datetime
import io

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.utils import timezone

from actions.imports import action_plan_apply
from actions.models import Action, DeliveryGroup, Update
from strategy import audit
from strategy.models import Marking, Membership, Person, Strategy
from tests.actions.importing import csv_bytes
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

UPDATE = {"status": "in_progress", "rag": "amber", "progress": "40", "commentary": "Slipping: new funding bid"}


def test_an_update_through_the_page_records_who_and_from_where(client, plan, lead):
    client.force_login(lead)
    action = plan["v1_1"]
    response = client.post(f"/actions/{action.pk}/update/", {**UPDATE, "seen_update": "none"}, REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 302
    (row,) = Update.history.filter(action_id=action.pk)
    assert (row.history_type, row.history_user, row.ip_address) == ("+", lead, "192.0.2.7")
    assert row.commentary == "Slipping: new funding bid"


def test_behind_a_load_balancer_the_address_is_the_clients(client, plan, lead, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    client.force_login(lead)
    client.post(
        f"/actions/{plan['v1_1'].pk}/update/",
        {**UPDATE, "seen_update": "none"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.4",  # the client forged the first; the LB added the second
    )
    assert Update.history.get().ip_address == "198.51.100.4"


def test_a_change_in_the_back_office_records_from_what_to_what(client, plan, officer):
    client.force_login(officer)
    person = plan["lena"]
    response = client.post(
        f"/admin/strategy/person/{person.pk}/change/",
        {
            "partnership": plan["partnership"].pk,
            "name": "Lena Lead",
            "kind": "person",
            "job_title": "Community safety manager",
            "email": "",
            "organisation": plan["council"].pk,
            "user": "",
        },
        REMOTE_ADDR="192.0.2.8",
    )
    assert response.status_code == 302, response.content[:2000]
    latest = Person.history.filter(id=person.pk).first()
    assert (latest.history_type, latest.history_user, latest.ip_address) == ("~", officer, "192.0.2.8")
    changed = {field: (old, new) for field, old, new in audit.changes(latest, latest.prev_record)}
    assert changed["job title"] == ("", "Community safety manager")


def test_imports_are_recorded_in_bulk_with_who_and_why(plan, officer):
    content = csv_bytes(
        [
            ["Delivery group", "Objective", "Action", "Lead"],
            ["Victim", "1 Identify repeat victims", "Audited new action", "Lena Lead"],
            ["Partnership", "1 Work together", "Another audited action", "New Person"],
        ]
    )
    outcome = action_plan_apply(strategy=plan["strategy"], content=content, by=officer)
    assert outcome.ok, outcome.problems
    created = Action.history.filter(text__startswith=("Audited new action"))
    assert created.count() == 1
    row = created.get()
    assert (row.history_type, row.history_user, row.history_change_reason) == ("+", officer, "Spreadsheet import")
    assert DeliveryGroup.history.filter(name="Partnership", history_type="+").exists()
    assert Person.history.filter(name="New Person", history_type="+").exists()
    # Changed by a second import: the text before and after.
    again = csv_bytes(
        [
            ["Delivery group", "Objective", "Ref", "Action"],
            ["Victim", "1 Identify repeat victims", "V1.1", "Action V1.1, reworded"],
        ]
    )
    assert action_plan_apply(strategy=plan["strategy"], content=again, by=officer).ok
    latest = Action.history.filter(id=plan["v1_1"].pk).first()
    assert latest.history_type == "~"
    assert ("action", "Action V1.1", "Action V1.1, reworded") in audit.changes(latest, latest.prev_record)


def test_roles_and_logins_are_recorded_without_password_hashes(plan, officer):
    membership = officer.membership
    membership.role = Membership.Role.VIEWER
    membership.save()
    assert [row.role for row in Membership.history.filter(id=membership.pk)] == ["viewer", "officer"]
    officer.set_password("a new long password 2026")
    officer.save()
    assert User.history.filter(id=officer.pk).count() == 2
    assert "password" not in {field.name for field in User.history.model._meta.fields}


def test_signing_in_is_not_a_change(client, plan, officer):
    recorded = User.history.filter(id=officer.pk).count()
    client.force_login(officer)  # as the sign-in page does: Django saves last_login alone
    officer.refresh_from_db()
    assert officer.last_login is not None
    assert User.history.filter(id=officer.pk).count() == recorded
    officer.first_name = "Olive"
    officer.save()  # any other change still is
    assert User.history.filter(id=officer.pk).count() == recorded + 1


def test_as_at_a_moment(plan):
    strategy = plan["strategy"]
    before = timezone.now()
    strategy.title = "Renamed strategy"
    strategy.save()
    assert Strategy.history.as_of(before).get(pk=strategy.pk).title == "Test strategy 2024-2027"
    assert Strategy.history.as_of(timezone.now()).get(pk=strategy.pk).title == "Renamed strategy"


# The log's pages ---------------------------------------------------------------------------------


def _some_changes(plan, lead, n):
    for number in range(n):
        plan["v1_1"].record_update(by=lead, status="in_progress", rag="green", progress=number, commentary=f"n{number}")
    plan["strategy"].title = f"Renamed {n}"
    plan["strategy"].save()


@pytest.mark.parametrize("n", [2, 12])
def test_the_log_runs_a_fixed_number_of_queries(client, plan, lead, officer, n, django_assert_num_queries):
    _some_changes(plan, lead, n)
    client.force_login(officer)
    # session, user, membership (cached); count of the union; the page's rows of the union; then per
    # kind of item on the page (here updates, actions' strategy, memberships, logins...): its rows
    # with the previous row's id, and the previous rows. The same whatever n is.
    with django_assert_num_queries(19):
        response = client.get("/audit/")
    assert response.status_code == 200
    assert "Renamed" in response.content.decode()


def test_officers_only(client, users):
    for name, expected in [("officer", 200), ("chair", 403), ("lead", 403), ("executive", 403), ("viewer", 403)]:
        client.force_login(users[name])
        assert client.get("/audit/").status_code == expected, name
        assert client.get("/audit/download.csv").status_code == expected, name
    client.logout()
    assert client.get("/audit/").status_code == 302


def test_another_partnerships_changes_never_show(client, plan, lead, outsider, elsewhere):
    plan["v1_1"].record_update(by=lead, status="in_progress", rag="green", progress=5, commentary="Ours only")
    client.force_login(outsider)
    page = client.get("/audit/").content.decode()
    assert "Ours only" not in page and "Action V1.1" not in page
    assert "X1.1" in page  # their own action's creation


def test_items_above_the_officers_clearance_never_show(client, plan):
    cleared_official = make_user("plain_officer", partnership=plan["partnership"], role=Membership.Role.OFFICER)
    client.force_login(cleared_official)
    page = client.get("/audit/").content.decode()
    assert "CONTEST" not in page and "Protect crowded places" not in page
    assert "Victim" in page
    csv_text = b"".join(client.get("/audit/download.csv").streaming_content).decode()
    assert "CONTEST" not in csv_text and "Victim" in csv_text


STRIP = '<p class="app-marking"><span class="govuk-visually-hidden">Handling marking: </span>{}</p>'


@pytest.mark.parametrize(
    ("query", "marking"),
    [
        ({"kind": "actions.update"}, "OFFICIAL"),  # V1.1's update, all OFFICIAL
        ({"kind": "actions.deliverygroup"}, "OFFICIAL-SENSITIVE"),  # the CONTEST group among them
        ({"kind": "actions.action", "item": "c1_1"}, "OFFICIAL-SENSITIVE"),  # an action of the CONTEST group
        ({"kind": "actions.action", "item": "v1_1"}, "OFFICIAL"),
        ({"who": "nobody"}, ""),  # nothing on the page, nothing to mark
    ],
)
def test_the_log_carries_the_marking_of_the_changes_it_shows(query, marking, client, plan, lead, officer):
    plan["v1_1"].record_update(by=lead, status="in_progress", rag="green", progress=5)
    client.force_login(officer)
    if "item" in query:
        query = {**query, "item": plan[query["item"]].pk}
    content = client.get("/audit/", query).content.decode()
    assert content.count('class="app-marking"') == (1 if marking else 0)
    if marking:
        assert STRIP.format(marking) in content


def test_the_log_of_a_reader_cleared_for_official_is_marked_official(client, plan):
    cleared_official = make_user("plain_officer", partnership=plan["partnership"], role=Membership.Role.OFFICER)
    client.force_login(cleared_official)
    content = client.get("/audit/", {"kind": "actions.deliverygroup"}).content.decode()
    assert "Victim" in content and "CONTEST" not in content
    assert STRIP.format("OFFICIAL") in content


def test_filters(client, plan, lead, officer):
    plan["v1_1"].record_update(by=lead, status="in_progress", rag="green", progress=5, commentary="By the lead")
    client.force_login(officer)
    by_lead = client.get("/audit/", {"who": "lead", "kind": "actions.update"}).content.decode()
    assert "By the lead" in by_lead and "Test strategy" not in by_lead
    nothing = client.get("/audit/", {"since": (timezone.localdate() + datetime.timedelta(days=1)).strftime("%d/%m/%Y")})
    assert "No changes match these filters" in nothing.content.decode()
    bad = client.get("/audit/", {"address": "not an address", "since": "31/02/2026"})
    assert bad.status_code == 200
    assert "Enter a valid" in bad.content.decode()


def test_csv_download_escapes_formulas_and_is_marked(client, plan, lead, officer):
    plan["v1_1"].record_update(by=lead, status="in_progress", rag="green", progress=5, commentary="=HYPERLINK(1)")
    client.force_login(officer)
    response = client.get("/audit/download.csv", {"kind": "actions.update"})
    assert response["Content-Disposition"].endswith('-official-sensitive.csv"')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["When", "Who", "From address", "Change"]
    commentary = [row for row in rows if row[7] == "commentary"]
    assert commentary and commentary[0][9] == "'=HYPERLINK(1)" and commentary[0][1] == "lead"


def test_csv_download_escapes_formulas_after_blanks(client, plan, lead, officer):
    plan["v1_1"].record_update(by=lead, status="in_progress", rag="green", progress=5, commentary=" \n=HYPERLINK(1)")
    client.force_login(officer)
    response = client.get("/audit/download.csv", {"kind": "actions.update"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row[9] for row in rows if row[7] == "commentary"] == ["' \n=HYPERLINK(1)"]


def test_nobody_can_change_the_log(client, officer, plan):
    client.force_login(officer)
    assert client.post("/audit/").status_code == 405
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert not registered & {audited.history._meta.label_lower for audited in audit.AUDITED.values()}


def test_every_model_the_issue_names_is_audited():
    labels = set(audit.AUDITED)
    assert {
        "strategy.strategy",
        "strategy.principle",
        "strategy.strategicobjective",
        "actions.deliverygroup",
        "actions.objective",
        "actions.action",
        "actions.actionlead",
        "actions.update",
        "performance.indicator",
        "performance.indicatorvalue",
        "auth.user",
        "strategy.membership",
    } <= labels
    assert Marking  # the scoping is tested above


def test_a_login_that_made_recorded_changes_is_deactivated_not_deleted(client, plan, lead, officer):
    update = plan["v1_1"].record_update(by=lead, status="in_progress", rag="green", progress=10, commentary="")
    client.force_login(officer)
    url = f"/admin/auth/user/{lead.pk}/delete/"
    page = client.get(url)
    assert page.status_code == 200
    assert "has made changes that the audit trail records: untick Active instead" in page.content.decode()
    client.post(url, {"post": "yes"})
    client.post("/admin/auth/user/", {"action": "delete_selected", "_selected_action": [lead.pk], "post": "yes"})
    assert User.objects.filter(pk=lead.pk).exists()
    update.refresh_from_db()
    assert update.created_by == lead


def test_a_login_that_never_changed_anything_can_be_deleted(client, plan, officer):
    unused = make_user("unused", partnership=plan["partnership"], role=Membership.Role.VIEWER)
    client.force_login(officer)
    response = client.post(f"/admin/auth/user/{unused.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=unused.pk).exists()
