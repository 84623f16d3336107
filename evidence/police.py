"""Reading police.uk's street-level crime files into counts by month, ward and crime type.

Input as data.police.uk gives it: monthly files named `YYYY-MM-<force>-street.csv`, one, several,
a folder of them, or the archive zip (month folders inside, several forces; its outcomes and
stop-and-search files are ignored). Every file is streamed row by row (a zip's members unpacked as
they are read, their unpacked bytes counted against a limit), so memory holds the counts, never a
file.

Kept: for each row whose LSOA is in the partnership's area, one more in its month x ward x crime type
(anti-social behaviour included). Rows in other local authorities' LSOAs are counted as outside the
area; rows with no LSOA, and LSOA codes the area's lookup does not know (a row whose LSOA name is of
one of the area's local authorities, but whose code is not in its lookup), are reported.

A force's month is imported whole: its counts replace those held for that force and month, and
leave other forces' alone. `police_check` reads the files and gives the preview, with the counts;
`police_apply` writes them, all or nothing, and recomputes the indicators computed from the counts.
"""

import io
import re
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import transaction

from actions.imports.problems import ImportRefused, Problem
from actions.imports.tables import Unpacked, csv_stream_rows, zip_member
from evidence.crime_indicators import crime_indicators_recompute
from evidence.models import AreaLookup, CrimeCount, LocalAuthority, Lsoa, PoliceMonth, Ward

COLUMNS = (
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
)
STREET_FILE = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})-(?P<force>[a-z0-9-]+?)-street\.csv$")
# police.uk's other files, in the same folders: read only when asked for, which nothing asks yet.
OTHER_FILE = re.compile(r"^\d{4}-\d{2}-[a-z0-9-]+-(outcomes|stop-and-search)\.csv$")
# A year of every force's street-level files unpacks to a few GB; one import is held well below that.
MAX_UNPACKED_BYTES = 2 * 1024 * 1024 * 1024
# The largest file the browser takes: a year of the largest force's archive, zipped, is far below it.
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
PROGRESS_EVERY = 50_000


def _refused(message):
    return ImportRefused(Problem(message))


# Sources: (name, opener) pairs, each opener giving a binary stream ------------------------------------


@dataclass
class Source:
    name: str  # the file's name as shown to the officer (inside a zip: "archive.zip: 2024-01/...")
    base: str  # the file name alone, which says its month and force
    open: object  # () -> binary stream
    in_archive: bool = False


def _zip_sources(archive, label, unpacked):
    names = archive.namelist()
    declared = sum(info.file_size for info in archive.infolist() if STREET_FILE.match(Path(info.filename).name))
    if declared > unpacked.limit:
        raise ImportRefused(Problem(_too_large(label, unpacked.limit)))
    for member in names:
        if member.endswith("/"):
            continue
        yield Source(
            name=f"{label}: {member}",
            base=Path(member).name,
            open=lambda member=member: zip_member(archive, member, unpacked, kind="zip"),
            in_archive=True,
        )


def _too_large(label, limit):
    return (
        f"{label} unpacks to more than {limit // 1024 // 1024:,} MB of street-level files: import fewer months "
        "or forces at once."
    )


def _is_zip(head):
    return head[:4] == b"PK\x03\x04"


def path_sources(paths, unpacked):
    """Sources for files, folders (searched through) and zips on disk; refuses a path that is none of these."""
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file())
            if not files:
                raise _refused(f"The folder {given} holds no files.")
            for file in files:
                if file.suffix.lower() in (".csv", ".zip"):
                    yield from _file_sources(file, str(file), unpacked)
        elif path.is_file():
            yield from _file_sources(path, given, unpacked)
        else:
            raise _refused(f"There is no file or folder at {given}.")


def _file_sources(path, label, unpacked):
    with path.open("rb") as stream:
        head = stream.read(8)
    if _is_zip(head):
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as error:
            raise _refused(f"{label} could not be read as a zip archive ({error}): is it damaged?") from None
        yield from _zip_sources(archive, label, unpacked)
    else:
        yield Source(name=label, base=path.name, open=lambda: path.open("rb"))


def content_sources(content, file_name, unpacked):
    """Sources for an upload held as bytes: a zip (the archive, or several files packed by the upload page) or a CSV."""
    if _is_zip(content):
        try:
            archive = zipfile.ZipFile(io.BytesIO(content))
        except zipfile.BadZipFile as error:
            raise _refused(f"{file_name} could not be read as a zip archive ({error}): is it damaged?") from None
        return _zip_sources(archive, file_name, unpacked)
    return iter([Source(name=file_name, base=Path(file_name).name, open=lambda: io.BytesIO(content))])


# Reading ----------------------------------------------------------------------------------------------


@dataclass
class FileStats:
    name: str
    month: str
    force: str
    read: int = 0
    kept: int = 0
    outside: int = 0
    no_lsoa: int = 0
    unknown: int = 0


