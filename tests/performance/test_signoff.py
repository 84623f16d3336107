"""Sign-off: with it on, a lead's update is submitted, and counts only once the group's chair approves it."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from actions.models import RAG, AwaitingSignOff, ReviewRefused, Status, Update
from performance import rounds
from strategy.models import Strategy
from tests.conftest import violates


@pytest.fixture
def signed_off(plan):
    Strategy.objects.filter(pk=plan["strategy"].pk).update(requires_sign_off=True)
    for action in ("v1_1", "v1_2", "o1_1", "o1_2"):
        plan[action].refresh_from_db()
    return plan


def submit(action, lead, **fields):
    return action.record_update(
        by=lead,
        status=Status.IN_PROGRESS,
        rag=fields.pop("rag", RAG.RED),
        progress=30,
        commentary=fields.pop("commentary", "Slipping"),
        revised_due_date=timezone.localdate(),
        **fields,
    )


def test_sign_off_is_off_by_default(plan, lead):
    update = submit(plan["v1_1"], lead)
    assert update.review_state == Update.ReviewState.APPROVED
    plan["v1_1"].refresh_from_db()
    assert plan["v1_1"].latest_update == update


def test_a_leads_update_is_submitted_and_changes_nothing_until_approved(signed_off, lead, chair):
    action = signed_off["v1_1"]
    update = submit(action, lead)
    assert update.review_state == Update.ReviewState.SUBMITTED
    action.refresh_from_db()
    assert (action.status, action.latest_update, action.last_updated_at) == (Status.NOT_STARTED, None, None)
    assert not Update.objects.filter(action=action).as_at(timezone.now()).exists()
    rounds.update_approve(update=update, by=chair)
    action.refresh_from_db()
    update.refresh_from_db()
    assert (action.status, action.rag, action.latest_update) == (Status.IN_PROGRESS, RAG.RED, update)
    assert action.last_updated_at == update.recorded_at
    assert (update.review_state, update.reviewed_by) == (Update.ReviewState.APPROVED, chair)
    assert list(Update.objects.filter(action=action).as_at(timezone.now())) == [update]


def test_the_chair_and_officers_updates_need_no_sign_off(signed_off, chair, officer):
    assert submit(signed_off["v1_1"], chair).review_state == Update.ReviewState.APPROVED
    assert submit(signed_off["o1_1"], officer).review_state == Update.ReviewState.APPROVED


def test_a_returned_update_never_counts_and_the_lead_may_submit_again(signed_off, lead, chair):
    action = signed_off["v1_1"]
    update = submit(action, lead)
    with pytest.raises(ValidationError):
        rounds.update_return(update=update, by=chair, comment="  ")
    rounds.update_return(update=update, by=chair, comment="Say what the revised date depends on.")
    update.refresh_from_db()
    assert update.review_state == Update.ReviewState.RETURNED
    action.refresh_from_db()
    assert action.latest_update is None
    again = submit(action, lead)
    assert again.review_state == Update.ReviewState.SUBMITTED


def test_one_submission_at_a_time(signed_off, lead):
    submit(signed_off["v1_1"], lead)
    with pytest.raises(AwaitingSignOff, match="already waiting for sign-off"):
        submit(signed_off["v1_1"], lead)
    with pytest.raises(IntegrityError, match=violates(Update, "update_one_submitted_per_action")):
        Update.objects.create(action=signed_off["v1_1"], status="not_started", review_state="submitted")


def test_an_update_is_reviewed_once(signed_off, lead, chair):
    update = submit(signed_off["v1_1"], lead)
    rounds.update_approve(update=update, by=chair)
    with pytest.raises(ReviewRefused, match="approved already"):
        rounds.update_return(update=update, by=chair, comment="Too late")


def test_a_returned_update_needs_a_comment_in_the_database(signed_off, lead):
    with pytest.raises(IntegrityError, match=violates(Update, "update_returned_has_comment")):
        Update.objects.create(action=signed_off["v1_1"], status="not_started", review_state="returned")


def test_the_update_form_tells_the_lead_it_went_for_sign_off(client, signed_off, lead):
    client.force_login(lead)
    url = reverse("actions:action_update", args=[signed_off["v1_1"].pk])
    assert "need the delivery-group chair" in client.get(url).content.decode()
    data = {"status": "in_progress", "rag": "green", "progress": "20", "seen_update": "none"}
    response = client.post(url, data, follow=True)
    assert "sent to the delivery-group chair for sign-off" in response.content.decode()
    assert "Waiting for sign-off" in response.content.decode()  # the action page shows the pending submission
    response = client.post(url, data)
    assert response.status_code == 200
    assert "already waiting for sign-off" in response.content.decode()
    assert Update.objects.count() == 1


def test_the_action_page_shows_submissions_since_the_last_approved_update_apart_from_the_history(
    client, signed_off, lead, chair, viewer
):
    action = signed_off["v1_1"]
    url = reverse("actions:action_detail", args=[action.pk])
    client.force_login(viewer)
    returned = submit(action, lead, commentary="First try")
    rounds.update_return(update=returned, by=chair, comment="Say what the mitigation is.")
    waiting = submit(action, lead, commentary="Second try")
    response = client.get(url)
    assert [u.commentary for u in response.context["sign_off_updates"]] == ["Second try", "First try"]
    assert response.context["updates"] == []

    rounds.update_approve(update=waiting, by=chair)
    submit(action, lead, commentary="Next quarter")
    response = client.get(url)
    # The return before the approved update has been dealt with: only the newer submission waits.
    assert [u.commentary for u in response.context["sign_off_updates"]] == ["Next quarter"]
    assert [u.commentary for u in response.context["updates"]] == ["Second try"]
    page = response.content.decode()
    sign_off = page[page.index('id="sign-off"') : page.index('id="history"')]
    assert "Waiting for sign-off" in sign_off and "Next quarter" in sign_off and "Second try" not in sign_off
    assert "First try" not in page


def test_the_chairs_queue_lists_their_groups_submissions(client, signed_off, lead, chair, officer):
    submit(signed_off["v1_1"], lead)  # Victim: Carla's group
    submit(signed_off["o1_2"], lead)  # Offender: Omar's
    client.force_login(chair)
    response = client.get(reverse("performance:signoff_queue"))
    assert [u.action.ref for u in response.context["updates"]] == ["V1.1"]
    client.force_login(officer)
    response = client.get(reverse("performance:signoff_queue"))
    assert [u.action.ref for u in response.context["updates"]] == ["V1.1", "O1.2"]
    client.force_login(lead)
    assert client.get(reverse("performance:signoff_queue")).status_code == 403


def test_the_queue_lists_references_in_natural_order(client, signed_off, lead, chair):
    from tests.conftest import make_action

    # Submitted in the reverse of the plan's order: the queue reads as the plan does (V1.9 before V1.10).
    for ref in ("V1.10", "V1.9"):
        submit(make_action(signed_off["v1"], ref, leads=[signed_off["lena"]]), lead)
    submit(signed_off["v1_2"], lead)
    client.force_login(chair)
    response = client.get(reverse("performance:signoff_queue"))
    assert [u.action.ref for u in response.context["updates"]] == ["V1.2", "V1.9", "V1.10"]


@pytest.mark.parametrize("count", [2, 20])
def test_the_queue_costs_the_same_at_any_size(count, client, signed_off, lead, officer, django_assert_num_queries):
    from tests.conftest import make_action

    for n in range(count):
        submit(make_action(signed_off["v1"], f"V5.{n}", leads=[signed_off["lena"]]), lead)
    client.force_login(officer)
    # session, user, membership, submitted updates (with action, group, strategy, author)
    with django_assert_num_queries(4):
        response = client.get(reverse("performance:signoff_queue"))
    assert len(response.context["updates"]) == count


def test_the_chair_approves_or_returns_on_the_page(client, signed_off, lead, chair):
    first = submit(signed_off["v1_1"], lead)
    second = submit(signed_off["v1_2"], lead)
    client.force_login(chair)
    url = reverse("performance:signoff_review", args=[first.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"decision": "approve"}).status_code == 302
    first.refresh_from_db()
    assert first.review_state == Update.ReviewState.APPROVED
    url = reverse("performance:signoff_review", args=[second.pk])
    response = client.post(url, {"decision": "return", "comment": ""})
    assert response.status_code == 200
    assert "Enter a comment" in response.content.decode()
    second.refresh_from_db()
    assert second.review_state == Update.ReviewState.SUBMITTED
    assert client.post(url, {"decision": "return", "comment": "Add the revised date."}).status_code == 302
    second.refresh_from_db()
    assert (second.review_state, second.review_comment) == (Update.ReviewState.RETURNED, "Add the revised date.")


def test_another_groups_chair_may_not_sign_off(client, signed_off, lead, chair):
    update = submit(signed_off["o1_2"], lead)  # Offender: not Carla's group
    client.force_login(chair)
    assert (
        client.post(reverse("performance:signoff_review", args=[update.pk]), {"decision": "approve"}).status_code == 403
    )
    update.refresh_from_db()
    assert update.review_state == Update.ReviewState.SUBMITTED


# The round's quarter must fall in the fixture strategy's period: the clock is set.
@time_machine.travel(datetime.datetime(2026, 11, 16, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_a_round_counts_a_submission_as_returned(signed_off, lead, officer):
    from strategy.periods import Quarter

    update_round = rounds.round_open(
        strategy=signed_off["strategy"], quarter=Quarter.current().previous(), by=officer, deadline=timezone.localdate()
    )
    submit(signed_off["v1_1"], lead)
    returned = {a.ref: a.returned for a in rounds.round_actions(update_round)}
    assert returned["V1.1"] is True and returned["V1.2"] is False


# The round's quarter must fall in the fixture strategy's period: the clock is set.
@time_machine.travel(datetime.datetime(2026, 11, 16, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_a_round_cannot_close_with_submissions_dated_in_its_quarter(signed_off, lead, officer):
    from strategy.periods import Quarter

    quarter = Quarter.current().previous()
    update_round = rounds.round_open(
        strategy=signed_off["strategy"], quarter=quarter, by=officer, deadline=timezone.localdate()
    )
    submit(signed_off["v1_1"], lead, recorded_at=quarter.end_moment)
    with pytest.raises(ValidationError, match="1 update dated in .* is waiting for sign-off"):
        rounds.round_close(update_round=update_round, by=officer)


# Whether an update was sent back this quarter depends on the quarter: the clock is set.
@time_machine.travel(datetime.datetime(2026, 11, 16, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_my_actions_leads_the_chair_to_sign_off_and_the_lead_to_what_was_sent_back(client, signed_off, lead, chair):
    first = submit(signed_off["v1_1"], lead)
    second = submit(signed_off["v1_2"], lead)
    client.force_login(chair)
    page = client.get(reverse("actions:my_actions")).content.decode()
    assert "2 updates wait for your sign-off." in page and reverse("performance:signoff_queue") in page
    first.return_to_lead(by=chair, comment="Say what the mitigation is.")
    second.approve(by=chair)
    assert 'id="to-sign-off"' not in client.get(reverse("actions:my_actions")).content.decode()  # none left

    client.force_login(lead)
    page = client.get(reverse("actions:my_actions")).content.decode()
    assert "wait for your sign-off" not in page and "waits for your sign-off" not in page  # a lead signs nothing off
    assert "The chair sent back 1 of your updates" in page
    v1_1 = signed_off["v1_1"]
    assert f'href="{v1_1.get_absolute_url()}#sign-off">Returned by the chair' in page
    detail = client.get(v1_1.get_absolute_url()).content.decode()
    assert "Say what the mitigation is." in detail

    # Submitted again and approved: the flag and the old card go.
    again = submit(v1_1, lead)
    assert "Returned by the chair" not in client.get(reverse("actions:my_actions")).content.decode()  # awaiting now
    again.approve(by=chair)
    assert "Returned by the chair" not in client.get(reverse("actions:my_actions")).content.decode()
    detail = client.get(v1_1.get_absolute_url()).content.decode()
    assert "Say what the mitigation is." not in detail[: detail.index('id="history"')]
