"""The evidence pages through the test client: the area's lookup, police.uk uploads with their preview,
confirm and cancel, and the counts as CSV; who may use them; bad input refused with a clear error."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evidence.models import AreaLookup, CrimeCount, PoliceDataImport, PoliceMonth
from tests.evidence.files import JANUARY, archive, lookup_csv, street_csv

pytestmark = pytest.mark.django_db

HOME = reverse("evidence:home")


def csv_file(name, content):
    return SimpleUploadedFile(name, content, content_type="text/csv")


def upload_police(client, *files):
    return client.post(reverse("evidence:police_upload"), {"files": list(files)})


def january():
    return csv_file("2024-01-metropolitan-street.csv", street_csv("2024-01", JANUARY))


@pytest.fixture
def preview(client, officer, area):
    """An officer's upload of January, checked and waiting for confirmation."""
    client.force_login(officer)
    response = upload_police(client, january())
    record = PoliceDataImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("evidence:police_import_detail", args=[record.pk])
    assert record.state == PoliceDataImport.State.READY
    return record


# Who may use the pages -----------------------------------------------------------------------------


def test_anonymous_users_are_asked_to_sign_in(client, plan):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["chair", "lead", "executive", "viewer"])
def test_only_officers_use_the_evidence_pages(client, users, preview, role):
    client.force_login(users[role])
    assert client.get(HOME).status_code == 403
    assert client.get(reverse("evidence:crime_counts_csv"), {"start": "2024-01", "end": "2024-01"}).status_code == 403
    assert upload_police(client, january()).status_code == 403
    assert client.get(reverse("evidence:police_import_detail", args=[preview.pk])).status_code == 403
    assert client.post(reverse("evidence:police_import_detail", args=[preview.pk])).status_code == 403
    assert client.post(reverse("evidence:police_import_cancel", args=[preview.pk])).status_code == 403
    assert PoliceDataImport.objects.get().state == PoliceDataImport.State.READY
    assert PoliceDataImport.objects.count() == 1


def test_another_partnerships_officer_sees_only_their_own_evidence(client, users, preview):
    client.force_login(users["outsider"])
    assert client.get(reverse("evidence:police_import_detail", args=[preview.pk])).status_code == 404
    assert client.post(reverse("evidence:police_import_detail", args=[preview.pk])).status_code == 404
    assert client.post(reverse("evidence:police_import_cancel", args=[preview.pk])).status_code == 404
    page = client.get(HOME).content.decode()
    assert "The partnership has no area yet" in page
    assert "january" not in page.lower()
    assert "2024-01-metropolitan-street.csv</a>" not in page
    assert PoliceDataImport.objects.get().state == PoliceDataImport.State.READY


# The area ------------------------------------------------------------------------------------------


def test_the_page_before_there_is_an_area(client, officer, django_assert_num_queries):
    client.force_login(officer)
    client.get(HOME)
    # The session, the user, the membership; the area's latest lookup (none, so no ward count), the
    # local authorities, retired wards, the months held, their first and last, the indicators computed
    # from crime data (none, so no wards), recent imports.
    with django_assert_num_queries(10):
        response = client.get(HOME)
    page = response.content.decode()
    assert response.status_code == 200
    assert "The partnership has no area yet" in page
    assert "Load the area" in page
    assert "No crime data yet." in page
    assert '<a class="govuk-service-navigation__link" href="/evidence/" aria-current="page">' in page


def test_an_officer_loads_the_area(client, officer, plan):
    client.force_login(officer)
    response = client.post(
        reverse("evidence:area_upload"),
        {"local_authorities": "e09000033", "file": csv_file("lookup.csv", lookup_csv())},
        follow=True,
    )
    page = response.content.decode()
    assert response.redirect_chain == [(HOME, 302)]
    assert "The area now has 2 wards and 3 LSOAs (wards of 2024)." in page
    assert "Testminster (E09000033)" in page
    assert "Replace the area" in page
    lookup = AreaLookup.objects.get()
    assert (lookup.partnership, lookup.imported_by, lookup.local_authority_codes) == (
        plan["partnership"],
        officer,
        ["E09000033"],
    )


