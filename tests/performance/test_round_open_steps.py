"""Opening an update round in two steps, so the quarters offered are the chosen strategy's, without
JavaScript: first the strategy (skipped when there is only one), then the round."""

import datetime
import zoneinfo

import pytest
import time_machine

from performance.models import UpdateRound
from performance.round_forms import quarter_choices
from strategy.models import Strategy


@pytest.fixture
def clock():
    with time_machine.travel(datetime.datetime(2025, 2, 15, 10, tzinfo=zoneinfo.ZoneInfo("Europe/London")), tick=False):
        yield


@pytest.fixture
def ended(plan):
    return Strategy.objects.create(
        partnership=plan["partnership"],
        title="Ended strategy",
        slug="ended",
        start_date=datetime.date(2020, 4, 1),
        end_date=datetime.date(2023, 3, 31),
        status=Strategy.Status.ACTIVE,
    )


def test_the_quarters_follow_the_strategy(clock, plan, ended):
    # The current quarter and the four before it, within the strategy.
    assert [slug for slug, _ in quarter_choices(plan["strategy"])] == [
        "2024-Q4",
        "2024-Q3",
        "2024-Q2",
        "2024-Q1",
    ]
    # A strategy that has ended: its last five quarters.
    assert [slug for slug, _ in quarter_choices(ended)] == ["2022-Q4", "2022-Q3", "2022-Q2", "2022-Q1", "2021-Q4"]
    future = Strategy(start_date=datetime.date(2026, 4, 1), end_date=datetime.date(2029, 3, 31))
    assert quarter_choices(future) == [("2026-Q1", "2026/27 Q1 (April to June 2026)")]


def test_with_several_strategies_the_officer_chooses_one_first(clock, client, officer, plan, ended):
    client.force_login(officer)

    first = client.get("/rounds/new/").content.decode()
    assert '<form method="get" action="/rounds/new/"' in first
    assert '<option value="ended">Ended strategy</option>' in first
    assert 'name="quarter"' not in first

    second = client.get("/rounds/new/?strategy=ended").content.decode()
    assert f'<input type="hidden" name="strategy" value="{ended.pk}"' in second
    assert 'value="2022-Q4"' in second
    assert 'value="2024-Q4"' not in second
    assert '<a class="govuk-link" href="/rounds/new/">Choose another strategy</a>' in second

    response = client.post(
        "/rounds/new/", {"strategy": ended.pk, "quarter": "2022-Q4", "deadline": "28/02/2025", "reminder_days": "3"}
    )

    update_round = UpdateRound.objects.get()
    assert response.url == f"/rounds/{update_round.pk}/"
    assert (update_round.strategy, update_round.quarter.slug) == (ended, "2022-Q4")


def test_a_quarter_of_another_strategy_is_refused_with_the_strategys_period(clock, client, officer, plan, ended):
    client.force_login(officer)

    response = client.post(
        "/rounds/new/", {"strategy": ended.pk, "quarter": "2024-Q4", "deadline": "28/02/2025", "reminder_days": "3"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["quarter"] == [
        "Choose a quarter of Ended strategy, which runs from 2020/21 Q1 to 2022/23 Q4"
    ]
    assert 'value="28/02/2025"' in response.content.decode()
    assert not UpdateRound.objects.exists()


def test_a_strategy_that_is_not_theirs_is_said_so(clock, client, officer, plan, ended, elsewhere):
    client.force_login(officer)

    content = client.get("/rounds/new/?strategy=elsewhere-2024").content.decode()

    assert "<title>Error: Open an update round" in content
    assert "Select a valid choice" in content


def test_with_one_strategy_the_first_step_is_skipped(clock, client, officer, plan):
    client.force_login(officer)

    content = client.get("/rounds/new/").content.decode()

    assert f'<input type="hidden" name="strategy" value="{plan["strategy"].pk}"' in content
    assert 'value="2024-Q4"' in content
    assert "Choose another strategy" not in content
