"""Hostile spreadsheets, built on the fly: a few KB or MB on disk, hundreds of MB or millions of rows inside.

Each is written streaming into a compressed zip (or as bytes, for CSV), so building one costs
seconds and little memory. Used by tests/security/test_hostile_files.py and benchmarks/hostile_files.py.
"""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PLAN_HEADER = ("Objective", "Action", "Lead")
PLAN_ROW = ("1 Identify repeat victims", "Hold a case conference", "Lena Lead")
VALUES_HEADER = ("Indicator", "Period", "Value")
VALUES_ROW = ("KPI-V1", "2024/25 Q1", "14")

ODS_OPEN = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    b'<office:body><office:spreadsheet><table:table table:name="Victim">'
)
ODS_CLOSE = b"</table:table></office:spreadsheet></office:body></office:document-content>"
XLSX_WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Victim" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
XLSX_RELATIONSHIPS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    b'Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_OPEN = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
SHEET_CLOSE = b"</sheetData></worksheet>"


def _zip(path, members):
    """A zip at `path` of (name, chunks) members, each written as its chunks come."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, chunks in members:
            if name == "mimetype":
                archive.writestr(name, b"".join(chunks), compress_type=zipfile.ZIP_STORED)
                continue
            with archive.open(name, "w", force_zip64=True) as member:
                for chunk in _flatten(chunks):
                    member.write(chunk)
    return path


def _repeated(piece, times, batch=20_000):
    """`piece` `times` times over, in chunks of `batch` pieces."""
    whole, rest = divmod(times, batch)
    block = piece * batch
    for _ in range(whole):
        yield block
    yield piece * rest


def _ods_row(values, repeat=1):
    cells = b"".join(
        b'<table:table-cell office:value-type="string"><text:p>' + value.encode() + b"</text:p></table:table-cell>"
        for value in values
    )
    attribute = f' table:number-rows-repeated="{repeat}"'.encode() if repeat > 1 else b""
    return b"<table:table-row" + attribute + b">" + cells + b"</table:table-row>"


def _ods(path, rows):
    return _zip(
        path,
        [
            ("mimetype", [b"application/vnd.oasis.opendocument.spreadsheet"]),
            ("content.xml", [ODS_OPEN, *rows, ODS_CLOSE]),
        ],
    )


def ods_of_repeated_rows(path, *, rows, repeat=1_000_000, header=PLAN_HEADER, row=PLAN_ROW):
    """A header, then `rows` rows each repeated `repeat` times (1,000 rows: about 1.5 KB)."""
    return _ods(path, [_ods_row(header), _repeated(_ods_row(row, repeat), rows, batch=rows)])


def ods_of_large_content(path, *, unpacked=236 * 1024 * 1024, header=PLAN_HEADER, row=PLAN_ROW):
    """A header, then as many rows as fill `unpacked` bytes of content.xml (236 MB: about 1 MB packed)."""
    piece = _ods_row(row)
    return _ods(path, [_ods_row(header), _repeated(piece, unpacked // len(piece))])


def _xlsx(path, sheet, strings):
    return _zip(
        path,
        [
            ("xl/workbook.xml", [XLSX_WORKBOOK]),
            ("xl/_rels/workbook.xml.rels", [XLSX_RELATIONSHIPS]),
            ("xl/sharedStrings.xml", strings),
            ("xl/worksheets/sheet1.xml", sheet),
        ],
    )


def _strings(texts, extra=(b"", 0)):
    count = len(texts) + extra[1]
    head = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        + f'count="{count}" uniqueCount="{count}">'.encode()
    )
    return [head, *(b"<si><t>" + text.encode() + b"</t></si>" for text in texts), extra[0], b"</sst>"]


def _header_row(header):
    return b"<row>" + b"".join(f'<c t="s"><v>{n}</v></c>'.encode() for n in range(len(header))) + b"</row>"


def xlsx_of_leads_without_dimension(path, *, rows=7_500_000, header=PLAN_HEADER, row=PLAN_ROW):
    """No <dimension>, no row numbers: a header (its last column first), then `rows` rows holding only that
    column (for a plan, only a Lead)."""
    header = (header[-1], *header[:-1])
    lead = f'<row><c t="s"><v>{len(header)}</v></c></row>'.encode()
    sheet = [SHEET_OPEN, _header_row(header), _repeated(lead, rows), SHEET_CLOSE]
    return _xlsx(path, sheet, _strings([*header, row[-1]]))


def xlsx_of_shared_strings(path, *, count=13_000_000, header=PLAN_HEADER, row=PLAN_ROW):
    """A small sheet whose shared strings table holds `count` more entries than it uses."""
    texts = [*header, *row]
    used = b"".join(f'<c t="s"><v>{len(header) + n}</v></c>'.encode() for n in range(len(row)))
    sheet = [SHEET_OPEN, _header_row(header), b"<row>" + used + b"</row>", SHEET_CLOSE]
    return _xlsx(path, sheet, _strings(texts, (_repeated(b"<si><t>x</t></si>", count), count)))


def xlsx_of_large_cell(path, *, chars=1024 * 1024, header=PLAN_HEADER, row=PLAN_ROW):
    """Row 2's second cell (B2) is a shared string of `chars` characters."""
    texts = [*header, row[0], "x" * chars, *row[2:]]
    used = b"".join(f'<c t="s"><v>{len(header) + n}</v></c>'.encode() for n in range(len(row)))
    sheet = [SHEET_OPEN, _header_row(header), b"<row>" + used + b"</row>", SHEET_CLOSE]
    return _xlsx(path, sheet, _strings(texts))


