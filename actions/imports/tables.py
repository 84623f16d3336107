"""Uploaded spreadsheets as rows of cells, read in bounded memory whatever the file says about itself.

Every import of an uploaded file starts here: `sheets(content, name)` gives the file's kind and its
sheets, each as (sheet name, rows), where rows yields (row number, values) for every row that
holds something. The kind is told from the content, never from the name.

Memory stays bounded because nothing is built whole:
- .xlsx and .ods are zip archives of XML. Each part is read as a stream, its unpacked bytes counted
  as they are read (not as the archive declares them), and parsed event by event with expat: no
  document tree is built, so a row exists only while it is read. Document type and entity
  declarations are refused, as defusedxml refuses them.
- Rows are counted as they stream, and reading stops at the row limit, before the reader's caller
  has built anything from them. A repeated row or column (an .ods `number-rows-repeated`) is
  expanded only as far as the limits; repeats of empty rows and cells cost nothing.
- Every cell is held to the same size whatever the format, Excel's own limit; an .xlsx's shared
  strings are limited in number and in total size.
- CSV is decoded strictly: text that is not clean UTF-8, UTF-16 or Windows-1252 is refused, naming
  the row, rather than read as garbled text.

`zip_member` and `csv_rows` are the pieces for other uploads of zipped or comma-separated tables.
"""

import csv
import datetime
import io
import re
import zipfile
from xml.parsers import expat

from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import from_excel, from_ISO8601

from actions.imports.problems import ImportRefused, Problem

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
# An .xlsx or .ods unpacks to much more than its size: what is read of it is limited too, so a
# small file cannot expand into gigabytes of XML (a "zip bomb").
MAX_UNPACKED_BYTES = 250 * 1024 * 1024
MAX_CELL_CHARS = 32_767  # what an Excel cell can hold
MAX_COLUMNS = 1_024
MAX_SHEETS = 200
# An .xlsx keeps each different text once, in its shared strings, and cells point at them: they are
# all held while the sheets are read, so their number and their size are limited.
MAX_SHARED_STRINGS = 1_000_000
MAX_SHARED_CHARS = 50_000_000
# The most rows Excel and LibreOffice give a sheet: rows written out, empty or not, are counted against it.
MAX_WRITTEN_ROWS = 1_048_576
# Label and header rows a sheet may have above its table, beyond the row limit.
HEADER_ROWS = 30

CHUNK = 64 * 1024
XLSX_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
OFFICE_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def _x(name):
    return f"{XLSX_MAIN} {name}"


# The workbook's element names as the parser gives them ("uri name"), made once: the handlers compare
# them at every element of every sheet.
_SHEET, _WORKBOOK_PROPERTIES, _NUMBER_FORMAT, _CELL_FORMATS, _CELL_FORMAT = map(
    _x, ["sheet", "workbookPr", "numFmt", "cellXfs", "xf"]
)
_ROW, _CELL, _CELL_VALUE, _FORMULA, _TEXT_RUN, _INLINE_STRING, _PHONETIC, _STRING_ITEM = map(
    _x, ["row", "c", "v", "f", "t", "is", "rPh", "si"]
)


# Refusals ------------------------------------------------------------------------------------------


