"""Stored XSS: every free-text field, filled with script, renders inert on every page that shows it,
the back office included; a javascript: address never becomes a link."""

import datetime
from decimal import Decimal

import pytest

from actions.models import Update
from performance.indicators import Period
from performance.models import Challenge, Indicator, Meeting
from strategy.models import Person, Principle

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
PAYLOAD = f"{SCRIPT}{ATTRIBUTE}"
LIVE = ["<script>alert(1)", "<img src=x onerror", "onerror=alert(1)>", 'href="javascript:', "href='javascript:"]


@pytest.fixture
def hostile(plan, world, officer, lead):
    """Every free-text field of Test CSP's plan holds script."""
    strategy = plan["strategy"]
    strategy.vision = strategy.summary = PAYLOAD
    strategy.title = f"Strategy {PAYLOAD}"
    strategy.save()
    Principle.objects.create(strategy=strategy, position=1, title=PAYLOAD, description=PAYLOAD)
    so = plan["v1"].strategic_objective
    so.title, so.we_will, so.evidence = PAYLOAD, PAYLOAD, PAYLOAD
    so.save()
    group = plan["victim"]
    group.aim = PAYLOAD
    group.name = f"Victim {PAYLOAD}"
    group.save()
    plan["v1"].title = PAYLOAD
    plan["v1"].save()
    action = plan["v1_1"]
    for field in ("text", "kpi", "deadline_text", "baseline", "target", "notes"):
        setattr(action, field, PAYLOAD)
    action.save()
    lena = plan["lena"]
    lena.name, lena.job_title = f"Lena {PAYLOAD}", PAYLOAD
    lena.save()
    plan["council"].name = f"Council {PAYLOAD}"
    plan["council"].save()
    action.record_update(
        by=lead,
        status="in_progress",
        rag="red",
        progress=10,
        commentary=PAYLOAD,
        revised_due_date=datetime.date(2027, 1, 31),
        decision_needed=PAYLOAD,
        approved_by=PAYLOAD,
    )
    # The model refuses a javascript: address (full_clean); one written straight to the database must
    # still not become a link.
    Update.objects.filter(action=action).update(evidence_url="javascript:alert(document.cookie)")
    indicator = world["indicator"]
    indicator.name = f"Indicator {PAYLOAD}"
    indicator.definition = indicator.description = PAYLOAD
    indicator.comparator_name = PAYLOAD
    indicator.save()
    indicator.record_value(
        period=Period.of_quarter_text("2024/25 Q2"), value=Decimal(7), commentary=PAYLOAD, data_quality_note=PAYLOAD
    )
    meeting = world["meeting"]
    meeting.title, meeting.notes = f"Meeting {PAYLOAD}", PAYLOAD
    meeting.save()
    Challenge.objects.create(meeting=meeting, action=action, text=PAYLOAD, owner_text=PAYLOAD, created_by=officer)
    officer.first_name, officer.last_name = "Olive", PAYLOAD
    officer.save()
    Person.objects.filter(pk=lena.pk).update(email="lena@example.org")
    return plan


# Pages a lead sees too; then the officers' own (the back office, rounds, sign-off).
PAGES = [
    "/strategies/",
    "/strategies/test-2024-2027/",
    "/my/",
    "/actions/?strategy=test-2024-2027",
    "/actions/?strategy=test-2024-2027&q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "/actions/{v1_1}/",
    "/actions/{v1_1}/update/",
    "/indicators/",
    "/indicators/{indicator}/",
    "/review/test-2024-2027/2024-Q1/",
    "/meetings/",
    "/meetings/{meeting}/",
]
OFFICERS_PAGES = [
    "/sign-off/",
    "/rounds/{round}/",
    "/admin/strategy/strategy/",
    "/admin/strategy/strategy/{strategy}/change/",
    "/admin/strategy/person/",
    "/admin/actions/deliverygroup/",
    "/admin/actions/objective/",
    "/admin/actions/action/",
    "/admin/actions/action/{v1_1}/change/",
    "/admin/actions/update/",
    "/admin/auth/user/",
]
CASES = [("officer", url) for url in PAGES + OFFICERS_PAGES] + [("lead", url) for url in PAGES]


@pytest.mark.parametrize(("who", "url"), CASES)
def test_script_in_every_field_renders_inert(url, who, hostile, world, users, client):
    client.force_login(users[who])
    ids = {**world["ids"], "strategy": hostile["strategy"].pk}
    response = client.get(url.format(**ids))
    assert response.status_code == 200
    page = response.content.decode()
    for live in LIVE:
        assert live not in page, f"{live!r} on {url}"


def test_the_payload_is_shown_as_text(hostile, world, client, officer):
    client.force_login(officer)
    page = client.get(f"/actions/{world['ids']['v1_1']}/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # The address written straight to the database is shown as text, never as a link.
    assert '<dd class="govuk-summary-list__value">javascript:alert(document.cookie)</dd>' in page
    assert 'href="javascript:' not in page


def test_the_update_form_refuses_a_javascript_address(hostile, client, officer):
    client.force_login(officer)
    action = hostile["v1_1"]
    response = client.post(
        f"/actions/{action.pk}/update/",
        {
            "status": "in_progress",
            "rag": "green",
            "progress": "20",
            "evidence_url": "javascript:alert(1)",
            "seen_update": str(action.latest_update_id),
        },
    )
    assert response.status_code == 200
    assert "Enter a valid URL" in response.content.decode()
    assert not Update.objects.filter(evidence_url="javascript:alert(1)").exists()


@pytest.mark.parametrize(
    "download", ["/actions/download.csv?strategy=test-2024-2027", "/strategies/test-2024-2027/export.csv"]
)
def test_downloads_are_attachments_not_pages(download, hostile, client, officer):
    client.force_login(officer)
    response = client.get(download)
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"].startswith("text/csv")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_indicator_names_in_charts_are_escaped(hostile, world, client, officer):
    client.force_login(officer)
    page = client.get(f"/indicators/{world['ids']['indicator']}/").content.decode()
    assert "<title>Indicator <script>" not in page
    Indicator.objects.filter(pk=world["indicator"].pk).update(name="</title><script>alert(1)</script>")
    page = client.get(f"/indicators/{world['ids']['indicator']}/").content.decode()
    assert "<script>alert(1)" not in page


def test_meeting_notes_are_escaped(hostile, world, client, officer):
    client.force_login(officer)
    Meeting.objects.filter(pk=world["meeting"].pk).update(notes=SCRIPT)
    assert SCRIPT not in client.get(f"/meetings/{world['ids']['meeting']}/").content.decode()


def test_a_web_address_as_evidence_is_a_link(plan, client, officer, lead):
    plan["v1_1"].record_update(
        by=lead, status="in_progress", rag="green", progress=5, evidence_url="https://docs.example/r"
    )
    client.force_login(officer)
    page = client.get(f"/actions/{plan['v1_1'].pk}/").content.decode()
    assert 'href="https://docs.example/r"' in page
