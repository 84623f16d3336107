"""Loading a partnership's area from the ONS best-fit lookup: LSOA (2021) -> electoral ward -> local authority.

Officers download the lookup as CSV from the ONS Open Geography Portal. Its columns carry the
boundary year (`WD24CD`, `LAD23NM`, ...): any year is read, the same for wards and local
authorities or not; ObjectId and FID columns, and a byte-order mark, are ignored. Only the rows of
the local authorities asked for are kept. Re-importing replaces the area: codes are the key
(evidence.models says what is kept of wards a newer lookup leaves out).
"""

import hashlib
import re
from dataclasses import dataclass, field

from django.db import transaction

from actions.imports.problems import ImportRefused, Problem
from actions.imports.tables import check_size, csv_rows, file_kind
from evidence.models import AreaLookup, LocalAuthority, Lsoa, Ward

CODE = re.compile(r"^[EWSN]\d{8}$")
LSOA_COLUMNS = ("LSOA21CD", "LSOA21NM")
# e.g. WD24CD, LAD23NM: the two digits are the boundaries' year.
YEARED = re.compile(r"^(WD|LAD)(\d{2})(CD|NM)$")


@dataclass
class AreaRows:
    """What the lookup holds for the local authorities asked for."""

    ward_year: str
    local_authorities: dict = field(default_factory=dict)  # code -> name
    wards: dict = field(default_factory=dict)  # code -> (name, local authority code)
    lsoas: dict = field(default_factory=dict)  # code -> (name, ward code)


def _header(values, file_name):
    """{column: index} of the lookup's header row, and the wards' year; refused if a column is missing."""
    names = [value.strip().lstrip("\ufeff").upper() for value in values]
    found = {}
    years = set()
    for index, name in enumerate(names):
        if name in LSOA_COLUMNS:
            found[name] = index
        elif match := YEARED.match(name):
            found[match[1] + match[3]] = index
            if match[1] == "WD":
                years.add(match[2])
    missing = [label for label in ("LSOA21CD", "LSOA21NM", "WDCD", "WDNM", "LADCD", "LADNM") if label not in found]
    if missing:
        shown = ", ".join(re.sub(r"^(WD|LAD)", r"\1yy", label) for label in missing)
        raise ImportRefused(
            Problem(
                f"{file_name} is not the ONS LSOA (2021) to ward to local authority lookup: it has no {shown} "
                "column. Download the best-fit lookup from the ONS Open Geography Portal as CSV and upload that."
            )
        )
    return found, f"20{min(years)}"


def read_lookup(content, *, file_name, local_authority_codes):
    """The lookup's rows for `local_authority_codes`, read in bounded memory; refused with every problem found."""
    check_size(content, file_name)
    not_csv = ImportRefused(Problem(f"{file_name} is not a CSV file: download the lookup as CSV and upload that."))
    try:
        kind = file_kind(content, file_name)
    except ImportRefused as refused:
        if "empty" in str(refused):
            raise
        raise not_csv from None
    if kind != "csv":
        raise not_csv
    wanted = {code.strip().upper() for code in local_authority_codes if code.strip()}
    if not wanted:
        raise ImportRefused(Problem("Give at least one local authority code, e.g. E09000033."))
    if bad := sorted(code for code in wanted if not CODE.match(code)):
        raise ImportRefused(
            Problem(f"{', '.join(bad)}: a local authority code is a letter and eight digits, e.g. E09000033.")
        )
    rows = csv_rows(content)
    header = next(rows, None)
    if header is None:
        raise ImportRefused(Problem(f"{file_name} is empty: there is nothing to import."))
    columns, year = _header(header[1], file_name)
    found = AreaRows(ward_year=year)
    problems = []
    for number, values in rows:
        cell = {name: (values[index].strip() if index < len(values) else "") for name, index in columns.items()}
        if cell["LADCD"].upper() not in wanted:
            continue
        for name in ("LSOA21CD", "WDCD", "LADCD"):
            if not CODE.match(cell[name]):
                label = name.replace("WD", f"WD{year[2:]}").replace("LAD", f"LAD{year[2:]}")
                problems.append(Problem(f"'{cell[name]}' is not an ONS code", row=number, column=label))
        lsoa, ward, authority = cell["LSOA21CD"].upper(), cell["WDCD"].upper(), cell["LADCD"].upper()
        if lsoa in found.lsoas:
            problems.append(Problem(f"LSOA {lsoa} is in the file twice", row=number, column="LSOA21CD"))
        found.local_authorities[authority] = cell["LADNM"]
        found.wards[ward] = (cell["WDNM"], authority)
        found.lsoas[lsoa] = (cell["LSOA21NM"], ward)
    if not problems and (absent := sorted(wanted - set(found.local_authorities))):
        problems.append(
            Problem(
                f"{file_name} has no rows for {', '.join(absent)}: check the local authority code(s) "
                "(e.g. E09000033 for Westminster) and that the lookup covers them."
            )
        )
    if problems:
        raise ImportRefused(problems)
    return found


@transaction.atomic
def area_import(*, partnership, content, file_name, local_authority_codes, by=None):
    """Replace the partnership's area with the lookup's rows for `local_authority_codes`; all or nothing.

    Returns the AreaLookup recorded, with `renamed` and `retired` (ward codes) set on it for the report.
    """
    found = read_lookup(content, file_name=file_name, local_authority_codes=local_authority_codes)
    lookup = AreaLookup.objects.create(
        partnership=partnership,
        imported_by=by if by is not None and by.is_authenticated else None,
        file_name=file_name[:255],
        file_sha256=hashlib.sha256(content).hexdigest(),
        ward_year=found.ward_year,
        local_authority_codes=sorted(found.local_authorities),
        lsoas=len(found.lsoas),
        wards=len(found.wards),
    )
    authorities = _replace(
        LocalAuthority,
        partnership,
        lookup,
        {code: {"name": name} for code, name in found.local_authorities.items()},
    )
    wards = _replace(
        Ward,
        partnership,
        lookup,
        {code: {"name": name, "local_authority": authorities[la]} for code, (name, la) in found.wards.items()},
    )
    Lsoa.objects.filter(partnership=partnership).delete()
    Lsoa.objects.bulk_create(
        Lsoa(partnership=partnership, code=code, name=name, ward=wards[ward])
        for code, (name, ward) in sorted(found.lsoas.items())
    )
    lookup.renamed = getattr(wards, "renamed", [])
    lookup.retired = getattr(wards, "retired", [])
    return lookup


class _Rows(dict):
    """code -> row, with the codes renamed and retired by the lookup."""


def _replace(model, partnership, lookup, wanted):
    """Rows of `model` for the codes in `wanted` (created, renamed, brought back); the others retired."""
    existing = {row.code: row for row in model.objects.filter(partnership=partnership)}
    rows = _Rows()
    rows.renamed, rows.retired = [], []
    for code, values in wanted.items():
        row = existing.get(code)
        if row is None:
            row = model(partnership=partnership, code=code, first_lookup=lookup, **values)
        else:
            if row.name != values["name"]:
                rows.renamed.append(code)
                if hasattr(row, "former_names"):
                    row.former_names = [*row.former_names, row.name]
            for name, value in values.items():
                setattr(row, name, value)
            row.retired_by = None
        row.save()
        rows[code] = row
    for code, row in existing.items():
        if code not in wanted and row.retired_by_id is None:
            row.retired_by = lookup
            row.save(update_fields=["retired_by"])
            rows.retired.append(code)
    return rows


def current_area(partnership):
    """The latest lookup of the partnership's area, or None if it has none yet."""
    return AreaLookup.objects.filter(partnership=partnership).first()
