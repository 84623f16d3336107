"""police.uk street-level files in: counted by month x ward x crime type, idempotent per force's month."""

import datetime

import pytest
from django.core.management import CommandError, call_command

from actions.imports.problems import ImportRefused
from evidence import police
from evidence.models import CrimeCount, PoliceMonth
from tests.evidence.files import JANUARY, STREET_COLUMNS, archive, street_csv


def counts(partnership):
    return sorted(
        CrimeCount.objects.filter(partnership=partnership).values_list(
            "month", "force", "ward__code", "crime_type", "count"
        )
    )


def run(partnership, tmp_path, files):
    paths = []
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        paths.append(str(path))
    outcome = police.check_paths(partnership=partnership, paths=paths)
    preview = outcome.as_dict(partnership)
    police.police_apply(partnership=partnership, preview=preview)
    return preview


JAN = datetime.date(2024, 1, 1)


def test_a_file_is_counted_by_ward_and_type_and_reported(area, plan, tmp_path):
    partnership = plan["strategy"].partnership
    preview = run(partnership, tmp_path, {"2024-01-metropolitan-street.csv": street_csv("2024-01", JANUARY)})
    assert preview["totals"] == {"read": 7, "kept": 4, "outside": 1, "no_lsoa": 1, "unknown": 1}
    assert preview["unknown_codes"] == [("E01099999", 1)]
    assert counts(partnership) == [
        (JAN, "metropolitan", "E05000001", "Anti-social behaviour", 1),
        (JAN, "metropolitan", "E05000001", "Violence and sexual offences", 2),
        (JAN, "metropolitan", "E05000002", "Shoplifting", 1),
    ]
    held = PoliceMonth.objects.get(partnership=partnership)
    assert (
        held.month,
        held.force,
        held.rows_read,
        held.rows_kept,
        held.rows_outside,
        held.rows_no_lsoa,
        held.rows_unknown,
    ) == (JAN, "metropolitan", 7, 4, 1, 1, 1)


def test_the_archive_zip_with_forces_and_other_files(area, plan, tmp_path):
    partnership = plan["strategy"].partnership
    zipped = archive(
        {
            "2024-01/2024-01-metropolitan-street.csv": street_csv("2024-01", JANUARY),
            "2024-01/2024-01-city-of-london-street.csv": street_csv("2024-01", [("E01000003", "Shoplifting")]),
            "2024-01/2024-01-metropolitan-outcomes.csv": b"Crime ID,Month\n",
            "2024-01/2024-01-metropolitan-stop-and-search.csv": b"Type,Date\n",
            "2024-02/2024-02-metropolitan-street.csv": street_csv("2024-02", [("E01000002", "Burglary")]),
        }
    )
    preview = run(partnership, tmp_path, {"download.zip": zipped})
    assert (preview["months"], preview["forces"], preview["ignored"]) == (
        ["2024-01", "2024-02"],
        ["city-of-london", "metropolitan"],
        2,
    )
    assert (JAN, "city-of-london", "E05000002", "Shoplifting", 1) in counts(partnership)
    assert len(counts(partnership)) == 5


def test_reimporting_a_forces_month_replaces_it_and_leaves_other_forces(area, plan, tmp_path):
    partnership = plan["strategy"].partnership
    run(
        partnership,
        tmp_path / "a",
        {
            "2024-01-metropolitan-street.csv": street_csv("2024-01", JANUARY),
            "2024-01-city-of-london-street.csv": street_csv("2024-01", [("E01000003", "Shoplifting")]),
        },
    )
    outcome = police.check_paths(
        partnership=partnership,
        paths=[
            str(
                _write(
                    tmp_path / "b", "2024-01-metropolitan-street.csv", street_csv("2024-01", [("E01000003", "Robbery")])
                )
            )
        ],
    )
    preview = outcome.as_dict(partnership)
    assert preview["replaces"] == [["2024-01", "metropolitan"]]
    police.police_apply(partnership=partnership, preview=preview)
    assert counts(partnership) == [
        (JAN, "city-of-london", "E05000002", "Shoplifting", 1),
        (JAN, "metropolitan", "E05000002", "Robbery", 1),
    ]


