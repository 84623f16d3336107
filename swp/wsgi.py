"""WSGI entry point for gunicorn (see gunicorn.conf.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "swp.settings")

application = get_wsgi_application()

from swp.runtime import settle  # noqa: E402  (needs the settings that get_wsgi_application set up)

settle()
