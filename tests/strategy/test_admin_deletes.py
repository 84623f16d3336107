"""Deletes in the back office hold the officer's clearance: a delete that would remove or change
anything above it (an action lead, a lead agency, a group's chair, an objective's priority) is
refused with a line that says nothing of what it would have touched; an officer cleared for it
deletes as before."""

import datetime

import pytest
from django.urls import reverse

from actions.models import Action, ActionLead, DeliveryGroup, Objective
from performance.models import Challenge, Indicator, Meeting
from strategy.models import Marking, Membership, Organisation, Person, StrategicObjective
from tests.actions.test_admin import form_data
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

REFUSAL = "Something this would delete or change is marked above your clearance"
# Words of the OFFICIAL-SENSITIVE group that no page shown to an OFFICIAL officer may carry.
SENSITIVE = ["C1.1", "CONTEST", "Protect crowded places"]


@pytest.fixture
def official_officer(plan):
    return make_user(
        "official-officer", partnership=plan["partnership"], role=Membership.Role.OFFICER, clearance=Marking.OFFICIAL
    )


def assert_refused(response):
    content = response.content.decode()
    assert response.status_code == 200
    assert REFUSAL in content
    assert "Yes, I’m sure" not in content
    for secret in SENSITIVE:
        assert secret not in content


def test_an_official_officer_cannot_delete_a_person_who_leads_a_sensitive_action(client, plan, official_officer):
    omar = plan["omar"]  # leads C1.1 in the OFFICIAL-SENSITIVE CONTEST group
    url = reverse("admin:strategy_person_delete", args=[omar.pk])
    client.force_login(official_officer)
    assert_refused(client.get(url))
    assert_refused(client.post(url, {"post": "yes"}))
    assert Person.objects.filter(pk=omar.pk).exists()
    assert ActionLead.objects.filter(action=plan["c1_1"], person=omar).exists()


def test_an_official_officer_cannot_delete_the_chair_of_a_sensitive_group(client, plan, official_officer):
    carla = plan["carla"]
    DeliveryGroup.objects.filter(pk=plan["contest"].pk).update(chair=carla)
    url = reverse("admin:strategy_person_delete", args=[carla.pk])
    client.force_login(official_officer)
    assert_refused(client.post(url, {"post": "yes"}))
    assert DeliveryGroup.objects.get(pk=plan["contest"].pk).chair_id == carla.pk


