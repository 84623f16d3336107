"""The read-only JSON API: who reads what, as at which quarter, filtered, paged, throttled, cached."""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
import time_machine

from actions.models import Action
from api.models import PartnerAPIKey
from api.throttling import AnonymousThrottle, KeyThrottle
from performance.models import UpdateRound
from strategy.models import Marking
from tests.api.conftest import NOW, caller, make_key
from tests.conftest import make_action
from tests.public.conftest import SECRETS

LISTS = [
    "/api/v1/partnerships/",
    "/api/v1/strategies/",
    "/api/v1/strategies/{strategy}/actions/",
    "/api/v1/delivery-groups/",
    "/api/v1/objectives/",
    "/api/v1/indicators/",
    "/api/v1/indicator-values/",
]
# Above OFFICIAL, or inside something that is: never for a key cleared for OFFICIAL only.
SENSITIVE = ["SENSITIVE-ACTION-TEXT", "CONTEST-ACTION", "Protect crowded places", "KPI-S"]


def everything(client, published):
    """Every list's whole JSON answer for this caller, as one text (status codes kept apart)."""
    bodies, statuses = [], set()
    for address in LISTS:
        response = client.get(address.format(strategy=published["strategy"].pk) + "?page_size=1000")
        statuses.add(response.status_code)
        bodies.append(response.content.decode())
    return statuses, "\n".join(bodies)


def refs(client, strategy, query=""):
    response = client.get(f"/api/v1/strategies/{strategy.pk}/actions/{query}")
    assert response.status_code == 200, response.content
    return [row["reference"] for row in response.json()["results"]]


def test_anonymous_callers_get_exactly_the_public_data(published, keys):
    statuses, body = everything(caller(), published)
    assert statuses == {200}
    assert [secret for secret in [*SECRETS, "HELD-OBJECTIVE", "KPI-P"] if secret in body] == []
    assert refs(caller(), published["strategy"]) == ["V1.1", "O1.2"]
    assert "We will find people who are targeted again and again" in body


def test_a_key_cleared_for_official_reads_its_partnership_up_to_official_published_or_not(published, keys):
    statuses, body = everything(caller(keys["official"]), published)
    assert statuses == {200}
    assert [secret for secret in [*SENSITIVE, "ELSEWHERE-ACTION", "Elsewhere"] if secret in body] == []
    # Held back and internal text are its partnership's data at OFFICIAL: the key reads them.
    assert "HELD-ACTION-TEXT" in body and "INTERNAL-ACTION-TEXT" in body and "PREVENT-ACTION" in body
    assert refs(caller(keys["official"]), published["strategy"]) == ["V1.1", "V3.1", "O1.1", "O1.2", "P1.1"]


def test_a_key_cleared_for_official_sensitive_reads_all_of_its_partnership(published, keys):
    statuses, body = everything(caller(keys["sensitive"]), published)
    assert statuses == {200}
    assert all(secret in body for secret in SENSITIVE)
    assert "ELSEWHERE-ACTION" not in body and "Elsewhere" not in body
    assert refs(caller(keys["sensitive"]), published["strategy"]) == [
        "V1.1",
        "V1.2",
        "V3.1",
        "O1.1",
        "O1.2",
        "C1.1",
        "P1.1",
    ]


def test_another_partnerships_key_never_reads_outside_its_own(published, keys, elsewhere):
    statuses, body = everything(caller(keys["elsewhere"]), published)
    assert statuses == {200, 404}  # Test CSP's strategy's actions: not found
    assert refs(caller(keys["elsewhere"]), elsewhere["strategy"]) == ["X1.1"]
    assert [text for text in ["INTERNAL-ACTION-TEXT", "We will find", "Test Community", "KPI-1"] if text in body] == []
    assert caller(keys["elsewhere"]).get(f"/api/v1/strategies/{published['strategy'].pk}/").status_code == 404


