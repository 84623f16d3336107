"""Importing action plans: what real council spreadsheets bring in, and that a bad file brings in nothing."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from actions.imports import BlueMeans, action_plan_apply, action_plan_check
from actions.imports.vocabulary import HEADER_SYNONYMS
from actions.models import RAG, Action, ActionLead, DeliveryGroup, Objective, Status, Update
from strategy.models import Person
from tests.actions.importing import SEED_HEADER, csv_bytes, seed_sheet, xlsx

pytestmark = pytest.mark.django_db


def check(plan, content, **options):
    return action_plan_check(strategy=plan["strategy"], content=content, file_name="plan.xlsx", **options)


def apply(plan, content, by=None, **options):
    outcome = action_plan_apply(strategy=plan["strategy"], content=content, file_name="plan.xlsx", by=by, **options)
    assert outcome.ok, [str(p) for p in outcome.problems]
    return outcome


def snapshot():
    """Everything an import may touch, to show a refused import saved nothing."""
    return {
        "groups": list(DeliveryGroup.objects.order_by("pk").values()),
        "objectives": list(Objective.objects.order_by("pk").values()),
        "actions": list(Action.objects.order_by("pk").values()),
        "leads": list(ActionLead.objects.order_by("pk").values()),
        "people": list(Person.objects.order_by("pk").values()),
        "updates": list(Update.objects.order_by("pk").values()),
    }


def action(ref):
    return Action.objects.get(ref=ref)


def leads_of(ref):
    return [link.person.name for link in ActionLead.objects.filter(action__ref=ref).select_related("person")]


# The seed layout -------------------------------------------------------------------------------


def test_the_seed_layout_brings_in_groups_objectives_actions_and_leads(plan):
    content = xlsx(
        {
            "Location": [
                ["Chair", "Interim, Ian Hennessy"],
                ["Aim", "Reducing high harm crime in Church Street"],
                ["Cross Cutting Principles", "Intervening early with families"],
                [None, "Working in collaboration with partners"],
                SEED_HEADER,
                [
                    "1 Reduce high harm crime;",
                    "Review tasking processes",
                    "Serena Simon / Adam Taylor",
                    "TBD",
                    "Mar-18",
                ],
                [None, "Map open drugs markets", "Police", "Map produced", "Sep 2017"],
                ["2. An objective with no actions yet", None, None, None, None],
                ["3) Tackle ASB", "Issue CPNs", "?", "", "Ongoing"],
            ]
        }
    )
    outcome = apply(plan, content)
    group = DeliveryGroup.objects.get(strategy=plan["strategy"], name="Location")
    assert (group.chair.name, group.chair_note, group.aim) == (
        "Ian Hennessy",
        "Interim",
        "Reducing high harm crime in Church Street",
    )
    objectives = list(group.objectives.order_by("number").values_list("number", "title"))
    assert objectives == [(1, "Reduce high harm crime;"), (2, "An objective with no actions yet"), (3, "Tackle ASB")]
    actions = list(
        Action.objects.filter(objective__delivery_group=group).values_list("ref", "text", "deadline_text", "due_date")
    )
    assert actions == [
        ("L1.1", "Review tasking processes", "Mar-18", datetime.date(2018, 3, 31)),
        ("L1.2", "Map open drugs markets", "Sep 2017", datetime.date(2017, 9, 30)),
        ("L3.1", "Issue CPNs", "Ongoing", None),
    ]
    assert leads_of("L1.1") == ["Serena Simon", "Adam Taylor"]
    assert leads_of("L3.1") == []
    assert outcome.report["totals"]["actions_created"] == 3
    assert sorted(outcome.report["new_people"]) == ["Adam Taylor", "Ian Hennessy", "Police", "Serena Simon"]


@pytest.mark.parametrize(("field", "header"), [(f, h) for f, names in HEADER_SYNONYMS.items() for h in names])
def test_every_header_synonym_reads_its_column(plan, field, header):
    values = {
        "objective": "1 Identify repeat victims",
        "action": "Action V1.1",
        "ref": "V1.1",
        "lead": "Omar Other",
        "lead_agency": "Test Police",
        "kpi": "A new KPI",
        "deadline": "Sep-25",
        "status": "Ongoing",
        "rag": "Amber",
        "complete": "Y",
        "progress": "40%",
        "commentary": "Going well",
        "baseline": "12 a month",
        "target": "6 a month",
        "notes": "See minutes",
        "marking": "OFFICIAL-SENSITIVE",
        "delivery_group": "Victim",
        "group_marking": "OFFICIAL-SENSITIVE",
        "objective_marking": "OFFICIAL-SENSITIVE",
        "strategy_marking": "OFFICIAL-SENSITIVE",
    }
    columns = {"ref": "Ref", "objective": "Objective", "action": "Action"}
    columns[field] = header
    row = {columns[name]: values[name] for name in columns}
    content = xlsx({"Victim": [list(row), list(row.values())]})
    outcome = apply(plan, content)
    assert not [note for note in outcome.notes if note.column == header]
    v1_1 = action("V1.1")
    expected = {
        "objective": lambda: v1_1.objective_id == plan["v1"].pk,
        "action": lambda: v1_1.text == "Action V1.1",
        "ref": lambda: v1_1.pk == plan["v1_1"].pk,
        "lead": lambda: leads_of("V1.1") == ["Omar Other"],
        "lead_agency": lambda: v1_1.lead_organisation == plan["police"],
        "kpi": lambda: v1_1.kpi == "A new KPI",
        "deadline": lambda: (v1_1.deadline_text, v1_1.due_date) == ("Sep-25", datetime.date(2025, 9, 30)),
        "status": lambda: v1_1.status == Status.ONGOING,
        "rag": lambda: (v1_1.status, v1_1.rag) == (Status.IN_PROGRESS, RAG.AMBER),
        "complete": lambda: v1_1.status == Status.COMPLETE,
        "progress": lambda: v1_1.progress == 40,
        "commentary": lambda: v1_1.latest_update.commentary == "Going well",
        "baseline": lambda: v1_1.baseline == "12 a month",
        "target": lambda: v1_1.target == "6 a month",
        "notes": lambda: v1_1.notes == "See minutes",
        "marking": lambda: v1_1.marking == "official_sensitive",
        "delivery_group": lambda: v1_1.objective.delivery_group == plan["victim"],
        "group_marking": lambda: v1_1.objective.delivery_group.marking == "official_sensitive",
        "objective_marking": lambda: v1_1.objective.marking == "official_sensitive",
        "strategy_marking": lambda: v1_1.strategy.marking == "official_sensitive",
    }
    assert expected[field](), field


DEADLINES = [
    (datetime.datetime(2018, 3, 31), "31/03/2018", datetime.date(2018, 3, 31)),
    ("Mar-18", "Mar-18", datetime.date(2018, 3, 31)),
    ("31/03/2018", "31/03/2018", datetime.date(2018, 3, 31)),
    ("Sep 2017", "Sep 2017", datetime.date(2017, 9, 30)),
    ("Quarterly reporting", "Quarterly reporting", None),
    ("Ongoing", "Ongoing", None),
    ("Before school summer holidays", "Before school summer holidays", None),
    ("July / November", "July / November", None),
    ("On Exception", "On Exception", None),
    ("TBD", "TBD", None),
    (None, "", None),
]


@pytest.mark.parametrize(("cell", "text", "due"), DEADLINES)
def test_every_deadline_form_keeps_its_text_and_derives_a_due_date(plan, cell, text, due):
    content = xlsx({"Victim": seed_sheet([["1 Identify repeat victims", "Action V1.1", "Lena Lead", "", cell]])})
    apply(plan, content)
    assert (action("V1.1").deadline_text, action("V1.1").due_date) == (text, due)


def test_an_impossible_date_is_an_error_naming_sheet_row_and_column_and_nothing_is_saved(plan):
    before = snapshot()
    content = xlsx(
        {
            "Offender": seed_sheet(
                [["1 Reduce re-offending", "A new action", "Omar Other", "", "31/02/2018"]],
                header=["Objective", "Action", "Lead", "KPI", "Timescale"],
            )
        }
    )
    outcome = action_plan_apply(strategy=plan["strategy"], content=content, file_name="plan.xlsx")
    assert [str(p) for p in outcome.problems] == [
        "Sheet 'Offender', row 4, Timescale: 31/02/2018 is not a date (there is no such day)"
    ]
    assert snapshot() == before


LEADS = [
    ("Lena Lead", ["Lena Lead"], 0),
    ("lena   LEAD", ["Lena Lead"], 0),
    ("Lena Lead / Omar Other", ["Lena Lead", "Omar Other"], 0),
    ("Lena Lead; Omar Other", ["Lena Lead", "Omar Other"], 0),
    ("Lena Lead\nOmar Other", ["Lena Lead", "Omar Other"], 0),
    ("Omar Other / Nadia New", ["Omar Other", "Nadia New"], 1),
    ("IGU", ["IGU"], 1),
    ("?", [], 0),
    (None, [], 0),
]


@pytest.mark.parametrize(("cell", "names", "new_people"), LEADS)
def test_every_lead_form(plan, cell, names, new_people):
    people = Person.objects.count()
    content = xlsx({"Victim": seed_sheet([["1 Identify repeat victims", "Action V1.1", cell, "", "Mar-25"]])})
    apply(plan, content)
    assert leads_of("V1.1") == names
    assert Person.objects.count() == people + new_people


def test_merged_and_blank_objective_cells_continue_the_objective_above(plan):
    rows = [
        ["7 A merged objective", "First", "Lena Lead", "", ""],
        [None, "Second", "Lena Lead", "", ""],
        [None, "Third", "Lena Lead", "", ""],
        ["8 A blank-continued objective", "Fourth", "", "", ""],
        [None, "Fifth", "", "", ""],
    ]
    content = xlsx({"Victim": seed_sheet(rows)}, merges={"Victim": ["A4:A6"]})
    apply(plan, content)
    by_objective = dict(
        Action.objects.filter(text__in=["First", "Second", "Third", "Fourth", "Fifth"]).values_list(
            "text", "objective__number"
        )
    )
    assert by_objective == {"First": 7, "Second": 7, "Third": 7, "Fourth": 8, "Fifth": 8}


def test_a_flat_csv_with_a_delivery_group_column(plan):
    content = csv_bytes(
        [
            ["Delivery group", "Objective", "Action", "Owner", "Measure", "Due"],
            [
                "Victim",
                "1 Identify repeat victims",
                "Action V1.1",
                "Lena Lead",
                "Repeat victimisation levels",
                "Mar-25",
            ],
            ["Offender", "2 Employment", "Find jobs for ex-offenders", "Omar Other", "Jobs found", "31/03/2026"],
            ["", "", "Run a job fair", "Omar Other", "", "Sep 2025"],
            ["Partnership", "1 Governance", "Agree terms of reference", "", "", ""],
        ],
        encoding="utf-8",
    )
    outcome = apply(plan, content)
    assert action("O2.1").text == "Find jobs for ex-offenders"
    assert action("O2.2").objective.title == "Employment"
    assert DeliveryGroup.objects.get(strategy=plan["strategy"], name="Partnership").code == "P"
    assert outcome.report["totals"]["actions_unchanged"] == 1


def test_a_windows_1252_csv(plan):
    content = csv_bytes(
        [
            ["Delivery group", "Objective", "Action", "Lead"],
            [
                "Victim",
                "1 Identify repeat victims",
                "Fund Victim Support’s £5,000 café project – phase 2",
                "Zoë Brontë",
            ],
        ],
        encoding="cp1252",
    )
    apply(plan, content)
    assert Action.objects.filter(text="Fund Victim Support’s £5,000 café project – phase 2").exists()
    assert Person.objects.filter(name="Zoë Brontë").exists()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_csv_in_utf8_with_or_without_bom_and_utf16(plan, encoding):
    content = csv_bytes(
        [["Delivery group", "Objective", "Action"], ["Victim", "1 Identify repeat victims", "Café outreach"]],
        encoding=encoding,
    )
    apply(plan, content)
    assert Action.objects.filter(text="Café outreach").exists()


def test_a_semicolon_separated_csv(plan):
    content = csv_bytes(
        [["Delivery group", "Objective", "Action"], ["Victim", "1 Identify repeat victims", "Semicolons"]],
        delimiter=";",
    )
    apply(plan, content)
    assert Action.objects.filter(text="Semicolons").exists()


def test_an_ods_spreadsheet(plan):
    import io

    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    table = Table(name="Victim")
    for values in [SEED_HEADER, ["1 Identify repeat victims", "From an ODS file", "Lena Lead", "", "Mar-26"]]:
        row = TableRow()
        for value in values:
            cell = TableCell(valuetype="string")
            cell.addElement(P(text=value))
            row.addElement(cell)
        table.addElement(row)
    document.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    document.write(buffer)
    apply(plan, buffer.getvalue())
    assert action("V1.3").text == "From an ODS file"
    assert action("V1.3").due_date == datetime.date(2026, 3, 31)


def test_unknown_columns_are_listed_never_silently_dropped(plan):
    content = xlsx(
        {
            "Victim": seed_sheet(
                [["1 Identify repeat victims", "Action V1.1", "Lena Lead", "", "", "£2k"]],
                header=[*SEED_HEADER, "Budget"],
            )
        }
    )
    outcome = check(plan, content)
    assert [str(note) for note in outcome.notes] == [
        "Sheet 'Victim', row 3, Budget: this column is not one the importer knows, so it was not read"
    ]


# Matching and re-importing --------------------------------------------------------------------


def test_a_reimport_of_the_same_file_changes_nothing_and_says_so(plan, officer):
    content = xlsx(
        {
            "Victim": seed_sheet(
                [
                    ["1 Identify repeat victims", "Brand new action", "Nadia New", "KPI", "Mar-26", "Red", "Behind"],
                    [None, "Action V1.1", "Lena Lead", "Repeat victimisation levels", "Mar-25", "", ""],
                ],
                header=[*SEED_HEADER, "RAG", "Progress update"],
            )
        }
    )
    first = apply(plan, content, by=officer)
    assert first.changes_anything
    before = snapshot()
    again = check(plan, content)
    assert not again.changes_anything
    assert again.report["totals"]["actions_unchanged"] == 2
    second = apply(plan, content, by=officer)
    assert second.applied["updates_created"] == 0
    assert snapshot() == before


def test_rows_are_matched_by_ref_or_else_by_group_objective_and_text_ignoring_case_and_spacing(plan):
    content = xlsx(
        {
            "Victim": seed_sheet(
                [
                    [
                        "1 Identify repeat victims",
                        "  Action   V1.1 ",
                        "Lena Lead",
                        "Repeat victimisation levels",
                        "Mar-25",
                    ],
                    [None, "action v1.2", "Omar Other / Lena Lead", "", "Quarterly reporting"],
                ]
            ),
            "Offender": seed_sheet(
                [["1 Reduce re-offending", "O1.1", "Rewritten text of O1.1", "Omar Other", "", "31/03/2025"]],
                header=["Objective", "Ref", "Action", "Lead", "KPI", "Deadline"],
            ),
        }
    )
    outcome = check(plan, content)
    victim, offender = outcome.report["groups"]
    assert victim["counts"]["actions_unchanged"] == 1 and victim["counts"]["actions_created"] == 0
    assert victim["actions_changed"][0]["changes"] == [{"field": "Action", "old": "Action V1.2", "new": "action v1.2"}]
    assert offender["actions_changed"][0]["ref"] == "O1.1"
    assert offender["actions_changed"][0]["changes"] == [
        {"field": "Action", "old": "Action O1.1", "new": "Rewritten text of O1.1"}
    ]


def test_the_preview_of_an_edited_file_shows_old_and_new_values_and_saves_nothing(plan):
    before = snapshot()
    content = xlsx(
        {
            "Victim": seed_sheet(
                [
                    [
                        "1 Identify repeat victims",
                        "Action V1.1",
                        "Omar Other",
                        "Fewer repeat victims",
                        "Jun-25",
                        "Amber",
                    ],
                    [None, "Action V1.2", "Omar Other / Lena Lead", "", "Quarterly reporting", ""],
                ],
                header=[*SEED_HEADER, "RAG"],
            )
        }
    )
    outcome = check(plan, content)
    (victim,) = outcome.report["groups"]
    assert victim["counts"] == {
        "objectives_created": 0,
        "objectives_changed": 0,
        "objectives_unchanged": 1,
        "actions_created": 0,
        "actions_changed": 1,
        "actions_unchanged": 1,
    }
    changed = victim["actions_changed"][0]
    assert (changed["ref"], changed["sheet"], changed["row"]) == ("V1.1", "Victim", 4)
    assert changed["changes"] == [
        {"field": "KPI", "old": "Repeat victimisation levels", "new": "Fewer repeat victims"},
        {"field": "Deadline", "old": "Mar-25", "new": "Jun-25"},
        {"field": "Lead", "old": "Lena Lead", "new": "Omar Other"},
        {"field": "Status", "old": "Not started", "new": "In progress"},
        {"field": "RAG", "old": "", "new": "Amber"},
    ]
    assert snapshot() == before


def test_actions_missing_from_the_file_are_listed_and_archived_only_when_asked(plan, officer):
    v1_2 = plan["v1_2"]
    v1_2.record_update(by=officer, status=Status.IN_PROGRESS, rag=RAG.GREEN, commentary="History to keep")
    content = xlsx({"Victim": seed_sheet([["1 Identify repeat victims", "Action V1.1", "Lena Lead", "", "Mar-25"]])})
    outcome = check(plan, content)
    assert [m["ref"] for m in outcome.report["missing"]] == ["V1.2", "O1.1", "O1.2", "C1.1"]
    apply(plan, content)
    assert Action.objects.filter(archived_at__isnull=False).count() == 0
    apply(plan, content, archive_missing=True)
    assert set(Action.objects.filter(archived_at__isnull=False).values_list("ref", flat=True)) == {
        "V1.2",
        "O1.1",
        "O1.2",
        "C1.1",
    }
    assert Update.objects.filter(action=v1_2, commentary="History to keep").exists()
    # Importing an archived action again brings it back.
    content = xlsx({"Victim": seed_sheet([["1 Identify repeat victims", "Action V1.2", "", "", ""]])})
    outcome = apply(plan, content)
    assert action("V1.2").archived_at is None
    assert {"field": "In the plan", "old": "Archived", "new": "Back in the plan"} in (
        outcome.report["groups"][0]["actions_changed"][0]["changes"]
    )


# Status, RAG and quarterly updates ----------------------------------------------------------------


def test_a_single_rag_status_column_sets_status_and_rag(plan):
    content = xlsx(
        {
            "Victim": seed_sheet(
                [
                    ["1 Identify repeat victims", "Action V1.1", "Lena Lead", "", "Mar-25", "Red"],
                    [None, "Action V1.2", "", "", "", "Complete"],
                    [None, "Third", "", "", "", "Not started"],
                ],
                header=[*SEED_HEADER, "RAG/Status"],
            )
        }
    )
    apply(plan, content)
    assert (action("V1.1").status, action("V1.1").rag) == (Status.IN_PROGRESS, RAG.RED)
    assert (action("V1.2").status, action("V1.2").rag) == (Status.COMPLETE, "")
    assert Action.objects.get(text="Third").status == Status.NOT_STARTED


def test_complete_yes_no_column(plan):
    content = xlsx(
        {
            "Victim": seed_sheet(
                [
                    ["1 Identify repeat victims", "Action V1.1", "Lena Lead", "", "Mar-25", "Y"],
                    [None, "Action V1.2", "", "", "", "N"],
                ],
                header=[*SEED_HEADER, "Complete Y/N"],
            )
        }
    )
    apply(plan, content)
    assert action("V1.1").status == Status.COMPLETE
    assert action("V1.2").status == Status.NOT_STARTED


def test_blue_is_read_as_complete_unless_the_officer_chooses_within_target(plan):
    content = xlsx(
        {
            "Victim": seed_sheet(
                [["1 Identify repeat victims", "Action V1.1", "Lena Lead", "", "Mar-25", "Blue"]],
                header=[*SEED_HEADER, "RAG"],
            )
        }
    )
    outcome = check(plan, content)
    assert outcome.as_dict()["blue"] == {"rows": 1, "places": [["Victim", 4]]}
    assert {"field": "Status", "old": "Not started", "new": "Complete"} in (
        outcome.report["groups"][0]["actions_changed"][0]["changes"]
    )
    apply(plan, content, blue_means=BlueMeans.GREEN)
    assert (action("V1.1").status, action("V1.1").rag) == (Status.IN_PROGRESS, RAG.GREEN)


def test_quarterly_update_columns_become_updates_dated_at_the_end_of_their_quarter(plan, officer, settings):
    content = xlsx(
        {
            "Victim": seed_sheet(
                [
                    [
                        "1 Identify repeat victims",
                        "Action V1.1",
                        "Lena Lead",
                        "",
                        "Mar-25",
                        "Amber",
                        "Q1 words",
                        "Q2 words",
                    ]
                ],
                header=[*SEED_HEADER, "RAG", "Q1 2024/25 update", "Q2 2024/25 update"],
            )
        }
    )
    apply(plan, content, by=officer)
    updates = list(Update.objects.filter(action__ref="V1.1").order_by("recorded_at"))
    assert [(timezone.localtime(u.recorded_at).date(), u.commentary, u.source) for u in updates] == [
        (datetime.date(2024, 6, 30), "Q1 words", Update.Source.IMPORT),
        (datetime.date(2024, 9, 30), "Q2 words", Update.Source.IMPORT),
    ]
    v1_1 = action("V1.1")
    assert v1_1.latest_update == updates[-1]
    assert v1_1.last_updated_at == updates[-1].recorded_at
    assert (v1_1.status, v1_1.rag) == (Status.IN_PROGRESS, RAG.AMBER)
    assert updates[-1].created_by == officer
    # Again: nothing new.
    apply(plan, content, by=officer)
    assert Update.objects.filter(action__ref="V1.1").count() == 2


# Which financial year is current depends on the day: the clock is set.
@time_machine.travel(datetime.datetime(2025, 11, 3, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_a_quarter_column_without_a_year_uses_the_strategys_current_financial_year(plan, officer):
    content = xlsx(
        {
            "Victim": seed_sheet(
                [["1 Identify repeat victims", "Action V1.1", "Lena Lead", "", "Mar-25", "Words"]],
                header=[*SEED_HEADER, "Q1 update"],
            )
        }
    )
    apply(plan, content, by=officer)
    update = Update.objects.get(action__ref="V1.1")
    # The test strategy runs April 2024 to March 2027: in 2025/26 the quarter is that year's.
    assert timezone.localtime(update.recorded_at).date() == datetime.date(2025, 6, 30)


def test_a_web_update_after_the_import_stays_the_current_state(plan, officer):
    plan["v1_1"].record_update(by=officer, status=Status.IN_PROGRESS, rag=RAG.RED, commentary="Today")
    content = xlsx(
        {
            "Victim": seed_sheet(
                [["1 Identify repeat victims", "Action V1.1", "Lena Lead", "", "Mar-25", "Old words"]],
                header=[*SEED_HEADER, "Q1 2024/25 update"],
            )
        }
    )
    apply(plan, content, by=officer)
    v1_1 = action("V1.1")
    assert v1_1.latest_update.commentary == "Today"
    assert Update.objects.filter(action=v1_1).count() == 2


# Refusals: nothing saved, and the message names the place -----------------------------------------


REFUSALS = [
    (b"%PDF-1.7\n...", "plan.xlsx is not a spreadsheet"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "plan.xlsx is not a spreadsheet"),
    (b"PK\x03\x04" + b"\x00" * 40, "plan.xlsx is not a spreadsheet"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40, "old-style Excel 97-2003 (.xls)"),
    (b"", "plan.xlsx is empty"),
    (b"   \r\n", "plan.xlsx is empty"),
]


@pytest.mark.parametrize(("content", "message"), REFUSALS)
def test_a_file_that_is_not_a_spreadsheet_or_is_empty_is_refused(plan, content, message):
    before = snapshot()
    outcome = action_plan_apply(strategy=plan["strategy"], content=content, file_name="plan.xlsx")
    assert message in str(outcome.problems[0])
    assert snapshot() == before


def test_an_empty_workbook_is_refused(plan):
    outcome = check(plan, xlsx({"Sheet1": []}))
    assert "plan.xlsx is empty" in str(outcome.problems[0])


def test_a_docx_is_not_a_spreadsheet(plan):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    outcome = check(plan, buffer.getvalue())
    assert "is not a spreadsheet" in str(outcome.problems[0])


def test_no_header_row_is_refused_saying_what_the_header_should_contain(plan):
    before = snapshot()
    content = xlsx({"Victim": [["Some notes about the plan"], ["More notes"]]})
    outcome = action_plan_apply(strategy=plan["strategy"], content=content, file_name="plan.xlsx")
    assert [str(p) for p in outcome.problems] == [
        "Sheet 'Victim' has no header row: no column for Actions was found; the header row should contain "
        "Objective, Action, Lead, KPI and Deadline."
    ]
    assert snapshot() == before


def test_a_header_row_without_an_action_column_is_refused(plan):
    content = xlsx({"Victim": [["Objective", "Lead", "KPI"], ["1 Identify repeat victims", "Lena Lead", ""]]})
    outcome = check(plan, content)
    assert [str(p) for p in outcome.problems] == [
        "Sheet 'Victim', row 1: no column for Actions was found; the header row should contain Objective, Action, "
        "Lead, KPI and Deadline"
    ]


def test_a_csv_without_a_delivery_group_column_is_refused(plan):
    content = csv_bytes([["Objective", "Action"], ["1 Identify repeat victims", "Action V1.1"]])
    outcome = check(plan, content)
    assert "Row 1: no column for Delivery group was found" in str(outcome.problems[0])


def test_an_action_with_no_objective_above_it_is_refused(plan):
    before = snapshot()
    content = xlsx({"Victim": seed_sheet([[None, "An orphan action", "Lena Lead", "", "31/02/2018"]])})
    outcome = action_plan_apply(strategy=plan["strategy"], content=content, file_name="plan.xlsx")
    assert [str(p) for p in outcome.problems] == [
        "Sheet 'Victim', row 4, Objectives: this action has no objective above it; put the objective in the "
        "Objective column",
        "Sheet 'Victim', row 4, Deadline: 31/02/2018 is not a date (there is no such day)",
    ]
    assert snapshot() == before


def test_a_file_over_10_mb_is_refused_before_it_is_read(plan, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("the file was read")

    monkeypatch.setattr("actions.imports.tables.file_kind", never)
    outcome = check(plan, b"x" * (10 * 1024 * 1024 + 1))
    assert "the largest file that can be imported is 10 MB" in str(outcome.problems[0])


def test_a_file_over_50000_rows_is_refused(plan):
    rows = [["Delivery group", "Objective", "Action"]] + [
        ["Victim", "1 Identify repeat victims", f"A{n}"] for n in range(50_001)
    ]
    outcome = check(plan, csv_bytes(rows))
    assert "more than 50,000 rows" in str(outcome.problems[0])
    assert Action.objects.count() == 5


def test_a_workbook_of_over_50000_rows_is_refused_as_its_rows_stream(plan, monkeypatch):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Victim"
    sheet.append(SEED_HEADER)
    for number in range(50_100):
        sheet.append(["1 Identify repeat victims", f"A{number}"])
    import io

    buffer = io.BytesIO()
    workbook.save(buffer)
    outcome = check(plan, buffer.getvalue())
    assert str(outcome.problems[0]).startswith("Sheet 'Victim': The file has more than 50,000 rows")
    assert Action.objects.count() == 5


def test_every_problem_of_a_file_is_listed(plan):
    content = xlsx(
        {
            "Victim": seed_sheet(
                [
                    ["1 Identify repeat victims", "Action V1.1", "Lena Lead", "", "31/02/2018", "Purple"],
                    [None, "Action V1.2", "Lena Lead", "", "32/01/2018", "Red"],
                ],
                header=[*SEED_HEADER, "Status"],
            )
        }
    )
    outcome = check(plan, content)
    assert sorted(str(p) for p in outcome.problems) == [
        "Sheet 'Victim', row 4, Deadline: 31/02/2018 is not a date (there is no such day)",
        "Sheet 'Victim', row 4, Status: Purple is not a status or RAG rating (use Red, Amber, Green, Blue, Complete, "
        "Ongoing, In progress, Not started, Deferred or Withdrawn)",
        "Sheet 'Victim', row 5, Deadline: 32/01/2018 is not a date (there is no such day)",
    ]


def test_the_same_action_twice_is_a_problem(plan):
    content = xlsx(
        {
            "Victim": seed_sheet(
                [["1 Identify repeat victims", "Action V1.1", "", "", ""], [None, "Action V1.1", "", "", ""]]
            )
        }
    )
    outcome = check(plan, content)
    assert [str(p) for p in outcome.problems] == [
        "Sheet 'Victim', row 5, Actions: this action is also on sheet 'Victim', row 4; each action may appear once"
    ]


def test_an_unknown_lead_agency_is_a_problem(plan):
    content = xlsx(
        {
            "Victim": seed_sheet(
                [["1 Identify repeat victims", "Action V1.1", "", "", "", "Acme Ltd"]],
                header=[*SEED_HEADER, "Lead agency"],
            )
        }
    )
    outcome = check(plan, content)
    assert str(outcome.problems[0]).startswith(
        "Sheet 'Victim', row 4, Lead agency: Acme Ltd is not one of the partnership's organisations"
    )


# Formulae are text -------------------------------------------------------------------------------


def test_text_that_looks_like_a_formula_is_stored_as_written(plan):
    content = csv_bytes(
        [
            ["Delivery group", "Objective", "Action", "KPI", "Progress update"],
            ["Victim", "1 Identify repeat victims", '=HYPERLINK("http://x")', "+44 reduction", "@risk: -5%"],
        ]
    )
    apply(plan, content)
    created = Action.objects.get(text='=HYPERLINK("http://x")')
    assert created.kpi == "+44 reduction"
    assert created.latest_update.commentary == "@risk: -5%"


# Confirm applies what the preview showed ----------------------------------------------------------


def test_a_confirm_is_refused_when_the_plan_changed_since_the_preview(plan):
    content = xlsx({"Victim": seed_sheet([["1 Identify repeat victims", "Action V1.1", "Omar Other", "", "Mar-25"]])})
    preview = check(plan, content)
    plan["v1_2"].delete()  # someone else changes the strategy meanwhile
    outcome = action_plan_apply(
        strategy=plan["strategy"], content=content, file_name="plan.xlsx", expected_digest=preview.digest
    )
    assert outcome.stale
    assert leads_of("V1.1") == ["Lena Lead"]


def test_the_preview_runs_the_same_number_of_queries_for_10_and_1000_rows(plan, django_assert_num_queries):
    def workbook(size):
        rows = [
            [
                f"{1 + n // 10} Objective {1 + n // 10}" if n % 10 == 0 else None,
                f"Action {n}",
                f"Lead {n % 7} / Lena Lead",
                "KPI",
                "Mar-26",
                "Amber",
                f"{n % 100}%",
                "Words",
                "Q1 words",
            ]
            for n in range(size)
        ]
        return xlsx(
            {
                "Victim": seed_sheet(rows, header=[*SEED_HEADER, "RAG", "Progress", "Update", "Q1 2025/26 update"]),
                "Offender": seed_sheet(rows[: size // 2]),
            }
        )

    small, large = workbook(10), workbook(1000)
    check(plan, small)  # warm caches (content types and the like)
    # 7 reads, each once: the strategy's groups, objectives, actions (with their latest updates and
    # lead agencies), lead links, people, organisations and earlier imported updates.
    # 1 question per quarter column (not per row): is that quarter's update round closed?
    # Nothing else: a preview only reads, so it needs no transaction of its own.
    with django_assert_num_queries(8):
        small_outcome = check(plan, small)
    with django_assert_num_queries(8):
        large_outcome = check(plan, large)
    assert small_outcome.report["totals"]["actions_created"] == 15
    assert large_outcome.report["totals"]["actions_created"] == 1500


def test_a_workbook_that_unpacks_to_too_much_is_refused(plan, monkeypatch):
    monkeypatch.setattr("actions.imports.tables.MAX_UNPACKED_BYTES", 1000)
    content = xlsx({"Victim": seed_sheet([["1 Identify repeat victims", "Action V1.1", "", "", ""]])})
    outcome = check(plan, content)
    assert "plan.xlsx unpacks to more than" in str(outcome.problems[0])


def test_a_csv_cell_larger_than_a_spreadsheet_cell_is_refused_with_its_place(plan):
    content = b'Delivery group,Objective,Action\r\nVictim,1 Identify repeat victims,"' + b"x" * 200_000 + b'"\r\n'
    outcome = check(plan, content)
    assert str(outcome.problems[0]) == (
        "Row 2: this cell holds more than 32,767 characters, the most a spreadsheet cell can hold: shorten it (or "
        "link to a document holding the full text) and upload the file again"
    )


@time_machine.travel(datetime.datetime(2025, 7, 15, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_a_quarters_update_worded_as_the_quarter_before_is_still_imported(plan, officer):
    def with_columns(*quarters):
        header = [*SEED_HEADER, *(f"{q} update" for q in quarters)]
        row = ["1 Identify repeat victims", "Action V1.1", "Lena Lead", "", "Mar-25", *(["On track"] * len(quarters))]
        return xlsx({"Victim": seed_sheet([row], header=header)})

    apply(plan, with_columns("Q4 2024/25"), by=officer)
    # The next quarter's file keeps last quarter's column and adds this one's, in the same words.
    apply(plan, with_columns("Q4 2024/25", "Q1 2025/26"), by=officer)
    updates = Update.objects.filter(action__ref="V1.1").order_by("recorded_at")
    assert [(timezone.localtime(u.recorded_at).date(), u.commentary) for u in updates] == [
        (datetime.date(2025, 3, 31), "On track"),
        (datetime.date(2025, 6, 30), "On track"),
    ]
