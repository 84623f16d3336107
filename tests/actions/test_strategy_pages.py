"""Officers set a strategy up without the back office: add it from Strategies (or from the import
page, then import its plan), and reach its review, import, exports, rounds and meetings from its page."""

import datetime

import pytest

from strategy.models import Marking, Membership, Strategy
from tests.conftest import make_user

NEW = {
    "title": "Safer Test Strategy",
    "start_date": "01/04/2026",
    "end_date": "31/03/2029",
    "marking": "official",
    "requires_sign_off": "yes",
}


def test_officer_adds_a_strategy_from_the_strategies_page(client, officer, plan):
    client.force_login(officer)
    listing = client.get("/strategies/").content.decode()
    assert 'href="/strategies/new/">Add a strategy</a>' in listing

    response = client.post("/strategies/new/", NEW)

    strategy = Strategy.objects.get(title="Safer Test Strategy")
    assert response.status_code == 302
    assert response.url == f"/strategies/{strategy.slug}/"
    assert strategy.slug == "safer-test-strategy-2026-2029"
    assert (strategy.partnership, strategy.status, strategy.marking, strategy.requires_sign_off) == (
        plan["partnership"],
        Strategy.Status.ACTIVE,
        Marking.OFFICIAL,
        True,
    )
    assert (strategy.start_date, strategy.end_date) == (datetime.date(2026, 4, 1), datetime.date(2029, 3, 31))


def test_the_dates_hints_give_a_financial_years_start_and_end(client, officer, plan):
    client.force_login(officer)
    form = client.get("/strategies/new/").context["form"]
    assert (form["start_date"].help_text, form["end_date"].help_text) == (
        "For example, 01/04/2026",
        "For example, 31/03/2029",
    )
    content = client.get("/strategies/new/").content.decode()
    assert ("For example, 01/04/2026" in content, "For example, 31/03/2025" in content) == (True, False)


def test_a_second_strategy_of_the_same_name_and_period_is_refused_and_slugs_stay_unique(client, officer, plan):
    client.force_login(officer)
    client.post("/strategies/new/", NEW)

    again = client.post("/strategies/new/", {**NEW, "title": "safer  test strategy"})
    other = client.post("/strategies/new/", {**NEW, "title": "Safer Test Strategy 2026-2029 (draft two)"})

    assert again.status_code == 200
    assert "already has a strategy called safer test strategy" in again.content.decode()
    assert other.status_code == 302
    assert Strategy.objects.filter(title__startswith="Safer Test").count() == 2


def test_bad_input_keeps_what_was_typed_and_saves_nothing(client, officer, plan):
    client.force_login(officer)

    response = client.post("/strategies/new/", {**NEW, "title": "", "end_date": "31/03/2025", "requires_sign_off": ""})

    content = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Add a strategy" in content
    assert "Enter the strategy&#x27;s name" in content
    assert "The end date must be after the start date" in content
    assert "Select whether updates need the chair&#x27;s sign-off" in content
    assert 'value="01/04/2026"' in content
    assert Strategy.objects.count() == 1


def test_an_officer_chooses_only_markings_they_are_cleared_for(client, plan):
    officer = make_user("official-officer", partnership=plan["partnership"], role=Membership.Role.OFFICER)
    client.force_login(officer)

    page = client.get("/strategies/new/").content.decode()
    response = client.post("/strategies/new/", {**NEW, "marking": "official_sensitive"})

    assert 'value="official"' in page
    assert 'value="official_sensitive"' not in page
    assert response.status_code == 200
    assert not Strategy.objects.filter(title=NEW["title"]).exists()


@pytest.mark.parametrize("role", ["chair", "lead", "executive", "viewer"])
def test_only_officers_add_strategies(client, users, role):
    client.force_login(users[role])

    assert client.get("/strategies/new/").status_code == 403
    assert client.post("/strategies/new/", NEW).status_code == 403
    assert 'href="/strategies/new/"' not in client.get("/strategies/").content.decode()
    assert not Strategy.objects.filter(title=NEW["title"]).exists()


