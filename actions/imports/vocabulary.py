"""The words councils use in their action-plan spreadsheets, and what each means here.

Header names, status and RAG words, "Complete" flags, objective numbers, lead cells, progress
figures and quarterly update columns. Everything here is a pure function of a cell's text, so it
is tested table by table without a database.
"""

import functools
import re
from dataclasses import dataclass

from actions.imports.pipeline import header_key, synonym_keys
from actions.models import RAG, RATED_STATUSES, ActionPlanImport, Status
from strategy.dates import full_year
from strategy.models import name_key

# Header names -------------------------------------------------------------------------------

# Each field the importer reads, with the header names councils give it, best first. Names are
# compared by `header_key`: case, spacing and punctuation ignored, "%" read as "percent".
HEADER_SYNONYMS = {
    "delivery_group": ["Delivery group", "Group", "Delivery group name", "Theme group"],
    "objective": ["Objective", "Objectives", "Objective(s)", "Strategic objective"],
    "ref": ["Ref", "Reference", "Ref no", "Action ref", "Action reference", "Action no", "Action number", "No"],
    "action": ["Action", "Actions", "Action(s)", "Action text", "Activity"],
    "lead": [
        "Lead",
        "Leads",
        "Lead officer",
        "Lead officers",
        "Owner",
        "Action owner",
        "Responsible",
        "Responsible officer",
    ],
    "lead_agency": ["Lead agency", "Lead organisation", "Agency"],
    "kpi": [
        "KPI",
        "KPIs",
        "Measure",
        "Measures",
        "KPI/Measure",
        "KPI / Measure",
        "Success measure",
        "Success measures",
        "Performance measure",
    ],
    "deadline": ["Deadline", "Deadlines", "Due", "Timescale", "Timescales", "Target date", "Due date"],
    "status": ["Status", "Current status", "Action status"],
    "rag": ["RAG", "RAG status", "RAG rating", "RAG/Status", "Status/RAG", "Rating"],
    "complete": ["Complete", "Completed", "Complete Y/N", "Completed Y/N", "Complete (Y/N)", "Done"],
    "progress": ["Progress", "Progress (%)", "Progress %", "% complete", "Percent complete"],
    "commentary": ["Progress update", "Commentary", "Update", "Latest update", "Comments", "Progress commentary"],
    "baseline": ["Baseline"],
    "target": ["Target"],
    "notes": ["Notes", "Note"],
    "marking": ["Marking", "Handling marking", "Classification"],
    # The markings of what holds the action, which the export writes on every row.
    "group_marking": ["Group marking", "Delivery group marking"],
    "objective_marking": ["Objective marking"],
    "strategy_marking": ["Strategy marking"],
}
# The columns giving the markings of what holds an action, the outermost first.
HOLDER_MARKINGS = ["strategy_marking", "group_marking", "objective_marking"]
# What the officer is told a header row should contain.
REQUIRED_FIELDS = ["objective", "action"]
EXPECTED_HEADERS = "Objective, Action, Lead, KPI and Deadline"
FIELD_LABELS = {field: names[0] for field, names in HEADER_SYNONYMS.items()}
# A column the export writes that is worked out from another, so the importer reads it from there.
DERIVED_HEADERS = {"duedate": "deadline"}
# Rows above the table whose first cell is one of these set the group's details.
LABELS = {
    "chair": ["Chair", "Chaired by", "Group chair"],
    "aim": ["Aim", "Aims", "Group aim"],
    "principles": ["Cross Cutting Principles", "Cross-cutting principles", "Principles"],
    "delivery_group": ["Delivery group", "Group"],
}


HEADER_KEYS = synonym_keys(HEADER_SYNONYMS)
HEADER_KEYS["duedate"] = "deadline"
LABEL_KEYS = synonym_keys(LABELS)

QUARTER_HEADER = re.compile(
    r"^(?:q|quarter)(?P<quarter>[1-4])"
    r"(?P<year>\d{4}(?:\d{2}|\d{4})?|\d{2}\d{2})?"
    r"(?:update|updates|progress|progressupdate|commentary|comments)?$"
)
QUARTER_HEADER_YEAR_FIRST = re.compile(
    r"^(?P<year>\d{4}(?:\d{2}|\d{4})?)(?:q|quarter)(?P<quarter>[1-4])"
    r"(?:update|updates|progress|progressupdate|commentary|comments)?$"
)

