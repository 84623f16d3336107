"""Structured logs: one JSON line per request, and errors with their traceback, on the server only.

`RequestLogMiddleware` (first in MIDDLEWARE) gives each request an id (the load balancer's
`X-Request-ID` when it is a sane token, else a new one), echoes it in the response's `X-Request-ID`
header, and logs one line to the `swp.requests` logger when the response leaves: method, path,
status, duration in milliseconds, user id and request id. The path never carries the query string,
whose values (a search, a name in a filter) could hold personal data.

`JsonFormatter` writes every log record as one JSON object; `RequestIdFilter` stamps each record
made while a request runs with that request's id, so an error's traceback (logged by Django to
`django.request`) can be matched to its request line. Tracebacks go to the log, never to the page:
the 500 page says only that something went wrong.
"""

import contextvars
import datetime
import json
import logging
import re
import time
import uuid

from django.utils.functional import empty

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_request_id = contextvars.ContextVar("swp_request_id", default=None)

request_logger = logging.getLogger("swp.requests")

# Paths asked so often and so dully (a load balancer every few seconds) that they log at DEBUG.
QUIET_PATHS = frozenset({"/healthz"})

# Attributes every LogRecord has; anything else on a record was passed in `extra` and is logged.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id"}


def current_request_id():
    """The id of the request being served in this thread or task, or None."""
    return _request_id.get()


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (None outside a request)."""

    def filter(self, record):
        record.request_id = _request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, extras, traceback."""

    def format(self, record):
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id:
            entry["request_id"] = request_id
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            entry["traceback"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def _user_id(request):
    """The signed-in user's id if the request has already looked the user up (never a new query)."""
    user = getattr(request, "user", None)
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)  # a SimpleLazyObject until something reads it
    if wrapped is empty:  # not looked up by anything: leave it so
        return None
    return wrapped.pk if getattr(wrapped, "is_authenticated", False) else None


class RequestLogMiddleware:
    """Logs one line per request with its id, status and time; first in MIDDLEWARE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = offered if _SANE_ID.match(offered) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            level = logging.DEBUG if request.path in QUIET_PATHS else logging.INFO
            if response.status_code >= 500:
                level = logging.ERROR
            request_logger.log(
                level,
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": _user_id(request),
                },
            )
            return response
        finally:
            _request_id.reset(token)
