# qudao: two commands take a fresh clone to a running program.
#   make run   install, migrate, load the demo data, serve at http://127.0.0.1:8000
#   make test  install what the tests need and run the whole suite (SQLite + PostgreSQL)

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-dev runtime-deps system-test-deps run test lint typecheck messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Browser assets come from the npm registry and are served by the app itself (no CDN).
VENDOR := src/qudao/web/static/vendor
$(VENDOR)/echarts.min.js: package.json package-lock.json
	@bash scripts/vendor-assets.sh

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt $(VENDOR)/echarts.min.js
	$(BIN)/pip install -q -c constraints.txt -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]' -e ./sdk
	@touch $@

install: $(VENV)/.installed
	@echo "qudao is installed: $(BIN)/qudao"

install-dev: $(VENV)/.installed-dev

# Browser tests drive Debian's chromium; a CJK font draws the Chinese pages and PDFs.
system-test-deps:
	@bash scripts/system-test-deps.sh

# A CJK font for Chinese PDFs (installed when missing, if run as root).
runtime-deps:
	@bash scripts/runtime-deps.sh

run: install runtime-deps
	$(BIN)/qudao db upgrade
	$(BIN)/qudao demo
	$(BIN)/qudao serve --host $(HOST) --port $(PORT)

test: install-dev system-test-deps
	$(BIN)/ruff check src tests benchmarks sdk
	$(BIN)/mypy src sdk/src
	$(BIN)/pytest -n auto --maxprocesses 4

lint:
	$(BIN)/ruff check src tests benchmarks sdk

typecheck:
	$(BIN)/mypy src sdk/src

# After adding user-visible text: extract it and update the zh_CN and en catalogs.
messages: install-dev
	bash scripts/messages.sh

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache node_modules $(VENDOR)
