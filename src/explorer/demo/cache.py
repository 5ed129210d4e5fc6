"""The demo cache: seeded demo events imported into a cache of their own, rebuilt on demand.

A stamp beside the cache (``demo.duckdb.demo.json``) records the size and seed it was built
with, so ``audit-explorer demo`` reuses it until either changes.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from explorer.client.files import Record
from explorer.demo.generator import generate
from explorer.ingest.batch import ImportResult
from explorer.ingest.importer import Progress, import_records
from explorer.store.cache import Cache


def build_demo_cache(
    path: Path,
    count: int,
    seed: int,
    *,
    end: datetime | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """A fresh cache at ``path`` holding ``count`` demo events, through the import path."""
    for stale in (path, path.with_name(path.name + ".wal"), _stamp_path(path)):
        stale.unlink(missing_ok=True)
    records = (
        Record(f"demo event {i + 1}", None, item.event)
        for i, item in enumerate(generate(count, seed, end=end))
    )
    with Cache.open(path) as cache:
        result = import_records(cache, records, source="demo", progress=progress)
    _stamp_path(path).write_text(json.dumps({"events": count, "seed": seed}), encoding="utf-8")
    return result


def demo_cache_matches(path: Path, count: int, seed: int) -> bool:
    """Whether the demo cache at ``path`` exists and was built with ``count`` and ``seed``."""
    return _stamp(path) == {"events": count, "seed": seed}


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".demo.json")


def _stamp(path: Path) -> dict[str, int] | None:
    """What the demo cache at ``path`` was built with; None when it must be (re)built."""
    if not path.exists():
        return None
    try:
        stamp = json.loads(_stamp_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stamp if isinstance(stamp, dict) else None