def test_import_into_a_new_strategy(client, officer, plan):
    client.force_login(officer)
    upload = client.get("/imports/new/").content.decode()
    assert '<a class="govuk-link" href="/strategies/new/?then=import">Import into a new strategy</a>' in upload
    form = client.get("/strategies/new/?then=import").content.decode()
    assert '<input type="hidden" name="then" value="import">' in form

    response = client.post("/strategies/new/", {**NEW, "then": "import"})

    strategy = Strategy.objects.get(title=NEW["title"])
    assert response.url == f"/imports/new/?strategy={strategy.slug}"
    upload = client.get(response.url).content.decode()
    assert f'<option value="{strategy.pk}" selected>{strategy.title}</option>' in upload


def test_an_officer_with_no_strategy_yet_is_offered_a_new_one_on_the_import_page(client, db):
    from strategy.models import Partnership

    partnership = Partnership.objects.create(name="Brand New CSP", slug="brand-new")
    officer = make_user("newcomer", partnership=partnership, role=Membership.Role.OFFICER)
    client.force_login(officer)

    response = client.get("/imports/new/")

    content = response.content.decode()
    assert response.status_code == 200
    assert "Import into a new strategy</a>" in content
    assert "Your partnership has no strategy you may import into yet." in content
    assert 'enctype="multipart/form-data"' not in content


def test_the_strategy_page_links_to_its_tools(client, officer, viewer, plan, django_assert_num_queries):
    slug = plan["strategy"].slug
    client.force_login(officer)
    client.get(f"/strategies/{slug}/")

    # The session, user, membership, strategy, the group counts, the groups, the
    # principles, the strategic objectives; no clearance check on what an import reaches, the officer
    # being cleared for everything.
    with django_assert_num_queries(8):
        content = client.get(f"/strategies/{slug}/").content.decode()

    for href in [
        f"/review/{slug}/",
        f"/meetings/?strategy={slug}",
        f"/rounds/?strategy={slug}",
        f"/imports/new/?strategy={slug}",
        f"/strategies/{slug}/export.xlsx",
        f"/strategies/{slug}/export.csv",
    ]:
        assert f'href="{href}"' in content

    client.force_login(viewer)
    content = client.get(f"/strategies/{slug}/").content.decode()
    assert f'href="/review/{slug}/"' in content
    assert f'href="/strategies/{slug}/export.xlsx"' in content
    assert f'href="/rounds/?strategy={slug}"' not in content
    assert f'href="/imports/new/?strategy={slug}"' not in content


def test_the_rounds_page_shows_one_strategys_rounds(client, officer, plan, elsewhere):
    from performance.models import UpdateRound

    other = Strategy.objects.create(
        partnership=plan["partnership"],
        title="Other",
        slug="other",
        start_date=datetime.date(2024, 4, 1),
        end_date=datetime.date(2027, 3, 31),
        status=Strategy.Status.ACTIVE,
    )
    for strategy in (plan["strategy"], other):
        UpdateRound.objects.create(
            strategy=strategy, year=2024, number=3, deadline=datetime.date(2025, 1, 10), opened_by=officer
        )
    client.force_login(officer)

    content = client.get(f"/rounds/?strategy={plan['strategy'].slug}").content.decode()

    assert f"> returns, {plan['strategy'].title}</span>" in content
    assert "> returns, Other</span>" not in content


def test_the_strategy_page_is_marked_by_the_highest_marking_it_shows(client, officer, viewer, plan):
    """The CONTEST group is OFFICIAL-SENSITIVE: the officer, cleared for it, sees it listed, so the
    page is marked so; the viewer, cleared for OFFICIAL, sees the page without it, marked OFFICIAL."""
    address = f"/strategies/{plan['strategy'].slug}/"
    client.force_login(officer)
    page = client.get(address).content.decode()
    assert "CONTEST" in page
    assert '<span class="govuk-visually-hidden">Handling marking: </span>OFFICIAL-SENSITIVE</p>' in page
    client.force_login(viewer)
    page = client.get(address).content.decode()
    assert "CONTEST" not in page
    assert '<span class="govuk-visually-hidden">Handling marking: </span>OFFICIAL</p>' in page
