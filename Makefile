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

# Regenerate the payload models from a new contract: make models SPEC=path/to/data-storage-v1.yaml
SPEC ?= ../shared/spec/data-storage-v1.yaml
models:
	$(PY) scripts/generate_models.py $(SPEC)

bench:
	$(PY) benchmarks/run.py

screenshots:
	$(PY) scripts/screenshots.py