# "18/19" in "Q2 18/19": a financial year written with two-digit years.
SHORT_FINANCIAL_YEAR = re.compile(r"(?<!\d)(?P<first>\d{2})\s*[/-]\s*(?P<second>\d{2})(?!\d)")


@dataclass(frozen=True)
class QuarterColumn:
    """A "Q1 update" column: quarter 1-4 of a financial year (Q1 is April to June)."""

    quarter: int
    year: int | None  # the calendar year the financial year starts in, when the header names it


def quarter_column(header):
    """The quarter a "Q2 update" / "Q2 2018/19 update" header names, or None."""
    key = header_key(header)
    match = QUARTER_HEADER.match(key) or QUARTER_HEADER_YEAR_FIRST.match(key)
    if not match:
        return None
    year = match["year"]
    start = None
    if short := SHORT_FINANCIAL_YEAR.search(str(header)):
        start = full_year(short["first"])
    elif year:
        start = int(year[:4])
    return QuarterColumn(quarter=int(match["quarter"]), year=start)


def header_field(text):
    """The field a header names ("lead", "deadline"...), a QuarterColumn, or None if unknown."""
    key = header_key(text)
    if not key:
        return None
    return HEADER_KEYS.get(key) or quarter_column(text)


# Status and RAG --------------------------------------------------------------------------------


# How a file's "Blue" is read: complete (the usual), or on track within target (green); the choice
# the import records, under a shorter name for the readers.
BlueMeans = ActionPlanImport.BlueMeans


def word_key(text):
    return re.sub(r"[^0-9a-z]+", " ", str(text or "").casefold()).strip()


# word -> (status or None, rag or "")
STATUS_WORDS = {
    "r": (None, RAG.RED),
    "red": (None, RAG.RED),
    "off track": (None, RAG.RED),
    "offtrack": (None, RAG.RED),
    "a": (None, RAG.AMBER),
    "amber": (None, RAG.AMBER),
    "at risk": (None, RAG.AMBER),
    "g": (None, RAG.GREEN),
    "green": (None, RAG.GREEN),
    "on track": (None, RAG.GREEN),
    "ontrack": (None, RAG.GREEN),
    "complete": (Status.COMPLETE, ""),
    "completed": (Status.COMPLETE, ""),
    "done": (Status.COMPLETE, ""),
    "closed": (Status.COMPLETE, ""),
    "finished": (Status.COMPLETE, ""),
    "c": (Status.COMPLETE, ""),
    "ongoing": (Status.ONGOING, ""),
    "on going": (Status.ONGOING, ""),
    "business as usual": (Status.ONGOING, ""),
    "bau": (Status.ONGOING, ""),
    "in progress": (Status.IN_PROGRESS, ""),
    "inprogress": (Status.IN_PROGRESS, ""),
    "started": (Status.IN_PROGRESS, ""),
    "underway": (Status.IN_PROGRESS, ""),
    "under way": (Status.IN_PROGRESS, ""),
    "not started": (Status.NOT_STARTED, ""),
    "not yet started": (Status.NOT_STARTED, ""),
    "grey": (Status.NOT_STARTED, ""),
    "gray": (Status.NOT_STARTED, ""),
    "deferred": (Status.DEFERRED, ""),
    "postponed": (Status.DEFERRED, ""),
    "withdrawn": (Status.WITHDRAWN, ""),
    "cancelled": (Status.WITHDRAWN, ""),
    "canceled": (Status.WITHDRAWN, ""),
    "stopped": (Status.WITHDRAWN, ""),
}
BLUE_WORDS = {"b", "blue"}
STATUS_HELP = "Red, Amber, Green, Blue, Complete, Ongoing, In progress, Not started, Deferred or Withdrawn"


def is_blue(text):
    return word_key(text) in BLUE_WORDS


