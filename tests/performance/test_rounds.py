"""Update rounds: opening one (service and page), the returns page and its cost, closing, locking and
corrections."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from actions.models import RAG, QuarterLocked, Status, Update, locked_quarters, quarter_locked
from performance import rounds
from performance.models import Meeting, RoundEmail, UpdateRound
from strategy.models import Membership, Person, Strategy
from strategy.periods import Quarter
from tests.conftest import make_action, violates

D = datetime.date

# Rounds are opened for the current or last quarter, which must fall in the fixture strategy's period.
pytestmark = pytest.mark.usefixtures("in_the_strategys_period")


@pytest.fixture
def in_the_strategys_period():
    with time_machine.travel(datetime.datetime(2026, 11, 18, 10, tzinfo=datetime.UTC)):
        yield


def last_quarter():
    return Quarter.current().previous()


def open_round(plan, officer, *, quarter=None, deadline=None, **options):
    return rounds.round_open(
        strategy=plan["strategy"],
        quarter=quarter or last_quarter(),
        by=officer,
        deadline=deadline or timezone.localdate() + datetime.timedelta(days=14),
        **options,
    )


@pytest.fixture
def emails(plan):
    """Lena and Omar have e-mail addresses; Carla (a chair, no actions) too."""
    for name in ("lena", "omar", "carla"):
        Person.objects.filter(pk=plan[name].pk).update(email=f"{name}@example.org")
        plan[name].refresh_from_db()
    return plan


# Dates -------------------------------------------------------------------------------------------


def test_working_days_skip_weekends():
    # Tuesday 27 October 2020, the Executive Group's meeting: ten working days before is Tuesday 13 October.
    assert rounds.default_deadline(D(2020, 10, 27)) == D(2020, 10, 13)
    assert rounds.working_days_before(D(2020, 10, 19), 1) == D(2020, 10, 16)  # Monday -> Friday
    assert rounds.working_days_before(D(2020, 10, 13), 3) == D(2020, 10, 8)


def test_working_days_skip_bank_holidays_in_england_and_wales():
    # A meeting on Tuesday 21 April 2020: Good Friday (10 April) and Easter Monday (13 April) are not
    # working days, so ten working days before is Friday 3 April, not Tuesday 7 April.
    assert rounds.default_deadline(D(2020, 4, 21)) == D(2020, 4, 3)
    # Christmas 2026: Boxing Day falls on a Saturday, so Monday 28 December is its bank holiday.
    assert rounds.working_days_before(D(2026, 12, 29), 1) == D(2026, 12, 24)
    # One-off holidays: the late Queen's funeral, the Coronation; and VE Day's May bank holiday in 2020.
    assert not rounds.is_working_day(D(2022, 9, 19))
    assert not rounds.is_working_day(D(2023, 5, 8))
    assert not rounds.is_working_day(D(2020, 5, 8)) and rounds.is_working_day(D(2020, 5, 4))


# Opening ---------------------------------------------------------------------------------------


def test_opening_a_round_records_it_with_its_deadline(plan, officer):
    update_round = open_round(plan, officer, deadline=D(2030, 1, 10), reminder_days=2)
    assert (update_round.quarter, update_round.deadline, update_round.reminder_days) == (
        last_quarter(),
        D(2030, 1, 10),
        2,
    )
    assert update_round.is_open and update_round.opened_by == officer
    assert rounds.reminder_date(update_round) == D(2030, 1, 8)


def test_the_deadline_defaults_to_ten_working_days_before_the_meeting(plan, officer):
    meeting = Meeting.objects.create(strategy=plan["strategy"], date=D(2020, 10, 27), year=2020, number=2)
    update_round = rounds.round_open(
        strategy=plan["strategy"], quarter=last_quarter(), by=officer, meeting=meeting, today=D(2020, 10, 1)
    )
    assert (update_round.deadline, update_round.meeting) == (D(2020, 10, 13), meeting)


# The rules of a round are the service's, whoever calls it (the form only reads what was typed).
def test_the_service_refuses_a_quarter_outside_the_strategys_period(plan, officer):
    with pytest.raises(ValidationError) as error:
        open_round(plan, officer, quarter=Quarter(2027, 1), deadline=D(2027, 5, 1))
    assert error.value.message_dict == {
        "quarter": ["Choose a quarter of Test strategy 2024-2027, which runs from 2024/25 Q1 to 2026/27 Q4"]
    }
    assert not UpdateRound.objects.exists()


def test_the_service_refuses_a_deadline_that_has_passed(plan, officer):
    with pytest.raises(ValidationError) as error:
        open_round(plan, officer, deadline=D(2026, 11, 17))
    assert error.value.message_dict == {"deadline": ["The deadline must be today or a later date"]}


def test_the_service_refuses_a_meeting_of_another_strategy(plan, officer, elsewhere):
    meeting = Meeting.objects.create(strategy=elsewhere["strategy"], date=D(2026, 12, 15), year=2026, number=2)
    with pytest.raises(ValidationError) as error:
        rounds.round_open(strategy=plan["strategy"], quarter=last_quarter(), by=officer, meeting=meeting)
    assert error.value.message_dict == {"meeting": ["Choose a meeting of the same strategy, or no meeting"]}


def test_the_service_refuses_a_meetings_deadline_that_has_passed(plan, officer):
    meeting = Meeting.objects.create(strategy=plan["strategy"], date=D(2026, 11, 25), year=2026, number=2)
    with pytest.raises(ValidationError) as error:
        rounds.round_open(strategy=plan["strategy"], quarter=last_quarter(), by=officer, meeting=meeting)
    assert error.value.message_dict == {
        "deadline": ["Ten working days before that meeting was 11/11/2026, which has passed: enter a deadline"]
    }


def test_a_deadline_already_passed_may_stay_but_not_move_into_the_past(plan, officer):
    update_round = open_round(plan, officer, deadline=D(2026, 11, 20))
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, tzinfo=datetime.UTC)):
        rounds.round_change(update_round=update_round, deadline=D(2026, 11, 20), reminder_days=1)
        with pytest.raises(ValidationError) as error:
            rounds.round_change(update_round=update_round, deadline=D(2026, 11, 21), reminder_days=1)
    assert error.value.message_dict == {"deadline": ["The deadline must be today or a later date"]}


def test_the_open_page_offers_the_strategys_meetings(client, officer, plan):
    meeting = Meeting.objects.create(
        strategy=plan["strategy"], date=timezone.localdate() + datetime.timedelta(days=30), year=2020, number=2
    )
    client.force_login(officer)
    response = client.post(
        reverse("performance:round_open"),
        {"strategy": plan["strategy"].pk, "quarter": last_quarter().slug, "meeting": meeting.pk, "reminder_days": "3"},
    )
    assert response.status_code == 302
    update_round = UpdateRound.objects.get()
    assert update_round.deadline == rounds.default_deadline(meeting.date)


def test_a_round_needs_a_deadline_or_a_meeting(plan, officer):
    with pytest.raises(ValidationError) as error:
        rounds.round_open(strategy=plan["strategy"], quarter=last_quarter(), by=officer)
    assert "Enter a deadline" in str(error.value)
    assert not UpdateRound.objects.exists()


def test_one_round_per_strategy_and_quarter(plan, officer):
    open_round(plan, officer)
    with pytest.raises(ValidationError, match="already has an update round"):
        open_round(plan, officer)
    with pytest.raises(IntegrityError, match=violates(UpdateRound, "update_round_one_per_quarter")):
        UpdateRound.objects.create(
            strategy=plan["strategy"], year=last_quarter().year, number=last_quarter().number, deadline=D(2030, 1, 1)
        )


def test_rounds_are_only_for_active_strategies(plan, officer):
    Strategy.objects.filter(pk=plan["strategy"].pk).update(status=Strategy.Status.DRAFT)
    plan["strategy"].refresh_from_db()
    with pytest.raises(ValidationError, match="not active"):
        open_round(plan, officer)


def test_the_open_page_opens_the_round_and_emails_each_lead_once(client, officer, emails):
    client.force_login(officer)
    assert client.get(reverse("performance:round_open")).status_code == 200
    response = client.post(
        reverse("performance:round_open"),
        {
            "strategy": emails["strategy"].pk,
            "quarter": last_quarter().slug,
            "deadline": "10/01/2030",
            "reminder_days": "3",
        },
    )
    update_round = UpdateRound.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("performance:round_returns", args=[update_round.pk])
    # Lena leads V1.1, V1.2 and O1.2; Omar V1.2, O1.1 and C1.1: one e-mail each, listing all of them.
    assert sorted(message.to[0] for message in mail.outbox) == ["lena@example.org", "omar@example.org"]
    lena = next(message for message in mail.outbox if message.to == ["lena@example.org"])
    for action in ("v1_1", "v1_2", "o1_2"):
        assert f"http://localhost:8000/actions/{emails[action].pk}/update/" in lena.body
    assert "Thursday 10 January 2030" in lena.subject
    omar = next(message for message in mail.outbox if message.to == ["omar@example.org"])
    assert "C1.1 (CONTEST): OFFICIAL-SENSITIVE, open the link to read it" in omar.body
    assert "Action C1.1" not in omar.body
    assert RoundEmail.objects.filter(kind=RoundEmail.Kind.OPENING).count() == 2


def test_the_open_page_keeps_what_was_typed_and_explains_problems(client, officer, plan):
    client.force_login(officer)
    response = client.post(
        reverse("performance:round_open"),
        {"strategy": plan["strategy"].pk, "quarter": "2099-Q9", "deadline": "31/02/2030", "reminder_days": "30"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"quarter", "deadline", "reminder_days"}
    assert 'value="30"' in response.content.decode()
    assert not UpdateRound.objects.exists()


def test_opening_the_same_quarter_twice_is_refused_on_the_page(client, officer, plan):
    open_round(plan, officer)
    client.force_login(officer)
    response = client.post(
        reverse("performance:round_open"),
        {
            "strategy": plan["strategy"].pk,
            "quarter": last_quarter().slug,
            "deadline": "10/01/2030",
            "reminder_days": "3",
        },
    )
    assert response.status_code == 200
    assert "already has an update round" in response.content.decode()
    assert UpdateRound.objects.count() == 1


# Returns ---------------------------------------------------------------------------------------


def test_the_returns_page_shows_who_has_updated_per_group(client, officer, lead, emails):
    update_round = open_round(emails, officer)
    rounds.reminders_send(update_round=update_round)
    for ref in ("v1_1", "v1_2", "o1_2"):
        emails[ref].record_update(by=lead, status=Status.IN_PROGRESS, rag=RAG.GREEN, progress=10)
    Person.objects.filter(pk=emails["omar"].pk).update(email="")
    client.force_login(officer)
    response = client.get(reverse("performance:round_returns", args=[update_round.pk]))
    assert response.status_code == 200
    groups = {group.name: group for group in response.context["groups"]}
    assert (groups["Victim"].returned, groups["Victim"].actions) == (2, 2)
    assert (groups["Offender"].returned, groups["Offender"].actions) == (1, 2)
    offender = {lead.name: lead for lead in groups["Offender"].leads}
    assert offender["Omar Other"].outstanding == ["O1.1"]
    assert offender["Lena Lead"].outstanding == []
    assert set(offender["Lena Lead"].emails) == {"opening"}
    content = response.content.decode()
    assert "No e-mail address" in content
    assert "3 of 5 actions updated" in content
    assert 'Remind now<span class="govuk-visually-hidden"> Omar Other' not in content  # no address, no button


def test_an_officer_without_clearance_sees_no_sensitive_group(client, officer, plan):
    from strategy.models import Marking, Membership

    Membership.objects.filter(user=officer).update(clearance=Marking.OFFICIAL)
    update_round = open_round(plan, officer)
    client.force_login(officer)
    response = client.get(reverse("performance:round_returns", args=[update_round.pk]))
    assert "CONTEST" not in [group.name for group in response.context["groups"]]


STRIP = '<p class="app-marking"><span class="govuk-visually-hidden">Handling marking: </span>{}</p>'


@pytest.mark.parametrize(
    ("clearance", "marking"),
    [
        ("official_sensitive", "OFFICIAL-SENSITIVE"),  # C1.1, of the OFFICIAL-SENSITIVE CONTEST group, is listed
        ("official", "OFFICIAL"),  # not cleared: CONTEST is not on the page
    ],
)
def test_the_returns_page_carries_the_marking_of_what_it_lists(clearance, marking, client, officer, plan):
    Membership.objects.filter(user=officer).update(clearance=clearance)
    update_round = open_round(plan, officer)
    client.force_login(officer)
    content = client.get(reverse("performance:round_returns", args=[update_round.pk])).content.decode()
    assert ("C1.1" in content) == (marking == "OFFICIAL-SENSITIVE")
    assert content.count('class="app-marking"') == 1
    assert STRIP.format(marking) in content


def _grow(plan, count):
    people = [
        Person.objects.create(partnership=plan["partnership"], name=f"Lead {n}", email=f"l{n}@example.org")
        for n in range(count)
    ]
    for n in range(count):
        action = make_action(plan["o1"], f"O9.{n}", leads=[people[n], plan["lena"]])
        if n % 2:
            action.record_update(by=None, status=Status.IN_PROGRESS, rag=RAG.GREEN, progress=5)


@pytest.mark.parametrize("count", [3, 30])
def test_the_returns_page_costs_the_same_at_any_size(count, client, officer, plan, django_assert_num_queries):
    _grow(plan, count)
    update_round = open_round(plan, officer)
    rounds.reminders_send(update_round=update_round)
    client.force_login(officer)
    # session, user, membership, round (with strategy, partnership and opener), actions with their returned
    # flag, their leads, the e-mails sent
    with django_assert_num_queries(7):
        response = client.get(reverse("performance:round_returns", args=[update_round.pk]))
    assert sum(group.actions for group in response.context["groups"]) == count + 5


def test_the_round_list_is_for_officers(client, officer, chair, plan):
    open_round(plan, officer)
    client.force_login(officer)
    assert last_quarter().financial_year in client.get(reverse("performance:round_list")).content.decode()
    client.force_login(chair)
    assert client.get(reverse("performance:round_list")).status_code == 403


def test_the_deadline_can_be_moved(client, officer, plan):
    update_round = open_round(plan, officer)
    client.force_login(officer)
    response = client.post(
        reverse("performance:round_change", args=[update_round.pk]), {"deadline": "20/01/2030", "reminder_days": "5"}
    )
    assert response.status_code == 302
    update_round.refresh_from_db()
    assert (update_round.deadline, update_round.reminder_days) == (D(2030, 1, 20), 5)
    response = client.post(
        reverse("performance:round_change", args=[update_round.pk]), {"deadline": "soon", "reminder_days": "5"}
    )
    assert response.status_code == 200 and "deadline" in response.context["form"].errors
    update_round.refresh_from_db()
    assert update_round.deadline == D(2030, 1, 20)


# Closing and locking ---------------------------------------------------------------------------


def test_closing_locks_the_quarter(client, officer, plan):
    update_round = open_round(plan, officer)
    assert not quarter_locked(plan["strategy"], last_quarter())
    client.force_login(officer)
    assert client.get(reverse("performance:round_close", args=[update_round.pk])).status_code == 200
    response = client.post(reverse("performance:round_close", args=[update_round.pk]))
    assert response.status_code == 302
    update_round.refresh_from_db()
    assert not update_round.is_open and update_round.closed_by == officer
    assert quarter_locked(plan["strategy"], last_quarter())
    assert quarter_locked(plan["strategy"].pk, last_quarter())
    assert not quarter_locked(plan["strategy"], last_quarter().previous())
    assert locked_quarters(plan["strategy"]) == [last_quarter()]


def test_a_round_cannot_close_before_its_quarter_ends(plan, officer):
    update_round = open_round(plan, officer, quarter=Quarter.current())
    with pytest.raises(ValidationError, match="has not ended yet"):
        rounds.round_close(update_round=update_round, by=officer)
    update_round.refresh_from_db()
    assert update_round.is_open


def test_closing_twice_is_refused_with_a_message(client, officer, plan):
    update_round = open_round(plan, officer)
    rounds.round_close(update_round=update_round, by=officer)
    client.force_login(officer)
    response = client.post(reverse("performance:round_close", args=[update_round.pk]))
    assert response.status_code == 400
    assert "closed already" in response.content.decode()


def test_an_update_dated_in_a_locked_quarter_is_refused(plan, officer, lead):
    update_round = open_round(plan, officer)
    rounds.round_close(update_round=update_round, by=officer)
    inside = last_quarter().end_moment - datetime.timedelta(days=1)
    with pytest.raises(QuarterLocked, match="is closed"):
        plan["v1_1"].record_update(by=lead, status=Status.IN_PROGRESS, rag=RAG.GREEN, recorded_at=inside)
    assert not Update.objects.exists()
    # Today's updates are untouched by the lock.
    plan["v1_1"].record_update(by=lead, status=Status.IN_PROGRESS, rag=RAG.GREEN)


def test_the_update_form_refuses_back_dating_into_a_locked_quarter(client, officer, lead, plan):
    update_round = open_round(plan, officer)
    rounds.round_close(update_round=update_round, by=officer)
    client.force_login(lead)
    day = last_quarter().end
    response = client.post(
        reverse("actions:action_update", args=[plan["v1_1"].pk]),
        {
            "status": "in_progress",
            "rag": "green",
            "progress": "20",
            "recorded_on": f"{day:%d/%m/%Y}",
            "seen_update": "none",
        },
    )
    assert response.status_code == 200
    assert f"{last_quarter()} is closed" in response.context["form"].errors["recorded_on"][0]
    assert 'value="20"' in response.content.decode()
    assert not Update.objects.exists()


def test_while_a_round_collects_an_ended_quarter_the_form_dates_updates_in_it(client, officer, lead, plan):
    open_round(plan, officer)
    client.force_login(lead)
    response = client.get(reverse("actions:action_update", args=[plan["v1_1"].pk]))
    assert response.context["form"].initial["recorded_on"] == last_quarter().end
    assert "is open, so this update is dated" in response.content.decode()
    client.post(
        reverse("actions:action_update", args=[plan["v1_1"].pk]),
        {
            "status": "in_progress",
            "rag": "green",
            "progress": "20",
            "recorded_on": f"{last_quarter().end:%d/%m/%Y}",
            "seen_update": "none",
        },
    )
    update = Update.objects.get()
    assert update.recorded_at == last_quarter().end_moment
    assert Quarter.containing(timezone.localtime(update.recorded_at).date()) == last_quarter()


def test_the_form_refuses_a_date_in_the_future(client, lead, plan):
    client.force_login(lead)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        reverse("actions:action_update", args=[plan["v1_1"].pk]),
        {
            "status": "in_progress",
            "rag": "green",
            "progress": "20",
            "recorded_on": f"{tomorrow:%d/%m/%Y}",
            "seen_update": "none",
        },
    )
    assert "today or in the past" in response.context["form"].errors["recorded_on"][0]
    assert not Update.objects.exists()


def test_an_officer_records_a_correction_with_a_reason(client, officer, lead, plan):
    action = plan["v1_1"]
    inside = last_quarter().end_moment - datetime.timedelta(days=3)
    action.record_update(by=lead, status=Status.IN_PROGRESS, rag=RAG.GREEN, progress=40, recorded_at=inside)
    update_round = open_round(plan, officer)
    rounds.round_close(update_round=update_round, by=officer)
    client.force_login(officer)
    page = client.get(reverse("actions:action_detail", args=[action.pk])).content.decode()
    assert reverse("performance:round_correction", args=[action.pk]) in page
    url = reverse("performance:round_correction", args=[action.pk])
    data = {
        "quarter": last_quarter().slug,
        "status": "in_progress",
        "rag": "red",
        "progress": "40",
        "commentary": "Was off track: the provider withdrew in the last week.",
        "revised_due_date": "31/03/2030",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["Enter why the closed quarter's record is being corrected"]
    assert Update.objects.count() == 1
    response = client.post(url, {**data, "reason": "The lead's RAG was entered wrongly."})
    assert response.status_code == 302
    correction = Update.objects.get(source=Update.Source.CORRECTION)
    assert (correction.created_by, correction.correction_reason) == (officer, "The lead's RAG was entered wrongly.")
    assert correction.recorded_at == last_quarter().end_moment
    action.refresh_from_db()
    assert (action.rag, action.latest_update, action.last_updated_at) == (RAG.RED, correction, correction.recorded_at)
    page = client.get(reverse("actions:action_detail", args=[action.pk])).content.decode()
    assert "Reason for correction" in page and "entered wrongly" in page


def test_a_correction_needs_a_locked_quarter_and_a_reason(plan, officer):
    with pytest.raises(ValidationError, match="is not closed"):
        rounds.correction_record(
            action=plan["v1_1"], quarter=last_quarter(), by=officer, reason="x", status="in_progress", rag="green"
        )
    with pytest.raises(IntegrityError, match=violates(Update, "update_correction_has_reason")):
        Update.objects.create(action=plan["v1_1"], status="not_started", source=Update.Source.CORRECTION)


def test_the_correction_page_is_for_officers(client, chair, lead, plan, officer):
    url = reverse("performance:round_correction", args=[plan["v1_1"].pk])
    for user in (chair, lead):
        client.force_login(user)
        assert client.get(url).status_code == 403


def test_a_pack_can_be_regenerated_exactly_as_issued(plan, officer, lead):
    """The rule the review and pack follow: as at a quarter, known by the moment the pack was issued."""
    action = plan["v1_1"]
    quarter = last_quarter()
    inside = quarter.end_moment - datetime.timedelta(days=3)
    first = action.record_update(by=lead, status=Status.IN_PROGRESS, rag=RAG.GREEN, progress=40, recorded_at=inside)
    update_round = open_round(plan, officer)
    rounds.round_close(update_round=update_round, by=officer)
    issued_at = timezone.now()
    Update.objects.filter(pk=first.pk).update(created_at=issued_at - datetime.timedelta(seconds=1))
    correction = rounds.correction_record(
        action=action, quarter=quarter, by=officer, reason="Wrong RAG", status="in_progress", rag="red", progress=40
    )
    Update.objects.filter(pk=correction.pk).update(created_at=issued_at + datetime.timedelta(seconds=1))
    as_issued = Update.objects.filter(action=action).as_at(quarter.end_moment, known_by=issued_at)
    as_now = Update.objects.filter(action=action).as_at(quarter.end_moment)
    assert as_issued.order_by("-recorded_at", "-pk").first() == first
    assert as_now.order_by("-recorded_at", "-pk").first() == correction


def test_a_deadline_that_has_passed_or_comes_before_the_quarter_is_refused(client, officer, plan):
    client.force_login(officer)
    quarter = last_quarter()
    today = timezone.localdate()
    opening = {"strategy": plan["strategy"].pk, "quarter": quarter.slug, "reminder_days": "3"}
    response = client.post(reverse("performance:round_open"), {**opening, "deadline": "01/01/2020"})
    errors = response.context["form"].errors["deadline"]
    assert errors == [
        "The deadline must be today or a later date",
        f"The deadline must be on or after the first day of {quarter}, {quarter.start:%d/%m/%Y}",
    ]
    past_meeting = Meeting.objects.create(
        strategy=plan["strategy"], date=today, year=quarter.year, number=quarter.number
    )
    response = client.post(reverse("performance:round_open"), {**opening, "meeting": past_meeting.pk})
    assert "which has passed: enter a deadline" in response.context["form"].errors["deadline"][0]
    # A quarter outside the strategy's period (2024/25 Q1 to 2026/27 Q4) cannot have a round.
    outside = Strategy.objects.create(
        partnership=plan["strategy"].partnership,
        title="Old strategy",
        slug="old",
        start_date=D(2017, 4, 1),
        end_date=D(2020, 3, 31),
        status=Strategy.Status.ACTIVE,
    )
    response = client.post(reverse("performance:round_open"), {**opening, "strategy": outside.pk, "deadline": ""})
    assert response.context["form"].errors["quarter"] == [
        "Choose a quarter of Old strategy, which runs from 2017/18 Q1 to 2019/20 Q4"
    ]
    assert not UpdateRound.objects.exists()

    # Moving a deadline: not into the past, though one already passed may stay while the reminder changes.
    update_round = open_round(plan, officer, deadline=today)
    UpdateRound.objects.filter(pk=update_round.pk).update(deadline=today - datetime.timedelta(days=3))
    url = reverse("performance:round_change", args=[update_round.pk])
    response = client.post(url, {"deadline": "01/01/2020", "reminder_days": "2"})
    assert response.context["form"].errors["deadline"][0] == "The deadline must be today or a later date"
    passed = (today - datetime.timedelta(days=3)).strftime("%d/%m/%Y")
    assert client.post(url, {"deadline": passed, "reminder_days": "2"}).status_code == 302
    update_round.refresh_from_db()
    assert (update_round.deadline, update_round.reminder_days) == (today - datetime.timedelta(days=3), 2)


def test_closing_is_offered_only_once_the_quarter_has_ended(client, officer, plan):
    client.force_login(officer)
    running = open_round(plan, officer, quarter=Quarter.current())
    ended = open_round(plan, officer, quarter=last_quarter())
    close_running = reverse("performance:round_close", args=[running.pk])
    page = client.get(reverse("performance:round_returns", args=[running.pk])).content.decode()
    assert close_running not in page
    assert f"The round can be closed once {Quarter.current()} has ended, from" in page
    page = client.get(close_running).content.decode()
    assert "has not ended yet: the round can be closed from" in page and "Close the round and lock" not in page
    page = client.get(reverse("performance:round_returns", args=[ended.pk])).content.decode()
    assert reverse("performance:round_close", args=[ended.pk]) in page and 'id="close-from"' not in page
