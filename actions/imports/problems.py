"""What the importer says when something is wrong, and where: sheet, row and column.

A `Problem` is one thing wrong with one place in the file; `ImportRefused` carries every problem
of a file the importer will not bring in. Both render in words an officer understands, e.g.
"Sheet 'Offender', row 14, Deadline: 31/02/2018 is not a date".
"""

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Problem:
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    @property
    def place(self):
        parts = []
        if self.sheet:
            parts.append(f"Sheet '{self.sheet}'")
        if self.row:
            parts.append(f"row {self.row}" if parts else f"Row {self.row}")
        if self.column:
            parts.append(self.column)
        return ", ".join(parts)

    def __str__(self):
        return f"{self.place}: {self.message}" if self.place else self.message

    def as_dict(self):
        return {**asdict(self), "text": str(self)}

    @classmethod
    def from_dict(cls, data):
        return cls(message=data["message"], sheet=data.get("sheet"), row=data.get("row"), column=data.get("column"))


# How many problems, or notes, are kept and shown of one file: the rest are counted.
LISTED = 200


def capped(problems, kind="problems"):
    """The first LISTED of `problems`, then one more saying how many were left out."""
    problems = list(problems)
    if len(problems) <= LISTED:
        return problems
    return [*problems[:LISTED], Problem(f"and {len(problems) - LISTED:,} more {kind} like these")]


class ImportRefused(Exception):
    """The file cannot be imported; nothing was saved. `problems` says why, each with its place."""

    def __init__(self, problems):
        self.problems = capped(problems) if isinstance(problems, (list, tuple)) else [problems]
        super().__init__("; ".join(str(problem) for problem in self.problems))