def test_a_file_that_is_not_the_lookup_is_refused_and_the_codes_kept(client, officer):
    client.force_login(officer)
    response = client.post(
        reverse("evidence:area_upload"),
        {"local_authorities": "E09000033", "file": csv_file("lookup.csv", street_csv("2024-01", JANUARY))},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: Evidence" in page
    assert 'class="govuk-error-summary"' in page
    assert "lookup.csv" in page
    assert 'value="E09000033"' in page
    assert not AreaLookup.objects.exists()


def test_the_area_form_asks_for_a_code_and_a_file(client, officer):
    client.force_login(officer)
    response = client.post(reverse("evidence:area_upload"), {"local_authorities": ""})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter the code of at least one local authority, e.g. E09000033" in page
    assert "Select the lookup file" in page
    assert not AreaLookup.objects.exists()


# Police.uk uploads ---------------------------------------------------------------------------------


def test_police_files_before_there_is_an_area_are_refused(client, officer):
    client.force_login(officer)
    response = upload_police(client, january())
    assert response.status_code == 400
    assert "The partnership has no area yet: load the ONS lookup above first" in response.content.decode()
    assert not PoliceDataImport.objects.exists()


def test_the_preview(client, preview, django_assert_num_queries):
    url = reverse("evidence:police_import_detail", args=[preview.pk])
    client.get(url)
    # The session, the user, the membership, the import with its partnership and uploader.
    with django_assert_num_queries(4):
        response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "What this import will do" in page
    assert "<li>Months: 2024-01</li>" in page
    assert "<li>Forces: metropolitan</li>" in page
    assert (
        "7 rows read, 4 kept (in the area), 1 outside the area, 1 with no LSOA, 1 in LSOAs the area&#x27;s lookup "
        "does not have" in page
    )
    assert "E01099999 (1)" in page
    assert "Already held" not in page
    assert "Confirm and import" in page
    assert not CrimeCount.objects.exists()


def test_confirming_imports_the_counts_and_confirming_again_changes_nothing(client, preview):
    url = reverse("evidence:police_import_detail", args=[preview.pk])
    response = client.post(url, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert "What was imported" in response.content.decode()
    assert PoliceDataImport.objects.get().state == PoliceDataImport.State.IMPORTED
    counts = sorted(CrimeCount.objects.values_list("ward__code", "crime_type", "count"))
    assert counts == [
        ("E05000001", "Anti-social behaviour", 1),
        ("E05000001", "Violence and sexual offences", 2),
        ("E05000002", "Shoplifting", 1),
    ]

    # The same form sent again (a second click, the back button): a clear message, nothing changed.
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert "This import is imported: there is nothing to confirm." in response.content.decode()
    assert CrimeCount.objects.count() == 3
    assert PoliceMonth.objects.get().month == date(2024, 1, 1)


def test_the_preview_names_the_months_it_would_replace(client, preview):
    client.post(reverse("evidence:police_import_detail", args=[preview.pk]))
    upload_police(client, january())
    again = PoliceDataImport.objects.latest("pk")
    page = client.get(reverse("evidence:police_import_detail", args=[again.pk])).content.decode()
    assert "Already held, and replaced by this import: 2024-01 metropolitan" in page


def test_cancelling_saves_nothing(client, preview):
    response = client.post(reverse("evidence:police_import_cancel", args=[preview.pk]), follow=True)
    assert response.redirect_chain == [(HOME, 302)]
    assert "The import of 2024-01-metropolitan-street.csv was cancelled. Nothing was saved." in (
        response.content.decode()
    )
    assert PoliceDataImport.objects.get().state == PoliceDataImport.State.CANCELLED
    assert not CrimeCount.objects.exists()
    # Confirming the cancelled import (a stale page): refused in words.
    response = client.post(reverse("evidence:police_import_detail", args=[preview.pk]), follow=True)
    assert "This import is cancelled: there is nothing to confirm." in response.content.decode()
    assert not CrimeCount.objects.exists()


def test_several_csv_files_are_read_together(client, officer, area):
    client.force_login(officer)
    february = csv_file("2024-02-metropolitan-street.csv", street_csv("2024-02", [("E01000003", "Robbery")]))
    response = upload_police(client, january(), february)
    record = PoliceDataImport.objects.get()
    assert response.status_code == 302
    assert record.state == PoliceDataImport.State.READY
    assert record.preview["months"] == ["2024-01", "2024-02"]
    assert record.preview["totals"]["kept"] == 5


def test_the_archive_as_downloaded(client, officer, area):
    client.force_login(officer)
    zipped = archive(
        {
            "2024-01/2024-01-metropolitan-street.csv": street_csv("2024-01", JANUARY),
            "2024-01/2024-01-metropolitan-outcomes.csv": b"Crime ID,Month\n",
        }
    )
    upload_police(client, SimpleUploadedFile("police.zip", zipped, content_type="application/zip"))
    record = PoliceDataImport.objects.get()
    assert record.state == PoliceDataImport.State.READY
    assert record.preview["totals"]["read"] == 7
    page = client.get(reverse("evidence:police_import_detail", args=[record.pk])).content.decode()
    assert "1 other file(s) (outcomes, stop and search) ignored" in page


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("plan.xlsx", b"PK\x05\x06" + b"\0" * 18, "plan.xlsx is not a police.uk street-level file"),
        (
            "2024-01-metropolitan-street.csv",
            b"Month,Crime type\n2024-01,Burglary\n",
            "2024-01-metropolitan-street.csv is not a police.uk street-level file: it has no Crime ID",
        ),
        (
            "2024-02-metropolitan-street.csv",
            street_csv("2024-01", JANUARY),
            "the Month column says 2024-01, but the file&#x27;s name says 2024-02",
        ),
    ],
)
def test_a_wrong_file_is_refused_in_words(client, officer, area, name, content, message):
    client.force_login(officer)
    response = upload_police(client, csv_file(name, content))
    record = PoliceDataImport.objects.get()
    assert response.status_code == 302
    assert record.state == PoliceDataImport.State.REFUSED
    page = client.get(reverse("evidence:police_import_detail", args=[record.pk])).content.decode()
    assert "The files were not imported" in page
    assert message in page
    assert "Confirm and import" not in page
    assert not CrimeCount.objects.exists()


