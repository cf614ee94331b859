# NPOHub — run `make help` for the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export DJANGO_SETTINGS_MODULE ?= config.settings.dev
export PYTHONPATH := $(CURDIR)
HOST ?= 127.0.0.1
PORT ?= 8000
SEED ?= 1
PYTEST_WORKERS ?= 2

.DEFAULT_GOAL := help
.PHONY: help setup migrate demo run test test-sqlite test-pg lint fmt types checks bench messages clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.lock pyproject.toml
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	@touch $@

setup: $(VENV)/.installed ## create .venv and install the locked dependencies

migrate: setup ## apply database migrations (SQLite at var/npohub.sqlite3 unless DATABASE_URL is set)
	@mkdir -p var
	$(PY) manage.py migrate --no-input -v 0

demo: migrate ## set up, load the Jinan demo city, create demo accounts and serve on http://127.0.0.1:8000
	$(PY) manage.py load_demo --size city --seed $(SEED)
	$(PY) manage.py collectstatic --no-input -v 0
	$(PY) manage.py demo_accounts
	$(PY) manage.py demo_registration
	$(PY) manage.py demo_supervision
	$(PY) manage.py demo_inspections
	$(PY) manage.py demo_enforcement
	$(PY) manage.py demo_hubs
	$(PY) manage.py demo_party
	$(PY) manage.py demo_ratings
	$(PY) manage.py demo_stars
	@echo "Serving NPOHub on http://$(HOST):$(PORT)/ with a background-task worker (Ctrl-C stops both)"
	@$(PY) manage.py db_worker --no-reload -v 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/granian --interface wsgi --host $(HOST) --port $(PORT) --workers 2 \
		--static-path-route /static --static-path-mount var/static config.wsgi_demo:application

run: migrate ## serve the platform with Django's development server (auto-reload)
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: setup ## ruff check + format check, djhtml, import layering
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djhtml --check $$(find templates npohub -name '*.html')
	$(VENV)/bin/lint-imports

fmt: setup ## format the code and templates
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(VENV)/bin/djhtml $$(find templates npohub -name '*.html')

types: setup ## mypy strict on core, services, selectors and permissions
	$(VENV)/bin/mypy

checks: setup ## django system checks and makemigrations --check
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run

test-sqlite: setup ## the whole suite on SQLite (with the API fuzz test, tests/api_fuzz)
	env -u DATABASE_URL DJANGO_SETTINGS_MODULE=config.settings.test $(VENV)/bin/pytest -n $(PYTEST_WORKERS) -q

test-pg: setup ## the whole suite on PostgreSQL but the API fuzz test (DATABASE_URL=postgres://postgres@127.0.0.1:5432/npohub)
	@test -n "$$DATABASE_URL" || (echo "set DATABASE_URL=postgres://user@host:5432/dbname" && exit 2)
	DJANGO_SETTINGS_MODULE=config.settings.test $(VENV)/bin/pytest -n $(PYTEST_WORKERS) -q -m "not fuzz"

test: lint types checks test-sqlite ## lint, types, migrations check, the suite on SQLite (and on PostgreSQL when DATABASE_URL is set)
	@if [ -n "$$DATABASE_URL" ]; then $(MAKE) --no-print-directory test-pg; else echo "DATABASE_URL not set: PostgreSQL run skipped"; fi

bench: setup ## the benchmark suite on the city size (platform beside its floor, ratios)
	$(PY) -m bench.run --size city

messages: setup ## update the translation catalogues (English)
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=var --ignore=bench
	$(PY) manage.py compilemessages --ignore=.venv

clean: ## remove the virtual environment and local data
	rm -rf $(VENV) var
