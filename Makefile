# Two commands do everything on a fresh machine with Python 3.11:
#   make serve   install what is missing (.venv, a CJK font for the Chinese figures via
#                apt-get), then serve both languages on :8000
#   make test    install what is missing (.venv, Chromium and the font via apt-get), then run
#                the whole verification (incl. headless Chromium); non-zero exit on failure
# Others: make build (site/), make outputs (rewrite #> lines), make bench (budgets), make lint.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: venv system-packages font serve test build outputs lint bench clean

# The stamp is older than requirements.txt or the npm lock file -> reinstall.
$(STAMP): requirements.txt package.json package-lock.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --requirement requirements.txt 2> >(grep -v "is ignored: it is neither" >&2)
	$(BIN)/npm ci --no-audit --no-fund --loglevel=error
	touch $@

venv: $(STAMP)

serve: venv font
	$(BIN)/mkdocs serve --dirty --no-strict --dev-addr 127.0.0.1:8000

# Chromium, its driver and a CJK font (Debian packages), installed when missing; see the script.
system-packages:
	@bash tests/system_packages.sh

# A build needs only the CJK font (the Chinese figures' labels).
font: venv
	@PYTHON=$(BIN)/python bash tests/system_packages.sh font

test: system-packages venv
	$(BIN)/python -m pytest

build: venv font
	$(BIN)/mkdocs build --strict

# Rewrite every `#>` block from a real run, then show what changed.
outputs: venv
	$(BIN)/python -m tests.snippet_outputs --update
	git --no-pager diff --stat -- snippets

lint: venv
	$(BIN)/ruff check snippets tests hooks benchmarks

# Time the test suite, cold/warm builds and edit-to-rebuild; weigh the pages (a table).
bench: venv
	$(BIN)/python -m benchmarks

clean:
	rm -rf site .cache .artifacts