@pytest.mark.parametrize("which", ["expired", "revoked", "maker_demoted", "maker_deactivated", "maker_deleted"])
def test_expired_and_revoked_keys_and_those_whose_maker_is_no_longer_an_officer_read_nothing(which, published, keys):
    for address in [*LISTS, "/api/v1/", "/api/schema/"]:
        response = caller(keys[which]).get(address.format(strategy=published["strategy"].pk))
        assert response.status_code == 401, address
        assert response["WWW-Authenticate"] == "Api-Key"
        assert (
            b"API key" in response.content and b"results" not in response.content and b"paths" not in response.content
        )


def test_a_key_never_reads_above_its_makers_clearance_now(published, keys):
    lowered, official = (
        everything(caller(keys["maker_lowered"]), published),
        everything(caller(keys["official"]), published),
    )
    assert lowered == official
    assert [secret for secret in SENSITIVE if secret in lowered[1]] == []


def test_a_key_whose_maker_is_no_longer_an_officer_is_refused_with_the_reason(published, keys):
    assert caller(keys["maker_demoted"]).get("/api/v1/").json() == {
        "detail": "This API key stopped working when the officer who made it stopped being one: "
        "ask an officer for a new one."
    }


def test_a_wrong_key_is_refused_with_the_reason(published, officer):
    response = caller("abc.not-a-key").get("/api/v1/strategies/")
    assert response.status_code == 401
    assert response.json() == {"detail": "This API key is not valid: check it was copied whole."}
    expired = make_key(
        published["partnership"], Marking.OFFICIAL, by=officer, expiry=NOW - datetime.timedelta(minutes=1)
    )
    assert caller(expired).get("/api/v1/").json() == {
        "detail": "This API key expired on 20/01/2025: ask an officer for a new one."
    }


@pytest.mark.parametrize(
    ("who", "action", "status"),
    [
        (None, "v1_1", 200),
        (None, "v1_2", 404),  # OFFICIAL-SENSITIVE
        (None, "o1_1", 404),  # held back
        (None, "c1_1", 404),  # CONTEST: sensitive and held back
        ("official", "o1_1", 200),
        ("official", "v1_2", 404),
        ("official", "c1_1", 404),
        ("sensitive", "c1_1", 200),
        ("elsewhere", "v1_1", 404),
        # Made at OFFICIAL-SENSITIVE by an officer since lowered to OFFICIAL: reads as at OFFICIAL.
        ("maker_lowered", "o1_1", 200),
        ("maker_lowered", "v1_2", 404),
        ("maker_lowered", "c1_1", 404),
        # Made by an officer since made a viewer, deactivated or deleted: refused.
        ("maker_demoted", "v1_1", 401),
        ("maker_demoted", "c1_1", 401),
        ("maker_deactivated", "v1_1", 401),
        ("maker_deactivated", "c1_1", 401),
        ("maker_deleted", "v1_1", 401),
        ("maker_deleted", "c1_1", 401),
    ],
)
def test_one_action_is_there_only_for_who_may_read_it(who, action, status, published, keys):
    strategy = published["strategy"]
    client = caller(keys[who] if who else None)
    assert client.get(f"/api/v1/strategies/{strategy.pk}/actions/{published[action].pk}/").status_code == status


def test_an_unpublished_strategy_is_not_found_without_a_key_and_there_with_one(published, keys, elsewhere):
    strategy = published["strategy"]
    type(strategy).objects.filter(pk=strategy.pk).update(published=False)
    for address in (f"/api/v1/strategies/{strategy.pk}/", f"/api/v1/strategies/{strategy.pk}/actions/"):
        assert caller().get(address).status_code == 404
        assert caller(keys["official"]).get(address).status_code == 200
    assert caller().get("/api/v1/actions/").status_code == 404
    assert caller().get("/api/v1/delivery-groups/").json()["count"] == 1  # the other partnership's, published


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("who", [None, "sensitive"])
def test_the_api_only_reads(method, who, published, keys):
    strategy = published["strategy"]
    client = caller(keys[who] if who else None)
    for address in [
        "/api/v1/strategies/",
        f"/api/v1/strategies/{strategy.pk}/",
        f"/api/v1/strategies/{strategy.pk}/actions/",
        f"/api/v1/strategies/{strategy.pk}/actions/{published['v1_1'].pk}/",
        f"/api/v1/indicators/{published['kpi'].pk}/",
    ]:
        response = getattr(client, method)(address, data="{}", content_type="application/json")
        assert response.status_code == 405, address
    assert Action.objects.filter(pk=published["v1_1"].pk).exists()


