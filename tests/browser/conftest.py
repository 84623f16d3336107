"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's live server.

Fixtures:
- `browser` (one Chromium for the session) and `page` (a fresh context, so fresh cookies, per test);
- `sign_in(page, live_server, username, next=None)` signs in through the real login form, with the
  password every user in tests/conftest.py has;
- `check_accessibility(page, name)` saves full-page screenshots to
  test-artifacts/screenshots/<name>-<width>.png and fails the test on any axe-core violation of
  WCAG 2.2 A and AA, with the page as it stands laid out on a desktop and on a phone (in a context
  with JavaScript off, axe runs on the same address in a twin context with it on);
- `check_phone_layout(page)` fails unless, on a phone, nothing in <main> reaches past the screen's
  edge or needs a scrolling box, and `check_tables_stay_tables(page)` that on a desktop every table in
  <main> is laid out as a table;
- `check_chart_labels(page)` fails unless, on a phone, every label of every chart shown in <main> is
  drawn at 12 px or more and inside its chart.

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
# Every page is checked as laid out on a desktop and on a phone (an iPhone's 375 x 812).
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}

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


def _run_axe_at_each_width(page, name):
    """Run axe with the page laid out at each width, and give the violations found at each."""
    original = page.viewport_size
    found = {}
    try:
        for viewport in (DESKTOP, PHONE):
            page.set_viewport_size(viewport)
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{viewport['width']}.png"), full_page=True)
            found[viewport["width"]] = _run_axe(page)
    finally:
        page.set_viewport_size(original)
    return found


# Handling markings outside every landmark are skipped by a screen reader user moving by landmarks.
MARKINGS_OUTSIDE_LANDMARKS = """() => [...document.querySelectorAll(".app-marking")]
    .filter((marking) => !marking.closest("main, header, footer, nav, aside, [role=region]"))
    .map((marking) => marking.textContent.trim())"""


