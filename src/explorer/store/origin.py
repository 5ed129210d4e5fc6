"""Where a cache's events last came from: the DataStorage URL and source label of its last sync.

The explorer's sync (``s``) and follow (``f``) use it when nothing else says where to sync
from. Never a credential: the URL is kept without user info, query or fragment, and a token
is not an argument here at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from explorer.store.connection import Cursor, store_errors

_KEY = "origin"


@dataclass(frozen=True)
class Origin:
    """A DataStorage base URL and the label its events are stored under."""

    url: str
    source: str


def without_credentials(url: str) -> str:
    """``url`` with no user info, query or fragment (where a pasted token could hide)."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def remember_origin(cur: Cursor, origin: Origin) -> None:
    """Store ``origin`` as the cache's last source (its URL without credentials)."""
    source = origin.source
    if source.startswith(("http://", "https://")):  # a label that is the URL itself
        source = without_credentials(source)
    value = json.dumps({"url": without_credentials(origin.url), "source": source})
    with store_errors("cannot remember the cache's source"):
        cur.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [_KEY, value])


def last_origin(cur: Cursor) -> Origin | None:
    """The cache's last source, or None (never synced, or a value this cannot read)."""
    with store_errors("cannot read the cache's source"):
        rows = cur.execute("SELECT value FROM meta WHERE key = ?", [_KEY]).fetchall()
    if not rows:
        return None
    try:
        data = json.loads(rows[0][0])
    except (TypeError, ValueError):
        return None
    url, source = (data.get("url"), data.get("source")) if isinstance(data, dict) else (None, None)
    if not isinstance(url, str) or not isinstance(source, str) or not url:
        return None
    return Origin(url, source)
