"""The back office's import and export of partner organisations and people.

Export is the change list as its user sees it; import lands every row in the officer's own
partnership, matched by name within it, previewed then confirmed, recorded in the audit trail, and
a file with any problem saves nothing.
"""

import datetime
import io

import openpyxl
import pytest
import time_machine
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile

from actions.models import Action
from strategy.models import Organisation, Person

pytestmark = pytest.mark.django_db

ORGANISATIONS = "/admin/strategy/organisation/"
PEOPLE = "/admin/strategy/person/"
CSV, XLSX = "0", "1"


@pytest.fixture(autouse=True)
def on_a_fixed_day():
    """Export file names carry the day."""
    with time_machine.travel(datetime.datetime(2026, 5, 6, 10, tzinfo=datetime.UTC)):
        yield


@pytest.fixture
def theirs(elsewhere):
    """The other partnership's organisation and person, named as Test CSP's might be."""
    council = Organisation.objects.create(partnership=elsewhere["partnership"], name="Elsewhere Council")
    twin = Organisation.objects.create(partnership=elsewhere["partnership"], name="Test Police", short_name="EP")
    person = Person.objects.create(
        partnership=elsewhere["partnership"], name="Lena Lead", job_title="Elsewhere analyst", organisation=council
    )
    return {"council": council, "twin": twin, "person": person}


def export(client, changelist, file_format, query=""):
    """Post the export form as the browser sends it: every column ticked."""
    form = client.get(f"{changelist}export/{query}").context["form"]
    data = {"format": file_format, "resource": "0"}
    data.update({name: "on" for name in form.fields if name.endswith(tuple(f"_{c}" for c in COLUMNS[changelist]))})
    return client.post(f"{changelist}export/{query}", data)


COLUMNS = {
    ORGANISATIONS: ["name", "short_name", "responsible_authority", "partnership"],
    PEOPLE: ["name", "kind", "job_title", "organisation", "email", "user"],
}


def upload(client, changelist, text, name="people.csv"):
    return client.post(
        f"{changelist}import/",
        {"format": CSV, "resource": "0", "import_file": SimpleUploadedFile(name, text.encode(), "text/csv")},
    )


def confirm(client, changelist, preview):
    return client.post(f"{changelist}process_import/", preview.context["confirm_form"].initial)


def snapshot():
    return sorted(
        Person.objects.values_list("partnership__slug", "name", "job_title", "organisation__name", "email", "kind")
    ), sorted(Organisation.objects.values_list("partnership__slug", "name", "short_name", "responsible_authority"))


def history():
    rows = [*Organisation.history.all(), *Person.history.all()]
    return sorted((row.history_type, row.name, row.history_user.username if row.history_user else None) for row in rows)


def test_an_officer_exports_their_partnerships_organisations_as_csv(client, plan, officer, theirs):
    Organisation.objects.create(partnership=plan["partnership"], name="=HYPERLINK(1)", short_name="-X")
    client.force_login(officer)
    response = export(client, ORGANISATIONS, CSV)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="Organisation-2026-05-06.csv"'
    assert response.content.decode() == (
        "name,short_name,responsible_authority,partnership\r\n"
        "Test Council,,Yes,Test Community Safety Partnership\r\n"
        "Test Police,,Yes,Test Community Safety Partnership\r\n"
        "'=HYPERLINK(1),'-X,No,Test Community Safety Partnership\r\n"
    )


def test_an_export_follows_the_change_lists_filters(client, plan, officer):
    client.force_login(officer)
    response = export(client, PEOPLE, CSV, f"?organisation__id__exact={plan['council'].pk}")
    assert response.content.decode() == (
        "name,kind,job_title,organisation,email,user\r\nLena Lead,Person,,Test Council,,\r\n"
    )


def test_an_officer_exports_their_people_as_xlsx(client, plan, officer, lead, theirs):
    Person.objects.filter(pk=plan["lena"].pk).update(job_title="@analyst", email="lena@example.org", user=lead)
    client.force_login(officer)
    response = export(client, PEOPLE, XLSX)
    assert response["Content-Disposition"] == 'attachment; filename="Person-2026-05-06.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["name", "kind", "job_title", "organisation", "email", "user"],
        ["Carla Chair", "Person", None, "Test Police", None, None],
        ["Lena Lead", "Person", "'@analyst", "Test Council", "lena@example.org", "lead"],
        ["Omar Other", "Person", None, "Test Police", None, None],
    ]


