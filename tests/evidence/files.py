"""Generated inputs in the ONS and police.uk layouts: a best-fit lookup and street-level files.

The area: Testminster (E09000033) with wards West End (E05000001, LSOAs E01000001-2) and Soho
(E05000002, E01000003); its neighbour Otherham (E09000099, ward E05000009, LSOA E01000009).
"""

import csv
import io
import zipfile

LOOKUP_ROWS = [
    ("E01000001", "Testminster 001A", "E05000001", "West End", "E09000033", "Testminster"),
    ("E01000002", "Testminster 001B", "E05000001", "West End", "E09000033", "Testminster"),
    ("E01000003", "Testminster 002A", "E05000002", "Soho", "E09000033", "Testminster"),
    ("E01000009", "Otherham 001A", "E05000009", "Otherham Central", "E09000099", "Otherham"),
]
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
LSOA_NAMES = {code: name for code, name, *_ in LOOKUP_ROWS}


def lookup_csv(rows=LOOKUP_ROWS, *, year="24", extra=True, bom=True):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    head = ["LSOA21CD", "LSOA21NM", f"WD{year}CD", f"WD{year}NM", f"LAD{year}CD", f"LAD{year}NM"]
    writer.writerow([*head, "ObjectId"] if extra else head)
    for number, row in enumerate(rows, start=1):
        writer.writerow([*row, number] if extra else row)
    return ("\ufeff" if bom else "").encode() + buffer.getvalue().encode("utf-8")


def street_row(month, lsoa, crime_type, *, number=0, force="Metropolitan Police Service", lsoa_name=None):
    asb = crime_type == "Anti-social behaviour"
    return [
        "" if asb else f"{number:064x}",
        month,
        force,
        force,
        "-0.134" if lsoa else "",
        "51.51" if lsoa else "",
        "On or near Test Street" if lsoa else "No Location",
        lsoa,
        (lsoa_name or LSOA_NAMES.get(lsoa, "Elsewhere 001A")) if lsoa else "",
        crime_type,
        "" if asb else "Investigation complete; no suspect identified",
        "",
    ]


def street_csv(month, rows, *, header=STREET_COLUMNS):
    """rows: (lsoa code, crime type) or (lsoa code, crime type, lsoa name)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for number, row in enumerate(rows):
        lsoa, crime_type, *name = row
        writer.writerow(street_row(month, lsoa, crime_type, number=number, lsoa_name=name[0] if name else None))
    return buffer.getvalue().encode("utf-8")


def archive(files):
    """police.uk's archive: {"2024-01/2024-01-metropolitan-street.csv": bytes, ...} zipped."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name, content in files.items():
            zipped.writestr(name, content)
    return buffer.getvalue()


JANUARY = [
    ("E01000001", "Violence and sexual offences"),
    ("E01000001", "Violence and sexual offences"),
    ("E01000002", "Anti-social behaviour"),
    ("E01000003", "Shoplifting"),
    ("E01000009", "Shoplifting"),  # Otherham: outside the area
    ("", "Other crime"),  # no LSOA
    ("E01099999", "Burglary", "Testminster 099Z"),  # a Testminster LSOA the lookup does not have
]
