"""The API's docs under the site's content security policy, and the officers' API keys page."""

import datetime

import pytest
import time_machine
from playwright.sync_api import expect

from tests.public.conftest import NOW, published  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("published")]

# Every CSP violation the page causes, collected from the moment the document starts (init scripts
# run before the page's own and are not subject to its policy).
WATCH_CSP = """window.__csp = [];
document.addEventListener("securitypolicyviolation",
    (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));"""


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=True):  # ticking, so the browser's timers run
        yield


def test_the_api_docs_render_from_vendored_files_with_no_csp_violation(page, live_server):
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    outside = []
    page.on("request", lambda request: not request.url.startswith(live_server.url) and outside.append(request.url))
    page.add_init_script(WATCH_CSP)
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("API")
    expect(page.get_by_text("/api/v1/strategies/{strategy_pk}/actions/", exact=True).first).to_be_visible()
    expect(page.locator(".swagger-ui .auth-wrapper button.authorize")).to_be_visible()
    assert page.evaluate("window.__csp") == []
    assert [error for error in errors if "Content Security Policy" in error] == []
    assert outside == []


def test_an_officer_makes_uses_and_revokes_a_key(page, live_server, sign_in, check_accessibility, check_phone_layout):
    sign_in(page, live_server, "officer")
    page.get_by_role("link", name="API keys").click()
    expect(page.get_by_role("heading", name="API keys", level=1)).to_be_visible()
    check_accessibility(page, "api-keys-empty")
    page.get_by_role("button", name="Make the key").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    check_accessibility(page, "api-keys-errors")
    page.get_by_label("Who or what will use the key").fill("Council Power BI")
    page.get_by_label("OFFICIAL-SENSITIVE").check()
    expiry = (NOW + datetime.timedelta(days=60)).date()
    page.get_by_label("Expiry date").fill(f"{expiry:%d/%m/%Y}")
    page.get_by_role("button", name="Make the key").click()
    expect(page.get_by_role("heading", name="API key made")).to_be_visible()
    check_accessibility(page, "api-key-made")
    check_phone_layout(page)
    text = page.locator("#api-key").inner_text()
    answer = page.request.get(f"{live_server.url}/api/v1/strategies/", headers={"Authorization": f"Api-Key {text}"})
    assert answer.status == 200 and answer.json()["results"][0]["marking"] == "official"
    page.get_by_role("link", name="Back to API keys").click()
    expect(page.locator("td[data-label='Used by']")).to_contain_text("Council Power BI")
    check_accessibility(page, "api-keys")
    check_phone_layout(page)
    assert text not in page.content()
    page.get_by_role("button", name="Revoke the key for Council Power BI").click()
    expect(page.get_by_text("The key for Council Power BI is revoked")).to_be_visible()
    assert page.request.get(f"{live_server.url}/api/v1/", headers={"Authorization": f"Api-Key {text}"}).status == 401