def _check_accessibility(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert page.evaluate(MARKINGS_OUTSIDE_LANDMARKS) == [], f"{name} ({page.url}) has a marking outside every landmark"
    if page.evaluate(SCRIPTING_ENABLED):
        found = _run_axe_at_each_width(page, name)
    else:
        # axe needs timers, which never fire with JavaScript off: check the same address, with the
        # same cookies, in a context with JavaScript on. (A page reached by POST is fetched by GET.)
        context = page.context.browser.new_context(storage_state=page.context.storage_state())
        try:
            twin = context.new_page()
            twin.goto(page.url)
            found = _run_axe_at_each_width(twin, name)
        finally:
            context.close()
    listed = [
        f"at {width}px {_format_violation(violation)}"
        for width, violations in found.items()
        for violation in violations
    ]
    if listed:
        pytest.fail(
            f"{name} ({page.url}) has {len(listed)} accessibility violation(s):\n" + "\n".join(listed), pytrace=False
        )


@pytest.fixture
def check_accessibility():
    """check_accessibility(page, name): screenshot the page at each width, then fail on any WCAG 2.2 A or AA
    violation at either, or on a handling marking outside every landmark."""
    return _check_accessibility


# Elements a phone user cannot see past the edge or must scroll sideways: anything in <main> (outside
# visually hidden text, which is clipped to a pixel) whose right edge lies beyond the window, or a box
# that scrolls or clips its content sideways and has content wider than itself.
OVERFLOWING = r"""() => {
    const width = document.documentElement.clientWidth;
    const clipped = (element) => {
        for (let node = element; node && node.tagName !== "MAIN"; node = node.parentElement) {
            const style = getComputedStyle(node);
            if (style.clip !== "auto" || style.clipPath !== "none" || style.display === "none") return true;
        }
        return false;
    };
    const name = (element) => element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
        + "." + (element.getAttribute("class") || "").trim().replace(/ +/g, ".")
        + " '" + (element.textContent || "").trim().replace(/\s+/g, " ").slice(0, 40) + "'";
    const found = [];
    for (const element of document.querySelectorAll("main *")) {
        if (clipped(element)) continue;
        const right = element.getBoundingClientRect().right;
        if (right > width + 0.5) found.push(`${name(element)} reaches ${Math.round(right)}px`);
        else if (getComputedStyle(element).overflowX !== "visible" && element.scrollWidth > element.clientWidth)
            found.push(`${name(element)} scrolls: ${element.scrollWidth}px of content in ${element.clientWidth}px`);
    }
    return {width, scrollWidth: document.documentElement.scrollWidth, found};
}"""


def _evaluate_at(page, viewport, script):
    """`script`'s answer with the page laid out at `viewport`, the page's own size put back after."""
    original = page.viewport_size
    page.set_viewport_size(viewport)
    try:
        return page.evaluate(script)
    finally:
        page.set_viewport_size(original)


def _check_phone_layout(page):
    result = _evaluate_at(page, PHONE, OVERFLOWING)
    assert result["width"] == PHONE["width"]
    assert result["found"] == [], f"{page.url} at {PHONE['width']}px: " + "; ".join(result["found"])
    assert result["scrollWidth"] <= PHONE["width"], f"{page.url} is {result['scrollWidth']}px wide on a phone"


@pytest.fixture
def check_phone_layout():
    """check_phone_layout(page): at 375 x 812, nothing in <main> reaches past the edge or scrolls sideways."""
    return _check_phone_layout


# Each chart shown in <main> with its labels as rendered: a label's font size in the SVG's units, scaled
# by how wide the SVG is drawn against its viewBox, and whether the label lies inside the SVG's box.
CHART_LABELS = r"""() => [...document.querySelectorAll("main svg[role=img]")]
    .filter((svg) => svg.getClientRects().length)
    .map((svg) => {
        const box = svg.getBoundingClientRect();
        const scale = box.width / svg.viewBox.baseVal.width;
        return {
            chart: svg.querySelector("title").textContent,
            labels: [...svg.querySelectorAll("text")].map((text) => {
                const drawn = text.getBoundingClientRect();
                return {
                    text: text.textContent,
                    size: Math.round(parseFloat(getComputedStyle(text).fontSize) * scale * 10) / 10,
                    inside: drawn.left >= box.left - 0.5 && drawn.right <= box.right + 0.5,
                };
            }),
        };
    })"""
SMALLEST_LABEL = 12  # px, on a phone


def _check_chart_labels(page):
    charts = _evaluate_at(page, PHONE, CHART_LABELS)
    assert charts, f"{page.url} shows no chart at {PHONE['width']}px"
    small = [
        f"{chart['chart']}: '{label['text']}' at {label['size']}px"
        for chart in charts
        for label in chart["labels"]
        if label["size"] < SMALLEST_LABEL
    ]
    cut = [
        f"{chart['chart']}: '{label['text']}'" for chart in charts for label in chart["labels"] if not label["inside"]
    ]
    assert small == [], f"{page.url} at {PHONE['width']}px has labels under {SMALLEST_LABEL}px: " + "; ".join(small)
    assert cut == [], f"{page.url} at {PHONE['width']}px has labels past their chart's edge: " + "; ".join(cut)
    return charts


@pytest.fixture
def check_chart_labels():
    """check_chart_labels(page): at 375 x 812, every label of every chart shown in <main> is drawn at 12 px
    or more, inside its chart; gives the charts shown, each {"chart": title, "labels": [...]}."""
    return _check_chart_labels


def _check_tables_stay_tables(page):
    displays = _evaluate_at(
        page, DESKTOP, "[...document.querySelectorAll('main table')].map(t => getComputedStyle(t).display)"
    )
    assert displays, f"{page.url} has no table"
    assert set(displays) == {"table"}, f"{page.url} at {DESKTOP['width']}px lays its tables out as {displays}"


@pytest.fixture
def check_tables_stay_tables():
    """check_tables_stay_tables(page): at 1280 px every table in <main> is laid out as a table."""
    return _check_tables_stay_tables
