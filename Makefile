# Homecoming: `make run` serves the demo, `make test` runs the suite. Both set everything up.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= $(shell echo $$(( $$(nproc) * 2 + 1 )))
DEMO_PERSONS ?= 20000

.PHONY: run test bench venv lint clean browser screenshots

# Browser tests drive Debian's Chromium (never a downloaded browser build) and check pages with axe-core.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null); \
	  else \
	    echo "Browser tests need Debian's chromium: sudo apt-get install chromium"; \
	  fi; \
	fi
	@# axe-core (npm registry, package-lock.json) checks every page the journeys open (tests/accessibility.py)
	@test -f node_modules/axe-core/axe.min.js || npm ci --no-audit --no-fund --silent

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

venv: $(STAMP)

run: venv
	$(BIN)/homecoming migrate --noinput
	$(BIN)/homecoming collectstatic --noinput --verbosity 0
	$(BIN)/homecoming demo --persons $(DEMO_PERSONS)
	@echo "Serving Homecoming on http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	$(BIN)/homecoming serve --bind $(HOST):$(PORT) --workers $(WORKERS)

test: venv browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The user guides' pictures (docs/images), taken by the browser journeys as they run; the layout check
# (tests/core/test_browser_layout.py) adds every main page of every role at 1280 px and on a phone
# (<role>-<page>-1280-uk.png, <role>-<page>-phone-uk.png).
screenshots: venv browser
	HOMECOMING_SCREENSHOTS=docs/images $(BIN)/python -m pytest -m browser -q -p no:cacheprovider

lint: venv
	$(BIN)/ruff check src tests bench

# All benchmarks (docs/benchmarks.md); on PostgreSQL too when the local server is up.
# `make bench BENCH="linkage register"` runs a selection.
bench: venv
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	@if [ -z "$$DATABASE_URL" ] && pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
	  export DATABASE_URL=postgres://postgres@127.0.0.1:5432/test; fi; \
	$(BIN)/python -m bench $(BENCH)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache node_modules
