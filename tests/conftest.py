from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Fuzzing runs on every `make check` with a bounded budget. In CI (or HYPOTHESIS_PROFILE=ci)
# the examples are derandomized, so a run is reproducible and never writes a database; a
# test's own @settings(max_examples=...) still bounds it.
settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

REPO = Path(__file__).resolve().parents[1]
SPEC = REPO.parent / "shared" / "spec" / "data-storage-v1.yaml"


@pytest.fixture(scope="session")
def spec_path() -> Path:
    """The DataStorage contract, which lives beside the checkout (never copied into it)."""
    if not SPEC.exists():
        pytest.skip(f"contract not found at {SPEC}")
    return SPEC
