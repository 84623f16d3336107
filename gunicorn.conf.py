"""gunicorn's settings for swp, read from the environment: `gunicorn swp.wsgi` finds this file.

| variable | default | what it does |
|---|---|---|
| PORT | 8000 | the port to listen on |
| BIND_HOST | 0.0.0.0 | the address to listen on (127.0.0.1 for this machine only) |
| WEB_CONCURRENCY | 2 | worker processes; about one per core, each holds one database connection |
| GUNICORN_THREADS | 1 | threads per worker (each thread holds its own database connection) |
| GUNICORN_TIMEOUT | 60 | seconds a request may run before its worker is restarted |
| GUNICORN_MAX_REQUESTS | 2000 | requests a worker serves before it is replaced, to bound memory growth |
| GUNICORN_ACCESS_LOG | - (stdout) | where the access log goes; empty for none (the app logs each request too) |
| FORWARDED_ALLOW_IPS | 127.0.0.1 | addresses of proxies whose X-Forwarded-* headers gunicorn trusts |

Large imports run in the task worker (`manage.py db_worker`), not in a request, so the timeout can
stay short enough for a stuck worker to be noticed.
"""

import os

# All interfaces by default: an app server answers its load balancer (make serve binds 127.0.0.1).
bind = f"{os.environ.get('BIND_HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5

# Replace each worker after a number of requests, at staggered moments (the jitter) so that the
# workers are not all restarting at once: memory a worker gains over time is given back.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max(1, max_requests // 10) if max_requests else 0

# Heartbeat files on shared memory, not a disk that may stall (a container's overlay filesystem).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 (gunicorn's advice)

forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "swp"
# gunicorn's control socket (gunicornc) sits at one fixed path per user, which two servers on one
# machine would fight over; nothing here uses it.
control_socket_disable = True

# Logs: gunicorn's own to stderr; the access log to stdout as one JSON object per line. The path is
# logged without its query string (a search or a filter could hold a name).
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
logger_class = "swp.gunicorn_logging.JsonAccessLogger"  # escapes every value for JSON
access_log_format = (
    '{"logger": "gunicorn.access", "time": "%(t)s", "method": "%(m)s", "path": "%(U)s", "status": %(s)s, '
    '"bytes": "%(b)s", "duration_ms": %(M)s, "request_id": "%({x-request-id}o)s", "worker": "%(p)s"}'
)
