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

# Editions (docs/toolchain/editions.md): PDF of the working tree, every registered edition, the site.
pdf: $(STAMP)
	$(BIN)/guideline edition pdf
editions: $(STAMP)
	for id in $$($(BIN)/guideline edition list | cut -f1); do $(BIN)/guideline edition build $$id || exit 1; done
site: $(STAMP)
	$(BIN)/guideline site

html: $(STAMP)
	$(BIN)/guideline build

test: $(STAMP)
	$(BIN)/python -m pytest

serve: $(STAMP)
	$(BIN)/guideline serve

check: $(STAMP)
	$(BIN)/guideline check

# Build benchmark: project vs plain sphinx-needs vs plain MyST (100 and 1,000 needs;
# add 10,000 with: make bench BENCH_ARGS="--sizes 100,1000,10000").
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_build.py $(BENCH_ARGS)

clean:
	rm -rf build .guideline-cache
