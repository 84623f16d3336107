#!/usr/bin/env bash
# `make backup`: a consistent copy of the database named by DATABASE_URL, in backups/ (or BACKUP_DIR).
#
# PostgreSQL: pg_dump's custom format (compressed; restore with scripts/restore.sh or pg_restore),
# taken inside one transaction, so the app may keep running. SQLite: SQLite's online backup, safe
# while the app runs. The file is named after the database and the time, e.g.
# backups/swp-20260401-020000.dump, and readable by its owner only. Prints the file's path.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-.venv/bin/python}
[ -x "$PYTHON" ] || PYTHON=python3
DATABASE_URL=${DATABASE_URL:-sqlite:///$PWD/db.sqlite3}
BACKUP_DIR=${BACKUP_DIR:-backups}
stamp=$(date -u +%Y%m%d-%H%M%S)
umask 077
mkdir -p "$BACKUP_DIR"

case "$DATABASE_URL" in
  postgres://* | postgresql://* | pgsql://*)
    if ! command -v pg_dump >/dev/null; then
      echo "backup: pg_dump is not installed (Debian: apt-get install postgresql-client)." >&2
      exit 2
    fi
    url="postgresql://${DATABASE_URL#*://}"
    name=${url##*/}
    name=${name%%\?*}
    file="$BACKUP_DIR/$name-$stamp.dump"
    pg_dump --format=custom --no-owner --no-privileges --file="$file" --dbname="$url"
    ;;
  sqlite://*)
    path=$(DATABASE_URL="$DATABASE_URL" "$PYTHON" -c 'import os, dj_database_url; print(dj_database_url.parse(os.environ["DATABASE_URL"])["NAME"])')
    if [ ! -f "$path" ]; then
      echo "backup: there is no SQLite database at $path." >&2
      exit 2
    fi
    name=$(basename "$path")
    file="$BACKUP_DIR/${name%.*}-$stamp.sqlite3"
    "$PYTHON" - "$path" "$file" <<'PY'
import sqlite3, sys
source, target = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
with target:
    source.backup(target)
target.close()
source.close()
PY
    ;;
  *)
    echo "backup: DATABASE_URL must be a postgres:// or sqlite:// address." >&2
    exit 2
    ;;
esac
echo "$file"
