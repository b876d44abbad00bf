# make run   — create .venv, install physlab, check Qt's system libraries, launch the app
# make test  — same venv with the test extras, the lint gates, then the whole suite offscreen
# make bench — the performance suite (benchmarks/)
# make lint  — ruff (lint, format check), the import-linter contracts, mypy on physlab/core
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python

.PHONY: run test test-tools lint bench clean

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "physlab needs Python 3.11 or newer (found $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

# the check names missing X11 libraries and the command that installs them (instead of Qt's abort)
run: $(VENV)/.installed
	@$(PY) -m physlab.gui.qt_libs
	$(PY) -m physlab

test: $(VENV)/.installed-test test-tools lint
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

# the programs the export tests open figures with (rsvg-convert: librsvg, pdftoppm: poppler);
# installed when this runs as root with apt (CI), otherwise those tests skip and say why
TOOLS := librsvg2-bin poppler-utils
test-tools:
	@command -v rsvg-convert >/dev/null && command -v pdftoppm >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing $(TOOLS) for the figure-export tests"; \
	    { apt-get install -y -qq $(TOOLS) || { apt-get update -qq && \
	      apt-get install -y -qq $(TOOLS); }; } >/dev/null 2>&1 || \
	    echo "note: could not install $(TOOLS); the SVG/PDF export tests will skip"; \
	  else echo "note: install $(TOOLS) (rsvg-convert, pdftoppm) to run the SVG/PDF export tests"; \
	  fi; }

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy

bench: $(VENV)/.installed
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache
