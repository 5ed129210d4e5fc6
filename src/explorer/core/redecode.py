"""Re-decode a cache in place against another contract version.

Nothing is fetched again and nothing stored is changed but the decode columns
(``decode_status``, ``decode_issues``, ``decode_fits``): each event is rebuilt as
received (:func:`~explorer.core.browse.as_received`) and decoded again. The new statuses
replace the old ones and the cache records its new contract in one transaction, so an
interrupted run leaves the cache as it was; the typed views follow the new contract.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from explorer.core.browse import as_received
from explorer.models.decode import decode, with_stored_duplicates
from explorer.models.registry import load_contract
from explorer.store.cache import Cache
from explorer.store.encode import dumps, fits_json

Progress = Callable[[int], None]

_SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("decode_status", pa.string()),
        ("decode_issues", pa.string()),
        ("decode_fits", pa.string()),
    ]
)
_JSON_COLUMNS = ("event_data", "extra", "decode_issues")


@dataclass
class RedecodeResult:
    """What a re-decode found: events read, statuses now, how many changed, in how long."""

    before: str
    after: str
    events: int = 0
    changed: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0


def redecode(cache: Cache, contract: str, progress: Progress | None = None) -> RedecodeResult:
    """Decode every stored event against ``contract`` and switch the cache to it."""
    models = load_contract(contract)  # an unknown name fails before any work
    started = time.perf_counter()
    result = RedecodeResult(cache.contract, contract)

    def tables() -> Iterator[pa.Table]:
        for rows in cache.stored_events():
            columns: dict[str, list[Any]] = {name: [] for name in _SCHEMA.names}
            for row in rows:
                parsed = _parsed(row)
                decoded = decode(as_received(parsed), contract=models)
                decoded = with_stored_duplicates(decoded, parsed.get("decode_issues"))
                result.by_status[str(decoded.status)] += 1
                columns["event_id"].append(row["event_id"])
                columns["decode_status"].append(str(decoded.status))
                columns["decode_issues"].append(dumps(decoded.issues_as_dicts()))
                columns["decode_fits"].append(fits_json(decoded.fits, decoded.fits_ok))
            result.events += len(rows)
            if progress is not None:
                progress(result.events)
            yield pa.Table.from_pydict(columns, schema=_SCHEMA)

    result.changed = cache.replace_statuses(contract, tables())
    result.elapsed = time.perf_counter() - started
    return result


def _parsed(row: dict[str, Any]) -> dict[str, Any]:
    """The row with its received JSON columns parsed (as the cache wrote them)."""
    out = dict(row)
    for name in _JSON_COLUMNS:
        value = out.get(name)
        if isinstance(value, str):
            out[name] = json.loads(value)
    return out
