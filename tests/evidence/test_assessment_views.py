"""The assessment page and its workbook through the test client: who may see them, the figures and the
choices (bookmarkable GET, no JavaScript), bad choices refused in words, missing months said, two
partnerships kept apart, and the queries each costs."""

import datetime
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from evidence.models import CrimeCount, PoliceMonth
from tests.evidence.conftest import hold_counts

pytestmark = pytest.mark.django_db

PAGE = reverse("evidence:assessment")
XLSX = reverse("evidence:assessment_xlsx")


def text(response):
    return response.content.decode()


# Who may see it ------------------------------------------------------------------------------------


def test_anonymous_users_are_asked_to_sign_in(client, two_years):
    for url in (PAGE, XLSX):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["officer", "chair", "lead", "executive", "viewer"])
def test_every_member_reads_the_assessment_marked_official(client, users, two_years, role):
    client.force_login(users[role])
    page = text(client.get(PAGE))
    assert '<p class="app-marking"><span class="govuk-visually-hidden">Handling marking: </span>OFFICIAL</p>' in page
    assert "82% of all crime in Testminster occurred in just 2 of its 5 wards, West End and St James&#x27;s." in page
    assert client.get(XLSX).status_code == 200
    # Officers come from the evidence page; everyone else has the assessment in the header.
    current = '<a class="govuk-service-navigation__link" href="{}" aria-current="{}">'
    if role == "officer":
        assert current.format("/evidence/", "true") in page
        assert 'href="/evidence/">Back to the evidence</a>' in page
    else:
        assert current.format(PAGE, "page") in page
        assert "Back to the evidence" not in page


def test_another_partnership_sees_only_its_own(client, users, two_years, elsewhere):
    client.force_login(users["outsider"])
    page = text(client.get(PAGE))
    assert "No police.uk data is held yet." in page
    assert "West End" not in page and "Testminster" not in page
    assert client.get(XLSX, {"end": "2024-12"}).status_code == 302  # nothing to download: back to the page

    # Its own data, and none of the other partnership's.
    from evidence.area import area_import
    from tests.evidence.files import lookup_csv

    area_import(
        partnership=elsewhere["partnership"],
        content=lookup_csv(
            [
                ("E01000009", "Otherham 001A", "E05000009", "Otherham Central", "E09000099", "Otherham"),
                ("E01000008", "Otherham 002A", "E05000008", "Otherham North", "E09000099", "Otherham"),
            ]
        ),
        file_name="lookup.csv",
        local_authority_codes=["E09000099"],
    )
    hold_counts(elsewhere["partnership"], datetime.date(2024, 12, 1), {("E05000009", "Burglary"): 7})
    page = text(client.get(PAGE))
    assert "There were 7 crimes in Otherham in the 12 months to December 2024" in page
    assert "West End" not in page
    # Another partnership's ward, asked for by code, is not a choice.
    response = client.get(PAGE, {"ward": "E05000001"})
    assert response.status_code == 400
    assert "Choose wards from the list: E05000001 is not a ward of the area" in text(response)
    book = openpyxl.load_workbook(io.BytesIO(client.get(XLSX).content))
    assert [row[0] for row in book["By ward"].iter_rows(values_only=True)] == ["Ward code", "E05000009", "E05000008"]


def test_a_user_in_no_partnership_is_refused(client, django_user_model, two_years):
    client.force_login(django_user_model.objects.create_user("nobody", password="x"))
    assert client.get(PAGE).status_code == 403
    assert client.get(XLSX).status_code == 403


# The figures -------------------------------------------------------------------------------------------


