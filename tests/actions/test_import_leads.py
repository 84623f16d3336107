"""Leads in imported plans as the seed plans write them: several people in one cell, notes in
brackets, names the officer maps to people already known; the rows above a table; what the preview
shows of a new action; and the export's due date as a date."""

import datetime
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from actions.imports import action_plan_apply, action_plan_check
from actions.imports.vocabulary import read_leads
from actions.models import Action, ActionLead, ActionPlanImport
from actions.spreadsheets import write_plan_xlsx
from strategy.models import Person, Principle, name_key
from tests.actions.importing import SEED_HEADER, seed_sheet, xlsx

pytestmark = pytest.mark.django_db

LONDON = datetime.timezone(datetime.timedelta(0))
# A day inside the test strategy's period, so nothing depends on the day the tests run.
TODAY = datetime.datetime(2025, 5, 14, 10, 0, tzinfo=LONDON)

INTERVENING = (
    "Intervening early with families and young people to reduce their risk of victimisation and prevent offending."
)
COLLABORATION = (
    "Working in collaboration with partners to focus on the key contributing factors that reduce victimisation and "
    "offending."
)


def leads_of(ref):
    return [
        (link.person.name, link.note)
        for link in ActionLead.objects.filter(action__ref=ref).select_related("person").order_by("position")
    ]


def contest_sheet(rows, **labels):
    """The CONTEST plan's shape: its Chair, Aim and the two cross-cutting principles above the table."""
    return [
        ["Chair", labels.get("chair", "Mick Smith")],
        ["Aim", "Enhancing the partnership response to countering terrorism"],
        ["Cross Cutting Principles", INTERVENING],
        [None, COLLABORATION],
        SEED_HEADER,
        *rows,
    ]


PROTECT = "1 We will work to provide advice and guidance to businesses"


# Lead cells ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "known", "names"),
    [
        # As the CONTEST plan writes two people.
        ("Mick Wright, Mike Wilkins", set(), ["Mick Wright", "Mike Wilkins"]),
        ("Adam Taylor and Angela Lambillion", set(), ["Adam Taylor", "Angela Lambillion"]),
        ("MARAC & MAPPA chairs", set(), ["MARAC", "MAPPA chairs"]),
        # A whole that names someone known stays one lead.
        ("MARAC & MAPPA chairs", {"MARAC & MAPPA chairs"}, ["MARAC & MAPPA chairs"]),
        ("Chairs of MAPPA, IOM and GMAP", set(), ["Chairs of MAPPA", "IOM", "GMAP"]),
        ("Terry Abbot City West Homes\nClare Hardy", set(), ["Terry Abbot City West Homes", "Clare Hardy"]),
        # A name wrapped onto two lines is one person when the partnership knows them.
        ("Angela\nLambillion", {"Angela Lambillion"}, ["Angela Lambillion"]),
        ("Ezra Wallace (awaiting confirmation)", set(), ["Ezra Wallace"]),
        ("Ezra Wallace\n(awaiting\nconfirmation)", set(), ["Ezra Wallace"]),
        ("Adam Taylor / Serena Simon / Richard Stanley", set(), ["Adam Taylor", "Serena Simon", "Richard Stanley"]),
        ("Police who?/Serena Hardy", set(), ["Police who?", "Serena Hardy"]),
        ("Mick Wright, mick wright", set(), ["Mick Wright"]),
        ("(awaiting confirmation)", set(), []),
        ("?", set(), []),
    ],
)
def test_lead_cells_as_the_seed_plans_write_them(cell, known, names):
    assert read_leads(cell, known={name_key(name) for name in known}) == names


