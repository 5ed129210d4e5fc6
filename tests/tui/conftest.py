"""Caches and an app factory for the Pilot and snapshot tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from explorer.tui.app import ExplorerApp
from tests.tui.sample import FIXED_NOW, demo_cache


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio (anyio's pytest plugin; Textual needs asyncio)."""
    return "asyncio"


@pytest.fixture(scope="session")
def sample_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_cache(tmp_path_factory.mktemp("cache") / "demo.duckdb")


@pytest.fixture
def make_app(tmp_path: Path) -> Callable[..., ExplorerApp]:
    def make(cache: Path, **kw: object) -> ExplorerApp:
        return ExplorerApp(cache, now=FIXED_NOW, export_dir=tmp_path, **kw)  # type: ignore[arg-type]

    return make


@pytest.fixture(autouse=True)
def _private_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The filter history and the remembered theme go to a temporary data directory."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))
