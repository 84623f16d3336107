"""Formula escaping for every spreadsheet the site writes, and its undoing for every one it reads.

Excel and LibreOffice run a cell as a formula when its first non-blank character is one of
`= + - @` (spaces, tabs and line breaks before it are skipped), and treat a leading tab or carriage
return as the start of one too. Such text goes out with a leading apostrophe, so it opens as text;
the importers take exactly one apostrophe off again, so a download imported back is unchanged.
"""

FORMULA_STARTS = ("=", "+", "-", "@")
FORMULA_LEADS = ("\t", "\r")


def _runs_as_formula(text):
    """Whether a spreadsheet would run `text` once any apostrophes already in front are set aside."""
    text = text.lstrip("'")
    return text.startswith(FORMULA_LEADS) or text.lstrip().startswith(FORMULA_STARTS)


def escape_formula(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe.

    Text that already starts with apostrophes before a formula gets one more, so `unescape_formula`
    (which the importers apply) gives back exactly what was written. Anything but text is as given.
    """
    if isinstance(value, str) and _runs_as_formula(value):
        return "'" + value
    return value


def unescape_formula(value):
    """The text `escape_formula` was given: one leading apostrophe before a formula removed."""
    if isinstance(value, str) and value.startswith("'") and _runs_as_formula(value):
        return value[1:]
    return value
