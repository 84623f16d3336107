import pytest

from evidence.area import area_import
from tests.evidence.files import lookup_csv


@pytest.fixture
def area(plan):
    """Test CSP's area: Testminster's two wards and three LSOAs."""
    partnership = plan["strategy"].partnership
    return area_import(
        partnership=partnership, content=lookup_csv(), file_name="lookup.csv", local_authority_codes=["E09000033"]
    )