def column_letter(index):
    """ "A" for column 0, "AA" for column 26."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def too_many_rows(sheet=None):
    return ImportRefused(
        Problem(
            f"The file has more than {MAX_ROWS:,} rows; the most that can be imported at once is {MAX_ROWS:,}. "
            "Split the plan into several files.",
            sheet=sheet,
        )
    )


def cell_too_large(sheet, row, column):
    return ImportRefused(
        Problem(
            f"this cell holds more than {MAX_CELL_CHARS:,} characters, the most a spreadsheet cell can hold: "
            "shorten it (or link to a document holding the full text) and upload the file again",
            sheet=sheet,
            row=row,
            column=column_letter(column) if column is not None else None,
        )
    )


def too_many_columns(sheet, row):
    return ImportRefused(
        Problem(
            f"this row has something beyond column {column_letter(MAX_COLUMNS - 1)}; the most columns that can be "
            f"read are {MAX_COLUMNS:,}: delete what is beyond them and upload the file again",
            sheet=sheet,
            row=row,
        )
    )


def too_much_unpacked(name="", limit=MAX_UNPACKED_BYTES, advice=None):
    return ImportRefused(
        Problem(
            f"{name or 'The file'} unpacks to more than {limit // 1024 // 1024:,} MB, which is more than "
            + (advice or "any spreadsheet to import needs: save it again as a new workbook.")
        )
    )


def not_a_spreadsheet(name):
    return ImportRefused(
        Problem(f"{name or 'The file'} is not a spreadsheet: upload an Excel workbook (.xlsx), a .csv or an .ods file.")
    )


def xml_declarations():
    return ImportRefused(
        Problem(
            "The file contains XML declarations (entities or a DTD) that spreadsheets saved by Excel or "
            "LibreOffice never have, so it was refused for safety: open it, save it as a new workbook "
            "(.xlsx), and upload that."
        )
    )


def damaged(kind, why):
    label = {"xlsx": "an Excel workbook", "ods": "an .ods spreadsheet", "zip": "a zip archive"}[kind]
    return ImportRefused(Problem(f"The file could not be read as {label} ({why}): is it damaged?"))


# The file's kind and size --------------------------------------------------------------------------


def check_size(content, name=""):
    if len(content) > MAX_BYTES:
        raise ImportRefused(
            Problem(
                f"{name or 'The file'} is {len(content) / 1024 / 1024:.1f} MB; the largest file that can be "
                f"imported is {MAX_BYTES // 1024 // 1024} MB. Split the plan into several files."
            )
        )


def file_kind(content, name=""):
    """ "xlsx", "ods" or "csv", judged from the bytes; refuses anything else."""
    if not content or not content.strip():
        raise ImportRefused(Problem(f"{name or 'The file'} is empty: there is nothing to import."))
    if content[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
                # What the archive declares, refused at once; what it really unpacks to is counted as it is read.
                if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                    raise too_much_unpacked(name)
                if "xl/workbook.xml" in names:
                    return "xlsx"
                if "mimetype" in names and zip_member(archive, "mimetype", Unpacked(name)).read(100).startswith(
                    b"application/vnd.oasis.opendocument.spreadsheet"
                ):
                    return "ods"
        except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError):
            pass
        raise not_a_spreadsheet(name)
    if content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportRefused(
            Problem(
                f"{name or 'The file'} is an old-style Excel 97-2003 (.xls) workbook, which cannot be read: "
                "open it in Excel and save it as an Excel Workbook (.xlsx), then upload that."
            )
        )
    if content[:5] == b"%PDF-" or (b"\x00" in content[:4096] and not content.startswith((b"\xff\xfe", b"\xfe\xff"))):
        raise not_a_spreadsheet(name)
    return "csv"


def sheets(content, name=""):
    """(kind, iterator of (sheet name, rows)) of any spreadsheet upload, after the size and kind checks.

    rows yields (row number, values) for each row holding something; the sheet name is None for a CSV.
    """
    check_size(content, name)
    kind = file_kind(content, name)
    readers = {"xlsx": xlsx_sheets, "ods": ods_sheets, "csv": lambda content, name: [(None, csv_rows(content))]}
    return kind, iter(readers[kind](content, name))


class RowCount:
    """Rows holding something, counted across a file's sheets as they stream."""

    def __init__(self):
        self.rows = 0
        self.sheets = 0
        self.written = 0

    def sheet(self):
        self.sheets += 1
        if self.sheets > MAX_SHEETS:
            raise ImportRefused(Problem(f"The file has more than {MAX_SHEETS:,} sheets: split it into several files."))

    def row(self, sheet=None):
        self.rows += 1
        if self.rows > MAX_ROWS + HEADER_ROWS * max(self.sheets, 1):
            raise too_many_rows(sheet)

    def written_row(self):
        """A row element of the file's XML, empty or not: empty ones cost time to read, if not memory."""
        self.written += 1
        if self.written > MAX_WRITTEN_ROWS:
            raise ImportRefused(
                Problem(
                    f"The file is written with more than {MAX_WRITTEN_ROWS:,} rows (empty ones included), more than "
                    "a spreadsheet can have: save it again as a new workbook."
                )
            )