def _flatten(parts):
    for part in parts:
        if isinstance(part, bytes):
            yield part
        else:
            yield from part


def _csv(header, row):
    """A CSV's header and row; a plan's CSV names each row's delivery group."""
    if header == PLAN_HEADER:
        return ("Delivery group", *header), ("Victim", *row)
    return header, row


def csv_of_large_cell(path, *, chars=1024 * 1024, header=PLAN_HEADER, row=PLAN_ROW):
    """Row 2's last cell holds `chars` characters."""
    header, row = _csv(header, row)
    path.write_bytes((",".join(header) + "\n" + ",".join(row[:-1]) + "," + "x" * chars + "\n").encode())
    return path


def csv_in_shift_jis(path, *, header=PLAN_HEADER, row=PLAN_ROW):
    """Typed in Japanese and saved as Shift-JIS: its second row is not UTF-8 or Windows-1252."""
    header, row = _csv(header, row)
    text = ",".join(header) + "\n" + ",".join(row[:-1]) + ",再被害者を特定する、会議を開く\n"
    path.write_bytes(text.encode("shift_jis"))
    return path


def ods_of_empty_rows(path, *, unpacked=236 * 1024 * 1024, header=PLAN_HEADER, row=PLAN_ROW):
    """A header and one row, then empty rows (not repeated: each written out) filling `unpacked` bytes."""
    piece = b"<table:table-row><table:table-cell/></table:table-row>"
    return _ods(path, [_ods_row(header), _ods_row(row), _repeated(piece, unpacked // len(piece))])


# name -> (extension, build(path, header=..., row=...))
FILES = {
    "ods-1000-rows-repeated": ("ods", lambda path, **layout: ods_of_repeated_rows(path, rows=1000, **layout)),
    "ods-2000-rows-repeated": ("ods", lambda path, **layout: ods_of_repeated_rows(path, rows=2000, **layout)),
    "ods-236-mb-content": ("ods", ods_of_large_content),
    "ods-236-mb-empty-rows": ("ods", ods_of_empty_rows),
    "xlsx-7.5m-leads-no-dimension": ("xlsx", xlsx_of_leads_without_dimension),
    "xlsx-13m-shared-strings": ("xlsx", xlsx_of_shared_strings),
    "xlsx-1-mb-cell": ("xlsx", xlsx_of_large_cell),
    "csv-1-mb-cell": ("csv", csv_of_large_cell),
    "csv-shift-jis": ("csv", csv_in_shift_jis),
}
# Each file is built with the header and a row of the import reading it.
LAYOUTS = {
    "plan": {"header": PLAN_HEADER, "row": PLAN_ROW},
    "values": {"header": VALUES_HEADER, "row": VALUES_ROW},
}


def build(name, importer, directory):
    extension, builder = FILES[name]
    return builder(Path(directory) / f"{name}-{importer}.{extension}", **LAYOUTS[importer])


# Reading one in a process of its own, for its peak memory --------------------------------------------

# The child's own peak is VmHWM: ru_maxrss also counts the parent's memory at the fork that came
# before the exec (Linux keeps it across exec), so it grows with the test process, not the reader.
PEAK = """
def peak_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
"""

CHILD = (
    PEAK
    + """
import json, os, sys, time
import django
django.setup()
from actions.imports.problems import ImportRefused
from actions.imports.reading import read_file
from performance.value_imports import read_rows
path, importer = sys.argv[1], sys.argv[2]
content = open(path, "rb").read()
started = time.perf_counter()
try:
    {"plan": read_file, "values": read_rows}[importer](content, os.path.basename(path))
    problems = []
except ImportRefused as refused:
    problems = [str(problem) for problem in refused.problems]
print(json.dumps({
    "problems": problems,
    "seconds": time.perf_counter() - started,
    "peak_mb": peak_mb(),
}))
"""
)


def read_in_child(path, importer="plan"):
    """{"problems", "seconds", "peak_mb"}: the action-plan ("plan") or indicator-values ("values") reader
    run on the file at `path` in a fresh Python process, with its peak resident memory (Django included)."""
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "swp.settings"}
    environment.setdefault("DJANGO_DEBUG", "true")
    finished = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), importer],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if finished.returncode:
        raise RuntimeError(finished.stderr[-3000:])
    return json.loads(finished.stdout.strip().splitlines()[-1])
