from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SPEC = REPO.parent / "shared" / "spec" / "data-storage-v1.yaml"


@pytest.fixture(scope="session")
def spec_path() -> Path:
    """The DataStorage contract, which lives beside the checkout (never copied into it)."""
    if not SPEC.exists():
        pytest.skip(f"contract not found at {SPEC}")
    return SPEC