# Zip parts, read as streams with their unpacked size counted -------------------------------------


class Unpacked:
    """The bytes unpacked so far from one upload's archive, against its limit (MAX_UNPACKED_BYTES unless given)."""

    def __init__(self, name="", limit=MAX_UNPACKED_BYTES, advice=None):
        self.name = name
        self.limit = limit
        self.advice = advice
        self.read = 0

    def add(self, size):
        self.read += size
        if self.read > self.limit:
            raise too_much_unpacked(self.name, self.limit, self.advice)


class zip_member(io.RawIOBase):  # noqa: N801 - used as a function that opens a member
    """A readable stream of one archive member whose unpacked bytes count against `unpacked`."""

    def __init__(self, archive, member, unpacked, kind="xlsx"):
        try:
            self._stream = archive.open(member)
        except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError) as error:
            raise damaged(kind, type(error).__name__) from None
        self._unpacked = unpacked

    def readable(self):
        return True

    def read(self, size=-1):
        data = self._stream.read(CHUNK if size is None or size < 0 else min(size, CHUNK))
        self._unpacked.add(len(data))
        return data

    def chunks(self):
        while data := self.read(CHUNK):
            yield data

    def close(self):
        self._stream.close()
        super().close()


def _parser(handler):
    """An expat parser (namespaces as "uri name") calling `handler`'s start, end and text; declarations refused."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.buffer_size = CHUNK
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.text

    def doctype(name, sysid, pubid, has_internal_subset):
        raise DTDForbidden(name, sysid, pubid)

    def entity(name, is_parameter_entity, value, base, sysid, pubid, notation_name):
        raise EntitiesForbidden(name, value, base, sysid, pubid, notation_name)

    def unparsed(name, base, sysid, pubid, notation_name):
        raise EntitiesForbidden(name, None, base, sysid, pubid, notation_name)

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = unparsed
    parser.ExternalEntityRefHandler = lambda *args: False
    return parser


class _Handler:
    def __init__(self):
        self.done = []

    def take(self):
        done, self.done = self.done, []
        return done

    def start(self, tag, attrs):
        pass

    def end(self, tag):
        pass

    def text(self, data):
        pass


class _Opening(_Handler):
    """Stops at the root element: whatever declarations a part has come before it."""

    class Reached(Exception):
        pass

    def start(self, tag, attrs):
        raise self.Reached


def refuse_declarations(archive, unpacked, kind):
    """Refuse the file if any XML part declares a DTD or entities, reading only each part's opening."""
    for member in archive.namelist():
        if not member.endswith((".xml", ".rels")):
            continue
        parser = _parser(_Opening())
        stream = zip_member(archive, member, unpacked, kind)
        try:
            parser.Parse(stream.read(CHUNK), False)
        except _Opening.Reached:
            pass
        except DefusedXmlException:
            raise xml_declarations() from None
        except (expat.ExpatError, zipfile.BadZipFile, EOFError, ValueError, NotImplementedError):
            pass  # a damaged part is refused when it is read, if it is read
        finally:
            stream.close()