def test_the_page_shows_the_latest_twelve_months(client, officer, two_years, django_assert_num_queries):
    client.force_login(officer)
    client.get(PAGE)
    # The session, the user, the membership; the months held, the crime types held, the wards, the local
    # authorities (the area's name); the counts.
    with django_assert_num_queries(8):
        response = client.get(PAGE)
    page = text(response)
    assert response.status_code == 200
    assert "<title>Strategic assessment: January 2024 to December 2024 – " in page
    assert '<h2 class="govuk-heading-m" id="summary">January 2024 to December 2024, compared with January 2023 ' in page
    assert (
        "<li>There were 336 crimes in Testminster in the 12 months to December 2024, up 48 (17%) on the 12 months "
        "before.</li>"
    ) in page
    assert '<option value="2024-12" selected>December 2024</option>' in page
    # By crime type: the counts, the change and the percentage.
    assert (
        '<th scope="row" class="govuk-table__header">Violence and sexual offences</th>'
        '<td class="govuk-table__cell govuk-table__cell--numeric" data-label="The 12 months to December 2024">216</td>'
        '<td class="govuk-table__cell govuk-table__cell--numeric" data-label="12 months before">180</td>'
        '<td class="govuk-table__cell govuk-table__cell--numeric" data-label="Change">+36</td>'
        '<td class="govuk-table__cell govuk-table__cell--numeric" data-label="Change (%)">+20%</td>'
    ) in page
    assert "Anti-social behaviour (not in all crime)</th>" in page
    assert 'data-label="Change">\u221212</td>' in page
    assert 'data-label="Change (%)">none before</td>' in page  # Pimlico: none in 2023
    # The ward x crime type table.
    assert (
        '<th scope="row" class="govuk-table__header">West End</th>'
        '<td class="govuk-table__cell govuk-table__cell--numeric" data-label="Burglary">0</td>'
        '<td class="govuk-table__cell govuk-table__cell--numeric" data-label="Shoplifting">60</td>'
        '<td class="govuk-table__cell govuk-table__cell--numeric" data-label="Violence and sexual offences">120</td>'
        '<td class="govuk-table__cell govuk-table__cell--numeric" data-label="Total">180</td>'
    ) in page
    # Two trend charts, each drawn wide and narrow, each with its table.
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="app-chart"') == 4
    assert '<title id="trend-0-wide-title">All crime by month</title>' in page
    assert (
        '<th scope="row" class="govuk-table__header">Jan 2024</th>'
        '<td class="govuk-table__cell govuk-table__cell--numeric">28</td>'
        '<td class="govuk-table__cell govuk-table__cell--numeric">24</td>'
    ) in page
    assert f'href="{XLSX}" download>Download as a spreadsheet (XLSX)</a>' in page


def test_choices_are_in_the_address_and_narrow_the_figures(client, viewer, two_years, django_assert_num_queries):
    client.force_login(viewer)
    query = {"end": "2024-06", "top": "1", "type": ["Shoplifting", "Burglary"], "ward": ["E05000001", "E05000002"]}
    client.get(PAGE, query)
    with django_assert_num_queries(8):
        response = client.get(PAGE, query)
    page = text(response)
    assert response.status_code == 200
    assert "July 2023 to June 2024, compared with July 2022 to June 2023" in page
    assert "No police.uk data is held for July 2022, August 2022" in page  # 2022 is not held
    # Shoplifting and burglary across the area: West End 60 of 114.
    assert "53% of burglary and shoplifting in Testminster occurred in just one of its 5 wards, West End." in page
    assert '<option value="2024-06" selected>June 2024</option>' in page
    checked = re.compile(r'<input type="checkbox" name="(\w+)" value="([^"]+)"[^>]* checked')
    assert sorted(checked.findall(page)) == [
        ("type", "Burglary"),
        ("type", "Shoplifting"),
        ("ward", "E05000001"),
        ("ward", "E05000002"),
    ]
    assert 'name="top" value="1"' in page
    assert "Anti-social behaviour (not in all crime)" not in page
    assert ">St James&#x27;s</th>" not in page.split('id="by-ward"')[1].split('id="ward-by-type"')[0]
    # The download carries the same choices.
    assert (
        f'href="{XLSX}?end=2024-06&amp;top=1&amp;type=Shoplifting&amp;type=Burglary&amp;ward=E05000001&amp;'
        'ward=E05000002" download>'
    ) in page
    book = openpyxl.load_workbook(io.BytesIO(client.get(XLSX, query).content))
    types = list(book["By crime type"].iter_rows(values_only=True))
    # July 2023 to June 2024 in West End and Soho: shoplifting 5 a month, burglary 2 a month in 2023, 1 in 2024.
    assert types[1:] == [("Shoplifting", 60, 30, 30, 1), ("Burglary", 18, 12, 6, 0.5), ("Total", 78, 42, 36, 36 / 42)]
    cover = dict(row[:2] for row in book["Assessment"].iter_rows(values_only=True) if row[0])
    assert cover["Counted"] == "burglary and shoplifting"
    assert cover["Wards"] == "West End, Soho"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"end": "2024-13"}, "Choose a month from January 2023 to December 2024: police.uk data is held for those"),
        ({"end": "2019-01"}, "Choose a month from January 2023 to December 2024: police.uk data is held for those"),
        ({"end": "<script>"}, "Choose a month from January 2023 to December 2024"),
        ({"top": "two"}, "Enter the number of wards as a whole number, e.g. 2"),
        ({"top": "0"}, "Enter a number of wards of 1 or more"),
        ({"top": "5"}, "Enter a number of wards smaller than the area&#x27;s 5"),
        ({"top": "99999999999999999999"}, "Enter a number of wards smaller than the area&#x27;s 5"),
        ({"type": "Arson"}, "Choose crime types from the list: Arson is not one held"),
    ],
)
def test_bad_choices_get_a_clear_error_not_a_crash(client, officer, two_years, query, message):
    client.force_login(officer)
    response = client.get(PAGE, query)
    page = text(response)
    assert response.status_code == 400
    assert "<title>Error: Strategic assessment – " in page
    assert '<h2 class="govuk-error-summary__title">There is a problem</h2>' in page
    assert message in page
    assert "<script>" not in page.split("</header>")[1]
    assert "There were 336 crimes" not in page
    response = client.get(XLSX, query)
    assert response.status_code == 302
    assert response.url.startswith(PAGE + "?")