def read_status_word(text, *, blue_means=BlueMeans.COMPLETE):
    """(status or None, rag or "") for a Status, RAG or combined cell; None when the cell is blank.

    Raises ValueError for a word it does not know.
    """
    key = word_key(text)
    if not key:
        return None
    if key in BLUE_WORDS:
        return (None, RAG.GREEN) if blue_means == BlueMeans.GREEN else (Status.COMPLETE, "")
    if key in STATUS_WORDS:
        status, rag = STATUS_WORDS[key]
        return (Status(status) if status else None, RAG(rag) if rag else "")
    # "Complete - Green", "In progress (Amber)": a status word with a RAG word.
    words = key.split(" ")
    for cut in range(1, len(words)):
        first, second = " ".join(words[:cut]), " ".join(words[cut:])
        if first in STATUS_WORDS and second in STATUS_WORDS:
            status = STATUS_WORDS[first][0] or STATUS_WORDS[second][0]
            rag = STATUS_WORDS[first][1] or STATUS_WORDS[second][1]
            return (Status(status) if status else None, RAG(rag) if rag else "")
    raise ValueError(f"{str(text).strip()} is not a status or RAG rating (use {STATUS_HELP})")


YES_WORDS = {"y", "yes", "true", "1", "x", "complete", "completed", "done", "\u2713", "\u2714"}
NO_WORDS = {"", "n", "no", "false", "0", "not complete", "incomplete"}


def read_complete_flag(value):
    """True for "Y" in a Complete Y/N column, False for "N" or blank."""
    if value is True or value is False:
        return value
    text = str(value if value is not None else "").strip()
    key = word_key(text) or text
    if key in YES_WORDS:
        return True
    if key in NO_WORDS:
        return False
    raise ValueError(f"{str(value).strip()} is not Y or N")


def combine_status(*, current_status, status_cell=None, rag_cell=None, complete=False):
    """The (status, rag) a row gives, or None when it gives neither.

    `status_cell` and `rag_cell` are results of `read_status_word`; a RAG without a status keeps a
    rated current status (Ongoing stays Ongoing) and otherwise means In progress.
    """
    given = [cell for cell in (status_cell, rag_cell) if cell is not None]
    if not given and not complete:
        return None
    status = next((cell[0] for cell in given if cell[0]), None)
    rag = next((cell[1] for cell in (rag_cell, status_cell) if cell is not None and cell[1]), "")
    if complete:
        status = Status.COMPLETE
    if status is None:
        status = current_status if current_status in RATED_STATUSES else Status.IN_PROGRESS
    if status not in RATED_STATUSES:
        rag = ""
    return Status(status), RAG(rag) if rag else ""


# Progress --------------------------------------------------------------------------------------


