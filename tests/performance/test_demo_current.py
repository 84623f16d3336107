"""The demo's sample current strategy: on whatever day load_demo runs, a strategy whose period holds it,
with this quarter's work to do, labelled as sample data; the same again within the quarter, made
again in a later one."""

import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from actions.models import Action, Status, Update
from performance.demo import DEMO_PREFIX
from performance.demo_current import SAMPLE_SLUG
from performance.models import Challenge, Meeting, MeetingPack, UpdateRound
from strategy.models import Strategy
from strategy.periods import Quarter

LONDON = zoneinfo.ZoneInfo("Europe/London")
PASSWORD = "demo-password-for-tests"
# A winter day, a summer day in British Summer Time, years ahead, and the first minutes of a quarter.
DAYS = [
    datetime.datetime(2026, 12, 4, 10, 30, tzinfo=LONDON),
    datetime.datetime(2029, 7, 15, 15, 0, tzinfo=LONDON),
    datetime.datetime(2035, 2, 1, 9, 0, tzinfo=LONDON),
    datetime.datetime(2027, 4, 1, 0, 5, tzinfo=LONDON),
]


def load_demo():
    call_command("load_demo", "--password", PASSWORD, stdout=io.StringIO())


def user(username):
    return get_user_model().objects.get(username=username)


@pytest.fixture
def debug(db, settings):
    settings.DEBUG = True


@pytest.mark.parametrize("moment", DAYS, ids=[f"{day:%Y-%m-%d}" for day in DAYS])
def test_on_any_day_the_demo_has_this_quarters_work(debug, moment):
    with time_machine.travel(moment, tick=False):
        load_demo()
        today = moment.date()
        current, last = Quarter.containing(today), Quarter.containing(today).previous()
        sample = Strategy.objects.get(slug=SAMPLE_SLUG)
        assert (sample.is_sample, sample.requires_sign_off, sample.status) == (True, True, Strategy.Status.ACTIVE)
        assert sample.start_date <= today <= sample.end_date
        assert sample.start_date == Quarter(current.year - 1, 1).start

        # The 2020/23 strategy's objectives carried forward; the real plans as the seeds give them.
        carried = Strategy.objects.get(slug="swp-2020-2023")
        assert list(sample.strategic_objectives.values_list("number", "title")) == list(
            carried.strategic_objectives.values_list("number", "title")
        )
        assert sample.principles.count() == 2
        assert (
            Strategy.objects.get(slug="swp-2017-2020").start_date,
            carried.end_date,
        ) == (datetime.date(2017, 4, 1), datetime.date(2023, 3, 31))

        actions = Action.objects.for_strategy(sample)
        assert list(sample.delivery_groups.values_list("name", flat=True)) == [
            "Vulnerability and exploitation",
            "Reducing re-offending",
            "West End",
            "CONTEST",
        ]
        # Every action was updated (and the update counted) in each of the last two quarters.
        for quarter in (last.previous(), last):
            counted = Update.objects.approved().filter(
                action__strategy=sample, recorded_at__range=(quarter.start_moment, quarter.end_moment)
            )
            assert counted.values("action").distinct().count() == actions.count() == 26
        assert all(
            update.commentary.startswith(DEMO_PREFIX) for update in Update.objects.filter(action__strategy=sample)
        )
        assert not Update.objects.filter(action__strategy=sample, created_at__gt=moment).exists()

        # The lead: eight actions not yet touched this quarter, one returned, two waiting for sign-off.
        lead = user("lead")
        mine = actions.mine(lead)
        assert mine.needing_update(current).count() == 11
        untouched = mine.open().exclude(updates__recorded_at__gte=current.start_moment)
        assert untouched.count() == 8
        returned = Update.objects.filter(action__in=mine, review_state=Update.ReviewState.RETURNED)
        assert [(u.action.ref, u.reviewed_by.username) for u in returned] == [("VE2.3", "chair")]
        assert mine.filter(status=Status.COMPLETE).count() == 1

        # The chair: those two updates wait for her sign-off.
        waiting = Update.objects.awaiting_sign_off_by(user("chair")).filter(action__strategy=sample)
        assert sorted(waiting.values_list("action__ref", flat=True)) == ["VE1.4", "VE2.2"]

        # Rounds: the last two quarters closed, this one open, before its deadline.
        rounds = UpdateRound.objects.filter(strategy=sample)
        assert [(r.quarter, r.is_open) for r in rounds] == [
            (current, True),
            (last, False),
            (last.previous(), False),
        ]
        assert rounds.get(year=current.year, number=current.number).deadline > today

        # The Executive Group reviewed the last quarter, and its pack was issued.
        reviewed = Meeting.objects.get(strategy=sample, year=last.year, number=last.number)
        assert reviewed.date > last.end
        assert Challenge.objects.filter(meeting=reviewed).count() == 2
        pack = MeetingPack.objects.get(meeting=reviewed)
        assert (pack.state, pack.quarter, pack.issued_by.username) == (MeetingPack.State.ISSUED, last, "officer")
        upcoming = Meeting.objects.get(strategy=sample, year=current.year, number=current.number)
        assert upcoming.date > current.end
        # It took a decision owned by the lead, due a week before the next meeting, which carries it forward;
        # it is marked held once it has taken place.
        decision = Challenge.objects.decisions().get(meeting=reviewed)
        assert (decision.owner_person.user, decision.state) == (lead, Challenge.State.OPEN)
        assert decision.due_date == upcoming.date - datetime.timedelta(days=7)
        assert list(Challenge.objects.carried_into(upcoming)) == [decision]
        assert reviewed.is_held == (reviewed.date <= today)


