# EHC Tracker: `make run` (the app with demo data on SQLite) and `make test` (the whole suite).
# Everything they need is installed by the `install` step, which both run first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASSETS := ehc_tracker/static/govuk
FLASK := EHC_ENV=development $(BIN)/flask --app wsgi
TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: install run test test-postgres lint format typecheck clean

$(STAMP): requirements.txt requirements-dev.txt package.json package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(ASSETS) && mkdir -p $(ASSETS)
	cp -R node_modules/govuk-frontend/dist/govuk/assets/. node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $(ASSETS)/
	touch $(STAMP)

install: $(STAMP)

run: install
	mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(FLASK) run --host 127.0.0.1 --port 5000

# Lint and format check first (seconds), then every test on SQLite, browser tests included,
# spread over one worker per core.
test: install lint
	$(BIN)/python -m pytest -n auto

# The browser tests serve their own SQLite database, and the checks marked `once` do not depend
# on the database (mypy, the benchmark's smoke run): the PostgreSQL run leaves them out.
# Each worker gets a database of its own beside TEST_DATABASE_URL's (test_gw0, test_gw1, ...).
test-postgres: install
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python -m pytest -n auto -m "not once" --ignore=tests/e2e

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: install
	$(BIN)/mypy

clean:
	rm -rf $(VENV) node_modules $(ASSETS) .pytest_cache .mypy_cache
