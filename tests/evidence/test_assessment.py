"""The strategic assessment's figures (evidence.assessment) on generated counts: changes by crime type and
ward, the ward x crime type table, the concentration sentence, monthly trends, missing months, filters,
the headline a report takes, and the workbook read back."""

import datetime
import io

import openpyxl
import pytest
import time_machine

from evidence.assessment import Assessment, AssessmentOptions, Window
from evidence.exports import assessment_xlsx
from tests.evidence.conftest import ASB, BURGLARY, SHOPLIFTING, VIOLENCE, hold_counts

pytestmark = pytest.mark.django_db

DEC_2024 = datetime.date(2024, 12, 1)


def rows(changes):
    return [(row.label, row.current, row.previous, row.change, row.percent) for row in changes]


def test_the_window_and_the_one_before():
    window = Window.ending(datetime.date(2025, 3, 17))
    assert (window.first, window.last) == (datetime.date(2024, 4, 1), datetime.date(2025, 3, 1))
    assert str(window) == "April 2024 to March 2025"
    assert str(window.previous()) == "April 2023 to March 2024"
    assert len(window.months) == 12


def test_the_latest_twelve_months_held_against_the_twelve_before(two_years):
    found = Assessment.for_window(two_years)

    assert found.window == Window(datetime.date(2024, 1, 1), DEC_2024)
    assert (found.missing, found.previous_missing) == ([], [])
    assert rows(found.by_type) == [
        (VIOLENCE, 216, 180, 36, 20),
        (SHOPLIFTING, 84, 72, 12, 17),
        (BURGLARY, 36, 36, 0, 0),
    ]
    assert rows([found.total]) == [("All crime", 336, 288, 48, 17)]
    assert rows([found.anti_social]) == [(ASB, 48, 60, -12, -20)]
    assert rows(found.by_ward) == [
        ("West End", 180, 156, 24, 15),
        ("St James's", 96, 72, 24, 33),
        ("Soho", 36, 48, -12, -25),
        ("Marylebone", 12, 12, 0, 0),
        ("Pimlico", 12, 0, 12, None),
    ]
    assert [(row.change_signed, row.percent_signed) for row in found.by_ward] == [
        ("+24", "+15%"),
        ("+24", "+33%"),
        ("\u221212", "\u221225%"),
        ("0", "0%"),
        ("+12", "none before"),
    ]
    table = found.ward_by_type
    assert table.types == [BURGLARY, SHOPLIFTING, VIOLENCE]
    assert table.rows == [
        ("West End", [0, 60, 120], 180),
        ("St James's", [0, 24, 72], 96),
        ("Soho", [12, 0, 24], 36),
        ("Marylebone", [12, 0, 0], 12),
        ("Pimlico", [12, 0, 0], 12),
    ]
    assert (table.column_totals, table.total) == ([36, 84, 216], 336)


def test_concentration_is_written_as_the_seed_writes_it(two_years):
    found = Assessment.for_window(two_years, DEC_2024)
    assert found.concentration.sentence == (
        "82% of all crime in Testminster occurred in just 2 of its 5 wards, West End and St James's."
    )
    assert found.concentration.wards == [("West End", 180), ("St James's", 96)]
    assert (found.concentration.top_total, found.concentration.total, found.concentration.share) == (276, 336, 82)

    one = Assessment.for_window(two_years, DEC_2024, top=1)
    assert one.concentration.sentence == (
        "54% of all crime in Testminster occurred in just one of its 5 wards, West End."
    )
    three = Assessment.for_window(two_years, DEC_2024, top=3)
    assert three.concentration.sentence == (
        "93% of all crime in Testminster occurred in just 3 of its 5 wards, West End, St James's and Soho."
    )
    assert Assessment.for_window(two_years, DEC_2024, top=5).concentration is None


def test_the_partnerships_area_names_the_area(two_years):
    two_years.area = "Westminster"
    two_years.save()
    assert Assessment.for_window(two_years).concentration.sentence.startswith("82% of all crime in Westminster ")


def test_crime_types_chosen_are_counted_and_named(two_years):
    found = Assessment.for_window(two_years, DEC_2024, crime_types=[SHOPLIFTING, ASB])

    assert rows(found.by_type) == [(SHOPLIFTING, 84, 72, 12, 17), (ASB, 48, 60, -12, -20)]
    assert rows([found.total]) == [("Total", 132, 132, 0, 0)]
    assert found.anti_social is None
    assert found.measure == "anti-social behaviour and shoplifting"
    assert found.concentration.sentence == (
        "100% of anti-social behaviour and shoplifting in Testminster occurred in just 2 of its 5 wards, "
        "West End and St James's."
    )
    assert [trend.name for trend in found.trends] == ["Anti-social behaviour and shoplifting"]
    assert found.trends[0].current == [11] * 12


