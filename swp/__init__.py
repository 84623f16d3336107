"""The swp project: settings, root URLs and the WSGI entry point."""