def test_an_official_officer_deletes_a_person_who_touches_nothing_sensitive(client, plan, official_officer):
    lena = plan["lena"]
    client.force_login(official_officer)
    response = client.get(reverse("admin:strategy_person_delete", args=[lena.pk]))
    assert "Yes, I’m sure" in response.content.decode()
    response = client.post(reverse("admin:strategy_person_delete", args=[lena.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Person.objects.filter(pk=lena.pk).exists()


def test_an_officer_cleared_for_it_deletes_the_person(client, plan, officer):
    omar = plan["omar"]
    url = reverse("admin:strategy_person_delete", args=[omar.pk])
    client.force_login(officer)
    content = client.get(url).content.decode()
    assert "Omar Other leads C1.1" in content and REFUSAL not in content
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Person.objects.filter(pk=omar.pk).exists()
    assert not ActionLead.objects.filter(action=plan["c1_1"]).exists()


def test_an_official_officer_cannot_delete_the_lead_agency_of_a_sensitive_action(
    client, plan, official_officer, officer
):
    police = plan["police"]
    Action.objects.filter(pk=plan["c1_1"].pk).update(lead_organisation=police)
    url = reverse("admin:strategy_organisation_delete", args=[police.pk])
    client.force_login(official_officer)
    assert_refused(client.get(url))
    assert_refused(client.post(url, {"post": "yes"}))
    assert Action.objects.get(pk=plan["c1_1"].pk).lead_organisation_id == police.pk

    client.force_login(officer)
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Organisation.objects.filter(pk=police.pk).exists()
    assert Action.objects.get(pk=plan["c1_1"].pk).lead_organisation_id is None


def test_delete_selected_is_refused_whole_if_any_of_it_is_above_clearance(client, plan, official_officer, officer):
    url = reverse("admin:strategy_person_changelist")
    chosen = [plan["lena"].pk, plan["omar"].pk]
    data = {"action": "delete_selected", "_selected_action": chosen, "post": "yes"}
    client.force_login(official_officer)
    assert_refused(client.post(url, {"action": "delete_selected", "_selected_action": chosen}))
    assert_refused(client.post(url, data))
    assert Person.objects.filter(pk__in=chosen).count() == 2

    client.force_login(officer)
    assert client.post(url, data).status_code == 302
    assert not Person.objects.filter(pk__in=chosen).exists()


def test_an_inline_row_deleted_from_its_strategy_is_held_to_the_same_rule(client, plan, official_officer):
    priority = StrategicObjective.objects.get(strategy=plan["strategy"], number=1)
    Objective.objects.filter(pk=plan["c1"].pk).update(strategic_objective=priority)
    url = reverse("admin:strategy_strategy_change", args=[plan["strategy"].pk])
    client.force_login(official_officer)
    data = form_data(client.get(url))
    prefix = next(key for key in data if key.endswith("-0-id") and data[key] == str(priority.pk))[: -len("-id")]
    data[f"{prefix}-DELETE"] = "on"
    response = client.post(url, data)
    assert response.status_code == 200
    content = response.content.decode()
    assert REFUSAL in content
    for secret in SENSITIVE:
        assert secret not in content
    assert StrategicObjective.objects.filter(pk=priority.pk).exists()
    assert Objective.objects.get(pk=plan["c1"].pk).strategic_objective_id == priority.pk


def test_an_official_officer_cannot_delete_a_meeting_that_challenged_a_sensitive_action(
    client, plan, official_officer, officer
):
    # The meeting is the OFFICIAL strategy's; the challenge on it is about C1.1, marked by its group.
    meeting = Meeting.objects.create(strategy=plan["strategy"], date=datetime.date(2025, 1, 28), year=2024, number=3)
    Challenge.objects.create(meeting=meeting, action=plan["c1_1"], text="Why is the venue survey late?")
    url = reverse("admin:performance_meeting_delete", args=[meeting.pk])
    client.force_login(official_officer)
    assert_refused(client.get(url))
    assert_refused(client.post(url, {"post": "yes"}))
    assert Challenge.objects.filter(meeting=meeting).count() == 1

    client.force_login(officer)
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Meeting.objects.filter(pk=meeting.pk).exists()


def test_saving_an_indicator_keeps_its_links_to_actions_above_the_officers_clearance(client, plan, official_officer):
    indicator = Indicator.objects.create(strategy=plan["strategy"], ref="K1", name="Repeat victims")
    indicator.actions.set([plan["v1_1"], plan["c1_1"]])
    url = reverse("admin:performance_indicator_change", args=[indicator.pk])
    client.force_login(official_officer)
    response = client.get(url)
    # The form shows V1.1 and nothing of C1.1, so the browser sends V1.1 and the officer adds V1.2.
    assert "V1.1" in response.content.decode() and "C1.1" not in response.content.decode()
    data = form_data(response)
    data["actions"] = [str(plan["v1_1"].pk), str(plan["v1_2"].pk)]
    assert client.post(url, data).status_code == 302
    assert set(indicator.actions.values_list("ref", flat=True)) == {"V1.1", "V1.2", "C1.1"}


def test_a_person_owning_a_decision_is_kept_and_a_sensitive_one_is_not_named(client, plan, official_officer, officer):
    import datetime

    from performance.models import Challenge, Meeting

    lena = plan["lena"]  # leads nothing sensitive, but owns a decision about C1.1
    meeting = Meeting.objects.create(strategy=plan["strategy"], date=datetime.date(2025, 1, 28), year=2024, number=3)
    Challenge.objects.create(
        meeting=meeting, kind="decision", state="open", action=plan["c1_1"], text="Review it.", owner_person=lena
    )
    url = reverse("admin:strategy_person_delete", args=[lena.pk])
    client.force_login(official_officer)
    assert_refused(client.post(url, {"post": "yes"}))
    client.force_login(officer)  # cleared for it: told what keeps the person
    page = client.post(url, {"post": "yes"}).content.decode()
    assert "Decision on C1.1" in page
    assert Person.objects.filter(pk=lena.pk).exists()


def contest_meeting(plan):
    """A meeting of the OFFICIAL-SENSITIVE CONTEST group: hidden with its group, whatever its strategy's marking."""
    return Meeting.objects.create(
        strategy=plan["strategy"],
        kind=Meeting.Kind.DELIVERY_GROUP,
        delivery_group=plan["contest"],
        date=datetime.date(2025, 1, 21),
        year=2024,
        number=3,
    )


def test_a_challenges_meeting_choices_leave_out_a_sensitive_groups_meeting(client, plan, official_officer):
    hidden = contest_meeting(plan)
    meeting = Meeting.objects.create(strategy=plan["strategy"], date=datetime.date(2025, 1, 28), year=2024, number=3)
    challenge = Challenge.objects.create(meeting=meeting, action=plan["v1_1"], text="Why is the survey late?")
    client.force_login(official_officer)
    response = client.get(reverse("admin:performance_challenge_change", args=[challenge.pk]))
    assert response.status_code == 200
    choices = response.context["adminform"].form.fields["meeting"].queryset
    assert list(choices) == [meeting]
    assert hidden.pk not in choices.values_list("pk", flat=True)
    assert "CONTEST" not in response.content.decode()


def test_a_person_who_attended_only_a_sensitive_groups_meeting_is_not_named_with_it(client, plan, official_officer):
    from performance.models import Attendance

    lena = plan["lena"]
    Attendance.objects.create(meeting=contest_meeting(plan), person=lena, state=Attendance.State.ATTENDED)
    client.force_login(official_officer)
    assert_refused(client.get(reverse("admin:strategy_person_delete", args=[lena.pk])))
    assert Person.objects.filter(pk=lena.pk).exists()
