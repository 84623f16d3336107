"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's live server.

Fixtures:
- `browser` (one Chromium for the session) and `page` (a fresh context, so fresh cookies, per test);
- `sign_in(page, live_server, username, next=None)` signs in through the real login form, with the
  password every user in tests/conftest.py has;
- `check_accessibility(page, name)` saves a full-page screenshot to
  test-artifacts/screenshots/<name>.png and fails the test on any axe-core violation of WCAG 2.2 AA
  (in a context with JavaScript off, axe runs on the same address in a twin context with it on).

Nothing here downloads a browser: when /usr/bin/chromium (Debian's `chromium` package) or the
`playwright` Python package is missing, the whole directory is skipped.
Mark each test `@pytest.mark.browser`.
"""

import importlib.util
import os
from pathlib import Path

import pytest

from tests.conftest import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)", allow_module_level=True)
if importlib.util.find_spec("playwright") is None or importlib.util.find_spec("axe_playwright_python") is None:
    pytest.skip("playwright or axe-playwright-python is not installed (requirements-dev.txt)", allow_module_level=True)

# Playwright's sync API runs an event loop in the test's thread; Django refuses database access
# from a thread with a running loop unless told it is safe, which it is here (the loop is idle
# while test code runs).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import expect, sync_playwright  # noqa: E402

expect.set_options(timeout=5_000)


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def _sign_in(page, live_server, username, next=None):
    """Sign in through the login form, by keyboard, and wait to land on the next page."""
    url = f"{live_server.url}/accounts/login/"
    if next:
        url += f"?next={next}"
    page.goto(url)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


@pytest.fixture
def sign_in(live_server):
    """sign_in(page, live_server, username, next=None): sign in as one of the users of tests/conftest.py."""
    return _sign_in


def _format_violation(violation):
    targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"])
    return f"- {violation['id']} ({violation['impact']}): {violation['help']} at {targets}"


# With scripting off, <noscript> content parses as elements rather than text.
SCRIPTING_ENABLED = (
    "() => { const n = document.createElement('noscript'); n.innerHTML = '<b></b>'; return !n.children.length; }"
)


def _run_axe(page):
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    return Axe().run(page, options=options).response["violations"]


def _check_accessibility(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    if page.evaluate(SCRIPTING_ENABLED):
        violations = _run_axe(page)
    else:
        # axe needs timers, which never fire with JavaScript off: check the same address, with the
        # same cookies, in a context with JavaScript on. (A page reached by POST is fetched by GET.)
        context = page.context.browser.new_context(storage_state=page.context.storage_state())
        try:
            twin = context.new_page()
            twin.goto(page.url)
            violations = _run_axe(twin)
        finally:
            context.close()
    if violations:
        listed = "\n".join(_format_violation(violation) for violation in violations)
        pytest.fail(f"{name} ({page.url}) has {len(violations)} accessibility violation(s):\n{listed}", pytrace=False)


@pytest.fixture
def check_accessibility():
    """check_accessibility(page, name): screenshot the page, then fail on any WCAG 2.2 AA violation."""
    return _check_accessibility