def test_without_a_key_actions_are_as_at_the_last_closed_quarter_as_on_the_public_pages(published, keys):
    rows = caller().get(f"/api/v1/strategies/{published['strategy'].pk}/actions/").json()["results"]
    assert rows[0] == {
        "id": published["v1_1"].pk,
        "strategy": published["strategy"].pk,
        "delivery_group": published["victim"].pk,
        "objective": published["v1"].pk,
        "reference": "V1.1",
        "action": "We will find people who are targeted again and again",
        "quarter": "2024-Q3",
        "status": "in_progress",
        "status_label": "In progress",
        "rag": "amber",
        "rag_label": "Amber",
        "public_note": "Note for V1.1",
    }


def test_a_key_reads_the_state_now_or_as_at_any_closed_quarter(published, keys):
    client, strategy = caller(keys["official"]), published["strategy"]
    now = client.get(f"/api/v1/strategies/{strategy.pk}/actions/{published['v1_1'].pk}/").json()
    assert (now["quarter"], now["status"], now["rag"], now["public_note"]) == (None, "complete", None, None)
    assert now["text"] == "INTERNAL-ACTION-TEXT" and now["leads"] == ["Lena Lead"]
    then = client.get(f"/api/v1/strategies/{strategy.pk}/actions/{published['v1_1'].pk}/?as_at=2024-Q3").json()
    assert (then["quarter"], then["status"], then["rag"], then["public_note"]) == (
        "2024-Q3",
        "in_progress",
        "amber",
        "Note for V1.1",
    )


def test_the_closed_quarters_are_listed_newest_first_and_without_a_key_the_newest_is_read(published, keys, officer):
    strategy = published["strategy"]
    UpdateRound.objects.create(
        strategy=strategy, year=2024, number=2, deadline=datetime.date(2024, 10, 10), closed_at=NOW, closed_by=officer
    )
    client = caller()
    assert client.get(f"/api/v1/strategies/{strategy.pk}/").json()["closed_quarters"] == ["2024-Q3", "2024-Q2"]
    rows = client.get(f"/api/v1/strategies/{strategy.pk}/actions/").json()["results"]
    assert {row["quarter"] for row in rows} == {"2024-Q3"}
    rows = client.get(f"/api/v1/strategies/{strategy.pk}/actions/?as_at=2024-Q2").json()["results"]
    assert {row["quarter"] for row in rows} == {"2024-Q2"}


@pytest.mark.parametrize("quarter", ["2024-Q2", "2025-Q1", "2019-Q1", "soon"])
def test_only_a_closed_quarter_can_be_asked_for(quarter, published, keys):
    response = caller(keys["official"]).get(f"/api/v1/strategies/{published['strategy'].pk}/actions/?as_at={quarter}")
    assert response.status_code == 400
    assert response.json() == {
        "as_at": ["Give a closed quarter of this strategy, like 2025-Q2 (the strategy's closed_quarters)"]
    }


def test_the_action_lists_filters_apply(published, keys):
    strategy, client = published["strategy"], caller(keys["sensitive"])
    assert refs(client, strategy, f"?group={published['offender'].pk}") == ["O1.1", "O1.2"]
    assert refs(client, strategy, "?status=complete") == ["V1.1"]
    assert refs(client, strategy, "?as_at=2024-Q3&status=complete") == []
    assert refs(client, strategy, "?q=HELD-ACTION") == ["O1.1"]
    assert refs(client, strategy, "?sort=-ref") == ["V3.1", "V1.2", "V1.1", "P1.1", "O1.2", "O1.1", "C1.1"]
    assert client.get(f"/api/v1/strategies/{strategy.pk}/actions/?status=lost").status_code == 400


