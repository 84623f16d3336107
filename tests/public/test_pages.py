"""The public pages and open data: what anyone may read, with nothing else in them."""

import csv
import datetime
import io

import pytest
import time_machine
from django.core.cache import caches
from django.test import Client

from actions.models import Action
from performance.models import UpdateRound
from strategy.models import Strategy
from tests.conftest import make_action
from tests.public.conftest import NOW, SECRETS

PAGE = "/public/tcsp/test-2024-2027/"
ADDRESSES = [
    "/public/tcsp/",
    PAGE,
    PAGE + "data/",
    PAGE + "actions.csv",
    PAGE + "status-history.csv",
    PAGE + "indicators.csv",
]


def rows(response):
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


@pytest.mark.parametrize("address", ADDRESSES)
def test_anonymous_readers_get_the_page_with_nothing_kept_in_their_browser(address, published, client):
    response = client.get(address)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert not response.cookies
    assert response["Cache-Control"] == "public, max-age=300"


@pytest.mark.parametrize("address", ADDRESSES)
def test_no_sensitive_held_back_or_other_partnerships_text_on_any_public_page_or_file(address, published, client):
    body = client.get(address).content.decode("utf-8")
    found = [secret for secret in SECRETS if secret in body]
    assert found == []


def test_the_strategy_page_shows_public_actions_as_at_the_last_closed_quarter(published, client):
    body = client.get(PAGE).content.decode()
    assert "As at the end of 2024/25 Q3" in body
    assert "We will find people who are targeted again and again" in body
    assert "Note for V1.1" in body
    assert "O1.2" in body
    assert "LATER-NOTE" not in body  # updated after the quarter closed: not reviewed yet
    assert "Repeat victims" in body and "<svg" in body


def test_the_files_have_fixed_headers_and_the_reviewed_figures(published, client):
    actions = rows(client.get(PAGE + "actions.csv"))
    assert list(actions[0]) == [
        "reference",
        "delivery_group",
        "objective",
        "action",
        "quarter",
        "status",
        "rag",
        "public_note",
    ]
    assert [(row["reference"], row["status"], row["rag"], row["public_note"]) for row in actions] == [
        ("V1.1", "In progress", "Amber", "Note for V1.1"),
        ("O1.2", "In progress", "Amber", ""),
    ]
    assert {row["quarter"] for row in actions} == {"2024-Q3"}
    history = rows(client.get(PAGE + "status-history.csv"))
    assert [(row["quarter"], row["quarter_end"], row["reference"]) for row in history] == [
        ("2024-Q3", "2024-12-31", "V1.1"),
        ("2024-Q3", "2024-12-31", "O1.2"),
    ]
    indicators = rows(client.get(PAGE + "indicators.csv"))
    assert [(row["reference"], row["period_start"], row["value"]) for row in indicators] == [
        ("KPI-1", "2024-07-01", "40"),
        ("KPI-1", "2024-10-01", "35"),
    ]


def test_the_status_history_reads_forward_through_the_closed_quarters(published, officer, client):
    UpdateRound.objects.create(
        strategy=published["strategy"],
        year=2024,
        number=2,
        deadline=datetime.date(2024, 10, 10),
        closed_at=NOW,
        closed_by=officer,
    )
    history = rows(client.get(PAGE + "status-history.csv"))
    assert [(row["quarter"], row["reference"]) for row in history] == [
        ("2024-Q2", "V1.1"),
        ("2024-Q2", "O1.2"),
        ("2024-Q3", "V1.1"),
        ("2024-Q3", "O1.2"),
    ]
    assert {row["quarter"] for row in rows(client.get(PAGE + "actions.csv"))} == {"2024-Q3"}  # the newest


