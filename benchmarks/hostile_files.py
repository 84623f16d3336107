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


def main(names):
    with tempfile.TemporaryDirectory() as directory:
        for name in names or hostile.FILES:
            print(f"{name}:")
            for importer in hostile.LAYOUTS:
                started = time.perf_counter()
                path = hostile.build(name, importer, directory)
                built = time.perf_counter() - started
                print(f"  {importer}: {path.stat().st_size / 1024:,.1f} KB, built in {built:.1f} s")
                result = hostile.read_in_child(path, importer)
                said = result["problems"][0] if result["problems"] else "read"
                print(f"    {result['seconds']:.1f} s, {result['peak_mb']:.0f} MB: {said[:110]}")


if __name__ == "__main__":
    main(sys.argv[1:])