def test_an_export_takes_the_same_queries_however_many_rows(client, plan, officer, django_assert_num_queries):
    for number in range(20):
        Person.objects.create(partnership=plan["partnership"], name=f"Person {number}", organisation=plan["council"])
    client.force_login(officer)
    form = client.get(f"{PEOPLE}export/").context["form"]
    ticked = {name: "on" for name in form.fields if name.startswith("personresource_")}
    data = {"format": CSV, "resource": "0", **ticked}
    # The session, the user, their membership; the organisations the list's filter offers; the
    # people with their organisations and logins.
    with django_assert_num_queries(5):
        response = client.post(f"{PEOPLE}export/", data)
    assert len(response.content.decode().splitlines()) == 24


def test_the_other_partnerships_officer_exports_only_theirs(client, plan, outsider, theirs):
    client.force_login(outsider)
    assert export(client, ORGANISATIONS, CSV).content.decode() == (
        "name,short_name,responsible_authority,partnership\r\n"
        "Elsewhere Council,,No,Elsewhere Safety Partnership\r\n"
        "Test Police,EP,No,Elsewhere Safety Partnership\r\n"
    )


def test_the_administrator_exports_every_partnerships_rows(client, plan, theirs):
    client.force_login(User.objects.create_superuser("admin", "admin@example.org", "pw"))
    assert export(client, ORGANISATIONS, CSV).content.decode() == (
        "name,short_name,responsible_authority,partnership\r\n"
        "Test Council,,Yes,Test Community Safety Partnership\r\n"
        "Test Police,,Yes,Test Community Safety Partnership\r\n"
        "Elsewhere Council,,No,Elsewhere Safety Partnership\r\n"
        "Test Police,EP,No,Elsewhere Safety Partnership\r\n"
    )


def test_an_import_is_previewed_then_confirmed_and_recorded(client, plan, officer, theirs):
    client.force_login(officer)
    before, recorded = snapshot(), history()
    preview = upload(
        client,
        PEOPLE,
        "name,kind,job_title,organisation,email,user\n"
        "lena lead,Person,Analyst,Test Police,lena@example.org,someone\n"
        "IGU,Team or organisation,'=team,Test Council,,\n"
        "Omar Other,Person,,Test Police,,\n",
    )
    assert preview.status_code == 200
    assert [row.import_type for row in preview.context["result"].rows] == ["update", "new", "skip"]
    assert snapshot() == before
    assert history() == recorded

    response = confirm(client, PEOPLE, preview)
    assert response.status_code == 302
    assert response.url == PEOPLE
    people, organisations = snapshot()
    assert organisations == before[1]
    assert people == sorted(
        [
            ("elsewhere", "Lena Lead", "Elsewhere analyst", "Elsewhere Council", "", "person"),
            ("tcsp", "Carla Chair", "", "Test Police", "", "person"),
            ("tcsp", "IGU", "=team", "Test Council", "", "team"),
            ("tcsp", "lena lead", "Analyst", "Test Police", "lena@example.org", "person"),
            ("tcsp", "Omar Other", "", "Test Police", "", "person"),
        ]
    )
    # Matched by name whatever its case; the file's spelling is kept. The user column is not read.
    assert Person.objects.get(pk=plan["lena"].pk).user is None
    assert sorted(set(history()) - set(recorded)) == [("+", "IGU", "officer"), ("~", "lena lead", "officer")]


def test_an_import_matches_names_within_the_officers_partnership_only(client, plan, officer, theirs):
    client.force_login(officer)
    preview = upload(
        client,
        ORGANISATIONS,
        "Name,Short name,Responsible authority\nElsewhere Council,EC,no\nTest Police,TP,yes\n",
    )
    assert [row.import_type for row in preview.context["result"].rows] == ["new", "update"]
    confirm(client, ORGANISATIONS, preview)
    assert snapshot()[1] == [
        ("elsewhere", "Elsewhere Council", "", False),
        ("elsewhere", "Test Police", "EP", False),
        ("tcsp", "Elsewhere Council", "EC", False),
        ("tcsp", "Test Council", "", True),
        ("tcsp", "Test Police", "TP", True),
    ]


def test_a_row_naming_another_partnership_is_refused_and_nothing_changes(client, plan, officer, theirs):
    client.force_login(officer)
    before, recorded = snapshot(), history()
    preview = upload(
        client,
        ORGANISATIONS,
        "name,short_name,responsible_authority,partnership\n"
        "Test Council,TC,yes,Test Community Safety Partnership\n"
        "Test Police,Taken,no,Elsewhere Safety Partnership\n",
    )
    content = preview.content.decode()
    assert "confirm_form" not in preview.context
    assert (
        "This row names the partnership “Elsewhere Safety Partnership”: "
        "rows are imported into Test Community Safety Partnership only." in content
    )
    assert snapshot() == before
    assert history() == recorded