def test_wards_chosen_narrow_everything_but_the_concentration(two_years):
    found = Assessment.for_window(two_years, DEC_2024, wards=["E05000002", "E05000005"])

    assert rows(found.by_ward) == [("Soho", 36, 48, -12, -25), ("Pimlico", 12, 0, 12, None)]
    assert rows(found.by_type) == [(BURGLARY, 24, 24, 0, 0), (VIOLENCE, 24, 24, 0, 0)]
    assert rows([found.anti_social]) == [(ASB, 0, 0, 0, None)]
    assert found.ward_by_type.rows == [("Soho", [12, 24], 36), ("Pimlico", [12, 0], 12)]
    # Concentration is the whole area's, whatever wards are chosen.
    assert found.concentration.share == 82


def test_monthly_trends_beside_the_year_before(two_years):
    found = Assessment.for_window(two_years, DEC_2024)
    crime, anti_social = found.trends
    assert crime.name == "All crime"
    assert crime.labels[:2] == ["Jan 2024", "Feb 2024"]
    assert (crime.current, crime.previous) == ([28] * 12, [24] * 12)
    assert (anti_social.current, anti_social.previous) == ([4] * 12, [5] * 12)
    assert crime.rows[0] == ("Jan 2024", 28, 24)


def test_forces_are_added_up(two_years):
    hold_counts(two_years, DEC_2024, {("E05000005", BURGLARY): 3}, force="city-of-london")
    found = Assessment.for_window(two_years, DEC_2024)
    assert rows(found.by_ward)[3:] == [("Pimlico", 15, 0, 15, None), ("Marylebone", 12, 12, 0, 0)]
    assert found.trends[0].current[-1] == 31


def test_months_with_no_data_are_gaps_and_said(two_years):
    from evidence.models import CrimeCount, PoliceMonth

    for month in (datetime.date(2024, 3, 1), datetime.date(2024, 4, 1), datetime.date(2023, 7, 1)):
        PoliceMonth.objects.filter(month=month).delete()
        CrimeCount.objects.filter(month=month).delete()

    found = Assessment.for_window(two_years, DEC_2024)
    assert found.missing == [datetime.date(2024, 3, 1), datetime.date(2024, 4, 1)]
    assert found.previous_missing == [datetime.date(2023, 7, 1)]
    assert rows([found.total]) == [("All crime", 280, 264, 16, 6)]
    assert found.trends[0].current[1:4] == [28, None, None]
    assert found.trends[0].previous[6] is None
    assert found.missing_sentence == (
        "No police.uk data is held for March 2024 and April 2024: the figures for the 12 months to December 2024 "
        "leave them out. No police.uk data is held for July 2023 of the 12 months before: the change is not like "
        "for like."
    )


def test_a_window_before_any_data_and_a_partnership_with_none(two_years, elsewhere):
    found = Assessment.for_window(two_years, datetime.date(2023, 6, 1))
    assert len(found.previous_missing) == 12
    assert rows([found.total]) == [("All crime", 144, 0, 144, None)]
    assert found.headline()[0] == "There were 144 crimes in Testminster in the 12 months to June 2023."
    assert "nothing to compare" in found.headline()[-1]
    assert Assessment.for_window(elsewhere["partnership"]) is None


def test_the_headline_for_the_annual_report(two_years):
    found = Assessment.for_window(two_years, DEC_2024)
    assert found.headline() == [
        "There were 336 crimes in Testminster in the 12 months to December 2024, up 48 (17%) on the 12 months before.",
        "82% of all crime in Testminster occurred in just 2 of its 5 wards, West End and St James's.",
        "Anti-social behaviour: 48 incidents, down 12 (20%).",
        "The most common crime type was violence and sexual offences: 216, 64% of the total.",
        "The largest rise was in violence and sexual offences: up 36 (20%).",
    ]
    assert found.headline_figures() == [
        ("Period", "January 2024 to December 2024"),
        ("All crime", "336"),
        ("All crime, 12 months before", "288"),
        ("Change", "up 48 (17%)"),
        ("Anti-social behaviour", "48"),
        ("Anti-social behaviour, change", "down 12 (20%)"),
        ("Share in the top 2 wards", "82% (West End and St James's)"),
    ]
    assert found.marking == "official"


def test_a_financial_year_for_the_annual_report(two_years):
    found = Assessment.for_window(two_years, datetime.date(2024, 3, 1))
    assert str(found.window) == "April 2023 to March 2024"
    assert (found.missing, len(found.previous_missing)) == ([], 9)  # of April 2022 to March 2023, only 2023's
    assert rows([found.total]) == [("All crime", 9 * 24 + 3 * 28, 3 * 24, 228, 317)]


