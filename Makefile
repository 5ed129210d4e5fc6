# One command runs every check: `make check` (CI runs it through .ci/run).
PY ?= python

.PHONY: check lint typecheck imports test fmt models demo bench screenshots

check: lint typecheck imports test

lint:
	$(PY) -m ruff format --check src tests scripts benchmarks
	$(PY) -m ruff check src tests scripts benchmarks

typecheck:
	$(PY) -m mypy

imports:
	lint-imports

test:
	$(PY) -m pytest -q -p no:cacheprovider

fmt:
	$(PY) -m ruff format src tests scripts benchmarks
	$(PY) -m ruff check --fix src tests scripts benchmarks

# Regenerate the models of every contract version: make models [SPEC_DIR=../shared/spec]
SPEC_DIR ?= ../shared/spec
models:
	$(PY) scripts/generate_models.py --spec-dir $(SPEC_DIR)

bench:
	$(PY) benchmarks/run.py

screenshots:
	$(PY) scripts/screenshots.py
