"""Memory and time of reading hostile uploads: a benchmark run by hand, never a timed test.

    .venv/bin/python benchmarks/hostile_files.py [NAME ...]

Builds each file of tests/security/hostile_files.py in a temporary directory (seconds; a few MB on
disk), then reads it with the action-plan reader and with the indicator-values reader, each in a
fresh Python process, and prints what each said (refused, and why, or read), its time and the
process's peak resident memory (Django included).
"""

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.security import hostile_files as hostile  # noqa: E402

FILES = {
    "ods-1000-rows-repeated": ("ods", lambda path, **layout: hostile.ods_of_repeated_rows(path, rows=1000, **layout)),
    "ods-2000-rows-repeated": ("ods", lambda path, **layout: hostile.ods_of_repeated_rows(path, rows=2000, **layout)),
    "ods-236-mb-content": ("ods", hostile.ods_of_large_content),
    "ods-236-mb-empty-rows": ("ods", hostile.ods_of_empty_rows),
    "xlsx-7.5m-leads-no-dimension": ("xlsx", hostile.xlsx_of_leads_without_dimension),
    "xlsx-13m-shared-strings": ("xlsx", hostile.xlsx_of_shared_strings),
    "xlsx-1-mb-cell": ("xlsx", hostile.xlsx_of_large_cell),
    "csv-1-mb-cell": ("csv", hostile.csv_of_large_cell),
    "csv-shift-jis": ("csv", hostile.csv_in_shift_jis),
}
# Each file is built with the header and a row of the import reading it.
LAYOUTS = {
    "plan": {"header": hostile.PLAN_HEADER, "row": hostile.PLAN_ROW},
    "values": {"header": hostile.VALUES_HEADER, "row": hostile.VALUES_ROW},
}


def main(names):
    with tempfile.TemporaryDirectory() as directory:
        for name in names or FILES:
            extension, build = FILES[name]
            print(f"{name}:")
            for importer, layout in LAYOUTS.items():
                started = time.perf_counter()
                path = build(Path(directory) / f"{name}-{importer}.{extension}", **layout)
                built = time.perf_counter() - started
                print(f"  {importer}: {path.stat().st_size / 1024:,.1f} KB, built in {built:.1f} s")
                result = hostile.read_in_child(path, importer)
                said = result["problems"][0] if result["problems"] else "read"
                print(f"    {result['seconds']:.1f} s, {result['peak_mb']:.0f} MB: {said[:110]}")


if __name__ == "__main__":
    main(sys.argv[1:])
