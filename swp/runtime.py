"""Readying a process to serve requests (swp/wsgi.py runs this in every gunicorn worker)."""

from pathlib import Path

from django.conf import settings
from django.template.loader import get_template
from django.urls import get_resolver


def settle():
    """Load what every request needs (the views, the URL patterns, the compiled templates), so a
    worker's first requests are not slower than the rest."""
    get_resolver().url_patterns  # imports every view module  # noqa: B018
    for folder in settings.TEMPLATES[0]["DIRS"]:
        for path in sorted(Path(folder).rglob("*.html")):
            get_template(path.relative_to(folder).as_posix())