def test_two_people_in_one_cell_and_a_note_in_brackets_are_imported_as_such(plan):
    Person.objects.create(partnership=plan["partnership"], name="Mike Wilkins")
    Person.objects.create(partnership=plan["partnership"], name="MARAC & MAPPA chairs")
    rows = [
        [PROTECT, "Review current activity regarding security", "Mick Wright, Mike Wilkins", "", "30/09/2017"],
        [None, "Develop and deliver an action plan", "Lena Lead and Omar Other", "", "31/03/2018"],
        [None, "Pilot mental health provision", "Ezra Wallace\n(awaiting confirmation)", "", "Mar-18"],
        [None, "Review pathways between MAPPA and MARAC", "MARAC & MAPPA chairs", "", "31/08/2017"],
    ]
    outcome = action_plan_apply(strategy=plan["strategy"], content=xlsx({"Contest": contest_sheet(rows)}))
    assert outcome.ok, [str(p) for p in outcome.problems]
    refs = dict(Action.objects.filter(strategy=plan["strategy"]).values_list("text", "ref"))
    assert leads_of(refs["Review current activity regarding security"]) == [("Mick Wright", ""), ("Mike Wilkins", "")]
    assert leads_of(refs["Develop and deliver an action plan"]) == [("Lena Lead", ""), ("Omar Other", "")]
    assert leads_of(refs["Pilot mental health provision"]) == [("Ezra Wallace", "awaiting confirmation")]
    assert leads_of(refs["Review pathways between MAPPA and MARAC"]) == [("MARAC & MAPPA chairs", "")]
    assert sorted(outcome.report["new_people"]) == ["Ezra Wallace", "Mick Smith", "Mick Wright"]
    action = Action.objects.prefetch_related("lead_links__person").get(ref=refs["Pilot mental health provision"])
    assert action.lead_names == "Ezra Wallace (awaiting confirmation)"

    # The same file again changes nothing; a note taken away is a change of lead.
    again = action_plan_check(strategy=plan["strategy"], content=xlsx({"Contest": contest_sheet(rows)}))
    assert again.report["totals"]["actions_unchanged"] == 4 and not again.changes_anything
    rows[2][2] = "Ezra Wallace"
    changed = action_plan_check(strategy=plan["strategy"], content=xlsx({"Contest": contest_sheet(rows)}))
    [entry] = changed.report["groups"][0]["actions_changed"]
    assert entry["changes"] == [{"field": "Lead", "old": "Ezra Wallace (awaiting confirmation)", "new": "Ezra Wallace"}]


@time_machine.travel(TODAY, tick=False)
def test_the_export_writes_each_lead_with_its_note_and_reimports_as_it_was(plan):
    rows = [[PROTECT, "Pilot mental health provision", "Ezra Wallace (awaiting confirmation), Lena Lead", "", "Mar-18"]]
    action_plan_apply(strategy=plan["strategy"], content=xlsx({"Contest": contest_sheet(rows)}))
    buffer = io.BytesIO()
    write_plan_xlsx(plan["strategy"], buffer)
    sheet = load_workbook(io.BytesIO(buffer.getvalue()))["CONTEST"]  # the test plan's group of that name
    lead_column = [cell.value for cell in sheet["D"]]
    assert "Ezra Wallace (awaiting confirmation) / Lena Lead" in lead_column
    outcome = action_plan_check(strategy=plan["strategy"], content=buffer.getvalue())
    assert outcome.ok and not outcome.changes_anything


# Rows above the table ------------------------------------------------------------------------------


def test_cross_cutting_principles_are_read_into_the_strategy_once(plan):
    rows = [[PROTECT, "Deliver Project Griffin CT Awareness Training Sessions", "Lena Lead", "", "31/03/2018"]]
    other = [["1 Reduce re-offending", "Fund a youth resettlement worker", "Omar Other", "", "31/03/2018"]]
    content = xlsx({"Contest": contest_sheet(rows), "Offender": contest_sheet(other, chair="Omar Other")})
    preview = action_plan_check(strategy=plan["strategy"], content=content)
    assert preview.report["principles_created"] == [INTERVENING, COLLABORATION]
    assert not Principle.objects.exists()
    outcome = action_plan_apply(strategy=plan["strategy"], content=content)
    assert outcome.applied["principles_created"] == 2
    assert list(Principle.objects.values_list("position", "title", "description")) == [
        (1, "Intervening early with families and young people to reduce their risk of\u2026", INTERVENING),
        (2, "Working in collaboration with partners to focus on the key contributing\u2026", COLLABORATION),
    ]
    again = action_plan_check(strategy=plan["strategy"], content=content)
    assert again.report["principles_created"] == []