def test_without_a_key_only_filters_on_public_data_apply(published, keys):
    strategy, client = published["strategy"], caller()
    assert refs(client, strategy, f"?group={published['offender'].pk}") == ["O1.2"]
    assert refs(client, strategy, "?status=in_progress&rag=amber") == ["V1.1", "O1.2"]
    assert refs(client, strategy, "?status=complete") == []  # V1.1 is complete now, not at the quarter's end
    # A search of internal text or commentary, or by lead, is no filter at all for anyone without a key.
    assert refs(client, strategy, "?q=INTERNAL-ACTION-TEXT") == ["V1.1", "O1.2"]
    assert refs(client, strategy, f"?lead={published['lena'].pk}") == ["V1.1", "O1.2"]
    # A held-back group is not a choice: asking for it is a mistake, not an empty answer that confirms it.
    assert client.get(f"/api/v1/strategies/{strategy.pk}/actions/?group={published['contest'].pk}").status_code == 400


def test_lists_are_paged(published, keys):
    for number in range(3, 8):
        make_action(published["o1"], f"O1.{number}")
    first = caller(keys["official"]).get(f"/api/v1/strategies/{published['strategy'].pk}/actions/?page_size=4").json()
    assert first["count"] == 10 and len(first["results"]) == 4
    assert first["next"].endswith("page=2&page_size=4")
    second = caller(keys["official"]).get(first["next"]).json()
    assert (len(second["results"]), second["previous"].endswith("?page_size=4")) == (4, True)
    last = caller(keys["official"]).get(second["next"]).json()
    assert (len(last["results"]), last["next"], last["count"]) == (2, None, 10)


def test_the_csv_and_the_json_serve_the_same_figures(published, client):
    page = "/public/tcsp/test-2024-2027/"
    actions = list(csv.DictReader(io.StringIO(client.get(page + "actions.csv").content.decode())))
    feed = caller().get(f"/api/v1/strategies/{published['strategy'].pk}/actions/").json()["results"]
    assert [(r["reference"], r["action"], r["quarter"], r["status"], r["rag"], r["public_note"]) for r in actions] == [
        (r["reference"], r["action"], r["quarter"], r["status_label"], r["rag_label"] or "", r["public_note"])
        for r in feed
    ]
    values = list(csv.DictReader(io.StringIO(client.get(page + "indicators.csv").content.decode())))
    feed = caller().get(f"/api/v1/indicator-values/?strategy={published['strategy'].pk}").json()["results"]
    assert [(r["reference"], r["period"], r["period_start"], Decimal(r["value"])) for r in values] == [
        (r["indicator_reference"], r["period"], r["period_start"], Decimal(r["value"])) for r in feed
    ]
    assert len(values) == 2


def test_anonymous_answers_are_cacheable_and_set_no_cookie_keyed_ones_are_private(published, keys):
    response = caller().get("/api/v1/strategies/")
    assert response["Cache-Control"] == "public, max-age=300"
    assert "Authorization" in response["Vary"]
    assert not response.cookies
    response = caller(keys["official"]).get("/api/v1/strategies/")
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    ("address", "anonymous", "keyed"),
    [
        # partnerships (the public ones: an EXISTS on published strategies); count; page.
        # A key adds its look-up (its last use was written by the first request, and the clock is
        # frozen: no write).
        ("/api/v1/partnerships/", 2, 3),
        # count; page; principles; strategic objectives; closed rounds
        ("/api/v1/strategies/", 5, 6),
        # strategy; closed quarters; count; page (as at the quarter, with its public note);
        # a key: and the page's leads
        ("/api/v1/strategies/{strategy}/actions/", 4, 6),
        # count; page
        ("/api/v1/delivery-groups/", 2, 3),
        ("/api/v1/objectives/", 2, 3),
        ("/api/v1/indicators/", 2, 3),
        ("/api/v1/indicator-values/", 2, 3),
    ],
)
def test_query_counts_do_not_grow_with_the_data(address, anonymous, keyed, published, keys, django_assert_num_queries):
    address = address.format(strategy=published["strategy"].pk)
    client = caller(keys["sensitive"])
    client.get(address)
    for step in range(2):
        with django_assert_num_queries(anonymous):
            assert caller().get(address).status_code == 200
        with django_assert_num_queries(keyed):
            assert client.get(address).status_code == 200
        for number in range(3, 13):
            make_action(published["o1"], f"O1.{number + step * 20}", leads=[published["lena"]])