def _parse(stream, handler, kind):
    """Feed `stream` to `handler` chunk by chunk, yielding what the handler finished after each chunk."""
    parser = _parser(handler)
    try:
        for chunk in stream.chunks():
            parser.Parse(chunk, False)
            yield from handler.take()
        parser.Parse(b"", True)
        yield from handler.take()
    except DefusedXmlException:
        raise xml_declarations() from None
    except expat.ExpatError as error:
        raise damaged(kind, expat.ErrorString(error.code)) from None
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError) as error:
        raise damaged(kind, type(error).__name__) from None
    finally:
        stream.close()


class _CellText:
    """The text of one cell as it is parsed, refused once it passes MAX_CELL_CHARS."""

    def __init__(self):
        self.parts = []
        self.size = 0

    def add(self, text, where):
        self.size += len(text)
        if self.size > MAX_CELL_CHARS:
            raise cell_too_large(*where())
        self.parts.append(text)

    def value(self):
        return "".join(self.parts)


def _rows_of(events, count, sheet):
    """(number, values) for each (number, values, repeat) a parser finished, counted as they go."""
    for number, values, repeat in events:
        for offset in range(repeat):
            count.row(sheet)
            yield number + offset, values


def _blank(value):
    return value is None or value == ""


def _trimmed(values):
    while values and _blank(values[-1]):
        values.pop()
    return values


# .xlsx -----------------------------------------------------------------------------------------------


def xlsx_sheets(content, name=""):
    """(sheet name, rows) for each worksheet of an Excel workbook, streamed."""
    archive = zipfile.ZipFile(io.BytesIO(content))
    unpacked = Unpacked(name)
    refuse_declarations(archive, unpacked, "xlsx")
    count = RowCount()
    workbook = _XlsxWorkbook()
    relationships = _XlsxRelationships()
    styles = _XlsxStyles()
    for member, handler in (
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", relationships),
        ("xl/styles.xml", styles),
    ):
        if member in archive.NameToInfo:
            for _ in _parse(zip_member(archive, member, unpacked), handler, "xlsx"):
                pass
    strings = []
    if "xl/sharedStrings.xml" in archive.NameToInfo:
        for text in _parse(zip_member(archive, "xl/sharedStrings.xml", unpacked), _XlsxStrings(), "xlsx"):
            strings.append(text)
    epoch = datetime.datetime(1904, 1, 1) if workbook.date1904 else datetime.datetime(1899, 12, 30)
    for title, relationship in workbook.sheets:
        target = relationships.worksheets.get(relationship)
        if target is None or target not in archive.NameToInfo:
            continue
        count.sheet()
        handler = _XlsxSheet(title, strings, styles.date_styles(), epoch, count)
        yield title, _rows_of(_parse(zip_member(archive, target, unpacked), handler, "xlsx"), count, title)


class _XlsxWorkbook(_Handler):
    def __init__(self):
        super().__init__()
        self.sheets = []
        self.date1904 = False

    def start(self, tag, attrs):
        if tag == _SHEET:
            self.sheets.append((attrs.get("name", ""), attrs.get(f"{OFFICE_RELATIONSHIPS} id")))
        elif tag == _WORKBOOK_PROPERTIES:
            self.date1904 = attrs.get("date1904", "").lower() in ("1", "true")