def test_a_principle_the_strategy_has_in_its_own_words_is_not_added_again(plan):
    Principle.objects.create(strategy=plan["strategy"], position=1, title="Intervening early", description=INTERVENING)
    rows = [[PROTECT, "Deliver Project Griffin", "Lena Lead", "", "31/03/2018"]]
    outcome = action_plan_check(strategy=plan["strategy"], content=xlsx({"Contest": contest_sheet(rows)}))
    assert outcome.report["principles_created"] == [COLLABORATION]


def test_other_rows_above_the_table_are_listed_as_not_read(plan):
    sheet = [
        ["Safer Westminster Partnership strategy 2017 - 2020"],
        *contest_sheet([[PROTECT, "Deliver Project Griffin", "Lena Lead", "", "31/03/2018"]]),
    ]
    outcome = action_plan_check(strategy=plan["strategy"], content=xlsx({"Contest": sheet}))
    assert [str(note) for note in outcome.notes] == [
        "Sheet 'Contest', row 1: this row above the table was not read: only a Chair, an Aim, a Delivery group and "
        "the Cross Cutting Principles rows are"
    ]


# The preview page ------------------------------------------------------------------------------------

NEW_ROWS = [
    [PROTECT, "Review current activity regarding security", "Mick Wright, Mike Wilkins", "Sessions held", "Sep-17"],
    [None, "Produce a monthly threat assessment", "Nadia New", "N/A", "Monthly"],
]


def upload(client, plan, rows=NEW_ROWS, sheet=None):
    content = xlsx({"Contest": sheet or contest_sheet(rows, chair="Carla Chair")})
    client.post(
        reverse("actions:import_upload"),
        {"strategy": plan["strategy"].pk, "file": SimpleUploadedFile("contest.xlsx", content)},
    )
    return ActionPlanImport.objects.latest("pk")


def test_the_preview_shows_a_new_actions_lead_deadline_and_kpi(client, plan, officer):
    client.force_login(officer)
    record = upload(client, plan)
    page = client.get(reverse("actions:import_detail", args=[record.pk])).content.decode()
    assert (
        '<td class="govuk-table__cell" data-label="Lead">Mick Wright / Mike Wilkins</td>'
        '<td class="govuk-table__cell" data-label="Deadline">Sep-17<br>'
        '<span class="govuk-body-s">Due 30 September 2017</span></td>'
        '<td class="govuk-table__cell" data-label="KPI">Sessions held</td>'
    ) in page
    assert "Cross-cutting principles to be added to Test strategy 2024-2027 (2)" in page


def test_the_preview_lists_rows_above_the_table_it_did_not_read(client, plan, officer):
    client.force_login(officer)
    record = upload(client, plan, sheet=[["Appendix: action plans"], *contest_sheet(NEW_ROWS, chair="Carla Chair")])
    page = client.get(reverse("actions:import_detail", args=[record.pk])).content.decode()
    assert "Sheet &#x27;Contest&#x27;, row 1: this row above the table was not read" in page


