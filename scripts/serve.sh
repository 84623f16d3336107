#!/usr/bin/env bash
# `make serve`: the production stack on this machine, for trying it out and for the load tests.
#
# DJANGO_DEBUG off, static files collected (hashed and compressed, served by whitenoise), migrations
# applied, gunicorn with gunicorn.conf.py, and the task worker beside it; both stop together.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/swp make serve
#
# The task worker runs with a memory ceiling: WORKER_MEMORY_MB (default 1536) of address space
# (RLIMIT_AS, `ulimit -v`), so an import that would need more fails with a MemoryError, which ends
# it as failed with a plain message, instead of taking the machine's memory; 0 sets none.
#
# DATABASE_URL must be set: PostgreSQL as in production, or an explicit sqlite:///path, which
# works but is not what production runs (one writer at a time). Without SECRET_KEY a throwaway key
# is made (sign-ins then end when the server stops). Plain HTTP on localhost, so
# SECURE_SSL_REDIRECT is off unless you set it; everything else is as in production. Browsers
# accept the production "Secure" cookies from http://localhost and http://127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-.venv/bin/python}
GUNICORN=${GUNICORN:-.venv/bin/gunicorn}

if [ -z "${DATABASE_URL:-}" ]; then
  cat >&2 <<'EOF'
make serve: DATABASE_URL is not set.
  The production stack runs on PostgreSQL, for example:
    createdb -h 127.0.0.1 -U postgres swp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/swp make serve
  To try it on SQLite instead (not how production runs), name the file:
    DATABASE_URL=sqlite:///$PWD/db.sqlite3 make serve
EOF
  exit 2
fi
case "$DATABASE_URL" in
  postgres://* | postgresql://* | pgsql://*) ;;
  sqlite://*) echo "make serve: WARNING: serving from SQLite ($DATABASE_URL); production uses PostgreSQL." >&2 ;;
  *)
    echo "make serve: DATABASE_URL must be a postgres:// or sqlite:// address, not ${DATABASE_URL%%:*}://..." >&2
    exit 2
    ;;
esac

if [ -z "${SECRET_KEY:-}" ]; then
  SECRET_KEY=$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(50))')
  echo "make serve: WARNING: SECRET_KEY is not set; using a throwaway key (sign-ins end when the server stops)." >&2
fi
export SECRET_KEY
export DJANGO_DEBUG=false
export SECURE_SSL_REDIRECT=${SECURE_SSL_REDIRECT:-false}
export ALLOWED_HOSTS=${ALLOWED_HOSTS:-localhost,127.0.0.1,[::1]}
export BIND_HOST=${BIND_HOST:-127.0.0.1}
export PORT=${PORT:-8000}
export WEB_CONCURRENCY=${WEB_CONCURRENCY:-2}
WORKER_MEMORY_MB=${WORKER_MEMORY_MB:-1536}

"$PYTHON" manage.py collectstatic --no-input --verbosity 0
"$PYTHON" manage.py migrate --no-input
"$PYTHON" manage.py check --deploy --fail-level ERROR

worker=""
if [ "${TASKS_BACKEND:-database}" = "database" ] && [ "${SERVE_WORKER:-1}" = "1" ]; then
  (
    if [ "$WORKER_MEMORY_MB" != "0" ]; then ulimit -v $((WORKER_MEMORY_MB * 1024)); fi
    exec "$PYTHON" manage.py db_worker
  ) &
  worker=$!
fi
cleanup() { [ -n "$worker" ] && kill "$worker" 2>/dev/null || true; }
trap cleanup EXIT INT TERM

echo "make serve: http://$BIND_HOST:$PORT/ with $WEB_CONCURRENCY gunicorn workers (Ctrl-C stops)" >&2
# Not exec: the trap above must stop the worker when gunicorn stops.
"$GUNICORN" --config gunicorn.conf.py swp.wsgi &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server; cleanup' INT TERM
wait $server
