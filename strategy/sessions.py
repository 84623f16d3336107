"""The idle timeout: a signed-in session lasts SESSION_COOKIE_AGE seconds from its last use.

A database session's expiry is set when it is saved. Saving it on every request (Django's
SESSION_SAVE_EVERY_REQUEST) would make every page a write, which on SQLite queues each reader behind
every other writer; instead a request saves the session only when a minute has passed since the last
save, so the timeout runs from the last use to within that minute.
"""

import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

# The session key holding when its expiry was last pushed on (seconds since the epoch).
KEPT_ALIVE_AT = "kept_alive_at"
KEEP_ALIVE_EVERY = 60  # seconds


def keep_alive(session):
    """Mark `session` to be saved, and so its expiry pushed on, if a minute has passed since it was."""
    now = int(time.time())
    if now - session.get(KEPT_ALIVE_AT, 0) >= KEEP_ALIVE_EVERY:
        session[KEPT_ALIVE_AT] = now


class IdleTimeoutMiddleware:
    """After SessionMiddleware: keeps a session that is in use alive (an anonymous reader has none)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.session.is_empty():
            keep_alive(request.session)
        return response


@receiver(user_logged_in, dispatch_uid="swp_session_kept_alive_at_sign_in")
def _kept_alive_at_sign_in(sender, request, user, **kwargs):
    # Signing in saves the session: its first page after need not save it again.
    if request is not None and hasattr(request, "session"):
        keep_alive(request.session)
