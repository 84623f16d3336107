"""Readying a process to serve requests (swp/wsgi.py runs this in every gunicorn worker)."""

import gc
from pathlib import Path

from django.conf import settings
from django.template.loader import get_template
from django.urls import get_resolver


def settle():
    """Load what every request needs, then hide it from Python's cycle collector.

    A full collection walks every object the process holds. Once Django, the URL patterns and the
    compiled templates are loaded, that is hundreds of thousands of objects that live as long as the
    process, and walking them added 40-70 ms to whichever request triggered it (the dashboard makes
    enough objects to trigger one every time). gc.freeze() moves them out of the collector's sight.
    """
    get_resolver().url_patterns  # imports every view module  # noqa: B018
    for folder in settings.TEMPLATES[0]["DIRS"]:
        for path in sorted(Path(folder).rglob("*.html")):
            get_template(path.relative_to(folder).as_posix())
    gc.collect()
    gc.freeze()
