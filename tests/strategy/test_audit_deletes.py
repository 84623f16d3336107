"""A delete that clears links (on_delete=SET_NULL: an action's lead agency, a group's chair) or removes
an action's leads is in the audit trail: who, what, from what to what; and the history holds the
cleared value, so the plan "as at" a moment after the delete shows it cleared."""

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, ActionLead, DeliveryGroup
from strategy import audit
from strategy.models import Organisation, Person

pytestmark = pytest.mark.django_db


def changed(row):
    return {field: (old, new) for field, old, new in audit.changes(row, row.prev_record)}


def test_deleting_a_lead_agency_records_each_action_it_is_cleared_from(client, plan, officer):
    police = plan["police"]
    for action in (plan["c1_1"], plan["o1_1"]):
        action.lead_organisation = police
        action.save()
    before = timezone.now()
    client.force_login(officer)
    response = client.post(
        reverse("admin:strategy_organisation_delete", args=[police.pk]), {"post": "yes"}, REMOTE_ADDR="192.0.2.9"
    )
    assert response.status_code == 302
    assert not Organisation.objects.filter(pk=police.pk).exists()
    for action in (plan["c1_1"], plan["o1_1"]):
        latest = Action.history.filter(id=action.pk).first()
        assert (latest.history_type, latest.history_user, latest.ip_address) == ("~", officer, "192.0.2.9")
        assert latest.history_change_reason == "Partner organisation deleted: Test Police"
        assert changed(latest) == {"lead agency (id)": (str(police.pk), "")}
        assert Action.history.as_of(before).get(pk=action.pk).lead_organisation_id == police.pk
        assert Action.history.as_of(timezone.now()).get(pk=action.pk).lead_organisation_id is None
    # An action that never had it is left alone.
    assert Action.history.filter(id=plan["v1_2"].pk).count() == 1


def test_deleting_a_person_records_the_chair_cleared_and_the_leads_removed(client, plan, officer):
    omar = plan["omar"]  # chairs Offender, leads V1.2, O1.1 and C1.1
    links = list(ActionLead.objects.filter(person=omar).values_list("pk", flat=True))
    client.force_login(officer)
    assert client.post(reverse("admin:strategy_person_delete", args=[omar.pk]), {"post": "yes"}).status_code == 302
    latest = DeliveryGroup.history.filter(id=plan["offender"].pk).first()
    assert (latest.history_type, latest.history_user) == ("~", officer)
    assert changed(latest) == {"chair (id)": (str(omar.pk), "")}
    assert DeliveryGroup.history.as_of(timezone.now()).get(pk=plan["offender"].pk).chair_id is None
    removed = ActionLead.history.filter(id__in=links, history_type="-")
    assert sorted(removed.values_list("id", flat=True)) == sorted(links)
    assert {row.history_user for row in removed} == {officer}
    assert Person.history.filter(id=omar.pk).first().history_type == "-"


def test_a_delete_outside_a_request_is_recorded_too(plan):
    plan["council"].delete()
    latest = Action.history.filter(id=plan["v1_1"].pk).first()
    assert (latest.history_type, latest.history_user, latest.lead_organisation_id) == ("~", None, None)
    person = Person.history.filter(id=plan["lena"].pk).first()
    assert (person.history_type, person.organisation_id) == ("~", None)