def _write(folder, name, content):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("2024-01-metropolitan-street.csv", b"", "2024-01-metropolitan-street.csv is empty"),
        ("2024-01-metropolitan-street.csv", b"Crime ID,Month\nx,2024-01\n", "it has no Reported by, Falls within"),
        ("notes.csv", b"a,b\n", "notes.csv is not a police.uk street-level file"),
        ("report.pdf", b"%PDF-1.4", "report.pdf is not a police.uk street-level file"),
        (
            "2024-01-metropolitan-street.csv",
            street_csv("2024-01", JANUARY[:1]) + street_csv("2024-02", JANUARY[:1]).split(b"\n", 1)[1],
            "row 3: the Month column says 2024-02, but the file's name says 2024-01",
        ),
        ("2024-01-metropolitan-street.csv", ",".join(STREET_COLUMNS).encode() + b"\n\xff\xfe\n", "is not UTF-8 text"),
    ],
)
def test_bad_files_are_refused_and_change_nothing(area, plan, tmp_path, name, content, message):
    partnership = plan["strategy"].partnership
    run(partnership, tmp_path / "first", {"2024-01-metropolitan-street.csv": street_csv("2024-01", JANUARY)})
    before = counts(partnership)
    path = _write(tmp_path / "bad", name, content)
    with pytest.raises(CommandError) as refused:
        call_command("import_police_data", str(path), "--partnership", "tcsp")
    assert message in str(refused.value)
    assert counts(partnership) == before


def test_a_zip_unpacking_beyond_the_limit_is_refused(area, plan, tmp_path, monkeypatch):
    monkeypatch.setattr(police, "MAX_UNPACKED_BYTES", 1000)
    path = _write(
        tmp_path, "big.zip", archive({"2024-01/2024-01-metropolitan-street.csv": street_csv("2024-01", JANUARY * 20)})
    )
    with pytest.raises(ImportRefused, match="unpacks to more than 0 MB of street-level files"):
        police.check_paths(partnership=plan["strategy"].partnership, paths=[str(path)])
    assert not CrimeCount.objects.exists()


def test_a_partnership_with_no_area_is_refused(plan, tmp_path):
    path = _write(tmp_path, "2024-01-metropolitan-street.csv", street_csv("2024-01", JANUARY))
    with pytest.raises(CommandError, match="has no area yet: upload the ONS LSOA to ward lookup first"):
        call_command("import_police_data", str(path), "--partnership", "tcsp")


def test_command_with_a_folder_and_dry_run(area, plan, tmp_path, capsys):
    _write(tmp_path / "2024-01", "2024-01-metropolitan-street.csv", street_csv("2024-01", JANUARY))
    _write(tmp_path / "2024-01", "2024-01-metropolitan-outcomes.csv", b"Crime ID\n")
    call_command("import_police_data", str(tmp_path), "--partnership", "tcsp", "--dry-run")
    out = capsys.readouterr().out
    assert "Dry run: nothing was saved." in out
    assert "7 rows read, 4 kept (in the area), 1 outside the area, 1 with no LSOA, 1 in LSOAs" in out
    assert "LSOA codes unknown to the lookup: E01099999 (1)" in out
    assert not CrimeCount.objects.exists()
    call_command("import_police_data", str(tmp_path), "--partnership", "tcsp")
    assert "Imported 1 force-month(s): 3 counts." in capsys.readouterr().out
    assert CrimeCount.objects.count() == 3


def test_export_command(area, plan, tmp_path):
    run(
        plan["strategy"].partnership,
        tmp_path,
        {
            "2024-01-metropolitan-street.csv": street_csv("2024-01", JANUARY),
            "2024-01-city-of-london-street.csv": street_csv("2024-01", [("E01000003", "Shoplifting")]),
            "2024-02-metropolitan-street.csv": street_csv("2024-02", [("E01000003", "Robbery")]),
        },
    )
    output = tmp_path / "out.csv"
    call_command(
        "export_crime_counts", "--partnership", "tcsp", "--from", "2024-01", "--to", "2024-01", "--output", str(output)
    )
    assert output.read_bytes().decode("utf-8") == (
        "Month,Ward code,Ward name,Crime type,Count\r\n"
        "2024-01,E05000001,West End,Anti-social behaviour,1\r\n"
        "2024-01,E05000001,West End,Violence and sexual offences,2\r\n"
        "2024-01,E05000002,Soho,Shoplifting,2\r\n"
    )
    with pytest.raises(CommandError, match="--to: Enter a month as YYYY-MM"):
        call_command(
            "export_crime_counts",
            "--partnership",
            "tcsp",
            "--from",
            "2024-01",
            "--to",
            "2024-13",
            "--output",
            str(output),
        )
