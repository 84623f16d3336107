"""police.uk's crime types are written once, where the app and the benchmarks both read them."""

import csv
import subprocess
import sys
from pathlib import Path

from benchmarks import import_police_data
from evidence.crime_types import ANTI_SOCIAL_BEHAVIOUR, POLICE_UK_CRIME_TYPES

ROOT = Path(__file__).resolve().parents[2]


def test_the_list_loads_without_django():
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, evidence.crime_types; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout == "[]\n"


def test_the_benchmark_writes_police_uk_files_with_the_apps_crime_types(tmp_path):
    areas = import_police_data.lsoas()[:4]
    written = set()
    for path in import_police_data.write_year(tmp_path, areas, 12 * 200):
        with path.open(newline="", encoding="utf-8") as stream:
            written |= {row["Crime type"] for row in csv.DictReader(stream)}
    assert written == set(POLICE_UK_CRIME_TYPES)
    assert ANTI_SOCIAL_BEHAVIOUR in POLICE_UK_CRIME_TYPES
