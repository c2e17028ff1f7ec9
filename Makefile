# Regulus: the two commands of a fresh machine are `make demo` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_ENTITIES ?= 200000
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo demo-env test test-fast e2e screenshots bench bench-quick lint format install chromium clean-demo

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test,dev]'
	touch $(STAMP)

install: $(STAMP)

# Debian's chromium for the browser tests (Playwright drives it; nothing is downloaded).
chromium:
	@command -v chromium >/dev/null || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk) >/dev/null; }

var/demo.env: | $(BIN)/python
	@mkdir -p var
	@echo "REGULUS_SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@
	@echo "REGULUS_FIELD_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_hex(16))')" >> $@

# A key added to the project later is appended to an existing demo.env, never replacing the
# ones there (a new field key would leave the demo's stored ID numbers unreadable).
demo-env: var/demo.env
	@grep -q '^REGULUS_AUDIT_KEY=' var/demo.env || \
	  echo "REGULUS_AUDIT_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_hex(32))')" >> var/demo.env

demo: $(STAMP) demo-env
	DEMO_ENTITIES=$(DEMO_ENTITIES) HOST=$(HOST) PORT=$(PORT) scripts/demo.sh

# The suite runs on every core (pytest-xdist; each worker has its own test database and runs
# its share in collection order: tests/conftest.py says why).
# Bytecode (pytest's assertion-rewritten test modules too) is cached under .venv even where
# PYTHONDONTWRITEBYTECODE is set: otherwise each of a run's pytest processes compiles the
# project and rewrites every test module again (about 8 s of CPU each).
PYTEST := env -u PYTHONDONTWRITEBYTECODE PYTHONPYCACHEPREFIX=$(CURDIR)/$(VENV)/pycache \
	$(BIN)/pytest -q -n auto --dist load

test: $(STAMP) chromium
	$(PYTEST)

test-fast: $(STAMP)
	$(PYTEST) -m "not e2e"

e2e: $(STAMP) chromium
	$(PYTEST) -m e2e

# The README's pictures, taken by the browser tests (a plain test run leaves them alone).
screenshots: $(STAMP) chromium
	REGULUS_SCREENSHOTS=1 $(PYTEST) -m e2e

bench: $(STAMP)
	$(BIN)/python bench/run.py

bench-quick: $(STAMP)
	$(BIN)/python bench/run.py --quick

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	REGULUS_TESTING=1 $(BIN)/mypy regulus

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean-demo:
	rm -rf var/regulus.sqlite3* var/media var/static