def test_the_officer_maps_a_new_name_to_someone_known_and_the_choice_is_kept_to_the_import(client, plan, officer):
    client.force_login(officer)
    wilkins = Person.objects.create(partnership=plan["partnership"], name="Michael Wilkins")
    record = upload(client, plan)
    url = reverse("actions:import_detail", args=[record.pk])
    page = client.get(url).content.decode()
    names = [entry["name"] for entry in record.preview["unknown_leads"]]
    assert names == ["Mick Wright", "Mike Wilkins", "Nadia New"]
    assert "New leads (3 to be added)" in page
    assert "Lead of 1 action in the file, the first on sheet &#x27;Contest&#x27;, row 6." in page
    # The closest names come first.
    assert f'<optgroup label="Similar names"> <option value="{wilkins.pk}">Michael Wilkins</option> </optgroup>' in (
        " ".join(page.split())
    )

    response = client.post(url, {"lead_0": "new", "lead_1": str(wilkins.pk), "lead_2": "new", "archive_missing": "on"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.state == "ready"  # the preview was made again with the choice
    assert record.lead_choices == {name_key("Mike Wilkins"): wilkins.pk}
    assert record.archive_missing  # the tick is kept too
    assert record.preview["totals"]["people_created"] == 2
    page = client.get(url).content.decode()
    assert f'<option value="{wilkins.pk}" selected>Michael Wilkins</option>' in page
    assert "Mick Wright / Michael Wilkins" in page  # the new action's leads, as they will be
    assert not Action.objects.filter(text="Produce a monthly threat assessment").exists()

    client.post(url, {"lead_0": "new", "lead_1": str(wilkins.pk), "lead_2": "new", "archive_missing": "on"})
    record.refresh_from_db()
    assert record.state == "imported"
    ref = Action.objects.get(text="Review current activity regarding security").ref
    assert leads_of(ref) == [("Mick Wright", ""), ("Michael Wilkins", "")]
    assert not Person.objects.filter(name="Mike Wilkins").exists()
    assert Person.objects.filter(name__in=["Mick Wright", "Nadia New"]).count() == 2


def test_a_choice_that_is_no_longer_offered_is_an_error_and_keeps_the_other_choices(client, plan, officer):
    client.force_login(officer)
    record = upload(client, plan)
    url = reverse("actions:import_detail", args=[record.pk])
    lena = plan["lena"]
    response = client.post(url, {"lead_0": str(lena.pk), "lead_1": "999999", "lead_2": "new", "archive_missing": "on"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Error: " in page
    assert '<a href="#id_lead_1">Choose who Mike Wilkins is from the list, or add them as a new person</a>' in page
    assert f'<option value="{lena.pk}" selected>Lena Lead</option>' in page
    assert 'aria-describedby="id_archive_missing_helptext" id="id_archive_missing" checked>' in page
    record.refresh_from_db()
    assert (record.state, record.lead_choices) == ("ready", {})
    assert not Action.objects.filter(text="Produce a monthly threat assessment").exists()


def test_the_preview_page_runs_the_same_queries_for_few_and_many_new_leads(
    client, plan, officer, django_assert_num_queries
):
    client.force_login(officer)
    few = upload(client, plan)
    many_rows = [[PROTECT if n == 0 else None, f"Action {n}", f"New Person {n}", "", "Mar-26"] for n in range(40)]
    many = upload(client, plan, rows=many_rows)
    assert len(many.preview["unknown_leads"]) == 40
    for record in (few, many):
        # session, user, membership, the import with its strategy, partnership and uploader, the
        # partnership's people (for the lead choices).
        with django_assert_num_queries(5):
            response = client.get(reverse("actions:import_detail", args=[record.pk]))
        assert response.status_code == 200


# The command ------------------------------------------------------------------------------------------


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_action_plan", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_the_command_maps_names_to_people_and_reads_the_principles(plan, tmp_path):
    path = tmp_path / "contest.xlsx"
    path.write_bytes(xlsx({"Contest": contest_sheet(NEW_ROWS, chair="Carla Chair")}))
    out = run(
        str(path), "--strategy", "test-2024-2027", "--lead", "Mike Wilkins=Omar Other", "--lead", "nadia new=Lena Lead"
    )
    assert "Imported contest.xlsx" in out
    assert "  2 cross-cutting principles added to the strategy\n" in out
    ref = Action.objects.get(text="Review current activity regarding security").ref
    assert leads_of(ref) == [("Mick Wright", ""), ("Omar Other", "")]
    ref = Action.objects.get(text="Produce a monthly threat assessment").ref
    assert leads_of(ref) == [("Lena Lead", "")]
    assert list(Principle.objects.values_list("description", flat=True)) == [INTERVENING, COLLABORATION]


def test_the_command_refuses_a_mapping_to_someone_unknown(plan, tmp_path):
    from django.core.management import CommandError

    path = tmp_path / "contest.xlsx"
    path.write_bytes(xlsx({"Contest": contest_sheet(NEW_ROWS)}))
    with pytest.raises(CommandError, match="Nobody Known is not one of the partnership's people"):
        run(str(path), "--strategy", "test-2024-2027", "--lead", "Mike Wilkins=Nobody Known")
    assert not Action.objects.filter(text="Produce a monthly threat assessment").exists()


# The export's due date --------------------------------------------------------------------------------


@time_machine.travel(TODAY, tick=False)
def test_the_exported_due_date_is_a_date_cell_and_the_workbook_reimports_unchanged(client, plan, officer):
    client.force_login(officer)
    response = client.get(reverse("actions:plan_export", kwargs={"slug": "test-2024-2027", "file_format": "xlsx"}))
    assert response["Content-Disposition"].endswith('-2025-05-14.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content))["Victim"]
    header = next(row for row in sheet.iter_rows(values_only=True) if row and row[0] == "Objective")
    column = header.index("Due date")
    v1_1 = next(row for row in sheet.iter_rows() if row[1].value == "V1.1")
    assert v1_1[column].value == datetime.datetime(2025, 3, 31)
    assert v1_1[column].is_date and v1_1[column].number_format == "dd/mm/yyyy"
    outcome = action_plan_check(strategy=plan["strategy"], content=response.content)
    assert outcome.ok and not outcome.changes_anything


@time_machine.travel(TODAY, tick=False)
def test_a_due_date_cell_alone_gives_the_deadline(plan):
    rows = [
        [
            "1 Identify repeat victims",
            "Action V1.1",
            "Lena Lead",
            "Repeat victimisation levels",
            datetime.date(2026, 1, 31),
        ]
    ]
    header = ["Objective", "Action", "Lead", "KPI", "Due date"]
    content = xlsx({"Victim": seed_sheet(rows, header=header)})
    action_plan_apply(strategy=plan["strategy"], content=content)
    assert Action.objects.get(ref="V1.1").due_date == datetime.date(2026, 1, 31)


def test_the_action_page_shows_a_leads_note(client, plan, officer):
    rows = [[PROTECT, "Pilot mental health provision", "Ezra Wallace (awaiting confirmation)", "", "Mar-18"]]
    action_plan_apply(strategy=plan["strategy"], content=xlsx({"Contest": contest_sheet(rows)}))
    client.force_login(officer)
    action = Action.objects.get(text="Pilot mental health provision")
    page = client.get(reverse("actions:action_detail", args=[action.pk])).content.decode()
    assert "Ezra Wallace: awaiting confirmation" in page


def test_names_and_sheet_names_from_the_file_are_shown_as_text(client, plan, officer):
    client.force_login(officer)
    rows = [[PROTECT, "Review security", "<b>Evil<b>", "", "Sep-25"]]
    content = xlsx({"<b>Bold<b>": seed_sheet(rows)})
    client.post(
        reverse("actions:import_upload"),
        {"strategy": plan["strategy"].pk, "file": SimpleUploadedFile("plan.xlsx", content)},
    )
    record = ActionPlanImport.objects.get()
    page = client.get(reverse("actions:import_detail", args=[record.pk])).content.decode()
    assert "<b>Evil<b>" not in page and "<b>Bold<b>" not in page
    assert 'for="id_lead_0">&lt;b&gt;Evil&lt;b&gt;</label>' in page
    assert "the first on sheet &#x27;&lt;b&gt;Bold&lt;b&gt;&#x27;, row 4." in page