class _XlsxRelationships(_Handler):
    def __init__(self):
        super().__init__()
        self.worksheets = {}

    def start(self, tag, attrs):
        if tag == f"{PACKAGE_RELATIONSHIPS} Relationship" and attrs.get("Type", "").endswith("/worksheet"):
            target = attrs.get("Target", "")
            self.worksheets[attrs.get("Id")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"


class _XlsxStyles(_Handler):
    """Which cell styles show a number as a date: numbers in them are read as dates, as Excel shows them."""

    def __init__(self):
        super().__init__()
        self.formats = {}
        self.styles = []
        self.in_cell_styles = False

    def start(self, tag, attrs):
        if tag == _NUMBER_FORMAT:
            self.formats[attrs.get("numFmtId")] = attrs.get("formatCode", "")
        elif tag == _CELL_FORMATS:
            self.in_cell_styles = True
        elif tag == _CELL_FORMAT and self.in_cell_styles:
            if len(self.styles) >= 65_536:  # more than Excel allows
                raise damaged("xlsx", "too many cell styles")
            self.styles.append(attrs.get("numFmtId", "0"))

    def end(self, tag):
        if tag == _CELL_FORMATS:
            self.in_cell_styles = False

    def date_styles(self):
        dates = set()
        for index, format_id in enumerate(self.styles):
            code = self.formats.get(format_id)
            if code is None and format_id.isdigit():
                code = BUILTIN_FORMATS.get(int(format_id))
            if code and is_date_format(code):
                dates.add(index)
        return dates


class _XlsxStrings(_Handler):
    """Each shared string in turn; refused past MAX_SHARED_STRINGS or MAX_SHARED_CHARS.

    A string longer than a cell may be is kept as TOO_LONG, so the cell using it is named when refused.
    """

    TOO_LONG = object()

    def __init__(self):
        super().__init__()
        self.count = 0
        self.chars = 0
        self.parts = None
        self.size = 0
        self.phonetic = 0
        self.in_text = False

    def start(self, tag, attrs):
        if tag == _STRING_ITEM:
            self.count += 1
            if self.count > MAX_SHARED_STRINGS:
                raise ImportRefused(
                    Problem(
                        f"The workbook's table of texts (its shared strings) holds more than {MAX_SHARED_STRINGS:,} "
                        "entries, more than any spreadsheet to import needs: save it again as a new workbook, or "
                        "split it."
                    )
                )
            self.parts, self.size = [], 0
        elif tag == _PHONETIC:
            self.phonetic += 1
        elif tag == _TEXT_RUN and not self.phonetic:
            self.in_text = True

    def end(self, tag):
        if tag == _STRING_ITEM:
            self.done.append(self.TOO_LONG if self.size > MAX_CELL_CHARS else "".join(self.parts))
            self.parts = None
        elif tag == _PHONETIC:
            self.phonetic -= 1
        elif tag == _TEXT_RUN:
            self.in_text = False

    def text(self, data):
        if not self.in_text or self.parts is None:
            return
        self.chars += len(data)
        if self.chars > MAX_SHARED_CHARS:
            raise ImportRefused(
                Problem(
                    f"The workbook's texts come to more than {MAX_SHARED_CHARS:,} characters, more than any "
                    "spreadsheet to import needs: split it into several files."
                )
            )
        self.size += len(data)
        if self.size <= MAX_CELL_CHARS:
            self.parts.append(data)


_COLUMN = re.compile(r"([A-Z]+)")


class _XlsxSheet(_Handler):
    """A worksheet's rows as (number, values, 1), values as Excel shows them (a formula as its text)."""

    def __init__(self, title, strings, date_styles, epoch, count):
        super().__init__()
        self.count = count
        self.title = title
        self.strings = strings
        self.date_styles = date_styles
        self.epoch = epoch
        self.number = 0
        self.values = None
        self.column = -1
        self.cell = None
        self.collecting = None  # the _CellText that text goes to, if any
        self.phonetic = False

    def _where(self):
        return self.title, self.number, self.column

    def start(self, tag, attrs):
        if tag == _ROW:
            reference = attrs.get("r")
            self.number = int(reference) if reference and reference.isdigit() else self.number + 1
            self.values = []
            self.column = -1
        elif tag == _CELL and self.values is not None:
            reference = attrs.get("r")
            match = _COLUMN.match(reference) if reference else None
            if match:
                self.column = 0
                for letter in match.group(1):
                    self.column = self.column * 26 + ord(letter) - 64
                self.column -= 1
            else:
                self.column += 1
            self.cell = {"t": attrs.get("t", "n"), "s": attrs.get("s"), "v": None, "f": None, "is": None}
        elif self.cell is not None and tag in (_CELL_VALUE, _FORMULA):
            self.collecting = self.cell[tag[-1]] = _CellText()
        elif self.cell is not None and tag == _INLINE_STRING:
            self.cell["is"] = _CellText()
        elif self.cell is not None and tag == _TEXT_RUN and self.cell["is"] is not None and not self.phonetic:
            self.collecting = self.cell["is"]
        elif tag == _PHONETIC:
            self.phonetic = True  # phonetic guides are not the cell's text

    def text(self, data):
        if self.collecting is not None:
            self.collecting.add(data, self._where)

    def end(self, tag):
        if tag in (_CELL_VALUE, _FORMULA, _TEXT_RUN):
            self.collecting = None
        elif tag == _PHONETIC:
            self.phonetic = False
        elif tag == _CELL and self.cell is not None:
            value = self._value(self.cell)
            self.cell = None
            if not _blank(value):
                if self.column >= MAX_COLUMNS:
                    raise too_many_columns(self.title, self.number)
                if self.column >= len(self.values):
                    self.values.extend([None] * (self.column + 1 - len(self.values)))
                self.values[self.column] = value
        elif tag == _ROW and self.values is not None:
            self.count.written_row()
            if _trimmed(self.values):
                self.done.append((self.number, tuple(self.values), 1))
            self.values = None

    def _value(self, cell):
        kind = cell["t"]
        text = cell["v"].value() if cell["v"] is not None else None
        if cell["f"] is not None and cell["f"].size:
            return "=" + cell["f"].value()
        if kind == "inlineStr":
            return cell["is"].value() if cell["is"] is not None else None
        if text is None or text == "":
            return None
        try:
            if kind == "s":
                value = self.strings[int(text)]
                if value is _XlsxStrings.TOO_LONG:
                    raise cell_too_large(*self._where())
                return value
            if kind in ("str", "e"):
                return text
            if kind == "b":
                return bool(int(text))
            if kind == "d":
                return from_ISO8601(text)
            number = float(text) if ("." in text or "e" in text or "E" in text) else int(text)
        except (IndexError, ValueError) as error:
            raise damaged("xlsx", f"cell {column_letter(self.column)}{self.number}: {type(error).__name__}") from None
        if cell["s"] and cell["s"].isdigit() and int(cell["s"]) in self.date_styles:
            try:
                return from_excel(number, self.epoch)
            except (OverflowError, ValueError):
                return "#VALUE!"
        return number


# .ods ------------------------------------------------------------------------------------------------


def ods_sheets(content, name=""):
    """(sheet name, rows) for each table of an OpenDocument spreadsheet, streamed from content.xml."""
    archive = zipfile.ZipFile(io.BytesIO(content))
    if "content.xml" not in archive.NameToInfo:
        raise damaged("ods", "it has no content")
    unpacked = Unpacked(name)
    refuse_declarations(archive, unpacked, "ods")
    count = RowCount()
    events = _parse(zip_member(archive, "content.xml", unpacked, "ods"), _OdsContent(count), "ods")
    pending = next(events, None)
    while pending is not None:
        if pending[0] != "table":
            pending = next(events, None)  # the rest of a table its reader stopped reading
            continue
        title = pending[1]
        count.sheet()
        box = [None]

        def rows(title=title, box=box):
            for event in events:
                if event[0] == "table":
                    box[0] = event
                    return
                yield event[1:]
            box[0] = None

        yield title, _rows_of(rows(), count, title)
        pending = next(events, None) if box[0] is None else box[0]


class _OdsContent(_Handler):
    """("table", name) as each table starts, then ("row", number, values, repeat) for its rows."""

    def __init__(self, count):
        super().__init__()
        self.count = count
        self.title = None
        self.number = 0
        self.values = None
        self.repeat = 1
        self.column = 0
        self.cell = None
        self.paragraph_depth = 0
        self.depth = 0
        self.cell_depth = None

    def _where(self):
        return self.title, self.number + 1, self.column

    def start(self, tag, attrs):
        self.depth += 1
        if tag == f"{TABLE} table":
            self.title = attrs.get(f"{TABLE} name", "")
            self.number = 0
            self.done.append(("table", self.title))
        elif tag == f"{TABLE} table-row":
            self.values = []
            self.column = 0
            self.repeat = _count(attrs.get(f"{TABLE} number-rows-repeated"))
        elif tag in (f"{TABLE} table-cell", f"{TABLE} covered-table-cell") and self.values is not None:
            self.cell = {
                "type": attrs.get(f"{OFFICE} value-type"),
                "value": attrs.get(f"{OFFICE} value"),
                "date": attrs.get(f"{OFFICE} date-value"),
                "repeat": _count(attrs.get(f"{TABLE} number-columns-repeated")),
                "text": _CellText(),
                "paragraphs": 0,
            }
            self.cell_depth = self.depth
        elif self.cell is not None:
            if tag == f"{TEXT} p" and self.depth == self.cell_depth + 1:
                if self.cell["paragraphs"]:
                    self.cell["text"].add("\n", self._where)
                self.cell["paragraphs"] += 1
                self.paragraph_depth = self.depth
            elif self.paragraph_depth and tag == f"{TEXT} s":
                self.cell["text"].add(" " * min(_count(attrs.get(f"{TEXT} c")), MAX_CELL_CHARS + 1), self._where)
            elif self.paragraph_depth and tag == f"{TEXT} line-break":
                self.cell["text"].add("\n", self._where)
            elif self.paragraph_depth and tag == f"{TEXT} tab":
                self.cell["text"].add("\t", self._where)
            elif self.paragraph_depth and tag == f"{OFFICE} annotation":
                self.paragraph_depth = -self.paragraph_depth  # a comment's text is not the cell's

    def text(self, data):
        if self.cell is not None and self.paragraph_depth > 0:
            self.cell["text"].add(data, self._where)

    def end(self, tag):
        if tag == f"{TEXT} p" and self.paragraph_depth == self.depth:
            self.paragraph_depth = 0
        elif tag == f"{OFFICE} annotation" and self.paragraph_depth < 0:
            self.paragraph_depth = -self.paragraph_depth
        elif tag in (f"{TABLE} table-cell", f"{TABLE} covered-table-cell") and self.cell is not None:
            value = self._value(self.cell)
            repeat = self.cell["repeat"]
            self.cell = None
            if _blank(value):
                self.column += repeat  # empty repeats cost nothing
            else:
                if self.column + repeat > MAX_COLUMNS:
                    raise too_many_columns(self.title, self.number + 1)
                self.values.extend([None] * (self.column - len(self.values)))
                self.values.extend([value] * repeat)
                self.column += repeat
        elif tag == f"{TABLE} table-row" and self.values is not None:
            self.count.written_row()
            if _trimmed(self.values):
                self.done.append(("row", self.number + 1, tuple(self.values), self.repeat))
            self.number += self.repeat  # empty repeats cost nothing
            self.values = None
        self.depth -= 1

    def _value(self, cell):
        kind = cell["type"]
        try:
            if kind in ("float", "percentage") and cell["value"] is not None:
                value = float(cell["value"])
                return int(value) if value.is_integer() and kind == "float" else value
            if kind == "date" and cell["date"]:
                text = cell["date"]
                return datetime.datetime.fromisoformat(text) if "T" in text else datetime.date.fromisoformat(text)
        except (ValueError, OverflowError):
            raise damaged("ods", f"a cell in row {self.number + 1} holds {kind} that cannot be read") from None
        return cell["text"].value()


def _count(text):
    """A repeat count from the file: at least 1, whatever is written."""
    try:
        return max(int(text), 1) if text else 1
    except ValueError:
        return 1


# .csv ------------------------------------------------------------------------------------------------

# Shift-JIS kana read as Windows-1252 come out as "‚" or "ƒ" followed by a letter from the top half of
# the table: sequences no English, French or Welsh text has.
_SHIFT_JIS_KANA = re.compile(rb"[\x82\x83][\x80-\xfc]")


def decode_text(content):
    """CSV bytes as text: UTF-16 (with its byte-order mark), UTF-8 (with or without one), else Windows-1252.

    Refuses, naming the row, bytes that are none of these cleanly (another encoding read as Windows-1252
    would come out garbled).
    """
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            raise ImportRefused(
                Problem(
                    "The file starts as UTF-16 text but is damaged or cut short: save it again from Excel as "
                    '"CSV UTF-8" and upload that.'
                )
            ) from None
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = content.decode("cp1252")
    except UnicodeDecodeError as error:
        raise _not_text(content, error.start) from None
    if found := _SHIFT_JIS_KANA.search(content):
        raise _not_text(content, found.start())
    return text


def _not_text(content, at):
    return ImportRefused(
        Problem(
            "this row is not text in UTF-8 or Windows-1252, the encodings Excel saves CSV files in (it may be in "
            'another, such as Shift-JIS): save the file from Excel as "CSV UTF-8" and upload that',
            row=content.count(b"\n", 0, at) + 1,
        )
    )


def csv_rows(content):
    """(row number, values) for each record of a CSV holding something, counted as they stream.

    Comma, semicolon or tab separated, told from the first lines; quoted with double quotes.
    """
    text = decode_text(content)
    # Only the separator is sniffed: spreadsheets quote with double quotes, and the sniffer takes
    # apostrophes at the start of cells (formula escaping writes them) for quotes.
    try:
        delimiter = csv.Sniffer().sniff(text[:8192], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text), csv.excel, delimiter=delimiter)
    count = RowCount()
    number = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                raise cell_too_large(None, reader.line_num, None) from None
            raise
        number += 1
        if not any(values):
            continue
        for column, value in enumerate(values):
            if len(value) > MAX_CELL_CHARS:
                raise cell_too_large(None, number, column)
        if len(values) > MAX_COLUMNS and any(values[MAX_COLUMNS:]):
            raise too_many_columns(None, number)
        count.row()
        yield number, values


