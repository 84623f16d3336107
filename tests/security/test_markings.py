"""Handling markings: an item marked above a user's clearance appears for them nowhere (pages, counts,
filters, downloads, packs, the back office), and a download carries the highest marking of what it holds."""

import csv
import datetime
import io

import pytest
import time_machine
from openpyxl import load_workbook

from performance.models import Challenge, MeetingPack
from strategy.models import Marking

SENSITIVE = ["C1.1", "CONTEST", "Protect crowded places", "Prevent referrals", "KPI-S"]


@pytest.mark.parametrize(
    "url",
    [
        "/strategies/test-2024-2027/",
        "/my/",
        "/actions/?strategy=test-2024-2027",
        "/actions/?strategy=test-2024-2027&q=C1",
        "/actions/?strategy=test-2024-2027&status=not_started",
        "/actions/download.csv?strategy=test-2024-2027",
        "/strategies/test-2024-2027/export.csv",
        "/indicators/",
        "/review/test-2024-2027/2024-Q1/",
        "/meetings/{meeting}/",
        "/admin/actions/action/",
        "/admin/actions/deliverygroup/",
        "/admin/actions/objective/",
        "/admin/actions/update/",
        "/admin/performance/indicator/",
    ],
)
def test_a_viewer_cleared_for_official_never_sees_sensitive_items(url, client, viewer, world):
    client.force_login(viewer)
    response = client.get(url.format(**world["ids"]))
    assert response.status_code == 200
    text = response.content.decode()
    for word in SENSITIVE:
        assert word not in text, f"{word} on {url}"


def test_counts_leave_sensitive_actions_out(client, viewer, executive, plan):
    for user, expected in ((viewer, 4), (executive, 5)):
        client.force_login(user)
        page = client.get("/actions/?strategy=test-2024-2027").content.decode()
        assert f"<strong>{expected}</strong> actions found" in page


@pytest.mark.parametrize("url", ["/actions/{c1_1}/", "/actions/{c1_1}/update/", "/indicators/{sensitive_indicator}/"])
def test_a_sensitive_item_by_its_id_is_not_found(url, client, viewer, world):
    client.force_login(viewer)
    assert client.get(url.format(**world["ids"])).status_code == 404


def test_an_action_page_hides_a_challenge_made_at_a_meeting_above_the_readers_clearance(
    client, viewer, executive, plan, world
):
    # The action is OFFICIAL; the meeting that challenged it is the OFFICIAL-SENSITIVE CONTEST group's.
    Challenge.objects.create(meeting=world["meeting"], action=plan["v1_1"], text="Who funds the refuge?")
    Challenge.objects.create(meeting=world["sensitive_meeting"], action=plan["v1_1"], text="Brief the venue.")
    for user, expected in (
        (viewer, ["Who funds the refuge?"]),
        (executive, ["Who funds the refuge?", "Brief the venue."]),
    ):
        client.force_login(user)
        response = client.get(f"/actions/{plan['v1_1'].pk}/")
        assert [challenge.text for challenge in response.context["action"].review_challenges] == expected
        assert ("Brief the venue." in response.content.decode()) is (user == executive)


def test_a_pack_above_the_users_clearance_is_neither_listed_nor_served(client, viewer, executive, world):
    MeetingPack.objects.filter(pk=world["pack"].pk).update(marking=Marking.OFFICIAL_SENSITIVE)
    meeting, pack = world["ids"]["meeting"], world["ids"]["pack"]
    client.force_login(viewer)
    assert f"/packs/{pack}.pdf" not in client.get(f"/meetings/{meeting}/").content.decode()
    assert client.get(f"/meetings/{meeting}/packs/{pack}.pdf").status_code == 404
    assert client.get(f"/meetings/{meeting}/packs/{pack}.xlsx").status_code == 404
    client.force_login(executive)
    assert f"/packs/{pack}.pdf" in client.get(f"/meetings/{meeting}/").content.decode()
    response = client.get(f"/meetings/{meeting}/packs/{pack}.pdf")
    assert response.status_code == 200 and "official-sensitive" in response["Content-Disposition"]


def rows_of(response):
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


# The plan's export is named with the day it was made; signed in on that day too (a session begun on
# another has expired by then).
@pytest.mark.parametrize(
    ("who", "marking"), [("viewer", "official"), ("executive", "official-sensitive"), ("officer", "official-sensitive")]
)
@time_machine.travel(datetime.datetime(2026, 11, 18, 10, tzinfo=datetime.UTC))
def test_downloads_are_named_with_the_highest_marking_they_hold(client, users, plan, who, marking):
    client.force_login(users[who])
    names = {
        "/actions/download.csv?strategy=test-2024-2027": f"test-2024-2027-actions-{marking}.csv",
        "/strategies/test-2024-2027/export.csv": f"test-2024-2027-action-plan-{marking}-2026-11-18.csv",
    }
    for url, name in names.items():
        response = client.get(url)
        assert response["Content-Disposition"] == f'attachment; filename="{name}"'
        if marking == "official":
            assert {row["Marking"] for row in rows_of(response)} == {"OFFICIAL"}


def test_the_xlsx_plan_sheets_are_headed_with_their_marking(client, officer, plan):
    strategy = plan["strategy"]
    strategy.marking = Marking.OFFICIAL_SENSITIVE
    strategy.save()
    client.force_login(officer)
    response = client.get("/strategies/test-2024-2027/export.xlsx")
    assert "official-sensitive" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert {sheet.oddHeader.center.text for sheet in book.worksheets} == {"OFFICIAL-SENSITIVE"}


def test_a_viewer_cannot_grant_or_see_sensitive_clearance_in_the_back_office(client, officer, viewer):
    client.force_login(viewer)
    assert client.post(f"/admin/auth/user/{viewer.pk}/change/", {}).status_code == 403


@pytest.mark.parametrize(
    "download",
    [
        "/actions/download.csv?strategy=test-2024-2027",
        "/actions/download.xlsx?strategy=test-2024-2027",
        "/strategies/test-2024-2027/export.csv",
        "/strategies/test-2024-2027/export.xlsx",
    ],
)
def test_every_download_escapes_formulas(download, client, officer, plan):
    action = plan["v1_1"]
    action.text, action.kpi, action.notes = '=HYPERLINK("http://evil")', "+1+1", "@SUM(A1)"
    # Spreadsheets skip blanks and line breaks before the formula character, and run a leading tab.
    action.baseline, action.target = " =1+1", "\n-5"
    action.save()
    plan["v1_2"].text = "\tTab first"
    plan["v1_2"].save()
    client.force_login(officer)
    response = client.get(download)
    if ".csv" in download:
        cells = [value for row in rows_of(response) for value in row.values()]
    else:
        book = load_workbook(io.BytesIO(response.content))
        cells = [cell for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row]
    texts = [cell for cell in cells if isinstance(cell, str)]
    assert '\'=HYPERLINK("http://evil")' in texts and "'+1+1" in texts and "'@SUM(A1)" in texts
    assert "' =1+1" in texts and "'\n-5" in texts and "'\tTab first" in texts
    assert not [text for text in texts if text.lstrip()[:1] in ("=", "+", "-", "@") or text[:1] in ("\t", "\r")]


def test_the_audit_log_shows_only_the_users_own_partnership(client, officer, outsider, plan, elsewhere, lead):
    plan["v1_1"].record_update(by=lead, status="in_progress", rag="green", progress=5, commentary="Plan note")
    client.force_login(outsider)
    for url in ("/audit/", "/audit/download.csv"):
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8-sig")
        assert "V1.1" not in text and "Plan note" not in text and "Test strategy" not in text
