"""requirements.lock is in step with the requirement files people edit, and pins everything with hashes.

A package added to or changed in requirements*.txt without `make lock` fails here, before a fresh
machine installs the old lock without it.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path):
    found = {}
    for line in path.read_text().splitlines():
        if match := PIN.match(line.strip()):
            found[canonical(match[1])] = match[2]
    return found


def locked():
    """Each package of the lock with its version and how many file hashes it lists."""
    entries = {}
    name = None
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if match := PIN.match(line):
            name = canonical(match[1])
            entries[name] = [match[2], 0]
        elif line.strip().startswith("--hash=sha256:") and name:
            entries[name][1] += 1
    return entries


def test_every_requirement_is_locked_at_its_pinned_version():
    lock = locked()
    wanted = {**pins(ROOT / "requirements.txt"), **pins(ROOT / "requirements-dev.txt")}
    assert "django" in wanted and "pytest" in wanted  # both files were read
    out_of_step = {name: (version, lock.get(name, [None])[0]) for name, version in wanted.items()}
    out_of_step = {name: pair for name, pair in out_of_step.items() if pair[0] != pair[1]}
    assert out_of_step == {}, f"run `make lock`: (requirements*.txt, requirements.lock) differ for {out_of_step}"


def test_every_locked_package_has_hashes():
    lock = locked()
    assert {"pillow", "fonttools", "pip", "setuptools"} <= set(lock)  # dependencies of dependencies too
    assert [name for name, (_, hashes) in lock.items() if hashes == 0] == []