def read_progress(value):
    """A percentage 0-100 from "50", "50%", 50 or 0.5 (an Excel percentage cell); None when blank."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value} is not a percentage")
    if isinstance(value, (int, float)):
        number = float(value)
        if isinstance(value, float) and 0 < number < 1:
            number *= 100
    else:
        text = str(value).strip().rstrip("%").strip()
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{str(value).strip()} is not a percentage (write a number from 0 to 100)") from None
    if not 0 <= number <= 100:
        raise ValueError(f"{value} is not between 0 and 100")
    return round(number)


# Objectives ------------------------------------------------------------------------------------

OBJECTIVE_NUMBER = re.compile(
    r"^\s*(?:objective\s*)?(?P<number>\d{1,3})(?:\s*[.):]\s*|\s+|$)(?P<title>.*)$", re.IGNORECASE | re.DOTALL
)


def read_objective(text):
    """(number or None, title) from "1 Improving...", "2. Provide...", "3) Review..."."""
    text = clean_text(text)
    match = OBJECTIVE_NUMBER.match(text)
    if match and 0 < int(match["number"]) < 1000:
        return int(match["number"]), clean_text(match["title"])
    return None, text


# Leads -----------------------------------------------------------------------------------------

# Plans repeat the same few hundred names thousands of times: work each key out once.
cached_name_key = functools.lru_cache(maxsize=8192)(name_key)

# "/" and ";" always part two leads. Commas, "and", "&" and line breaks part them only when the
# whole does not name a known person: a team may be called "MARAC & MAPPA chairs".
LEAD_SEPARATORS = re.compile(r"\s*(?:/|;)\s*")
LEAD_SOFT_SEPARATORS = re.compile(r"\s*(?:,|&|\n|\band\b)\s*", re.IGNORECASE)
LEAD_NOTE = re.compile(r"^(?P<name>[^()]*?)\s*\((?P<note>[^()]*)\)\s*$")
NO_LEAD = {"", "?", "??", "tbc", "tbd", "unknown", "n/a", "na"}
LEAD_NOTE_LENGTH = 200


@dataclass(frozen=True)
class LeadName:
    """One lead a cell names, with the note in brackets after it ("awaiting confirmation")."""

    name: str
    note: str = ""


@dataclass(frozen=True)
class LeadChunk:
    """The text between two "/" of a lead cell: one lead as a whole, or several as its parts."""

    whole: LeadName
    parts: tuple


def _lead_name(text):
    text = re.sub(r"\s+", " ", text).strip()
    note = ""
    if match := LEAD_NOTE.match(text):
        text, note = match["name"].strip(), match["note"].strip()
    if text.casefold() in NO_LEAD or not text.strip("?"):
        return None
    return LeadName(text, note[:LEAD_NOTE_LENGTH])


def read_lead_chunks(value):
    """The chunks of a lead cell (see `LeadChunk`), in order; "?" or blank is no lead."""
    text = str(value or "").replace("\r\n", "\n").replace("\r", "\n")
    # A note in brackets may be wrapped onto lines of its own: it stays one note.
    text = re.sub(r"\([^()]*\)", lambda match: " ".join(match[0].split()), text)
    text = re.sub(r"\n\s*(?=\()", " ", text)
    chunks = []
    for piece in LEAD_SEPARATORS.split(text):
        whole = _lead_name(piece)
        if whole is None:
            continue
        parts = tuple(part for part in map(_lead_name, LEAD_SOFT_SEPARATORS.split(piece)) if part is not None)
        chunks.append(LeadChunk(whole=whole, parts=parts or (whole,)))
    return chunks


def choose_leads(chunks, *, known=frozenset()):
    """The leads a cell names, as LeadNames in order without repeats.

    A chunk is one lead when its whole names someone in `known` (name keys), else one lead per part:
    "Mick Wright, Mike Wilkins" is two people, "MARAC & MAPPA chairs" one if the partnership has it.
    """
    leads, seen = [], set()
    for chunk in chunks:
        whole_key = cached_name_key(chunk.whole.name)
        for lead in (chunk.whole,) if whole_key in known or len(chunk.parts) == 1 else chunk.parts:
            key = cached_name_key(lead.name)
            if key not in seen:
                seen.add(key)
                leads.append(lead)
    return leads


def read_leads(value, *, known=frozenset()):
    """The lead names a cell holds, in order (see `choose_leads`); "?" or blank is no lead."""
    return [lead.name for lead in choose_leads(read_lead_chunks(value), known=known)]


CHAIR_NOTE_BEFORE = re.compile(r"^(?P<note>interim|acting|vice|deputy|temporary)\s*[,:\-]\s*(?P<name>.+)$", re.I)
CHAIR_NOTE_AFTER = re.compile(r"^(?P<name>.+?)\s*\((?P<note>[^()]+)\)$")


def read_chair(value):
    """(name, note) from "Interim, Sara Sutton" or "Sara Sutton (Interim)"."""
    text = clean_text(value)
    if match := CHAIR_NOTE_BEFORE.match(text):
        return clean_text(match["name"]), match["note"].strip().capitalize()
    if match := CHAIR_NOTE_AFTER.match(text):
        return clean_text(match["name"]), match["note"].strip()
    return text, ""


def format_chair(name, note):
    return f"{name} ({note})" if name and note else name


# Cells -----------------------------------------------------------------------------------------


def clean_text(value):
    """A cell as text: line endings made "\\n", trailing spaces dropped, outer blank lines removed."""
    if value is None:
        return ""
    if isinstance(value, str) and "\r" not in value and " \n" not in value and "\t\n" not in value:
        return value.strip()  # the usual cell: nothing to do but trim
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return text.strip()


def text_key(value):
    """Text compared ignoring case and spacing (how actions and objectives are matched)."""
    return re.sub(r"\s+", " ", str(value or "")).strip().casefold()
