"""Audit data stays private: what the tool creates is its owner's only (cache directory
0700; cache, WAL and spool files 0600), and an existing cache or a token file others can
read gets a one-line warning naming the chmod that fixes it."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from explorer import config
from explorer.cli import main
from explorer.client.datastorage import resolve_token
from explorer.demo.generator import demo_events
from explorer.ingest import importer, ndjson
from explorer.ingest.importer import import_files, upsert
from explorer.models.decode import decode
from explorer.store.cache import Cache
from tests.factories import event


@pytest.fixture(autouse=True)
def open_umask() -> Iterator[None]:
    """A shell's usual umask (new files 0644, directories 0755); the tool must do better."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_cache_its_directory_and_wal_are_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "dir" / "audit.duckdb"
    with Cache.open(path, notify=lambda _: None) as db:
        upsert(db, [decode(event(event_id="e1"))], source="test")
        wal = path.with_name(path.name + ".wal")
        assert wal.exists(), "a write leaves a WAL while the cache is open"
        assert mode(wal) == 0o600
        assert mode(path) == 0o600
    assert mode(path.parent) == 0o700 and mode(path.parent.parent) == 0o700


def test_spool_files_of_a_parallel_import_are_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "in.ndjson"
    source.write_text("".join(json.dumps(e) + "\n" for e in demo_events(40, 7)))
    monkeypatch.setattr(ndjson, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(ndjson, "BLOCK", 2000)
    monkeypatch.setattr(importer, "BATCH_SIZE", 7)
    seen: dict[str, int] = {}
    real_ordered = ndjson.ordered

    def spy(*args: Any, **kwargs: Any) -> Iterator[Any]:
        for chunk in real_ordered(*args, **kwargs):
            if chunk.spool is not None:
                spool = Path(chunk.spool)
                seen[spool.name], seen["(directory)"] = mode(spool), mode(spool.parent)
            yield chunk

    monkeypatch.setattr(ndjson, "ordered", spy)
    with Cache.open(tmp_path / "cache.duckdb", notify=lambda _: None) as db:
        assert import_files(db, [source]).new == 40
    assert seen.pop("(directory)", None) == 0o700
    assert seen and set(seen.values()) == {0o600}, "some lines were spooled, owner only"


def test_an_existing_cache_others_can_read_gets_the_chmod(tmp_path: Path) -> None:
    path = tmp_path / "audit.duckdb"
    Cache.open(path, notify=lambda _: None).close()
    os.chmod(path, 0o644)
    said: list[str] = []
    Cache.open(path, read_only=True, notify=said.append).close()
    assert len(said) == 1 and "\n" not in said[0]
    assert f"run `chmod 600 {path}`" in said[0] and "(mode 0644)" in said[0]
    os.chmod(path, 0o600)
    said.clear()
    Cache.open(path, read_only=True, notify=said.append).close()
    assert said == []


def test_the_tools_own_cache_directory_is_checked_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = tmp_path / "cache-home"
    own.mkdir(mode=0o755)
    monkeypatch.setattr(config.platformdirs, "user_cache_dir", lambda _app: str(own))
    path = own / "audit.duckdb"
    Cache.open(path, notify=lambda _: None).close()
    os.chmod(own, 0o755)
    said: list[str] = []
    Cache.open(path, notify=said.append).close()
    assert len(said) == 1 and f"run `chmod 700 {own}`" in said[0]


def test_the_cli_says_the_warning_on_stderr(tmp_path: Path) -> None:
    path = tmp_path / "audit.duckdb"
    with Cache.open(path, notify=lambda _: None) as db:
        upsert(db, [decode(event(event_id="e1"))], source="test")
    os.chmod(path, 0o640)
    result = CliRunner().invoke(main, ["events", "--cache", str(path), "--format", "ndjson"])
    assert result.exit_code == 0, result.stderr
    assert f"chmod 600 {path}" in result.stderr and len(result.stdout.splitlines()) == 1


def _token(tmp_path: Path, bits: int) -> Path:
    path = tmp_path / "token"
    path.write_text("abc123\n")
    os.chmod(path, bits)
    return path


@pytest.mark.parametrize("bits", [0o644, 0o640, 0o604])
def test_a_token_file_others_can_read_is_warned_about(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bits: int
) -> None:
    path = _token(tmp_path, bits)
    assert resolve_token(token_file=path, env={}) is not None
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "warning: token file" in err
    assert f"(mode {bits:04o}): run `chmod 600 {path}`" in err
    assert "abc123" not in err


def test_a_private_token_file_and_the_service_account_token_are_quiet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    resolve_token(token_file=_token(tmp_path, 0o600), env={})
    mounted = tmp_path / "sa-token"
    mounted.write_text("xyz\n")
    os.chmod(mounted, 0o644)  # what Kubernetes mounts; not the user's to change
    assert resolve_token(env={}, service_account=mounted) is not None
    assert capsys.readouterr().err == ""
