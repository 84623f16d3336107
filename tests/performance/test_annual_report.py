"""The annual report: what it says for a financial year, its OFFICIAL edition, the DOCX and PDF files, the
officers' introduction and conclusion, and who may have which."""

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from actions.models import RAG, Status
from performance.annual_report import (
    FinancialYear,
    annual_report_text_save,
    build_annual_report,
    render_docx,
    report_html,
)
from performance.indicators import Period
from performance.models import AnnualReport, Indicator
from strategy.models import Marking, Membership
from tests.conftest import make_user

YEAR = FinancialYear(2024)
TODAY = datetime.datetime(2025, 6, 10, 10, tzinfo=datetime.UTC)


def at(day, hour=10):
    return datetime.datetime(*day, hour, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def after_the_year():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def year_of_work(plan, officer):
    """2024/25 of the test plan: V1.1 completed, V1.2 Red, O1.1 deferred, O1.2 completed the year after,
    the OFFICIAL-SENSITIVE CONTEST action C1.1 completed; an OFFICIAL and an OFFICIAL-SENSITIVE indicator."""

    def update(action, when, **fields):
        return action.record_update(by=officer, recorded_at=at(when), **fields)

    update(plan["v1_1"], (2024, 6, 20), status=Status.IN_PROGRESS, rag=RAG.GREEN, progress=40, commentary="On track.")
    update(
        plan["v1_1"],
        (2025, 1, 15),
        status=Status.COMPLETE,
        progress=100,
        commentary="Repeat-victim scheme running in every ward.",
    )
    update(plan["v1_1"], (2025, 3, 20), status=Status.COMPLETE, progress=100, commentary="Evaluation filed.")
    update(
        plan["v1_2"],
        (2024, 9, 10),
        status=Status.IN_PROGRESS,
        rag=RAG.RED,
        progress=20,
        commentary="Funding for the caseworker is not confirmed.",
        revised_due_date=datetime.date(2025, 6, 30),
    )
    update(
        plan["o1_1"],
        (2024, 11, 5),
        status=Status.DEFERRED,
        commentary="Deferred: the provider changed.",
        approved_by="Offender group chair",
        revised_due_date=datetime.date(2025, 9, 30),
    )
    update(plan["o1_2"], (2025, 5, 2), status=Status.COMPLETE, progress=100, commentary="Done the year after.")
    update(plan["c1_1"], (2024, 12, 2), status=Status.COMPLETE, progress=100, commentary="Crowded-places drill held.")
    official = Indicator.objects.create(
        strategy=plan["strategy"],
        ref="KPI-1",
        name="Repeat victims",
        polarity="lower",
        target_kind="absolute",
        target_value=Decimal(10),
    )
    sensitive = Indicator.objects.create(
        strategy=plan["strategy"],
        ref="KPI-S",
        name="Prevent referrals",
        marking=Marking.OFFICIAL_SENSITIVE,
        kind="contextual",
        polarity="neither",
    )
    # OFFICIAL itself, but the OFFICIAL-SENSITIVE CONTEST group's: out of the OFFICIAL edition with its group.
    contest = Indicator.objects.create(
        strategy=plan["strategy"], ref="KPI-C", name="Crowded places visited", delivery_group=plan["contest"]
    )
    for indicator, figures in ((official, (14, 12)), (sensitive, (3, 5)), (contest, (8, 9))):
        for quarter, figure in zip(("2024/25 Q3", "2024/25 Q4"), figures, strict=True):
            indicator.record_value(period=Period.of_quarter_text(quarter), value=Decimal(figure), by=officer)
    annual_report_text_save(
        strategy=plan["strategy"],
        year=YEAR,
        introduction="A year of steady delivery.\n\nThe partnership met four times.",
        conclusion="Next year we focus on offenders.",
        by=officer,
        expected_version=0,
    )
    return plan


def docx_text(content):
    document = Document(io.BytesIO(content))
    return document, "\n".join(p.text for p in document.paragraphs)


def table_rows(document):
    return [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]


def test_the_full_edition_lists_the_years_deliverables_and_challenges(year_of_work, officer):
    report = build_annual_report(
        strategy=year_of_work["strategy"], year=YEAR, user=officer, edition="official_sensitive"
    )
    assert report.marking == Marking.OFFICIAL_SENSITIVE
    by_title = {theme.title: theme for theme in report.themes}
    assert list(by_title) == ["1. Reduce repeat victimisation", "Other work of the delivery groups"]
    victims, other = by_title.values()
    # V1.1 counts from the update that set it Complete, not the later one.
    assert [(e.action.ref, e.update.commentary) for e in victims.deliverables] == [
        ("V1.1", "Repeat-victim scheme running in every ward.")
    ]
    assert [(e.action.ref, e.state, e.at_year_end) for e in victims.challenges] == [
        ("V1.2", "Red (In progress)", "In progress, Red")
    ]
    # O1.2 was completed after the year: not a deliverable of it.
    assert [e.action.ref for e in other.deliverables] == ["C1.1"]
    assert [(e.action.ref, e.update.approved_by) for e in other.challenges] == [("O1.1", "Offender group chair")]
    assert [(row.indicator.ref, row.since_previous) for row in report.kpis] == [
        ("KPI-1", ("↓", "Improving")),
        ("KPI-C", ("↑", "Improving")),
        ("KPI-S", ("↑", "Up")),
    ]


def test_the_official_edition_leaves_out_what_an_official_reader_could_not_see(year_of_work, officer):
    report = build_annual_report(strategy=year_of_work["strategy"], year=YEAR, user=officer, edition="official")
    assert report.marking == Marking.OFFICIAL
    refs = [e.action.ref for theme in report.themes for e in (*theme.deliverables, *theme.challenges)]
    assert refs == ["V1.1", "V1.2", "O1.1"]
    assert [row.indicator.ref for row in report.kpis] == ["KPI-1"]
    html = report_html(report)
    assert "Crowded-places drill" not in html and "Prevent referrals" not in html
    assert "Crowded places visited" not in html
    assert "C1.1" not in html and "OFFICIAL-SENSITIVE" not in html


def test_an_official_reader_gets_only_the_official_edition(year_of_work, viewer, officer):
    with pytest.raises(PermissionError):
        build_annual_report(strategy=year_of_work["strategy"], year=YEAR, user=viewer, edition="official_sensitive")
    client = Client()
    client.force_login(viewer)
    base = "/annual-reports/test-2024-2027/2024-25/"
    assert client.get(base + "official-sensitive.docx").status_code == 404
    response = client.get(base + "official.docx")
    assert response.status_code == 200
    document, text = docx_text(response.content)
    assert "Crowded-places drill held." not in str(table_rows(document))
    page = client.get(reverse("performance:annual_report", args=["test-2024-2027"]) + "?year=2024-25")
    assert b"official-sensitive.docx" not in page.content
    assert b"C1.1" not in page.content


def test_the_docx_reads_back_with_headings_tables_marking_and_properties(year_of_work, officer):
    client = Client()
    client.force_login(officer)
    response = client.get("/annual-reports/test-2024-2027/2024-25/official-sensitive.docx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert response["Content-Disposition"] == (
        'attachment; filename="test-2024-2027-annual-report-2024-25-official-sensitive.docx"'
    )
    assert "no-store" in response["Cache-Control"]
    document, text = docx_text(response.content)
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings == [
        ("Title", "Test strategy 2024-2027: annual report 2024/25"),
        ("Heading 1", "Introduction"),
        ("Heading 1", "The strategy"),
        ("Heading 2", "Strategic objectives"),
        ("Heading 1", "Delivery: key deliverables and challenges"),
        ("Heading 2", "1. Reduce repeat victimisation"),
        ("Heading 3", "Key deliverables"),
        ("Heading 3", "Challenges"),
        ("Heading 2", "Other work of the delivery groups"),
        ("Heading 3", "Key deliverables"),
        ("Heading 3", "Challenges"),
        ("Heading 1", "Key performance indicators"),
        ("Heading 1", "Conclusion"),
    ]
    assert "A year of steady delivery.\nThe partnership met four times." in text
    rows = table_rows(document)
    assert ["Ref", "Action", "Lead", "Completed", "What was delivered"] in rows
    assert ["V1.1", "Action V1.1", "Lena Lead", "15/01/2025", "Repeat-victim scheme running in every ward."] in rows
    assert [
        "V1.2",
        "Action V1.2",
        "Omar Other / Lena Lead",
        "Red (In progress) on 10/09/2024",
        "Funding for the caseworker is not confirmed. Revised date 30/06/2025.",
        "In progress, Red",
    ] in rows
    assert ["C1.1", "Action C1.1", "Omar Other", "02/12/2024", "Crowded-places drill held."] in rows
    assert ["KPI-1 Repeat victims", "12 (2024/25 Q4)", "10 or lower", "Red", "↓ Improving", "–", "–"] in rows
    assert ["KPI-S Prevent referrals", "5 (2024/25 Q4)", "Not rated", "–", "↑ Up", "–", "–"] in rows
    # Header rows repeat on every page and the marking is in every page's header and footer.
    assert all(table.rows[0]._tr.trPr.xml.count("tblHeader") == 1 for table in document.tables)
    section = document.sections[0]
    assert (section.header.paragraphs[0].text, section.footer.paragraphs[0].text) == (
        "OFFICIAL-SENSITIVE",
        "OFFICIAL-SENSITIVE",
    )
    properties = document.core_properties
    assert (properties.title, properties.author, properties.category) == (
        "Test strategy 2024-2027: annual report 2024/25",
        "Test Community Safety Partnership",
        "OFFICIAL-SENSITIVE",
    )


def test_the_pdf_carries_the_marking_and_the_years_work(year_of_work, officer):
    client = Client()
    client.force_login(officer)
    for edition, marking, sensitive in (
        ("official-sensitive", "OFFICIAL-SENSITIVE", True),
        ("official", "OFFICIAL", False),
    ):
        response = client.get(f"/annual-reports/test-2024-2027/2024-25/{edition}.pdf")
        assert response["Content-Type"] == "application/pdf"
        reader = PdfReader(io.BytesIO(response.content))
        pages = [" ".join(page.extract_text().split()) for page in reader.pages]
        # The running title and the marking in every page's header and footer (pypdf reads margins last).
        assert len(pages) == 3
        margins = [f"annual report 2024/25 {marking} {marking} Page {n} of 3" for n in (1, 2, 3)]
        assert [page[-len(margin) :] for page, margin in zip(pages, margins, strict=True)] == margins
        text = " ".join(pages)
        assert "Repeat-victim scheme running in every ward." in text
        assert "Funding for the caseworker is not confirmed." in text
        assert "A year of steady delivery." in text and "Next year we focus on offenders." in text
        assert ("Crowded-places drill held." in text) is sensitive
        assert ("OFFICIAL-SENSITIVE" in text) is sensitive


def test_an_official_sensitive_strategy_has_no_official_edition(year_of_work, officer, viewer):
    strategy = year_of_work["strategy"]
    strategy.marking = Marking.OFFICIAL_SENSITIVE
    strategy.save()
    client = Client()
    client.force_login(officer)
    assert client.get("/annual-reports/test-2024-2027/2024-25/official.pdf").status_code == 404
    page = client.get("/annual-reports/test-2024-2027/?year=2024-25")
    assert b"/2024-25/official.docx" not in page.content and b"/2024-25/official-sensitive.docx" in page.content
    client.force_login(viewer)
    assert client.get("/annual-reports/test-2024-2027/").status_code == 404


def test_another_partnerships_officer_sees_nothing(year_of_work, outsider):
    client = Client()
    client.force_login(outsider)
    for address in (
        "/annual-reports/test-2024-2027/",
        "/annual-reports/test-2024-2027/2024-25/official.docx",
        "/annual-reports/test-2024-2027/2024-25/edit/",
    ):
        assert client.get(address).status_code == 404, address


@pytest.mark.parametrize(
    ("year", "message"),
    [
        ("2030-31", "Choose one of the strategy&#x27;s financial years that have begun"),
        ("banana", "Choose one of the strategy&#x27;s financial years that have begun"),
        ("", "Choose a financial year"),
    ],
)
def test_a_year_the_strategy_does_not_have_is_a_clear_error(year, message, year_of_work, officer):
    client = Client()
    client.force_login(officer)
    response = client.get(f"/annual-reports/test-2024-2027/?year={year}")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.content.decode().count("There is a problem") == 1
    assert b"Download the report" not in response.content
    for address in (
        f"/annual-reports/test-2024-2027/{year or 'x'}/official.docx",
        f"/annual-reports/test-2024-2027/{year or 'x'}/edit/",
    ):
        assert client.get(address).status_code == 404


def test_the_page_opens_on_the_latest_ended_year(year_of_work, officer):
    client = Client()
    client.force_login(officer)
    response = client.get("/annual-reports/test-2024-2027/")
    content = response.content.decode()
    assert '<option value="2024-25" selected>' in content
    assert '<option value="2025-26">' in content and "2026-27" not in content
    assert "Repeat-victim scheme running in every ward." in content
    assert "1 completed" not in content and "2 completed; 2 Red, deferred or withdrawn" in content


def test_the_page_opens_on_the_year_under_way_when_no_ended_year_has_work(plan, officer):
    # A strategy begun in 2024/25 whose first update came in 2025/26 (as the demo's sample strategy).
    plan["v1_1"].record_update(
        by=officer, recorded_at=at((2025, 5, 2)), status=Status.COMPLETE, progress=100, commentary="Done in May."
    )
    client = Client()
    client.force_login(officer)
    content = client.get("/annual-reports/test-2024-2027/").content.decode()
    assert '<option value="2025-26" selected>' in content
    assert '<option value="2024-25">' in content
    assert "Done in May." in content


def test_the_page_opens_on_the_latest_ended_year_when_nothing_is_recorded(plan, officer):
    client = Client()
    client.force_login(officer)
    assert '<option value="2024-25" selected>' in client.get("/annual-reports/test-2024-2027/").content.decode()


def test_an_update_the_reader_may_not_see_does_not_choose_the_year(plan, officer, viewer):
    # C1.1 is of the OFFICIAL-SENSITIVE CONTEST group: a viewer cleared for OFFICIAL does not see it.
    plan["c1_1"].record_update(by=officer, recorded_at=at((2025, 5, 2)), status=Status.IN_PROGRESS, progress=10)
    client = Client()
    client.force_login(viewer)
    assert '<option value="2024-25" selected>' in client.get("/annual-reports/test-2024-2027/").content.decode()
    client.force_login(officer)
    assert '<option value="2025-26" selected>' in client.get("/annual-reports/test-2024-2027/").content.decode()


# The session, the user, their membership, the strategy, the actions, their leads (links and people), the
# updates standing as the year began, the year's updates, the strategic objectives, the indicators, their
# values, the report's text, the principles, and the strategic assessment's (the police.uk months held,
# crime types, wards and local authorities; with no months held, no counts): the same at any size.
REPORT_QUERIES = 18


def add_completed_actions(plan, officer, n):
    from tests.conftest import make_action

    for number in range(n):
        action = make_action(plan["v1"], f"V1.{number + 10}", leads=[plan["lena"]])
        action.record_update(
            by=officer, status=Status.COMPLETE, recorded_at=at((2024, 10, number + 1)), commentary=f"Done {number}."
        )


@pytest.mark.parametrize("more", [0, 10])
def test_the_page_costs_the_same_queries_at_any_size(more, year_of_work, officer, django_assert_num_queries):
    add_completed_actions(year_of_work, officer, more)
    client = Client()
    client.force_login(officer)
    with django_assert_num_queries(REPORT_QUERIES):
        response = client.get("/annual-reports/test-2024-2027/?year=2024-25")
    assert response.content.decode().count('<th scope="row" class="govuk-table__header">V1.') == 2 + more


@pytest.mark.parametrize("more", [0, 10])
def test_the_download_costs_the_same_queries_at_any_size(more, year_of_work, officer, django_assert_num_queries):
    add_completed_actions(year_of_work, officer, more)
    client = Client()
    client.force_login(officer)
    with django_assert_num_queries(REPORT_QUERIES):
        response = client.get("/annual-reports/test-2024-2027/2024-25/official-sensitive.docx")
    document, _ = docx_text(response.content)
    assert sum(row[0].startswith("V1.") for row in table_rows(document)) == 2 + more


def test_an_officer_writes_the_introduction_and_conclusion(plan, officer):
    client = Client()
    client.force_login(officer)
    address = "/annual-reports/test-2024-2027/2024-25/edit/"
    form = client.get(address)
    assert b'name="version" value="0"' in form.content
    response = client.post(address, {"introduction": " Our year. ", "conclusion": "Onwards.", "version": "0"})
    assert response.status_code == 302 and response.url == "/annual-reports/test-2024-2027/?year=2024-25"
    saved = AnnualReport.objects.get(strategy=plan["strategy"], year=2024)
    assert (saved.introduction, saved.conclusion, saved.version, saved.updated_by) == (
        "Our year.",
        "Onwards.",
        1,
        officer,
    )
    assert saved.history.count() == 1


def test_a_stale_form_keeps_what_was_typed_and_shows_the_newer_text(plan, officer):
    other = make_user(
        "other-officer", partnership=plan["partnership"], role=Membership.Role.OFFICER, clearance=Marking.OFFICIAL
    )
    other.first_name, other.last_name = "Olive", "Officer"
    other.save()
    annual_report_text_save(
        strategy=plan["strategy"], year=YEAR, introduction="Theirs.", conclusion="", by=other, expected_version=0
    )
    client = Client()
    client.force_login(officer)
    address = "/annual-reports/test-2024-2027/2024-25/edit/"
    response = client.post(address, {"introduction": "Mine, typed long.", "conclusion": "My close.", "version": "0"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "Olive Officer saved this report&#x27;s introduction and conclusion after you opened this page." in content
    assert "Mine, typed long.</textarea>" in content and "My close.</textarea>" in content
    assert "Theirs." in content and 'name="version" value="1"' in content
    assert AnnualReport.objects.get(strategy=plan["strategy"], year=2024).introduction == "Theirs."
    # Saving again, knowingly, replaces theirs.
    assert client.post(address, {"introduction": "Mine.", "conclusion": "", "version": "1"}).status_code == 302
    assert AnnualReport.objects.get(strategy=plan["strategy"], year=2024).introduction == "Mine."


def test_bad_text_is_refused_with_nothing_lost(plan, officer):
    client = Client()
    client.force_login(officer)
    response = client.post(
        "/annual-reports/test-2024-2027/2024-25/edit/",
        {"introduction": "x" * 20001, "conclusion": "Kept.", "version": "0"},
    )
    content = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in content
    assert "Kept.</textarea>" in content
    assert not AnnualReport.objects.exists()


def test_only_officers_write_the_text(plan, executive, viewer, chair):
    for user in (executive, viewer, chair):
        client = Client()
        client.force_login(user)
        address = "/annual-reports/test-2024-2027/2024-25/edit/"
        assert client.get(address).status_code == 403
        assert client.post(address, {"introduction": "x", "conclusion": "", "version": "0"}).status_code == 403
    assert not AnnualReport.objects.exists()


def test_the_strategy_review_and_meetings_link_to_the_report(plan, viewer):
    client = Client()
    client.force_login(viewer)
    assert b'href="/annual-reports/test-2024-2027/"' in client.get("/strategies/test-2024-2027/").content
    review = client.get("/review/test-2024-2027/2024-Q3/").content.decode()
    assert 'href="/annual-reports/test-2024-2027/?year=2024-25">annual report 2024/25</a>' in review
    meetings = client.get("/meetings/?strategy=test-2024-2027").content.decode()
    assert 'href="/annual-reports/test-2024-2027/">annual report</a>' in meetings


def test_a_year_with_nothing_done_says_so(plan, officer):
    report = build_annual_report(strategy=plan["strategy"], year=YEAR, user=officer, edition="official_sensitive")
    document, text = docx_text(render_docx(report))
    assert "No action of this objective was completed in 2024/25." in text
    assert "This strategy has no indicators yet." in text
    assert "Introduction" not in [p.text for p in document.paragraphs]


def test_the_next_year_carries_red_and_deferred_actions_but_not_old_completions(year_of_work, officer):
    """2025/26 (under way): V1.2 is still Red and O1.1 still Deferred from 2024/25, so both are challenges
    again; V1.1 and C1.1 were completed the year before, so they are not deliverables; O1.2 was completed
    in May 2025. A withdrawal made before the year is not one of its challenges."""
    year_of_work["v2"].actions.create(ref="V2.1", text="Withdrawn early").record_update(
        by=officer, status=Status.WITHDRAWN, recorded_at=at((2025, 2, 3)), commentary="Superseded."
    )
    report = build_annual_report(
        strategy=year_of_work["strategy"], year=FinancialYear(2025), user=officer, edition="official_sensitive"
    )
    entries = {
        kind: [(e.action.ref, e.update.recorded_at.date()) for t in report.themes for e in getattr(t, kind)]
        for kind in ("deliverables", "challenges")
    }
    assert entries == {
        "deliverables": [("O1.2", datetime.date(2025, 5, 2))],
        "challenges": [("V1.2", datetime.date(2024, 9, 10)), ("O1.1", datetime.date(2024, 11, 5))],
    }


@pytest.fixture
def crime_data(plan):
    """Testminster's five wards, with police.uk counts for every month of 2023/24 and 2024/25."""
    from evidence.area import area_import
    from tests.evidence.conftest import FIVE_WARDS, MONTH_2023, MONTH_2024, hold_counts
    from tests.evidence.files import lookup_csv

    partnership = plan["partnership"]
    area_import(
        partnership=partnership,
        content=lookup_csv(FIVE_WARDS),
        file_name="lookup.csv",
        local_authority_codes=["E09000033"],
    )
    for first_year, counts in ((2023, MONTH_2023), (2024, MONTH_2024)):
        for month in range(12):
            day = datetime.date(first_year + (month + 3) // 12, (month + 3) % 12 + 1, 1)
            hold_counts(partnership, day, counts)
    return partnership


def test_the_report_gives_the_strategic_assessments_headline_figures(year_of_work, crime_data, officer, viewer):
    from evidence.assessment import Assessment

    headline = Assessment.for_window(crime_data, end_month=datetime.date(2025, 3, 1)).headline()
    for user, edition in ((officer, "official_sensitive"), (viewer, "official")):
        report = build_annual_report(strategy=year_of_work["strategy"], year=YEAR, user=user, edition=edition)
        section = next(s for s in report.sections if s.anchor == "assessment")
        assert [block.text for block in section.blocks if block.kind == "paragraph"] == headline
        assert headline[0].startswith("There were 336 crimes in Testminster in the 12 months to March 2025")
        document, text = docx_text(render_docx(report))
        assert "The strategic assessment: crime and anti-social behaviour" in text
        assert ["Period", "April 2024 to March 2025"] in table_rows(document)


def test_a_year_with_no_crime_data_has_no_assessment_section(year_of_work, crime_data, officer):
    report = build_annual_report(
        strategy=year_of_work["strategy"], year=FinancialYear(2026), user=officer, edition="official"
    )
    assert [section.anchor for section in report.sections] == ["strategy", "delivery", "kpis"]