def test_a_keys_last_use_is_written_at_most_once_a_minute(published, keys, django_assert_num_queries):
    text = keys["official"]
    key = PartnerAPIKey.objects.get_from_key(text)
    assert key.last_used_at is None
    with time_machine.travel(NOW, tick=False):
        caller(text).get("/api/v1/partnerships/")
    key.refresh_from_db()
    assert key.last_used_at == NOW
    # the key; count; page; and no write
    with time_machine.travel(NOW + datetime.timedelta(seconds=59), tick=False), django_assert_num_queries(3):
        caller(text).get("/api/v1/partnerships/")
    key.refresh_from_db()
    assert key.last_used_at == NOW
    later = NOW + datetime.timedelta(seconds=61)
    with time_machine.travel(later, tick=False):
        caller(text).get("/api/v1/partnerships/")
    key.refresh_from_db()
    assert key.last_used_at == later


@pytest.mark.parametrize("who", [None, "official"])
def test_throttling_answers_429_saying_when_to_try_again(who, published, keys, monkeypatch):
    monkeypatch.setattr(AnonymousThrottle, "THROTTLE_RATES", {"anonymous": "2/minute"})
    monkeypatch.setattr(KeyThrottle, "THROTTLE_RATES", {"api_key": "2/minute"})
    client = caller(keys[who] if who else None)
    with time_machine.travel(NOW, tick=False):
        assert [client.get("/api/v1/strategies/").status_code for _ in range(2)] == [200, 200]
        response = client.get("/api/v1/strategies/")
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert response.json() == {"detail": "Too many requests. Try again in 60 seconds, at 10:01:00 UK time."}
    # Another key, or a caller with no key, has its own allowance.
    other = caller(keys["sensitive"] if who is None else None)
    with time_machine.travel(NOW, tick=False):
        assert other.get("/api/v1/strategies/").status_code == 200
    with time_machine.travel(NOW + datetime.timedelta(seconds=61), tick=False):
        assert client.get("/api/v1/strategies/").status_code == 200


def test_the_schema_documents_every_endpoint_and_the_key_header(published):
    response = caller().get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert set(schema["paths"]) == {
        "/api/v1/partnerships/",
        "/api/v1/partnerships/{id}/",
        "/api/v1/strategies/",
        "/api/v1/strategies/{id}/",
        "/api/v1/strategies/{strategy_pk}/actions/",
        "/api/v1/strategies/{strategy_pk}/actions/{id}/",
        "/api/v1/delivery-groups/",
        "/api/v1/delivery-groups/{id}/",
        "/api/v1/objectives/",
        "/api/v1/objectives/{id}/",
        "/api/v1/indicators/",
        "/api/v1/indicators/{id}/",
        "/api/v1/indicator-values/",
        "/api/v1/indicator-values/{id}/",
    }
    assert schema["components"]["securitySchemes"]["ApiKey"]["name"] == "Authorization"
    assert "as_at" in {
        p["name"] for p in schema["paths"]["/api/v1/strategies/{strategy_pk}/actions/"]["get"]["parameters"]
    }
    assert all(set(op) == {"get"} for op in schema["paths"].values())


def test_the_docs_page_loads_only_its_own_files(published):
    response = caller().get("/api/docs/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<script>" not in body and "<style>" not in body
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in body
    assert "script-src 'self'" in response["Content-Security-Policy"]
    script = caller().get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()