def test_a_person_naming_another_partnerships_organisation_is_refused(client, plan, officer, theirs):
    client.force_login(officer)
    before = snapshot()
    preview = upload(client, PEOPLE, "name,organisation\nNew Person,Test Council\nLena Lead,Elsewhere Council\n")
    assert "confirm_form" not in preview.context
    assert "Test Community Safety Partnership has no partner organisation called “Elsewhere Council”." in (
        preview.content.decode()
    )
    assert snapshot() == before


def test_a_file_that_no_longer_imports_cleanly_at_confirm_saves_nothing(client, plan, officer):
    client.force_login(officer)
    preview = upload(
        client, PEOPLE, "name,job_title,organisation\nNew Person,Analyst,Test Council\nLena Lead,Chief,Test Police\n"
    )
    Person.objects.filter(organisation=plan["police"]).update(organisation=None)
    Organisation.objects.filter(pk=plan["police"].pk).delete()
    before, recorded = snapshot(), history()
    response = confirm(client, PEOPLE, preview)
    assert response.status_code == 302
    assert response.url == f"{PEOPLE}import/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Nothing was imported: the file no longer imports cleanly. Upload it again."
    ]
    assert (snapshot(), history()) == (before, recorded)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,responsible_authority\nNew Agency,perhaps\n", "Write Yes or No, not “perhaps”."),
        ("name,short_name\n,NA\n", "This row has no name."),
        ("name,short_name\nNew Agency," + "x" * 31 + "\n", "Ensure this value has at most 30 characters"),
        (
            "short_name\nNA\n",
            "The file has no name column. Its first row names the columns: "
            "name, short_name, responsible_authority, partnership.",
        ),
    ],
)
def test_a_file_with_a_bad_row_says_which_and_saves_nothing(client, plan, officer, text, message):
    client.force_login(officer)
    before = snapshot()
    preview = upload(client, ORGANISATIONS, text)
    assert preview.status_code == 200
    assert "confirm_form" not in preview.context
    page = preview.content.decode()
    assert message in page
    assert "Traceback" not in page  # a whole-file error shows its message, never the code's insides
    assert "cannot be null" not in page  # no file sets the partnership, so no row is told it lacks one
    assert "Nothing has been imported: correct the" in page
    assert snapshot() == before


def test_a_file_that_is_not_a_spreadsheet_gets_a_message(client, plan, officer):
    client.force_login(officer)
    response = client.post(
        f"{ORGANISATIONS}import/",
        {"format": XLSX, "resource": "0", "import_file": SimpleUploadedFile("o.xlsx", b"not a workbook")},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["import_file"] == [
        "The file could not be read in the format chosen: choose csv or xlsx to match it."
    ]


def test_an_exported_file_imports_back_unchanged(client, plan, officer):
    Organisation.objects.create(partnership=plan["partnership"], name="=HYPERLINK(1)", short_name="-X")
    client.force_login(officer)
    exported = export(client, ORGANISATIONS, CSV).content.decode()
    recorded = history()
    preview = upload(client, ORGANISATIONS, exported)
    assert [row.import_type for row in preview.context["result"].rows] == ["skip", "skip", "skip"]
    confirm(client, ORGANISATIONS, preview)
    assert history() == recorded


@pytest.mark.parametrize("role", ["chair", "lead", "executive", "viewer"])
@pytest.mark.parametrize("changelist", [ORGANISATIONS, PEOPLE])
def test_only_officers_import_and_export(client, plan, users, role, changelist):
    client.force_login(users[role])
    before = snapshot()
    assert [
        client.get(f"{changelist}import/").status_code,
        upload(client, changelist, "name\nNew\n").status_code,
        client.post(f"{changelist}process_import/", {}).status_code,
        client.get(f"{changelist}export/").status_code,
        client.post(f"{changelist}export/", {"format": CSV, "resource": "0"}).status_code,
    ] == [403, 403, 403, 403, 403]
    assert snapshot() == before
    assert "Import" not in client.get(changelist).content.decode().split("<table")[0]


def test_a_file_uploaded_here_cannot_be_confirmed_into_the_action_list(client, plan, officer):
    """The action list's Import button leads to the site's own import: the library's confirm step
    there is closed, so a file previewed here cannot be applied to actions."""
    client.force_login(officer)
    preview = upload(client, PEOPLE, "name,ref,text\nNew Person,V9.9,Taken over\n")
    actions = sorted(Action.objects.values_list("pk", "ref", "text"))
    response = client.post("/admin/actions/action/process_import/", preview.context["confirm_form"].initial)
    assert response.status_code == 403
    assert sorted(Action.objects.values_list("pk", "ref", "text")) == actions
