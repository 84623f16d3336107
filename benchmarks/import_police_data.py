"""Speed and memory of importing a year of police.uk street-level data: run by hand, never a timed test.

    .venv/bin/python benchmarks/import_police_data.py [--rows 1000000] [--zip] [--database-url URL]

In one run it:
- writes, in a temporary folder, an ONS best-fit lookup for London (33 local authorities, about 20
  wards and 150 LSOAs each) and a year of the Metropolitan Police's street-level files in police.uk's
  layout (`2024-01/2024-01-metropolitan-street.csv`, ...; --rows in all, spread over every LSOA, with
  police.uk's crime types, anti-social behaviour rows without Crime ID or outcome, and about 1% with
  no location); with --zip, zipped as the archive police.uk hands out;
- in a child process, migrates a new database (a SQLite file unless --database-url is given) and
  loads Westminster's area with `import_area_lookup`;
- runs `manage.py import_police_data` on the year as a process of its own, and reports its wall
  time and its peak memory (maximum resident set size, Django included).
Figures go in the README.
"""

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evidence.crime_types import ANTI_SOCIAL_BEHAVIOUR, POLICE_UK_CRIME_TYPES  # noqa: E402

MANAGE = [sys.executable, str(ROOT / "manage.py")]

LOCAL_AUTHORITIES = 33
WARDS_PER_AUTHORITY = 20
LSOAS_PER_AUTHORITY = 150
WESTMINSTER = "E09000033"
STREET_COLUMNS = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
]
FORCE = "Metropolitan Police Service"


def authority_code(number):
    return WESTMINSTER if number == 0 else f"E0900{number:04d}"


def lsoas():
    """(LSOA code, LSOA name, ward code, ward name, LA code, LA name) for every LSOA of the made-up London."""
    rows = []
    for authority in range(LOCAL_AUTHORITIES):
        name = "Westminster" if authority == 0 else f"Borough {authority:02d}"
        for number in range(LSOAS_PER_AUTHORITY):
            ward = number % WARDS_PER_AUTHORITY
            rows.append(
                (
                    f"E01{authority:03d}{number:03d}",
                    f"{name} {number // 4:03d}{'ABCD'[number % 4]}",
                    f"E05{authority:03d}{ward:03d}",
                    f"{name} Ward {ward:02d}",
                    authority_code(authority),
                    name,
                )
            )
    return rows


def write_lookup(path, areas):
    with path.open("w", newline="", encoding="utf-8-sig") as stream:
        writer = csv.writer(stream)
        writer.writerow(["LSOA21CD", "LSOA21NM", "WD24CD", "WD24NM", "LAD24CD", "LAD24NM", "ObjectId"])
        for number, row in enumerate(areas, start=1):
            writer.writerow([*row, number])


def write_year(folder, areas, rows, *, year=2024):
    """Twelve monthly files, `rows` in all; returns their paths."""
    chance = random.Random(2024)
    paths = []
    per_month = rows // 12
    for month in range(1, 13):
        stamp = f"{year}-{month:02d}"
        path = folder / stamp / f"{stamp}-metropolitan-street.csv"
        path.parent.mkdir(parents=True)
        with path.open("w", newline="", encoding="utf-8") as stream:
            writer = csv.writer(stream)
            writer.writerow(STREET_COLUMNS)
            for number in range(per_month):
                crime_type = chance.choice(POLICE_UK_CRIME_TYPES)
                asb = crime_type == ANTI_SOCIAL_BEHAVIOUR
                located = chance.random() > 0.01
                code, name = chance.choice(areas)[:2] if located else ("", "")
                writer.writerow(
                    [
                        "" if asb else f"{month:02d}{number:062x}",
                        stamp,
                        FORCE,
                        FORCE,
                        f"-0.{chance.randrange(100000, 999999)}" if located else "",
                        f"51.{chance.randrange(100000, 999999)}" if located else "",
                        "On or near Parking Area" if located else "No Location",
                        code,
                        name,
                        crime_type,
                        "" if asb else "Investigation complete; no suspect identified",
                        "",
                    ]
                )
        paths.append(path)
    return paths


def zip_year(folder, paths):
    archive = folder / "police-2024.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for path in paths:
            zipped.write(path, path.relative_to(folder))
            path.unlink()
    return archive


def environment(database_url):
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "false",
        "SECRET_KEY": "benchmark-only",
        "TASKS_BACKEND": "immediate",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "swp.settings",
    }


SETUP = """
from django.core.management import call_command
from strategy.models import Partnership
call_command("migrate", verbosity=0)
Partnership.objects.get_or_create(slug="bench", defaults={"name": "Benchmark Partnership"})
call_command("import_area_lookup", LOOKUP, "--partnership", "bench", "--local-authority", "E09000033")
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="Rows in the year, all months together.")
    parser.add_argument("--zip", action="store_true", help="Import the year as police.uk's zip, not a folder.")
    parser.add_argument("--database-url", help="A PostgreSQL database to use (created tables; not dropped).")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="swp-police-") as temp:
        folder = Path(temp)
        database_url = options.database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
        env = environment(database_url)
        areas = lsoas()
        lookup = folder / "lookup.csv"
        write_lookup(lookup, areas)
        started = time.perf_counter()
        paths = write_year(folder / "police", areas, options.rows)
        size = sum(path.stat().st_size for path in paths)
        target = zip_year(folder / "police", paths) if options.zip else folder / "police"
        print(
            f"Wrote {options.rows:,} rows in 12 files ({size / 1024 / 1024:.0f} MB"
            f"{f', zipped {target.stat().st_size / 1024 / 1024:.0f} MB' if options.zip else ''}) "
            f"in {time.perf_counter() - started:.1f} s"
        )
        subprocess.run(
            [*MANAGE, "shell", "--no-imports", "-c", f"LOOKUP = {str(lookup)!r}\n{SETUP}"],
            env=env,
            check=True,
            cwd=ROOT,
        )

        started = time.perf_counter()
        process = subprocess.Popen(
            [*MANAGE, "import_police_data", str(target), "--partnership", "bench"], env=env, cwd=ROOT
        )
        _pid, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status):
            raise SystemExit("import_police_data failed")
        peak = usage.ru_maxrss / 1024  # kilobytes on Linux
        print(f"import_police_data: {elapsed:.1f} s, peak memory {peak:.0f} MB (targets: < 60 s, < 300 MB)")


if __name__ == "__main__":
    main()