@time_machine.travel(DAYS[0], tick=False)
def test_the_default_pages_open_on_the_sample_and_say_it_is_sample_data(debug, client):
    load_demo()
    client.force_login(user("officer"))
    home = client.get(reverse("actions:home"))
    assert home.url == reverse("actions:strategy_detail", args=[SAMPLE_SLUG])
    assert client.get(reverse("performance:review_home")).url.startswith(f"/review/{SAMPLE_SLUG}/")
    actions = client.get(reverse("actions:action_list"))
    assert actions.context["strategy"].slug == SAMPLE_SLUG
    notice = "Sample data</strong> Safer Westminster Partnership Strategy 2025/28 (sample) is made up"
    for page in (
        client.get(home.url),
        actions,
        client.get(Action.objects.get(strategy__slug=SAMPLE_SLUG, ref="VE1.1").get_absolute_url()),
        client.get(reverse("performance:review", args=[SAMPLE_SLUG, "2026-Q2"])),
        client.get(
            reverse(
                "performance:meeting_detail",
                args=[Meeting.objects.filter(strategy__slug=SAMPLE_SLUG).earliest("date").pk],
            )
        ),
        client.get(
            reverse(
                "performance:round_returns", args=[UpdateRound.objects.filter(strategy__slug=SAMPLE_SLUG).first().pk]
            )
        ),
    ):
        assert page.status_code == 200
        assert notice in page.content.decode()
    real = client.get(reverse("actions:strategy_detail", args=["swp-2017-2020"]))
    assert real.status_code == 200
    assert "Sample data" not in real.content.decode()
    listing = client.get(reverse("actions:strategy_list")).content.decode()
    assert listing.count("Sample data") == 1


def test_the_samples_annual_report_opens_on_the_latest_year_with_work(debug, client):
    # In December 2026 the sample began in April 2025; its updates are all of 2026/27.
    with time_machine.travel(DAYS[0], tick=False):
        load_demo()
        client.force_login(user("officer"))
        response = client.get(reverse("performance:annual_report", args=[SAMPLE_SLUG]))
    content = response.content.decode()
    assert '<option value="2026-27" selected>' in content and '<option value="2025-26">' in content
    report = response.context["report"]
    assert report.action_count == 26
    # (deliverables, challenges) of each strategic objective's theme, in order
    assert [(len(theme.deliverables), len(theme.challenges)) for theme in report.themes] == [
        (1, 1),
        (0, 2),
        (0, 0),
        (0, 0),
        (0, 0),
    ]


def fingerprint(sample):
    return (
        sample.pk,
        list(Update.objects.filter(action__strategy=sample).values_list("action__ref", "recorded_at", "review_state")),
        list(UpdateRound.objects.filter(strategy=sample).values_list("year", "number", "closed_at")),
        MeetingPack.objects.filter(meeting__strategy=sample).count(),
    )


def test_loading_again_in_the_quarter_changes_nothing_and_in_a_later_one_makes_it_anew(debug):
    with time_machine.travel(DAYS[0], tick=False):
        load_demo()
        before = fingerprint(Strategy.objects.get(slug=SAMPLE_SLUG))
    with time_machine.travel(DAYS[0] + datetime.timedelta(days=20), tick=False):
        load_demo()
        assert fingerprint(Strategy.objects.get(slug=SAMPLE_SLUG)) == before
    later = datetime.datetime(2027, 2, 10, 11, 0, tzinfo=LONDON)
    with time_machine.travel(later, tick=False):
        load_demo()
        sample = Strategy.objects.get(slug=SAMPLE_SLUG)
        assert sample.pk != before[0]
        assert Strategy.objects.filter(slug=SAMPLE_SLUG).count() == 1
        assert [r.quarter for r in UpdateRound.objects.open().filter(strategy=sample)] == [Quarter(2026, 4)]
        assert MeetingPack.objects.get(meeting__strategy=sample).quarter == Quarter(2026, 3)
        assert Action.objects.for_strategy(sample).mine(user("lead")).needing_update(Quarter(2026, 4)).count() == 11


@time_machine.travel(DAYS[0], tick=False)
def test_the_next_meeting_shows_the_decision_of_the_last_carried_forward(debug, client):
    load_demo()
    sample = Strategy.objects.get(slug=SAMPLE_SLUG)
    current = Quarter.containing(DAYS[0].date())
    upcoming = Meeting.objects.get(strategy=sample, year=current.year, number=current.number)
    client.force_login(user("executive"))
    page = client.get(reverse("performance:meeting_detail", args=[upcoming.pk])).content.decode()
    section = page.split('id="previous-actions"')[1].split("</table>")[0]
    decision = Challenge.objects.decisions().get(meeting__strategy=sample)
    assert decision.text in section
    assert decision.owner_person.name in section
    assert decision.due_date.strftime("%d/%m/%Y") in section
