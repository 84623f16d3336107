"""gunicorn's access log as one JSON object per line (gunicorn.conf.py names this logger class)."""

import json

from gunicorn.glogging import Logger, SafeAtoms


class JsonAtoms(SafeAtoms):
    """The access log's values escaped for the inside of a JSON string: gunicorn's own SafeAtoms
    escapes only double quotes, so a backslash or a control character in a path (anyone can ask
    for /\\) broke the line for whatever reads the log."""

    def __init__(self, atoms):
        dict.__init__(self)
        for key, value in atoms.items():
            self[key] = json.dumps(value)[1:-1] if isinstance(value, str) else value


class JsonAccessLogger(Logger):
    atoms_wrapper_class = JsonAtoms