def test_the_options_the_page_offers(two_years):
    options = AssessmentOptions.for_partnership(two_years)
    assert options.months_held[0] == DEC_2024
    assert options.end_months[-1] == datetime.date(2023, 1, 1)
    assert len(options.end_months) == 24
    assert options.crime_types == [ASB, BURGLARY, SHOPLIFTING, VIOLENCE]
    assert [ward.name for ward in options.wards] == ["Marylebone", "Pimlico", "Soho", "St James's", "West End"]
    assert options.area_name == "Testminster"


# The workbook --------------------------------------------------------------------------------------


def test_the_workbook_holds_the_tables_and_the_marking(two_years):
    two_years.area = "=HYPERLINK(1)"  # text from a form, escaped as every cell is
    two_years.save()
    found = Assessment.for_window(two_years, DEC_2024)
    book = openpyxl.load_workbook(io.BytesIO(assessment_xlsx(found)))

    assert book.sheetnames == [
        "Assessment",
        "By crime type",
        "By ward",
        "Ward by crime type",
        "Concentration",
        "Monthly",
        "Monthly anti-social behaviour",
    ]
    cover = list(book["Assessment"].iter_rows(values_only=True))
    assert cover[:4] == [
        ("Handling marking", "OFFICIAL"),
        ("Partnership", "Test Community Safety Partnership"),
        ("Area", "'=HYPERLINK(1)"),
        ("Period", "January 2024 to December 2024"),
    ]
    assert ("Compared with", "January 2023 to December 2023") in cover
    for sheet in book.worksheets:
        assert sheet.oddHeader.center.text == "OFFICIAL"
    types = list(book["By crime type"].iter_rows(values_only=True))
    assert types[0] == ("Crime type", "Count", "12 months before", "Change", "Change (%)")
    assert types[1] == (VIOLENCE, 216, 180, 36, 0.2)
    assert types[3] == (BURGLARY, 36, 36, 0, 0)
    assert types[4][:4] == ("All crime", 336, 288, 48)
    assert types[4][4] == pytest.approx(48 / 288)
    assert types[5] == ("Anti-social behaviour (not in all crime)", 48, 60, -12, -0.2)
    assert book["By crime type"]["E2"].number_format == "0%"
    wards = list(book["By ward"].iter_rows(values_only=True))
    assert wards[1][:5] == ("E05000001", "West End", 180, 156, 24)
    assert wards[5] == ("E05000005", "Pimlico", 12, 0, 12, None)
    crossed = list(book["Ward by crime type"].iter_rows(values_only=True))
    assert crossed[0] == ("Ward", BURGLARY, SHOPLIFTING, VIOLENCE, "Total")
    assert crossed[1] == ("West End", 0, 60, 120, 180)
    assert crossed[-1] == ("Total", 36, 84, 216, 336)
    concentration = list(book["Concentration"].iter_rows(values_only=True))
    assert concentration[1][:2] == ("West End", 180)
    assert concentration[-1][0] == (
        "82% of all crime in =HYPERLINK(1) occurred in just 2 of its 5 wards, West End and St James's."
    )
    monthly = list(book["Monthly"].iter_rows(values_only=True))
    assert monthly[0] == ("Month", "All crime", "Same month a year before")
    assert monthly[1] == ("2024-01", 28, 24)
    assert len(monthly) == 13


def test_the_workbook_escapes_ward_and_crime_type_names(two_years):
    from evidence.models import Ward

    Ward.objects.filter(code="E05000005").update(name="@SUM(A1)")
    hold_counts(two_years, datetime.date(2025, 1, 1), {("E05000005", "-cmd"): 2})
    found = Assessment.for_window(two_years, datetime.date(2025, 1, 1), crime_types=["-cmd"])
    book = openpyxl.load_workbook(io.BytesIO(assessment_xlsx(found)))
    assert list(book["By crime type"].iter_rows(values_only=True))[1][0] == "'-cmd"
    assert ("E05000005", "'@SUM(A1)", 2, 0, 2, None) in list(book["By ward"].iter_rows(values_only=True))


@pytest.mark.parametrize("today", ["2026-01-10", "2035-12-31"])
def test_the_default_window_is_the_data_not_the_calendar(two_years, today):
    with time_machine.travel(datetime.datetime.fromisoformat(today), tick=False):
        found = Assessment.for_window(two_years)
    assert str(found.window) == "January 2024 to December 2024"
    assert found.missing == []
