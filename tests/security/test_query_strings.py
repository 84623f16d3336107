"""Query strings with control characters get the 400 page on every page and form, never a 500.

The addresses are the security matrix's (every URL the site has, read from the URL resolver), taken
where an officer of Test CSP reaches the page, so each view would really run.
"""

import pytest
from django.test import Client

from tests.security.test_matrix import ROWS

MALFORMED = [
    "strategy=%00",  # NUL: PostgreSQL refuses it in any text
    "%00=1",
    "q=a%0Ab",
    "page=%09",
    "since=%7F",
    "strategy=%C2%85",  # NEL, one of the C1 controls
]

# The health check answers before anything reads the query (strategy.middleware.HealthCheckMiddleware).
IGNORED = {"strategy:healthz"}
OFFICER_GET = [url for name, url, get, post in ROWS if get["officer"] == 200 and name not in IGNORED]
OFFICER_POST = [url for name, url, get, post in ROWS if post["officer"] == 200]


def with_query(address, query):
    return f"{address}{'&' if '?' in address else '?'}{query}"


def assert_bad_request_page(response, address):
    assert response.status_code == 400, address
    page = response.content.decode()
    assert "govuk-template" in page and "Sorry, there is a problem with your request" in page, address


def test_every_page_and_form_refuses_control_characters_in_the_query(world, users, settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(users["officer"])
    # The matrix's rows where an officer gets 200: a page added to the matrix is counted here too.
    assert (len(OFFICER_GET), len(OFFICER_POST)) == (115, 40)
    for url in OFFICER_GET:
        address = url.format(**world["ids"])
        for query in MALFORMED:
            assert_bad_request_page(client.get(with_query(address, query)), with_query(address, query))
    for url in OFFICER_POST:
        address = url.format(**world["ids"])
        assert_bad_request_page(client.post(with_query(address, "strategy=%00"), {}), address)
    healthz = client.get("/healthz?strategy=%00")
    assert (healthz.status_code, healthz.content) == (200, b"ok")


@pytest.mark.parametrize("query", ["strategy=test-2024-2027&q=caf%C3%A9", "strategy=test-2024-2027&q=a+b"])
def test_ordinary_text_in_the_query_is_still_read(client, officer, plan, query):
    client.force_login(officer)
    assert client.get(f"/actions/?{query}").status_code == 200


def test_the_sign_in_page_refuses_a_control_character_in_next(client, settings):
    settings.DEBUG = False
    response = Client(raise_request_exception=False).get("/accounts/login/?next=/actions/%00")
    assert_bad_request_page(response, "/accounts/login/")