@dataclass
class Area:
    """What the reading needs of the partnership's area: LSOA -> ward code, and its local authorities' names."""

    lookup_id: int
    ward_of: dict
    authority_names: tuple

    @classmethod
    def of(cls, partnership):
        lookup = AreaLookup.objects.filter(partnership=partnership).values_list("pk", flat=True).first()
        if lookup is None:
            raise _refused(
                f"{partnership} has no area yet: upload the ONS LSOA to ward lookup first, so the crime data "
                "can be counted by ward."
            )
        ward_of = dict(Lsoa.objects.filter(partnership=partnership).values_list("code", "ward__code"))
        names = LocalAuthority.objects.filter(partnership=partnership).current().values_list("name", flat=True)
        return cls(lookup_id=lookup, ward_of=ward_of, authority_names=tuple(f"{name} " for name in names))


@dataclass
class CrimeCounts:
    """What the files hold for the area: the preview, and the counts to write."""

    files: list = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)  # (month, force, ward code, crime type) -> count
    unknown_codes: Counter = field(default_factory=Counter)
    ignored: list = field(default_factory=list)
    area_id: int | None = None

    def totals(self):
        return {
            name: sum(getattr(stats, name) for stats in self.files)
            for name in ("read", "kept", "outside", "no_lsoa", "unknown")
        }

    def as_dict(self, partnership):
        held = set(PoliceMonth.objects.filter(partnership=partnership).values_list("month", "force").order_by())
        pairs = sorted({(stats.month, stats.force) for stats in self.files})
        return {
            "area": self.area_id,
            "months": sorted({month for month, _ in pairs}),
            "forces": sorted({force for _, force in pairs}),
            "files": [stats.__dict__ for stats in sorted(self.files, key=lambda s: (s.month, s.force))],
            "totals": self.totals(),
            "unknown_codes": self.unknown_codes.most_common(200),
            "unknown_codes_more": max(len(self.unknown_codes) - 200, 0),
            "ignored": len(self.ignored),
            "replaces": [[m, f] for m, f in pairs if (_first_day(m), f) in held],
            "counts": [[*key, n] for key, n in sorted(self.counts.items())],
        }


def _first_day(month):
    year, number = month.split("-")
    return date(int(year), int(number), 1)


def _columns(values, name):
    header = [value.strip().lstrip("\ufeff") for value in values]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise _refused(
            f"{name} is not a police.uk street-level file: it has no {', '.join(missing)} column"
            f"{'s' if len(missing) > 1 else ''}. Upload the files as downloaded from data.police.uk."
        )
    return {column: header.index(column) for column in ("Month", "LSOA code", "LSOA name", "Crime type")}


def _read_file(source, match, area, outcome, report):
    month, force = f"{match['year']}-{match['month']}", match["force"]
    if not 1 <= int(match["month"]) <= 12:
        raise _refused(f"{source.name}: {month} in its name is not a month.")
    stats = FileStats(name=source.name, month=month, force=force)
    stream = source.open()
    try:
        rows = csv_stream_rows(stream, source.name)
        header = next(rows, None)
        if header is None:
            raise _refused(f"{source.name} is empty: download it again from data.police.uk.")
        at = _columns(header[1], source.name)
        month_at, code_at, name_at, type_at = at["Month"], at["LSOA code"], at["LSOA name"], at["Crime type"]
        width = max(at.values()) + 1
        counts, unknown = outcome.counts, outcome.unknown_codes
        ward_of, authorities = area.ward_of, area.authority_names
        for number, values in rows:
            if len(values) < width:
                raise _refused(f"{source.name}, row {number}: the row has {len(values)} columns, not {len(COLUMNS)}.")
            if values[month_at] != month:
                raise _refused(
                    f"{source.name}, row {number}: the Month column says {values[month_at] or 'nothing'}, but the "
                    f"file's name says {month}. Upload the files with the names police.uk gave them."
                )
            stats.read += 1
            code = values[code_at]
            if not code:
                stats.no_lsoa += 1
            elif (ward := ward_of.get(code)) is not None:
                crime_type = values[type_at].strip()
                if not crime_type:
                    raise _refused(f"{source.name}, row {number}: the Crime type column is empty.")
                counts[month, force, ward, crime_type[:100]] += 1
                stats.kept += 1
            elif values[name_at].startswith(authorities):
                stats.unknown += 1
                unknown[code] += 1
            else:
                stats.outside += 1
            if stats.read % PROGRESS_EVERY == 0:
                report(f"Reading {source.base}: {stats.read:,} rows")
    finally:
        stream.close()
    return stats


