"""The meeting pack: issued by an officer, kept exactly as issued, read back (the PDF's pages and text,
the XLSX's figures), made again byte for byte after later corrections, and opened only by those
cleared for its marking."""

import datetime
import hashlib
import io

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from actions.models import RAG, Status, Update
from performance.models import Challenge, Meeting, MeetingPack
from performance.pack import pack_files, pack_generate_run
from performance.review import build_review
from tests.performance.review_history import Q3, at, make_history, record


@pytest.fixture
def history(plan, officer):
    return make_history(plan, officer)


@pytest.fixture
def meeting(history, executive):
    meeting = Meeting.objects.create(
        strategy=history["strategy"], kind=Meeting.Kind.EXECUTIVE, date=datetime.date(2025, 1, 28), year=2024, number=3
    )
    Challenge.objects.create(
        meeting=meeting,
        action=history["v1_1"],
        text="Why has no provider signed up?",
        created_by=executive,
        created_at=at(2025, 1, 28, 11),
    )
    return meeting


@pytest.fixture
def issued(client, officer, meeting):
    client.force_login(officer)
    response = client.post(reverse("performance:pack_generate", args=[meeting.pk]))
    assert response.status_code == 302
    return MeetingPack.objects.get()


def test_an_officer_issues_the_pack_and_it_is_recorded(issued, officer, meeting):
    assert issued.state == MeetingPack.State.ISSUED
    assert (issued.meeting, issued.quarter, issued.issued_by) == (meeting, Q3, officer)
    assert issued.marking == "official_sensitive"  # CONTEST is in it
    assert issued.pdf_sha256 == hashlib.sha256(bytes(issued.pdf_content)).hexdigest()
    assert issued.xlsx_sha256 == hashlib.sha256(bytes(issued.xlsx_content)).hexdigest()
    assert issued.pages == 10  # a page each: cover, contents, summary, three groups and four closing sections


def test_the_pdf_opens_with_its_pages_and_text(issued):
    reader = PdfReader(io.BytesIO(bytes(issued.pdf_content)))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) == issued.pages
    sections = [
        (item.title, reader.get_destination_page_number(item) + 1)
        for item in reader.outline
        if not isinstance(item, list)
    ]
    assert sections == [
        ("Executive Group, 28 January 2025", 1),
        ("Contents", 2),
        ("Summary: 2024/25 Q3", 3),
        ("Victim", 4),
        ("Offender", 5),
        ("CONTEST", 6),
        ("Changes this quarter", 7),
        ("Challenges and decisions", 8),
        ("Attendance", 9),
        ("Actions from previous meetings", 10),
    ]
    cover, contents, summary = pages[0], pages[1], pages[2]
    assert "Test Community Safety Partnership" in cover
    assert "Executive Group, 28 January 2025" in cover
    assert "2024/25 Q3 (October to December 2024)" in cover
    assert "Contents" in contents and "Summary" in contents and "Challenges and decisions" in contents
    assert "Summary: 2024/25 Q3" in summary and "Actions by status and RAG per delivery group" in summary
    flat = " ".join(summary.split())
    assert "Compared with 2024/25 Q2: newly Red" in flat and "improved (RAG better than the quarter before)" in flat
    for number, text in enumerate(pages, start=1):
        assert "OFFICIAL-SENSITIVE" in text, number  # the marking on every page
        assert f"Page {number} of {len(pages)}" in text
    everything = " ".join("\n".join(pages).split())  # lines joined: a table cell wraps
    assert "Housing providers have not signed up" in everything  # V1.1's exception commentary
    assert "Agree to name the providers" in everything  # its decision needed
    assert "Why has no provider signed up?" in everything  # the challenge
    assert "Offender group, December 2024" in everything  # who approved the completion
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root  # tagged
    assert root["/Lang"] == "en-GB"
    assert reader.metadata.title == "Executive Group, 28 January 2025: pack for 2024/25 Q3"