def test_missing_months_are_said_and_shown_as_gaps(client, officer, two_years):
    for month in (datetime.date(2024, 3, 1), datetime.date(2023, 7, 1)):
        PoliceMonth.objects.filter(month=month).delete()
        CrimeCount.objects.filter(month=month).delete()
    client.force_login(officer)
    page = text(client.get(PAGE))
    assert (
        '<span class="govuk-visually-hidden">Warning</span>No police.uk data is held for March 2024: the figures '
        "for the 12 months to December 2024 leave it out. No police.uk data is held for July 2023 of the 12 months "
        "before: the change is not like for like.</strong>"
    ) in page
    assert (
        '<th scope="row" class="govuk-table__header">Mar 2024</th>'
        '<td class="govuk-table__cell govuk-table__cell--numeric">No data</td>'
        '<td class="govuk-table__cell govuk-table__cell--numeric">24</td>'
    ) in page


def test_a_partnership_with_no_data_yet(client, officer, viewer, area):
    client.force_login(officer)
    page = text(client.get(PAGE))
    assert "No police.uk data is held yet." in page
    assert 'href="/evidence/#police">Import a year of street-level files on the evidence page</a>' in page
    assert "Show the figures" not in page
    client.force_login(viewer)
    assert "An officer imports it on the evidence page." in text(client.get(PAGE))


def test_the_evidence_page_links_to_the_assessment(client, officer, two_years):
    client.force_login(officer)
    assert f'<a class="govuk-link" href="{PAGE}">See the strategic assessment</a>' in text(
        client.get(reverse("evidence:home"))
    )


# The workbook ---------------------------------------------------------------------------------------------


def test_the_workbook_downloads_with_its_marking_in_the_name(client, executive, two_years):
    client.force_login(executive)
    response = client.get(XLSX, {"end": "2024-12"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="tcsp-assessment-2024-12-official.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book["Assessment"]["B1"].value == "OFFICIAL"
    assert list(book["Concentration"].iter_rows(values_only=True))[1:3] == [
        ("West End", 180, 180 / 336),
        ("St James's", 96, 96 / 336),
    ]


def test_the_workbook_costs_the_pages_queries(client, officer, two_years, django_assert_num_queries):
    client.force_login(officer)
    client.get(XLSX)
    # The session, the user, the membership; the months, crime types, wards, local authorities; the
    # counts.
    with django_assert_num_queries(8):
        response = client.get(XLSX, {"type": "Burglary", "ward": "E05000002"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert list(book["By ward"].iter_rows(values_only=True))[1] == ("E05000002", "Soho", 12, 24, -12, -0.5)
