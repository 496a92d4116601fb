# Two entry points for a fresh clone (only python3.11 needed):
#   make html   build the guideline into build/html (creates .venv first)
#   make test   run the test suite (creates .venv first)
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: html test install serve check pdf editions site bench clean

# Re-install whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

html: $(STAMP)
	$(BIN)/guideline build

test: $(STAMP)
	$(BIN)/python -m pytest

serve: $(STAMP)
	$(BIN)/guideline serve

check: $(STAMP)
	$(BIN)/guideline check

clean:
	rm -rf build .guideline-cache