def csv_stream_rows(stream, name, *, max_rows=MAX_WRITTEN_ROWS):
    """(row number, values) for each record of a comma-separated UTF-8 stream holding something, read as it streams.

    For files published by machines (police.uk's), too large to hold whole: UTF-8 with or without a
    byte-order mark, commas; `name` is the file's name, for the problems.
    """
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="strict", newline="")
    reader = csv.reader(text)
    number = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError:
            raise ImportRefused(
                Problem(f"{name}: the file is not UTF-8 text after row {number}: is it damaged? Download it again.")
            ) from None
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                raise cell_too_large(name, reader.line_num, None) from None
            raise ImportRefused(
                Problem(f"{name}, row {number + 1}: this row cannot be read as CSV ({error}).")
            ) from None
        number += 1
        if not any(values):
            continue
        if number > max_rows:
            raise ImportRefused(
                Problem(
                    f"{name} has more than {max_rows:,} rows, more than any file of its kind has: is it the right file?"
                )
            )
        for column, value in enumerate(values):
            if len(value) > MAX_CELL_CHARS:
                raise cell_too_large(name, number, column)
        if len(values) > MAX_COLUMNS and any(values[MAX_COLUMNS:]):
            raise too_many_columns(name, number)
        yield number, values


__all__ = [
    "HEADER_ROWS",
    "MAX_BYTES",
    "MAX_CELL_CHARS",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "MAX_SHARED_CHARS",
    "MAX_SHARED_STRINGS",
    "MAX_UNPACKED_BYTES",
    "check_size",
    "csv_rows",
    "csv_stream_rows",
    "decode_text",
    "file_kind",
    "sheets",
    "zip_member",
]
