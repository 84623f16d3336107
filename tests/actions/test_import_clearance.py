"""Importing an action plan needs clearance for the whole strategy: the preview shows the current
values of what the file changes, and the import rewrites the plan as a whole. An officer cleared for
OFFICIAL only may not import into a strategy holding an OFFICIAL-SENSITIVE group, objective or action
(the standing plan's CONTEST group), nor see such a strategy's imports, on the site or in the back office."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actions.imports.records import import_create
from actions.models import Action, ActionPlanImport, DeliveryGroup, Objective
from strategy import permissions
from strategy.models import Marking, Membership
from tests.actions.importing import SEED_HEADER, seed_sheet, xlsx
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def official_officer(plan):
    return make_user(
        "official-officer", partnership=plan["partnership"], role=Membership.Role.OFFICER, clearance=Marking.OFFICIAL
    )


@pytest.fixture
def sensitive_preview(plan, officer):
    """A preview made by an officer cleared for OFFICIAL-SENSITIVE, changing the CONTEST group's action."""
    rows = [["1 Protect crowded places", "Action C1.1 with new words", "Omar Other", "", "Ongoing"]]
    content = xlsx({"CONTEST": seed_sheet(rows, header=SEED_HEADER)})
    record = import_create(
        strategy=plan["strategy"], file_name="contest.xlsx", content=content, by=officer, background=False
    )
    assert record.state == "ready", record.problems
    return record


def test_an_officer_may_import_only_into_a_strategy_they_are_cleared_for_in_full(plan, officer, official_officer):
    strategy = plan["strategy"]
    assert permissions.can_manage_strategy(official_officer, strategy)  # the strategy itself is OFFICIAL
    assert not permissions.can_import_plan(official_officer, strategy)  # but its CONTEST group is not
    assert permissions.can_import_plan(officer, strategy)
    DeliveryGroup.objects.filter(pk=plan["contest"].pk).update(marking=Marking.OFFICIAL)
    assert permissions.can_import_plan(official_officer, strategy)
    # Any marked objective or action inside an OFFICIAL group counts as well.
    Objective.objects.filter(pk=plan["v2"].pk).update(marking=Marking.OFFICIAL_SENSITIVE)
    assert not permissions.can_import_plan(official_officer, strategy)
    Objective.objects.filter(pk=plan["v2"].pk).update(marking=Marking.OFFICIAL)
    Action.objects.filter(pk=plan["o1_2"].pk).update(marking=Marking.OFFICIAL_SENSITIVE)
    assert not permissions.can_import_plan(official_officer, strategy)


def test_the_official_officer_gets_none_of_the_import_pages(client, plan, official_officer, sensitive_preview):
    client.force_login(official_officer)
    # The upload page offers them only a new strategy of their own, not this one.
    upload = client.get(reverse("actions:import_upload")).content.decode()
    assert "Import into a new strategy</a>" in upload
    assert plan["strategy"].title not in upload
    assert client.get(reverse("actions:import_list")).status_code == 403
    response = client.get(reverse("actions:import_detail", args=[sensitive_preview.pk]))
    assert response.status_code == 403
    assert "CONTEST" not in response.content.decode() and "new words" not in response.content.decode()
    assert client.post(reverse("actions:import_detail", args=[sensitive_preview.pk])).status_code == 403
    assert client.post(reverse("actions:import_cancel", args=[sensitive_preview.pk])).status_code == 403
    sensitive_preview.refresh_from_db()
    assert sensitive_preview.state == "ready"
    assert Action.objects.get(ref="C1.1").text == "Action C1.1"


def test_the_official_officer_cannot_upload_into_that_strategy(client, plan, official_officer):
    client.force_login(official_officer)
    content = xlsx({"Victim": seed_sheet([["1 Identify repeat victims", "New", "Lena Lead", "", ""]])})
    file = SimpleUploadedFile("plan.xlsx", content)
    response = client.post(reverse("actions:import_upload"), {"strategy": plan["strategy"].pk, "file": file})
    assert response.status_code == 403
    assert not ActionPlanImport.objects.exists()


def test_once_nothing_in_the_strategy_is_above_their_clearance_they_may_import(
    client, plan, official_officer, sensitive_preview
):
    DeliveryGroup.objects.filter(pk=plan["contest"].pk).update(marking=Marking.OFFICIAL)
    client.force_login(official_officer)
    assert client.get(reverse("actions:import_upload")).status_code == 200
    page = client.get(reverse("actions:import_detail", args=[sensitive_preview.pk])).content.decode()
    assert "CONTEST" in page


def test_the_back_office_asks_the_same_question(client, plan, officer, official_officer, sensitive_preview):
    url = reverse("admin:actions_actionplanimport_change", args=[sensitive_preview.pk])
    client.force_login(official_officer)
    response = client.get(url)  # not among the records they may see: the admin says so on its index
    assert response.status_code == 302 and response.url == reverse("admin:index")
    changelist = client.get(reverse("admin:actions_actionplanimport_changelist"))
    assert changelist.status_code == 200 and "contest.xlsx" not in changelist.content.decode()
    client.force_login(officer)
    assert client.get(url).status_code == 200
    assert "contest.xlsx" in client.get(reverse("admin:actions_actionplanimport_changelist")).content.decode()
