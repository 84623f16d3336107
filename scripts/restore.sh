#!/usr/bin/env bash
# `make restore FILE=backups/...`: put the database named by DATABASE_URL back as a backup made by
# scripts/backup.sh had it. Everything written since that backup is lost.
#
# Stop the app servers and the task worker first. PostgreSQL: pg_restore --clean in one
# transaction, so a restore that fails leaves the database as it was. SQLite: SQLite's backup API
# copies the file over the database. Asks for confirmation on a terminal; elsewhere pass --yes.
#
#   scripts/restore.sh [--yes] FILE
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-.venv/bin/python}
[ -x "$PYTHON" ] || PYTHON=python3
DATABASE_URL=${DATABASE_URL:-sqlite:///$PWD/db.sqlite3}

yes=0
if [ "${1:-}" = "--yes" ]; then yes=1; shift; fi
file=${1:-}
if [ -z "$file" ] || [ ! -f "$file" ]; then
  echo "restore: name a backup file that exists: make restore FILE=backups/<name> (got '${file}')." >&2
  exit 2
fi

case "$DATABASE_URL" in
  postgres://* | postgresql://* | pgsql://*) kind=postgresql ;;
  sqlite://*) kind=sqlite ;;
  *)
    echo "restore: DATABASE_URL must be a postgres:// or sqlite:// address." >&2
    exit 2
    ;;
esac
case "$kind:$file" in
  postgresql:*.dump | sqlite:*.sqlite3) ;;
  *)
    echo "restore: $file is not a $kind backup (PostgreSQL backups end .dump, SQLite ones .sqlite3)." >&2
    exit 2
    ;;
esac

if [ "$yes" != 1 ]; then
  if [ ! -t 0 ]; then
    echo "restore: this replaces the database's contents; pass --yes (make restore FILE=... YES=1) to go ahead." >&2
    exit 2
  fi
  read -r -p "Replace the contents of the database at ${DATABASE_URL##*@} with $file? Everything written since is lost. Type yes: " answer
  [ "$answer" = "yes" ] || { echo "restore: nothing changed." >&2; exit 1; }
fi

if [ "$kind" = postgresql ]; then
  if ! command -v pg_restore >/dev/null; then
    echo "restore: pg_restore is not installed (Debian: apt-get install postgresql-client)." >&2
    exit 2
  fi
  url="postgresql://${DATABASE_URL#*://}"
  pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error \
    --dbname="$url" "$file"
else
  path=$(DATABASE_URL="$DATABASE_URL" "$PYTHON" -c 'import os, dj_database_url; print(dj_database_url.parse(os.environ["DATABASE_URL"])["NAME"])')
  "$PYTHON" - "$file" "$path" <<'PY'
import sqlite3, sys
source, target = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
with target:
    source.backup(target)
target.close()
source.close()
PY
fi
echo "restore: restored $file" >&2
