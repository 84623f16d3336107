"""Loading the area from the ONS lookup: filtered to the local authorities, year variants, history by code."""

import pytest
from django.core.management import CommandError, call_command

from actions.imports.problems import ImportRefused
from evidence.area import area_import
from evidence.models import AreaLookup, LocalAuthority, Lsoa, Ward
from tests.evidence.files import LOOKUP_ROWS, lookup_csv


def test_the_lookup_is_filtered_to_the_local_authorities(area, plan):
    partnership = plan["strategy"].partnership
    assert list(LocalAuthority.objects.filter(partnership=partnership).values_list("code", "name")) == [
        ("E09000033", "Testminster")
    ]
    assert list(Ward.objects.filter(partnership=partnership).values_list("code", "name")) == [
        ("E05000002", "Soho"),
        ("E05000001", "West End"),
    ]
    assert dict(Lsoa.objects.filter(partnership=partnership).values_list("code", "ward__code")) == {
        "E01000001": "E05000001",
        "E01000002": "E05000001",
        "E01000003": "E05000002",
    }
    assert (area.ward_year, area.wards, area.lsoas) == ("2024", 2, 3)


@pytest.mark.parametrize("year", ["23", "25"])
def test_other_years_headers_without_bom_or_object_id(plan, year):
    lookup = area_import(
        partnership=plan["strategy"].partnership,
        content=lookup_csv(year=year, extra=False, bom=False),
        file_name="lookup.csv",
        local_authority_codes=["E09000033", "E09000099"],
    )
    assert (lookup.ward_year, lookup.wards, lookup.lsoas) == (f"20{year}", 3, 4)


def test_reimport_renames_retires_and_keeps_wards_by_code(area, plan):
    partnership = plan["strategy"].partnership
    rows = [
        ("E01000001", "Testminster 001A", "E05000001", "West End and Mayfair", "E09000033", "Testminster"),
        ("E01000002", "Testminster 001B", "E05000003", "Soho and Covent Garden", "E09000033", "Testminster"),
        ("E01000003", "Testminster 002A", "E05000003", "Soho and Covent Garden", "E09000033", "Testminster"),
    ]
    lookup = area_import(
        partnership=partnership,
        content=lookup_csv(rows, year="25"),
        file_name="new.csv",
        local_authority_codes=["E09000033"],
    )
    assert lookup.renamed == ["E05000001"] and lookup.retired == ["E05000002"]
    west_end = Ward.objects.get(partnership=partnership, code="E05000001")
    assert (west_end.name, west_end.former_names, west_end.retired_by_id) == (
        "West End and Mayfair",
        ["West End"],
        None,
    )
    soho = Ward.objects.get(partnership=partnership, code="E05000002")
    assert (soho.name, soho.retired_by_id, soho.first_lookup_id) == ("Soho", lookup.pk, area.pk)
    assert list(Ward.objects.filter(partnership=partnership).current().values_list("code", flat=True)) == [
        "E05000003",
        "E05000001",
    ]
    assert Lsoa.objects.get(partnership=partnership, code="E01000002").ward.code == "E05000003"


@pytest.mark.parametrize(
    ("content", "codes", "message"),
    [
        (b"", ["E09000033"], "lookup.csv is empty"),
        (
            b"LSOA21CD,LSOA21NM,Ward\r\nE01000001,x,y\r\n",
            ["E09000033"],
            "it has no WDyyCD, WDyyNM, LADyyCD, LADyyNM column",
        ),
        (lookup_csv(), ["E09000077"], "lookup.csv has no rows for E09000077"),
        (lookup_csv(), ["Westminster"], "WESTMINSTER: a local authority code is a letter and eight digits"),
        (
            lookup_csv([("bad", "x", "E05000001", "West End", "E09000033", "Testminster")]),
            ["E09000033"],
            "Row 2, LSOA21CD: 'bad' is not an ONS code",
        ),
        (
            lookup_csv([*LOOKUP_ROWS, LOOKUP_ROWS[0]]),
            ["E09000033"],
            "Row 6, LSOA21CD: LSOA E01000001 is in the file twice",
        ),
        (b"PK\x03\x04rest", ["E09000033"], "lookup.csv is not a CSV file"),
    ],
)
def test_bad_lookups_are_refused_and_change_nothing(area, plan, content, codes, message):
    with pytest.raises(ImportRefused) as refused:
        area_import(
            partnership=plan["strategy"].partnership,
            content=content,
            file_name="lookup.csv",
            local_authority_codes=codes,
        )
    assert message in str(refused.value)
    assert AreaLookup.objects.count() == 1
    assert Lsoa.objects.count() == 3


def test_command(plan, tmp_path, capsys):
    path = tmp_path / "LSOA21_WD24_LAD24_EW_LU.csv"
    path.write_bytes(lookup_csv())
    call_command("import_area_lookup", str(path), "--partnership", "tcsp", "--local-authority", "E09000033")
    assert (
        "Test Community Safety Partnership: 2 wards and 3 LSOAs in E09000033 (wards of 2024)."
        in capsys.readouterr().out
    )
    with pytest.raises(CommandError, match="has no rows for E09000077"):
        call_command(
            "import_area_lookup",
            str(path),
            "--partnership",
            "tcsp",
            "--local-authority",
            "E09000077",
            "--local-authority",
            "E09000099",
        )
    assert Ward.objects.count() == 2
