import datetime

import pytest

from evidence.area import area_import
from evidence.models import CrimeCount, PoliceMonth, Ward
from tests.evidence.files import lookup_csv


@pytest.fixture
def area(plan):
    """Test CSP's area: Testminster's two wards and three LSOAs."""
    partnership = plan["strategy"].partnership
    return area_import(
        partnership=partnership, content=lookup_csv(), file_name="lookup.csv", local_authority_codes=["E09000033"]
    )


# The assessment's area and two years of counts -------------------------------------------------------
# Testminster with five wards; each month of 2024 and of 2023 holds the same counts, so a year's figure
# is twelve times a month's. All crime: 336 in 2024 against 288 in 2023; anti-social behaviour 48
# against 60; West End and St James's hold 276 of 2024's 336 (82%).

FIVE_WARDS = [
    ("E01000001", "Testminster 001A", "E05000001", "West End", "E09000033", "Testminster"),
    ("E01000002", "Testminster 002A", "E05000002", "Soho", "E09000033", "Testminster"),
    ("E01000003", "Testminster 003A", "E05000003", "St James's", "E09000033", "Testminster"),
    ("E01000004", "Testminster 004A", "E05000004", "Marylebone", "E09000033", "Testminster"),
    ("E01000005", "Testminster 005A", "E05000005", "Pimlico", "E09000033", "Testminster"),
]
VIOLENCE, SHOPLIFTING, BURGLARY, ASB = (
    "Violence and sexual offences",
    "Shoplifting",
    "Burglary",
    "Anti-social behaviour",
)
MONTH_2024 = {
    ("E05000001", VIOLENCE): 10,
    ("E05000001", SHOPLIFTING): 5,
    ("E05000001", ASB): 4,
    ("E05000003", VIOLENCE): 6,
    ("E05000003", SHOPLIFTING): 2,
    ("E05000002", VIOLENCE): 2,
    ("E05000002", BURGLARY): 1,
    ("E05000004", BURGLARY): 1,
    ("E05000005", BURGLARY): 1,
}
MONTH_2023 = {
    ("E05000001", VIOLENCE): 8,
    ("E05000001", SHOPLIFTING): 5,
    ("E05000001", ASB): 5,
    ("E05000003", VIOLENCE): 5,
    ("E05000003", SHOPLIFTING): 1,
    ("E05000002", VIOLENCE): 2,
    ("E05000002", BURGLARY): 2,
    ("E05000004", BURGLARY): 1,
}


def hold_counts(partnership, month, counts, *, force="metropolitan"):
    """One force's month as the importer keeps it: its PoliceMonth and its counts."""
    wards = dict(Ward.objects.filter(partnership=partnership).values_list("code", "pk"))
    PoliceMonth.objects.create(
        partnership=partnership, month=month, force=force, file_name=f"{month:%Y-%m}-{force}-street.csv"
    )
    CrimeCount.objects.bulk_create(
        CrimeCount(partnership=partnership, month=month, force=force, ward_id=wards[code], crime_type=kind, count=n)
        for (code, kind), n in counts.items()
    )


@pytest.fixture
def two_years(plan):
    """Testminster's five wards, and every month of 2023 and 2024 held."""
    partnership = plan["partnership"]
    area_import(
        partnership=partnership,
        content=lookup_csv(FIVE_WARDS),
        file_name="lookup.csv",
        local_authority_codes=["E09000033"],
    )
    for month in range(1, 13):
        hold_counts(partnership, datetime.date(2023, month, 1), MONTH_2023)
        hold_counts(partnership, datetime.date(2024, month, 1), MONTH_2024)
    return partnership
