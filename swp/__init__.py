"""The swp project: settings, root URLs and the WSGI entry point."""

import os

# openpyxl parses with lxml whenever lxml is installed (python-docx needs it), and with defusedxml
# otherwise. defusedxml refuses entity and DTD tricks outright, so spreadsheets keep being read with
# it; set before anything imports openpyxl, which reads this once.
os.environ.setdefault("OPENPYXL_LXML", "False")