def test_the_files_are_rfc_4180_with_formulas_escaped(published, client):
    Action.objects.filter(ref="V1.1").update(public_wording='=HYPERLINK("http://x") says "hi", twice')
    response = client.get(PAGE + "actions.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8; header=present"
    assert response.content.startswith(b"reference,delivery_group,")
    assert b"\r\n" in response.content
    assert '"\'=HYPERLINK(""http://x"") says ""hi"", twice"' in response.content.decode()


def test_the_licence_is_stated(published, client):
    assert "Open Government Licence v3.0" in client.get(PAGE).content.decode()
    assert "Open Government Licence v3.0" in client.get(PAGE + "data/").content.decode()


@pytest.mark.parametrize(
    "address",
    [
        "/public/nobody/",
        "/public/tcsp/nothing/",
        "/public/tcsp/elsewhere-2024/",  # the other partnership's strategy under this one's address
        "/public/elsewhere/test-2024-2027/",
        "/public/tcsp/test-2024-2027/nothing.csv",
    ],
)
def test_unknown_and_other_partnerships_addresses_are_a_plain_404(address, published, client):
    assert client.get(address).status_code == 404


@pytest.mark.parametrize("address", ADDRESSES[1:])
def test_an_unpublished_strategy_is_a_404_even_asked_for_a_preview(address, published, client, viewer):
    Strategy.objects.filter(slug="test-2024-2027").update(published=False)
    assert client.get(address).status_code == 404
    assert client.get(address + "?preview").status_code == 404
    client.force_login(viewer)
    assert client.get(address + "?preview").status_code == 404


def test_a_sensitive_strategy_is_never_public_even_published(published, client, officer):
    Strategy.objects.filter(slug="test-2024-2027").update(marking="official_sensitive")
    assert client.get(PAGE).status_code == 404
    client.force_login(officer)
    assert client.get(PAGE + "?preview").status_code == 404


@pytest.mark.parametrize("address", ADDRESSES[1:])
def test_officers_preview_an_unpublished_strategy_uncached(address, published, client, officer):
    Strategy.objects.filter(slug="test-2024-2027").update(published=False)
    client.force_login(officer)
    response = client.get(address + "?preview")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    body = response.content.decode()
    assert [secret for secret in SECRETS if secret in body] == []


def test_the_preview_says_it_is_one(published, client, officer):
    Strategy.objects.filter(slug="test-2024-2027").update(published=False)
    client.force_login(officer)
    body = client.get(PAGE + "?preview").content.decode()
    assert "You are seeing this page as residents will, once the strategy is published" in body


def test_the_partnership_page_lists_published_strategies_and_how_to_get_help(published, client):
    published["partnership"].public_help = "In an emergency call 999.\nReport anti-social behaviour online."
    published["partnership"].save()
    body = client.get("/public/tcsp/").content.decode()
    assert "Test strategy 2024-2027" in body
    assert '<p class="govuk-body">In an emergency call 999.</p>' in body
    assert "Elsewhere strategy" not in body


def test_a_partnership_publishing_nothing_is_a_404(published, client):
    Strategy.objects.update(published=False)
    assert client.get("/public/tcsp/").status_code == 404


def _queries(django_assert_num_queries, client, address, count):
    """The queries of drawing the page (not of handing out a kept one)."""
    caches["public"].clear()
    with django_assert_num_queries(count):
        assert client.get(address).status_code == 200


@pytest.mark.parametrize(
    ("address", "queries"),
    [
        # strategy; its closed quarters; public groups; public objectives; public actions as at the
        # quarter's end; public indicators; their values; principles; strategic objectives
        (PAGE, 9),
        # strategy; closed quarters; public actions as at the quarter's end
        (PAGE + "actions.csv", 3),
        # strategy; closed quarters; public actions as at each closed quarter's end (one here)
        (PAGE + "status-history.csv", 3),
        # strategy; the public indicators' values
        (PAGE + "indicators.csv", 2),
        # partnership; its public strategies
        ("/public/tcsp/", 2),
    ],
)
def test_query_counts_do_not_grow_with_the_plan(address, queries, published, client, django_assert_num_queries):
    _queries(django_assert_num_queries, client, address, queries)
    for number in range(2, 30):
        make_action(published["o1"], f"O1.{number + 1}")
    _queries(django_assert_num_queries, client, address, queries)


def test_with_no_closed_quarter_the_page_lists_actions_without_figures(published, client):
    from performance.models import UpdateRound

    UpdateRound.objects.all().delete()
    body = client.get(PAGE).content.decode()
    assert "No quarter's updates have been reviewed yet" in body
    assert "We will find people who are targeted again and again" in body
    assert rows(client.get(PAGE + "status-history.csv")) == []
    actions = rows(client.get(PAGE + "actions.csv"))
    assert [(row["reference"], row["quarter"], row["status"], row["public_note"]) for row in actions] == [
        ("V1.1", "", "", ""),
        ("O1.2", "", "", ""),
    ]


def test_signed_in_readers_get_a_page_no_shared_cache_keeps(published, viewer):
    client = Client()
    client.force_login(viewer)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


@pytest.mark.parametrize("address", [PAGE, PAGE + "actions.csv", PAGE + "data/", "/public/tcsp/"])
def test_an_anonymous_answer_is_drawn_once_and_kept(address, published, client, django_assert_num_queries):
    first = client.get(address)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        again = client.get(address + "?anything=1")  # a query string is not another page
    assert (again.status_code, again.content) == (200, first.content)
    assert again["Cache-Control"] == "public, max-age=300"
    assert "Set-Cookie" not in again


@pytest.mark.parametrize("address", [PAGE, PAGE + "actions.csv"])
def test_a_change_reaches_anonymous_readers_within_five_minutes(address, published, client):
    held_back = "We will find people who are targeted again and again"
    with time_machine.travel("2026-06-01 12:00", tick=False) as clock:
        first = client.get(address).content
        assert held_back in first.decode()
        Action.objects.filter(public_wording=held_back).update(held_back=True)
        clock.shift(299)
        assert client.get(address).content == first  # as browsers and proxies may keep it too
        clock.shift(2)
        assert held_back not in client.get(address).content.decode()


def test_previews_and_signed_in_readers_are_drawn_each_time(published, officer):
    held_back = "We will find people who are targeted again and again"
    signed_in = Client()
    signed_in.force_login(officer)
    assert held_back in signed_in.get(PAGE).content.decode()
    assert held_back in signed_in.get(PAGE + "?preview").content.decode()
    assert held_back in Client().get(PAGE).content.decode()  # kept for anonymous readers
    Action.objects.filter(public_wording=held_back).update(held_back=True)
    assert held_back not in signed_in.get(PAGE).content.decode()
    assert held_back not in signed_in.get(PAGE + "?preview").content.decode()