def test_the_xlsx_round_trips_the_dashboards_figures(issued, officer, history):
    workbook = openpyxl.load_workbook(io.BytesIO(bytes(issued.xlsx_content)))
    assert workbook.sheetnames == [
        "Cover",
        "Summary",
        "Exceptions",
        "Actions",
        "Changes",
        "KPIs",
        "By agency",
        "Challenges",
        "Previous meetings",
        "Attendance",
    ]
    cover = dict(workbook["Cover"].iter_rows(values_only=True))
    assert cover["Handling marking"] == "OFFICIAL-SENSITIVE"
    assert cover["Quarter reviewed"] == "2024/25 Q3 (October to December 2024)"
    data = build_review(strategy=history["strategy"], quarter=Q3, user=officer)
    summary = list(workbook["Summary"].iter_rows(values_only=True))
    header, rows = summary[0], {row[0]: row for row in summary[1:] if row and row[0]}
    for count in [*data.group_rows, data.total_row]:
        expected = [count.total, *(n for *_, n, _ in count.by_status), *(n for *_, n, _ in count.by_rag)]
        assert list(rows[count.label][1 : len(header)]) == expected, count.label
    actions = list(workbook["Actions"].iter_rows(values_only=True))
    by_ref = {row[2]: dict(zip(actions[0], row, strict=True)) for row in actions[1:]}
    assert set(by_ref) == {"V1.1", "V1.2", "O1.1", "O1.2", "C1.1"}
    assert (by_ref["V1.1"]["Status"], by_ref["V1.1"]["RAG"]) == ("In progress", "Red")
    assert by_ref["V1.1"]["Revised due date"] == datetime.datetime(2025, 6, 30)
    assert by_ref["O1.2"]["Changes this quarter"] == "New action"
    exceptions = list(workbook["Exceptions"].iter_rows(values_only=True))
    assert [row[1] for row in exceptions[1:]] == ["V1.1", "C1.1"]
    challenges = list(workbook["Challenges"].iter_rows(values_only=True))
    assert challenges[1][3] == "Why has no provider signed up?"
    assert workbook["Actions"].oddHeader.center.text == "OFFICIAL-SENSITIVE"


def test_the_xlsx_keeps_text_that_looks_like_a_formula_as_text(client, officer, meeting, history):
    history["v1_1"].text = '=HYPERLINK("https://evil.invalid","Click")'
    history["v1_1"].save(update_fields=["text"])
    client.force_login(officer)
    client.post(reverse("performance:pack_generate", args=[meeting.pk]))
    workbook = openpyxl.load_workbook(io.BytesIO(bytes(MeetingPack.objects.get().xlsx_content)))
    actions = list(workbook["Actions"].iter_rows())
    row = next(row for row in actions[1:] if row[2].value == "V1.1")
    assert row[3].value == '\'=HYPERLINK("https://evil.invalid","Click")'
    assert row[3].data_type == "s"  # a string, never a formula
    assert row[8].is_date and row[8].number_format == "dd/mm/yyyy"  # the due date, as a date
    assert actions[0][0].font.b  # the header row is bold


def test_an_issued_pack_is_made_again_exactly_as_issued_after_later_corrections(issued, officer, history, client):
    record(
        history["v1_2"],
        officer,
        at(2024, 12, 20),
        Status.IN_PROGRESS,
        RAG.RED,
        source=Update.Source.CORRECTION,
        correction_reason="Reported Green by mistake.",
    )
    Challenge.objects.create(
        meeting=issued.meeting, delivery_group=history["victim"], text="A later challenge.", created_by=officer
    )
    again = pack_files(MeetingPack.objects.select_related("meeting__strategy", "issued_by").get(pk=issued.pk))
    assert (again.pdf_sha256, again.xlsx_sha256) == (issued.pdf_sha256, issued.xlsx_sha256)
    # A new pack has the correction.
    client.force_login(officer)
    client.post(reverse("performance:pack_generate", args=[issued.meeting.pk]))
    latest = MeetingPack.objects.exclude(pk=issued.pk).get()
    assert latest.pdf_sha256 != issued.pdf_sha256
    text = " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(bytes(latest.pdf_content))).pages).split()
    )
    assert "Reported Green by mistake" not in text  # a correction's reason stays in the history
    assert "A later challenge." in text


