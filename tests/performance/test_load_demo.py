"""`load_demo`: the SWP plans as the seed documents give them, the demo logins, and safe to run twice.
(The sample current strategy it adds beside them: tests/performance/test_demo_current.py.)"""

import datetime
import io
import json
import zoneinfo
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.http import HttpRequest

from actions.models import Action, ActionLead, DeliveryGroup, Objective
from strategy.models import Marking, Membership, Person, Strategy

DEMO = json.loads((Path(__file__).parents[2] / "fixtures" / "swp_demo.json").read_text())


def counts():
    return [
        model.objects.count() for model in (Strategy, DeliveryGroup, Objective, Action, ActionLead, Person, Membership)
    ]


@pytest.fixture
def demo(db, settings, time_machine):
    settings.DEBUG = True
    # The sample strategy is dated from today, and its pack is made by the task worker: neither is tested here.
    time_machine.move_to(datetime.datetime(2026, 12, 4, 10, tzinfo=zoneinfo.ZoneInfo("Europe/London")), tick=False)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    call_command("load_demo", "--password", "demo-password-for-tests", stdout=io.StringIO())


def test_the_demo_holds_both_strategies_and_all_four_action_plans(demo):
    assert set(Strategy.objects.filter(is_sample=False).values_list("slug", flat=True)) == {
        "swp-2017-2020",
        "swp-2020-2023",
    }
    assert list(Strategy.objects.filter(is_sample=True).values_list("slug", flat=True)) == ["swp-sample"]
    plans = DEMO["strategies"][0]["delivery_groups"]
    for group in plans:
        expected = sum(len(objective["actions"]) for objective in group["objectives"])
        assert (
            Action.objects.filter(objective__delivery_group__name=group["name"], strategy__slug="swp-2017-2020").count()
            == expected
        )
    assert {g.name for g in DeliveryGroup.objects.filter(strategy__slug="swp-2017-2020")} == {
        "Executive Group",
        "Victim",
        "Offender",
        "Location",
        "CONTEST",
    }
    assert Action.objects.filter(strategy__is_sample=False).count() == 89
    recent = Strategy.objects.get(slug="swp-2020-2023")
    assert recent.strategic_objectives.count() == 5
    assert recent.principles.count() == 2
    assert recent.vision.startswith("Making Westminster safer")


def test_the_plans_keep_their_own_words_and_derive_due_dates(demo):
    action = Action.objects.get(strategy__slug="swp-2017-2020", ref="V1.2")
    assert action.text.startswith("Ensure processes are in place to identify repeat victims")
    assert action.lead_names == "Serena Simon / Adam Taylor"
    assert (action.deadline_text, str(action.due_date)) == ("Mar-18", "2018-03-31")
    assert Action.objects.get(strategy__slug="swp-2017-2020", ref="V2.1").due_date is None  # Quarterly reporting
    assert DeliveryGroup.objects.get(name="Location").chair.name == "Ian Hennessy"
    assert Action.objects.filter(marking=Marking.OFFICIAL_SENSITIVE, objective__delivery_group__name="CONTEST").exists()


def test_one_login_per_role_with_the_given_password(demo):
    roles = dict(Membership.objects.values_list("user__username", "role"))
    assert roles == {
        "officer": "officer",
        "chair": "chair",
        "lead": "lead",
        "executive": "executive",
        "viewer": "viewer",
    }
    # django-axes (first of AUTHENTICATION_BACKENDS) needs the request, as a sign-in page gives it.
    lead = authenticate(HttpRequest(), username="lead", password="demo-password-for-tests")
    assert lead.person.name == "Serena Simon"
    led = Action.objects.filter(leads=lead.person, strategy__slug="swp-2017-2020")
    assert set(led.values_list("objective__delivery_group__name", flat=True)) == {"Victim", "Offender", "Location"}
    chair = authenticate(HttpRequest(), username="chair", password="demo-password-for-tests")
    assert [group.name for group in chair.person.chaired_groups.filter(strategy__slug="swp-2017-2020")] == ["Victim"]


def test_loading_twice_changes_nothing(demo, settings):
    before = counts()
    serena = Person.objects.get(name="Serena Simon").pk
    call_command("load_demo", "--password", "demo-password-for-tests", stdout=io.StringIO())
    assert counts() == before
    assert Person.objects.get(name="Serena Simon").pk == serena


def test_load_demo_is_refused_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG is off"):
        call_command("load_demo")
    assert Strategy.objects.count() == 0


def test_the_demo_publishes_its_strategies_with_plans_and_holds_contest_back(demo, client):
    from actions.models import Update

    published = set(Strategy.objects.filter(published=True).values_list("slug", flat=True))
    with_plans = set(Strategy.objects.filter(actions__isnull=False).values_list("slug", flat=True))
    assert published == with_plans
    assert "swp-2017-2020" in published
    assert Strategy.objects.filter(published=True, is_sample=True).count() == 1
    contest = DeliveryGroup.objects.filter(strategy__published=True, name__icontains="contest")
    assert contest.exists()
    assert set(contest.values_list("held_back", flat=True)) == {True}
    assert Action.objects.public().exclude(public_wording="").count() == 3 * len(published)
    assert Update.objects.exclude(public_note="").filter(action__strategy__is_sample=True).count() == 4
    hidden = Action.objects.filter(strategy__published=True, objective__delivery_group__in=contest).first()
    for slug in published:
        response = client.get(f"/public/swp/{slug}/")
        assert response.status_code == 200
        assert hidden.text not in response.content.decode()
    assert "call 999" in client.get("/public/swp/").content.decode()


def test_publishing_the_demo_twice_changes_nothing(demo):
    from actions.models import Update
    from performance.demo import demo_publication_load
    from strategy.models import Partnership

    before = (Action.objects.exclude(public_wording="").count(), Update.objects.exclude(public_note="").count())
    demo_publication_load(partnership=Partnership.objects.get(slug="swp"))
    after = (Action.objects.exclude(public_wording="").count(), Update.objects.exclude(public_note="").count())
    assert after == before


def test_the_demo_has_an_annual_report_worth_reading(demo):
    from django.contrib.auth import get_user_model

    from performance.annual_report import FinancialYear, build_annual_report
    from performance.demo import ANNUAL_REPORT_INTRODUCTION, demo_annual_report_load
    from performance.models import AnnualReport
    from strategy.models import Partnership

    strategy = Strategy.objects.get(slug="swp-2017-2020")
    officer = get_user_model().objects.get(username="officer")
    report = build_annual_report(strategy=strategy, year=FinancialYear(2018), user=officer, edition=Marking.OFFICIAL)
    assert report.text.introduction == ANNUAL_REPORT_INTRODUCTION
    assert (report.deliverable_count, report.challenge_count, len(report.kpis)) == (17, 6, 11)
    assert all(
        entry.update.commentary.startswith("[Demo data] Complete") for t in report.themes for entry in t.deliverables
    )
    demo_annual_report_load(partnership=Partnership.objects.get(slug="swp"))
    assert AnnualReport.objects.get().version == 1