def test_an_empty_selection_and_a_zip_with_csvs_are_refused_on_the_form(client, officer, area):
    client.force_login(officer)
    response = upload_police(client)
    assert response.status_code == 400
    assert "Select the files to import" in response.content.decode()
    response = upload_police(client, january(), SimpleUploadedFile("police.zip", archive({})))
    assert response.status_code == 400
    assert "Upload a zip archive on its own, or one or more CSV files" in response.content.decode()
    assert not PoliceDataImport.objects.exists()


# The counts as CSV ---------------------------------------------------------------------------------


def test_the_counts_download(client, preview):
    client.post(reverse("evidence:police_import_detail", args=[preview.pk]))
    page = client.get(HOME).content.decode()
    assert 'name="start" value="2024-01"' in page
    assert "January 2024" in page
    response = client.get(reverse("evidence:crime_counts_csv"), {"start": "2024-01", "end": "2024-12"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="tcsp-crime-counts-2024-01-to-2024-12-official.csv"'
    assert response.content.decode() == (
        "Month,Ward code,Ward name,Crime type,Count\r\n"
        "2024-01,E05000001,West End,Anti-social behaviour,1\r\n"
        "2024-01,E05000001,West End,Violence and sexual offences,2\r\n"
        "2024-01,E05000002,Soho,Shoplifting,1\r\n"
    )


def test_the_counts_download_asks_for_months(client, officer, area):
    client.force_login(officer)
    response = client.get(reverse("evidence:crime_counts_csv"), {"start": "Jan 2024", "end": "2023-12"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter a month as YYYY-MM, e.g. 2024-01" in page
    assert 'value="Jan 2024"' in page


def test_the_home_page_costs_the_same_with_more_imports(client, preview, django_assert_num_queries):
    client.post(reverse("evidence:police_import_detail", args=[preview.pk]))
    for _ in range(3):
        upload_police(client, january())
    client.get(HOME)
    # As before the area, and the count of the area's current wards.
    with django_assert_num_queries(11):
        response = client.get(HOME)
    assert response.content.decode().count("2024-01-metropolitan-street.csv</a>") == 4


def test_the_page_of_an_import_being_read_shows_its_progress(client, officer, plan, area):
    record = PoliceDataImport.objects.create(
        partnership=plan["partnership"],
        created_by=officer,
        file_name="police.zip",
        file_size=1,
        file_sha256="0" * 64,
        stage="Reading 2024-01-metropolitan-street.csv: 50,000 rows",
    )
    client.force_login(officer)
    url = reverse("evidence:police_import_detail", args=[record.pk])
    page = client.get(url).content.decode()
    assert "Reading the files" in page
    assert "Reading 2024-01-metropolitan-street.csv: 50,000 rows" in page
    assert '<meta http-equiv="refresh" content="3">' in page
    assert "Confirm and import" not in page
    page = client.get(url, {"refresh": "off"}).content.decode()
    assert 'http-equiv="refresh"' not in page
    assert ">Refresh</a>" in page