def test_downloads_are_the_bytes_as_issued_for_those_cleared(issued, client, viewer, executive):
    client.force_login(executive)
    response = client.get(reverse("performance:pack_download", args=[issued.meeting.pk, issued.pk, "pdf"]))
    assert response.status_code == 200
    assert response.content == bytes(issued.pdf_content)
    assert response["Content-Type"] == "application/pdf"
    assert "official-sensitive.pdf" in response["Content-Disposition"]
    xlsx = client.get(reverse("performance:pack_download", args=[issued.meeting.pk, issued.pk, "xlsx"]))
    assert xlsx.content == bytes(issued.xlsx_content)
    client.force_login(viewer)  # OFFICIAL only
    assert (
        client.get(reverse("performance:pack_download", args=[issued.meeting.pk, issued.pk, "pdf"])).status_code == 404
    )
    # Above the viewer's clearance, the pack is not listed at all (tests/security/test_markings.py).
    assert (
        "official-sensitive"
        not in client.get(reverse("performance:meeting_detail", args=[issued.meeting.pk])).content.decode().lower()
    )


def test_a_delivery_groups_pack_covers_its_group_and_is_marked_as_it(client, officer, viewer, history):
    meeting = Meeting.objects.create(
        strategy=history["strategy"],
        kind=Meeting.Kind.DELIVERY_GROUP,
        delivery_group=history["victim"],
        date=datetime.date(2025, 1, 15),
        year=2024,
        number=3,
    )
    client.force_login(officer)
    client.post(reverse("performance:pack_generate", args=[meeting.pk]))
    pack = MeetingPack.objects.get()
    assert pack.marking == "official"
    workbook = openpyxl.load_workbook(io.BytesIO(bytes(pack.xlsx_content)))
    assert {row[2] for row in list(workbook["Actions"].iter_rows(values_only=True))[1:]} == {"V1.1", "V1.2"}
    client.force_login(viewer)
    assert client.get(reverse("performance:pack_download", args=[meeting.pk, pack.pk, "pdf"])).status_code == 200


@time_machine.travel(datetime.datetime(2026, 11, 18, 10, tzinfo=datetime.UTC))
def test_only_officers_issue_packs_and_not_before_the_quarter_ends(client, executive, officer, history, meeting):
    client.force_login(executive)
    assert client.post(reverse("performance:pack_generate", args=[meeting.pk])).status_code == 403
    future = Meeting.objects.create(
        strategy=history["strategy"], kind=Meeting.Kind.BOARD, date=datetime.date(2027, 3, 31), year=2026, number=4
    )
    client.force_login(officer)
    response = client.post(reverse("performance:pack_generate", args=[future.pk]), follow=True)
    assert "has not ended yet" in response.content.decode()
    assert not MeetingPack.objects.exists()


def test_a_pack_that_cannot_be_made_says_why(client, officer, meeting, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("Pango is missing")

    monkeypatch.setattr("performance.pack.render_pdf", broken)
    client.force_login(officer)
    response = client.post(reverse("performance:pack_generate", args=[meeting.pk]), follow=True)
    pack = MeetingPack.objects.get()
    assert (pack.state, pack.error) == (MeetingPack.State.FAILED, "RuntimeError: Pango is missing")
    assert "The pack could not be made" in response.content.decode()


def test_a_pack_whose_issuer_was_deleted_before_it_was_made_says_so(officer, meeting):
    pack = MeetingPack.objects.create(meeting=meeting, year=2024, number=3, issued_by=officer)
    officer.delete()  # between pressing the button and a worker taking the task
    assert pack_generate_run(pack.pk) == MeetingPack.State.FAILED
    pack.refresh_from_db()
    assert pack.error == "The account that issued this pack has been deleted. Issue the pack again."
    assert not pack.pdf_content
