# Przystań: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV    := .venv
PY      := $(VENV)/bin/python
PORT    ?= 8000
STAMP   := $(VENV)/.installed
MO      := locale/pl/LC_MESSAGES/django.mo
PO      := locale/pl/LC_MESSAGES/django.po

# The demo runs as production does (DEBUG off, strict headers) but over plain http on 127.0.0.1,
# with its secrets generated into var/ (git-ignored). Never use these settings on a real server.
DEMO_ENV := PRZYSTAN_DEMO=true DEBUG=false HTTPS_ONLY=false \
	SECRET_KEY_FILE=var/secret_key ALLOWED_HOSTS=127.0.0.1,localhost \
	PRZYSTAN_KEKS_FILE=var/keks PRZYSTAN_INDEX_KEY_FILE=var/index.key \
	PRZYSTAN_AUDIT_KEY_FILE=var/audit.key

.PHONY: help run test lint format bench load load-burst messages clean-demo anchor verify-log demo-code

help:
	@echo "make run    - install, migrate, load demo data and serve http://127.0.0.1:$(PORT)"
	@echo "make test   - the whole test suite (SQLite; DATABASE_URL=postgres://... for PostgreSQL)"
	@echo "make lint   - ruff check and ruff format --check"
	@echo "make bench  - benchmarks that print figures (see bench/)"
	@echo "make load   - the load test on PostgreSQL and gunicorn (LOAD_USERS=60 LOAD_SECONDS=120)"
	@echo "make load-burst - the bed board while 20 people sign in at once, sync and gthread workers"
	@echo "make messages - refresh locale/pl/LC_MESSAGES/django.po from the code"
	@echo "make anchor / make verify-log - anchor the demo's access log / check it against its anchors"
	@echo "make demo-code USER=iod - the demo user's current second-factor code (demo only)"

# Find a Python >= 3.12 (Django 6.1 needs it). pyenv reads .python-version for `python3`.
PYTHON_FOR_VENV := $(shell for p in python3 python3.12 python3.13 python3.14 $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; done)

$(STAMP): pyproject.toml
	@if [ ! -x $(PY) ]; then \
	  if [ -z "$(PYTHON_FOR_VENV)" ]; then \
	    echo "ERROR: Przystań needs Python 3.12 or newer (Django 6.1). Found: $$(python3 --version 2>&1)."; \
	    echo "Install Python 3.12 (e.g. 'pyenv install 3.12') and run make again."; exit 1; \
	  fi; \
	  echo "Creating $(VENV) with $(PYTHON_FOR_VENV) ($$($(PYTHON_FOR_VENV) --version))"; \
	  $(PYTHON_FOR_VENV) -m venv $(VENV); \
	fi
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { echo "ERROR: $(VENV) has $$($(PY) --version); Przystań needs 3.12+. Remove $(VENV) and run make again."; exit 1; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[dev]"
	@touch $(STAMP)

# Translations are compiled at install time so that a fresh clone speaks Polish.
$(MO): $(PO)
	@command -v msgfmt >/dev/null || { echo "ERROR: msgfmt (GNU gettext) is missing: apt-get install gettext"; exit 1; }
	msgfmt --check -o $(MO) $(PO)

var:
	@mkdir -p var && chmod 700 var

run: $(STAMP) $(MO) | var
	@$(PY) -m config.demo_keys var
	@$(DEMO_ENV) $(PY) manage.py migrate --noinput --verbosity 0
	@$(DEMO_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	@$(DEMO_ENV) $(PY) manage.py seed_demo
	@$(DEMO_ENV) $(PY) manage.py anchor_access_log || echo "!!! The access log was not anchored (see above); the demo starts anyway."
	@echo "Anchor the access log again with 'make anchor' and check it with 'make verify-log' (production: a timer, docs/operations.md)."
	@echo "Serving http://127.0.0.1:$(PORT)  (Ctrl+C stops)"
	@$(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# The demo's access log (after `make run` made var/): production runs anchor_access_log from a timer.
anchor: $(STAMP) | var
	@$(DEMO_ENV) $(PY) manage.py anchor_access_log

verify-log: $(STAMP) | var
	@$(DEMO_ENV) $(PY) manage.py verify_access_log

# The demo's stand-in for a phone: the current second-factor code of `iod` or `admin`.
demo-code: $(STAMP) | var
	@$(DEMO_ENV) $(PY) manage.py demo_code $(USER)

test: $(STAMP) $(MO)
	$(PY) -m pytest $(PYTEST_ARGS)

# Figures, not tests: see docs/benchmarks.md (BENCH_SIZES, BENCH_DATABASE_URL and other knobs).
bench: $(STAMP) $(MO)
	$(PY) -m bench.run

# A working evening against gunicorn on PostgreSQL (127.0.0.1): its own database, dropped after
# (bench/load/run.sh; docs/benchmarks.md, "Load test (issue 14)").
load: $(STAMP) $(MO)
	LOAD_USERS="$(or $(LOAD_USERS),60)" LOAD_SECONDS="$(or $(LOAD_SECONDS),120)" bench/load/run.sh

# Sign-ins at once beside the bed board: sync workers against gthread (bench/load/burst.py).
load-burst: $(STAMP) $(MO)
	LOAD_CLIENT=burst bench/load/run.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: $(STAMP)
	$(PY) manage.py makemessages --locale pl --no-obsolete --no-location --ignore '.venv/*' --ignore 'var/*'