def police_check(*, partnership, sources, report=lambda stage, done=0: None):
    """Read `sources` for the partnership's area; refuses (ImportRefused) whatever is wrong, having saved nothing."""
    area = Area.of(partnership)
    outcome = CrimeCounts(area_id=area.lookup_id)
    seen = {}
    for source in sources:
        match = STREET_FILE.match(source.base)
        if match is None:
            if OTHER_FILE.match(source.base) or source.in_archive:
                outcome.ignored.append(source.name)  # police.uk's other files, or a zip's other members
                continue
            raise _refused(
                f"{source.name} is not a police.uk street-level file: their names are like "
                "2024-01-metropolitan-street.csv (a CSV file), and the archive as downloaded is a zip file."
            )
        key = (f"{match['year']}-{match['month']}", match["force"])
        if key in seen:
            raise _refused(f"{source.name} and {seen[key]} are both {key[1]}'s {key[0]}: import one of them.")
        seen[key] = source.name
        report(f"Reading {source.base} (file {len(seen)})")
        outcome.files.append(_read_file(source, match, area, outcome, report))
    if not outcome.files:
        raise _refused(
            "There are no street-level files (named like 2024-01-metropolitan-street.csv) in what was given."
        )
    return outcome


def check_paths(*, partnership, paths, report=lambda stage, done=0: None):
    unpacked = Unpacked(limit=MAX_UNPACKED_BYTES, advice="import fewer months or forces at once.")
    return police_check(partnership=partnership, sources=path_sources(paths, unpacked), report=report)


def check_content(*, partnership, content, file_name, report=lambda stage, done=0: None):
    if not content:
        raise _refused(f"{file_name} is empty: download it again from data.police.uk.")
    unpacked = Unpacked(file_name, limit=MAX_UNPACKED_BYTES, advice="import fewer months or forces at once.")
    return police_check(partnership=partnership, sources=content_sources(content, file_name, unpacked), report=report)


@dataclass
class CountsWritten:
    """What `police_apply` wrote (months, counts and indicator figures recomputed), or stale: the area
    changed since the preview."""

    stale: bool = False
    months: int = 0
    counts: int = 0
    figures: int = 0


@transaction.atomic
def police_apply(*, partnership, preview, by=None):
    """Write the preview's counts: each force's month replaces what was held for it. Stale if the area changed."""
    current = AreaLookup.objects.filter(partnership=partnership).values_list("pk", flat=True).first()
    if current != preview["area"]:
        return CountsWritten(stale=True)
    wards = dict(Ward.objects.filter(partnership=partnership).values_list("code", "pk"))
    by = by if by is not None and by.is_authenticated else None
    by_month = defaultdict(list)
    for stats in preview["files"]:
        by_month[stats["month"]].append(stats["force"])
    for month, forces in by_month.items():
        CrimeCount.objects.filter(partnership=partnership, month=_first_day(month), force__in=forces).delete()
    CrimeCount.objects.bulk_create(
        (
            CrimeCount(
                partnership=partnership,
                month=_first_day(month),
                force=force,
                ward_id=wards[ward],
                crime_type=crime_type,
                count=count,
            )
            for month, force, ward, crime_type, count in preview["counts"]
        ),
        batch_size=2000,
    )
    for stats in preview["files"]:
        PoliceMonth.objects.update_or_create(
            partnership=partnership,
            month=_first_day(stats["month"]),
            force=stats["force"],
            defaults={
                "file_name": stats["name"][-255:],
                "imported_by": by,
                "rows_read": stats["read"],
                "rows_kept": stats["kept"],
                "rows_outside": stats["outside"],
                "rows_no_lsoa": stats["no_lsoa"],
                "rows_unknown": stats["unknown"],
            },
        )
    # In the same transaction: the indicators computed from the counts never show figures of counts
    # since replaced.
    figures = crime_indicators_recompute(partnership=partnership, by=by)
    return CountsWritten(months=len(preview["files"]), counts=len(preview["counts"]), figures=figures)


def summary_lines(preview):
    """The preview in sentences, for the page and the command."""
    totals = preview["totals"]
    lines = [
        f"Months: {', '.join(preview['months'])}",
        f"Forces: {', '.join(preview['forces'])}",
        f"{totals['read']:,} rows read, {totals['kept']:,} kept (in the area), {totals['outside']:,} outside the "
        f"area, {totals['no_lsoa']:,} with no LSOA, {totals['unknown']:,} in LSOAs the area's lookup does not have",
    ]
    if preview["unknown_codes"]:
        codes = ", ".join(f"{code} ({n:,})" for code, n in preview["unknown_codes"])
        more = f" and {preview['unknown_codes_more']:,} more" if preview["unknown_codes_more"] else ""
        lines.append(f"LSOA codes unknown to the lookup: {codes}{more}")
    if preview["replaces"]:
        held = ", ".join(f"{month} {force}" for month, force in preview["replaces"])
        lines.append(f"Already held, and replaced by this import: {held}")
    if preview["ignored"]:
        lines.append(f"{preview['ignored']:,} other file(s) (outcomes, stop and search) ignored")
    return lines
