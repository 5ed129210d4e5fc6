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
SPEC_DIR = REPO.parent / "shared" / "spec"
SPEC = SPEC_DIR / "data-storage-v1.yaml"
# The contract files beside the checkout (never copied into it), by contract name.
SPEC_FILES = {
    "2026-01-24": SPEC_DIR / "history" / "data-storage-v1.2026-01-24.yaml",
    "v1.4.0": SPEC_DIR / "history" / "data-storage-v1.v1.4.0.yaml",
    "v1.5.7": SPEC_DIR / "history" / "data-storage-v1.v1.5.7.yaml",
    "v1.6.0-rc4": SPEC_DIR / "history" / "data-storage-v1.v1.6.0-rc4.yaml",
    "main": SPEC,
}


def spec_file(name: str) -> Path:
    """The contract file of version ``name``; skips the test where ../shared is absent."""
    path = SPEC_FILES[name]
    if not path.exists():
        pytest.skip(f"contract not found at {path}")
    return path


@pytest.fixture(scope="session")
def spec_path() -> Path:
    """The DataStorage contract, which lives beside the checkout (never copied into it)."""
    if not SPEC.exists():
        pytest.skip(f"contract not found at {SPEC}")
    return SPEC
