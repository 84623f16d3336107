# The commands the README names. `make help` lists them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEV := DJANGO_DEBUG=true

.PHONY: help venv lock hooks run migrate demo test lint format check clean serve backup restore

help:
	@echo "make run    - install, migrate, load the SWP demo data and serve http://localhost:$(PORT) (SQLite), with the task worker"
	@echo "make test   - the whole test suite (browser tests too when /usr/bin/chromium is present)"
	@echo "make lint   - ruff check and format check"
	@echo "make check  - lint, migrations up to date, tests"
	@echo "make hooks  - install the git pre-commit hook (django-upgrade, ruff, ruff format)"
	@echo "make lock   - pin every package with its hashes in requirements.lock, after changing requirements*.txt"
	@echo "make clean  - remove the virtualenv, the SQLite database and collected static files"
	@echo "make serve  - the production stack here: collectstatic, migrate, gunicorn + whitenoise, task worker (needs DATABASE_URL)"
	@echo "make backup - back up the database of DATABASE_URL (default the SQLite file) into backups/"
	@echo "make restore FILE=backups/... [YES=1] - put the database back as that backup had it"

# Every package, pip included, exactly as requirements.lock pins it, each file checked against its hash.
$(VENV)/.installed: requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "swp needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	@touch $@

venv: $(VENV)/.installed

# requirements.lock from requirements.txt and requirements-dev.txt: run after changing either.
# Pins already in the lock stay as they are unless UPGRADE=1 (everything) or UPGRADE=name (one package).
lock: venv
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
		--no-emit-index-url --no-emit-find-links --output-file requirements.lock \
		$(if $(filter 1,$(UPGRADE)),--upgrade,$(if $(UPGRADE),--upgrade-package $(UPGRADE))) requirements-dev.txt

migrate: venv
	$(DEV) $(BIN)/python manage.py migrate --no-input

demo: migrate
	$(DEV) $(BIN)/python manage.py load_demo

# The task worker (imports of large spreadsheets run there) starts beside the server and stops with it.
run: demo
	$(DEV) $(BIN)/python manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV) $(BIN)/python manage.py runserver $(PORT)

# The suite under coverage, then the report (a read of what the tests miss, not a threshold).
test: venv
	$(BIN)/coverage run -m pytest $(ARGS)
	$(BIN)/coverage report

# The git pre-commit hook: django-upgrade, ruff and ruff format on each commit (.pre-commit-config.yaml).
hooks: venv
	$(BIN)/pre-commit install

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: lint
	$(DEV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(MAKE) test

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-artifacts

# The production stack on this machine (scripts/serve.sh says what it sets); DATABASE_URL is required.
serve: venv
	scripts/serve.sh

backup:
	scripts/backup.sh

restore:
	scripts/restore.sh $(if $(YES),--yes) "$(FILE)"
