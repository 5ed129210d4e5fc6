"""The DuckDB cache: one file, the ``events`` table, typed payload views.

The schema is a public contract (docs/ARCHITECTURE.md). The database runs with
``SET GLOBAL TimeZone = 'UTC'``, so every cursor gets TIMESTAMPTZ values as UTC datetimes.

Writes go in batches through Arrow, one transaction per batch (or per group of
batches): each batch is first tried as a plain INSERT; only when the primary key refuses
it is the transaction redone carefully: an event_id already stored, or repeated in the
batch, keeps its first version, and a later one with different content is kept in
``event_conflicts`` (:mod:`explorer.store.conflicts`), never applied.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

import duckdb
import pyarrow as pa

from explorer.config import cache_permission_warning, private_files
from explorer.errors import CacheLockedError, StoreError
from explorer.models.registry import CONTRACTS, DEFAULT_CONTRACT, contract_info
from explorer.store import conflicts
from explorer.store.batches import Batch, RowBatch, SpooledBatch
from explorer.store.evidence import create_tables as create_evidence_tables
from explorer.store.schema import (
    BATCH_SIZE,
    COLUMN_NAMES,
    COLUMNS,
    CONFLICTS_SQL,
    SYNC_STATE_SQL,
)
from explorer.store.views import payload_views, views_digest

SCHEMA_VERSION = 3
WRITE_MEMORY = 128 * 2**20  # DuckDB's working memory while importing (see limited_memory)
INDEX_BYTES = 128  # memory per stored event_id: the primary key's index of 1M UUIDs is ~80 MB

Notify = Callable[[str], None]

# Steps from schema version N to N + 1. A cache older than the oldest step is rebuilt.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    # v2: the contract the statuses were decoded against (v1 knew only main), and for
    # each non-ok event the contracts it fits.
    1: (
        "ALTER TABLE events ADD COLUMN decode_fits JSON",
        "INSERT OR REPLACE INTO meta VALUES ('contract', 'main')",  # v1 knew only main
    ),
    # v3: versions of an event that arrived again with different content.
    2: (CONFLICTS_SQL,),
}
# Said after a migration from these versions: their statuses may be stale.
_REDECODE_AFTER = {1: "its statuses came from an older decoder: run `audit-explorer redecode`"}

_INSERT_COLUMNS = ", ".join(COLUMN_NAMES)


def _create_sql() -> tuple[str, ...]:
    columns = ",\n  ".join(f"{name} {sql}" for name, sql in COLUMNS)
    return (
        "CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
        f"CREATE TABLE events (\n  {columns}\n)",
        SYNC_STATE_SQL,
        CONFLICTS_SQL,
    )


@dataclass(frozen=True)
class UpsertResult:
    """``new`` event_ids stored, and ``updated`` inputs whose event_id was already there
    (stored before, or earlier in the batch): those are not written, the first version
    stays. ``conflicts`` of them had different content (kept in ``event_conflicts``).

    ``rejected`` lists ``(position, reason)`` for the inputs that could not be stored.
    """

    new: int
    updated: int
    rejected: tuple[tuple[int, str], ...] = ()
    conflicts: int = 0


@dataclass
class FreshLoad:
    """What :meth:`Cache.fresh_load` did: ``active`` if it loaded through a staging table;
    ``correction`` the inputs it found to be repeats once the load ended (to add to the
    counts the writes gave: fewer new, more already stored, and the conflicts)."""

    active: bool
    correction: UpsertResult = UpsertResult(0, 0)


STAGING = "staged_events"  # a fresh load's rows before the primary key (Cache.fresh_load)


def _staging_sql(table: str = STAGING, seq: bool = True) -> str:
    """The ``events`` table without its key (and with ``_seq``)."""
    columns = [f"{name} {sql.replace(' PRIMARY KEY', '')}" for name, sql in COLUMNS]
    columns += ["_seq BIGINT"] if seq else []
    return f"CREATE OR REPLACE TABLE {table} ({', '.join(columns)})"


def _stderr_notice(message: str) -> None:
    print(f"audit-explorer: {message}", file=sys.stderr)


_CLOSE_TRIES = 100  # x 10 ms: how long close() waits for interrupted queries to stop


class Cache:
    """An open cache file. Use :meth:`open`; close it (or use ``with``) when done."""

    def __init__(self, path: Path, connection: duckdb.DuckDBPyConnection, read_only: bool):
        self.path = path
        self.connection = connection
        self.read_only = read_only
        self.contract = cache_contract(connection)
        self.notices: list[str] = []
        self._writer: duckdb.DuckDBPyConnection | None = None
        self._memory_limited = False
        self._staged: int | None = None  # rows in the staging table of a fresh load
        self._cursors: weakref.WeakSet[duckdb.DuckDBPyConnection] = weakref.WeakSet()

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        read_only: bool = False,
        notify: Notify | None = None,
        contract: str | None = None,
    ) -> Cache:
        """Open (creating, migrating or rebuilding as needed) the cache at ``path``.

        What happened to an older cache is said through ``notify`` (stderr by default)
        and kept in ``notices``. ``contract`` names the contract version the caller
        decodes against: a new or empty cache takes it; a cache whose statuses were
        decoded against another one is refused (one cache, one contract), with the
        ``redecode`` command that converts it. None takes the cache's own.
        """
        path = Path(path).expanduser()
        notices: list[str] = []

        def say(message: str) -> None:
            notices.append(message)
            (notify or _stderr_notice)(message)

        if contract is not None:
            contract_info(contract)  # an unknown name fails before any file is touched
        connection = _prepare(path, read_only, say, contract)
        cache = cls(path, connection, read_only)
        cache.notices = notices
        if contract is not None and contract != cache.contract:
            cache.close()
            raise StoreError(
                f"cache {path} was decoded against contract {cache.contract}, not {contract}: "
                f"run `audit-explorer redecode --contract {contract}` to convert it, "
                "or pass --cache to use another file"
            )
        return cache

    def stored_events(self, size: int = BATCH_SIZE) -> Iterator[list[dict[str, Any]]]:
        """Every stored row, ``size`` at a time in event_id order, as column -> value
        (JSON columns as their text). Each page is read whole, so writes may go between."""
        cur = self.connection.cursor()
        try:
            last: str | None = None
            while True:
                where, params = (
                    ("", [size]) if last is None else ("WHERE event_id > ?", [last, size])
                )
                cur.execute(
                    f"SELECT * FROM events {where} ORDER BY event_id LIMIT ?",  # noqa: S608
                    params,
                )
                names = [d[0] for d in cur.description]
                rows = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
                if not rows:
                    return
                yield rows
                last = rows[-1]["event_id"]
        except duckdb.Error as exc:
            raise StoreError(f"cannot read cache {self.path}: {_first_line(exc)}") from None
        finally:
            cur.close()

    def replace_statuses(self, contract: str, statuses: Iterable[pa.Table]) -> int:
        """Store new decode results, then switch the cache to ``contract``, all at once.

        ``statuses`` are Arrow tables of (event_id, decode_status, decode_issues,
        decode_fits). They are staged in a temporary table; one transaction then updates
        the events and records the contract, so an interrupted re-decode leaves the cache
        as it was. Returns how many events changed status. Nothing else is touched: the
        events as received stay byte for byte.
        """
        contract_info(contract)
        con = self._writer = self._writer or self.connection.cursor()
        try:
            con.execute(
                "CREATE OR REPLACE TEMP TABLE _restatus (event_id VARCHAR PRIMARY KEY, "
                "decode_status VARCHAR, decode_issues JSON, decode_fits JSON)"
            )
            for table in statuses:
                con.register("_incoming_status", table)
                try:
                    con.execute("INSERT INTO _restatus SELECT * FROM _incoming_status")
                finally:
                    con.unregister("_incoming_status")
            con.execute("BEGIN TRANSACTION")
            changed = int(
                _scalar(
                    con,
                    "SELECT count(*) FROM events e JOIN _restatus r USING (event_id)"
                    " WHERE e.decode_status IS DISTINCT FROM r.decode_status",
                )
                or 0
            )
            con.execute(
                "UPDATE events SET decode_status = r.decode_status,"
                " decode_issues = r.decode_issues, decode_fits = r.decode_fits"
                " FROM _restatus r WHERE events.event_id = r.event_id"
            )
            _set_meta(con, "contract", contract)
            con.execute("COMMIT")
            con.execute("DROP TABLE IF EXISTS _restatus")
            _refresh_views(con, contract)
        except duckdb.Error as exc:
            _rollback(con)
            raise StoreError(f"cannot re-decode cache {self.path}: {_first_line(exc)}") from None
        self.contract = contract
        return changed

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A new cursor for a worker thread (DuckDB connections are not thread-safe)."""
        cursor = self.connection.cursor()
        self._cursors.add(cursor)  # for close(): a busy cursor keeps the connection open
        return cursor

    def count(self) -> int:
        return int(_scalar(self.connection, "SELECT count(*) FROM events") or 0)

    def write_rows(self, batch: RowBatch) -> UpsertResult:
        """Write one prepared batch in one transaction."""
        return self.write_many([batch])[0]

    def write_many(self, batches: Sequence[Batch]) -> list[UpsertResult]:
        """Write prepared batches, in order, in one transaction (a commit costs ~10 ms).

        Each batch is first tried as a plain INSERT: when none of its event_ids is
        stored yet (a first import or sync), nothing else is read. If any is, the
        primary key refuses the INSERT and the transaction is redone the careful way:
        only the first version of each event_id is stored, later ones are compared.
        """
        # A cursor of its own: a half-read result on the main connection cannot block it.
        con = self._writer = self._writer or self.connection.cursor()
        try:
            if self._memory_limited:
                _fit_memory(con, sum(len(batch) for batch in batches))
            try:
                written = self._write(con, batches)
            except duckdb.OutOfMemoryException:
                if not self._memory_limited:
                    raise
                # The estimate was short (event_ids far longer than UUIDs?): the limit
                # only saves memory, so it goes rather than the write.
                _rollback(con)
                self._memory_limited = False
                _unlimit_memory(con)
                written = self._write(con, batches)
        except duckdb.Error as exc:
            _rollback(con)
            raise StoreError(f"cannot write to cache {self.path}: {_first_line(exc)}") from None
        return [
            UpsertResult(new, again, tuple(batch.rejected), differing)
            for batch, (new, again, differing) in zip(batches, written, strict=True)
        ]

    def _write(self, con: duckdb.DuckDBPyConnection, batches: Sequence[Batch]) -> list[Written]:
        if self._staged is None:
            return _write(con, batches)
        written = _stage(con, batches, self._staged)
        self._staged += sum(len(batch) for batch in batches)
        return written

    @contextlib.contextmanager
    def fresh_load(self) -> Iterator[FreshLoad]:
        """Load into an empty cache without the primary key, and swap it in at the end.

        If the cache holds no event, the writes inside the block go to a staging table
        without the key (DuckDB inserts 1M events into a keyed table for ~11.5 s of CPU,
        ~9 without) and with a sequence column. When the block ends, one transaction
        keeps the first version of each event_id (a later one that differs goes to
        ``event_conflicts``), adds the key and swaps the table in for ``events``. A
        process killed before that leaves the empty cache it found (the staging table is
        dropped on the next open); an error in the block drops it. ``FreshLoad.correction``
        is what the deduplication changes in the counts the writes returned.
        """
        load = FreshLoad(active=not self.read_only and self.count() == 0)
        if not load.active:
            yield load
            return
        con = self._writer = self._writer or self.connection.cursor()
        try:
            con.execute(_staging_sql())
        except duckdb.Error as exc:
            raise StoreError(f"cannot write to cache {self.path}: {_first_line(exc)}") from None
        self._staged = 0
        swapped = False
        try:
            yield load
            self._staged = None
            load.correction = self._swap_in(con)
            swapped = True
        finally:
            self._staged = None
            if not swapped:
                _rollback(con)
                with contextlib.suppress(duckdb.Error):
                    con.execute(f"DROP TABLE IF EXISTS {STAGING}")

    def _swap_in(self, con: duckdb.DuckDBPyConnection) -> UpsertResult:
        try:
            if self._memory_limited:  # the key's index is built for every staged row
                _fit_memory(con, int(_scalar(con, f"SELECT count(*) FROM {STAGING}") or 0))  # noqa: S608
            con.execute("BEGIN TRANSACTION")
            repeats, found, table = _first_versions(con)
            con.execute(f"ALTER TABLE {table} ADD PRIMARY KEY (event_id)")
            con.execute("DROP TABLE events")
            con.execute(f"ALTER TABLE {table} RENAME TO events")
            con.execute("DELETE FROM meta WHERE key = 'views'")  # made again below
            con.execute("COMMIT")
            _refresh_views(con, self.contract)
        except duckdb.Error as exc:
            _rollback(con)
            raise StoreError(f"cannot write to cache {self.path}: {_first_line(exc)}") from None
        return UpsertResult(-repeats, repeats, (), found)

    @contextlib.contextmanager
    def limited_memory(self) -> Iterator[None]:
        """DuckDB's memory bounded for a long write: otherwise it caches written blocks up
        to 80% of RAM (an import of a million events peaked ~250 MB higher).

        The bound grows with the cache: inserting needs the primary key's whole index in
        memory, so a fixed limit would refuse writes once the cache holds a few million
        events (``Out of Memory Error``).
        """
        self._memory_limited = True
        try:
            yield
        finally:
            self._memory_limited = False
            with contextlib.suppress(duckdb.Error):
                _unlimit_memory(self.connection)

    def rollback(self) -> None:
        """Drop a half-done write (after Ctrl-C mid-write); nothing if none is open."""
        _rollback(self.connection)

    def close(self) -> None:
        """Close the cache. DuckDB refuses while a cursor runs a query in another thread
        (the explorer swaps a reader for a writer while its workers read): those queries
        are interrupted first (their workers get a StoreError), then the close is retried."""
        if self._writer is not None:
            self._writer.close()
        for _ in range(_CLOSE_TRIES):
            try:
                self.connection.close()
                return
            except duckdb.Error as exc:
                if "busy" not in str(exc):
                    raise StoreError(
                        f"cannot close cache {self.path}: {_first_line(exc)}"
                    ) from None
                for cursor in list(self._cursors):
                    cursor.interrupt()
                time.sleep(0.01)
        raise StoreError(f"cannot close cache {self.path}: a query would not stop")

    def __enter__(self) -> Cache:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


# --- sync state: the watermark of each complete sync ------------------------------------


def load_watermark(cache: Cache, source: str, key: str) -> datetime | None:
    """The newest event of the last complete sync of ``source`` with filter key ``key``."""
    sql = "SELECT watermark FROM sync_state WHERE source = ? AND filter_key = ?"
    rows = _state(cache, "read", sql, [source, key])
    if not rows or rows[0][0] is None:
        return None
    value: datetime = rows[0][0]
    return value.astimezone(UTC)


def save_watermark(cache: Cache, source: str, key: str, mark: datetime | None) -> None:
    sql = "INSERT OR REPLACE INTO sync_state VALUES (?, ?, ?, ?)"
    _state(cache, "write", sql, [source, key, mark, datetime.now(UTC)])


def _state(cache: Cache, verb: str, sql: str, values: list[Any]) -> list[Any]:
    cursor = cache.cursor()
    try:
        cursor.execute(SYNC_STATE_SQL)
        return cursor.execute(sql, values).fetchall()
    except duckdb.Error as exc:
        where = "from" if verb == "read" else "to"
        raise StoreError(
            f"cannot {verb} sync state {where} {cache.path}: {_first_line(exc)}"
        ) from None
    finally:
        cursor.close()


# --- writing ----------------------------------------------------------------------------

Written = tuple[int, int, int]  # new, already there, of which with different content


def _write(con: duckdb.DuckDBPyConnection, batches: Sequence[Batch]) -> list[Written]:
    """A plain INSERT first; the careful way if the primary key refuses it."""
    try:
        return _transaction(con, batches, careful=False)
    except duckdb.ConstraintException:
        _rollback(con)
        return _transaction(con, batches, careful=True)


def _fit_memory(con: duckdb.DuckDBPyConnection, incoming: int) -> None:
    """Working memory plus the primary key's index once ``incoming`` events are stored."""
    stored = int(_scalar(con, "SELECT count(*) FROM events") or 0)
    limit = WRITE_MEMORY + INDEX_BYTES * (stored + incoming)
    con.execute(f"SET GLOBAL memory_limit = '{limit}B'")  # an int, never data


def _unlimit_memory(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("RESET GLOBAL memory_limit")


def _transaction(
    con: duckdb.DuckDBPyConnection, batches: Sequence[Batch], *, careful: bool
) -> list[Written]:
    """Insert every batch in one transaction; what each did."""
    con.execute("BEGIN TRANSACTION")
    written = []
    for batch in batches:
        done = (0, 0, 0)
        if len(batch):
            _register(con, batch)
            try:
                done = _insert_first(con) if careful else (_insert(con), 0, 0)
            finally:
                with contextlib.suppress(duckdb.Error):  # gone with an aborted transaction
                    _unregister(con, batch)
        written.append(done)
    con.execute("COMMIT")
    return written


_MARKED = (
    "CREATE OR REPLACE TEMP TABLE _marked AS SELECT *,"
    " event_id IN (SELECT event_id FROM events) AS _stored,"
    " row_number() OVER (PARTITION BY event_id ORDER BY _seq) AS _nth FROM _incoming"
)
_LATER = "(SELECT * FROM _marked WHERE _stored OR _nth > 1)"


def _insert_first(con: duckdb.DuckDBPyConnection) -> Written:
    """Insert the first version of each event_id the cache does not hold; record the
    later versions that differ from the stored one."""
    con.execute(_MARKED)
    try:
        columns = _INSERT_COLUMNS  # constants from schema.COLUMNS, never data
        new = _count(
            con,
            f"INSERT INTO events ({columns}) SELECT {columns} FROM _marked"  # noqa: S608
            " WHERE _nth = 1 AND NOT _stored",
        )
        again = int(_scalar(con, f"SELECT count(*) FROM {_LATER}") or 0)  # noqa: S608
        found = conflicts.conflicts_between(con, _LATER, "events")
        conflicts.record(con, found)
    finally:
        con.execute("DROP TABLE IF EXISTS _marked")
    return new, again, len(found)


def _stage(con: duckdb.DuckDBPyConnection, batches: Sequence[Batch], base: int) -> list[Written]:
    """Append every batch to the staging table in one transaction, numbered from ``base``
    in input order (a spooled batch's rows share a number: its event_ids are unique)."""
    con.execute("BEGIN TRANSACTION")
    columns = _INSERT_COLUMNS  # constants from schema.COLUMNS, never data
    sql = f"INSERT INTO {STAGING} ({columns}, _seq) SELECT {columns}, _seq + ? FROM _incoming"  # noqa: S608
    written: list[Written] = []
    for batch in batches:
        if len(batch):
            _register(con, batch)
            try:
                con.execute(sql, [base]).fetchall()
            finally:
                with contextlib.suppress(duckdb.Error):
                    _unregister(con, batch)
            base += len(batch)
        written.append((len(batch), 0, 0))
    con.execute("COMMIT")
    return written


_REPEATED = f"SELECT event_id FROM {STAGING} GROUP BY event_id HAVING count(*) > 1"  # noqa: S608
_RANKED = (
    "CREATE OR REPLACE TEMP TABLE _ranked AS SELECT event_id, _seq,"  # noqa: S608
    " row_number() OVER (PARTITION BY event_id ORDER BY _seq) AS _nth"
    f" FROM {STAGING} WHERE event_id IN ({_REPEATED})"
)
_NTH = f"(SELECT s.* FROM {STAGING} s JOIN _ranked r USING (event_id, _seq) WHERE r._nth {{}})"  # noqa: S608


_KEPT = "kept_events"


def _first_versions(con: duckdb.DuckDBPyConnection) -> tuple[int, int, str]:
    """The first version of each staged event_id, in a table without ``_seq``; the later
    ones that differ recorded. How many repeats were dropped, how many of them differed,
    and the table. Without repeats (the usual case) that is the staging table itself;
    with some, a copy (a key cannot be added over rows deleted in the same transaction).
    """
    sql = f"SELECT count(*) - count(DISTINCT event_id) FROM {STAGING}"  # noqa: S608
    repeats = int(_scalar(con, sql) or 0)
    if not repeats:
        con.execute(f"ALTER TABLE {STAGING} DROP COLUMN _seq")
        return 0, 0, STAGING
    con.execute(_RANKED)
    found = conflicts.conflicts_between(con, _NTH.format("> 1"), _NTH.format("= 1"))
    conflicts.record(con, found)
    con.execute(_staging_sql(_KEPT, seq=False))
    columns = _INSERT_COLUMNS  # constants from schema.COLUMNS, never data
    con.execute(
        f"INSERT INTO {_KEPT} SELECT {columns} FROM {STAGING} s"  # noqa: S608
        " WHERE NOT EXISTS (SELECT 1 FROM _ranked r"
        " WHERE r.event_id = s.event_id AND r._seq = s._seq AND r._nth > 1) ORDER BY _seq"
    )
    con.execute(f"DROP TABLE {STAGING}")
    con.execute("DROP TABLE _ranked")
    return repeats, len(found), _KEPT


def _register(con: duckdb.DuckDBPyConnection, batch: Batch) -> None:
    """Make ``batch`` readable as ``_incoming``, with ``_seq`` its rows' order (a spooled
    batch holds every event_id once: its order does not matter)."""
    if isinstance(batch, SpooledBatch):
        seq = duckdb.SQLExpression("0::BIGINT").alias("_seq")
        batch.relation(con).select(duckdb.StarExpression(), seq).create_view(
            "_incoming", replace=True
        )
    else:
        table = batch.to_arrow()
        seq = pa.array(range(table.num_rows), pa.int64())
        con.register("_incoming", table.append_column("_seq", seq))


def _unregister(con: duckdb.DuckDBPyConnection, batch: Batch) -> None:
    if isinstance(batch, SpooledBatch):
        con.execute("DROP VIEW IF EXISTS _incoming")
    else:
        con.unregister("_incoming")


def _insert(con: duckdb.DuckDBPyConnection) -> int:
    """Insert the registered batch (the primary key refuses it if any event_id is there)."""
    columns = _INSERT_COLUMNS  # constants from schema.COLUMNS, never data
    return _count(con, f"INSERT INTO events ({columns}) SELECT {columns} FROM _incoming")  # noqa: S608


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    """Run an INSERT; how many rows it wrote."""
    return int(_scalar(con, sql) or 0)


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> Any:
    """The first value of the first row, or None. Fetches everything: DuckDB refuses
    ``register`` on a connection with a half-read result."""
    rows = con.execute(sql, params).fetchall()
    return rows[0][0] if rows else None


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    with contextlib.suppress(duckdb.Error):  # no transaction was open
        con.execute("ROLLBACK")


# --- opening, schema versions -------------------------------------------------------

_LOCK_PID = re.compile(r"\(PID (\d+)\)")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        connection = duckdb.connect(str(path), read_only=read_only)
        connection.execute("SET GLOBAL TimeZone = 'UTC'")
        return connection
    except duckdb.Error as exc:
        message = str(exc)
        if "Could not set lock" in message or "Conflicting lock" in message:
            pid = _LOCK_PID.search(message)
            who = f" (PID {pid.group(1)})" if pid else ""
            raise CacheLockedError(
                f"cache {path} is in use by another process{who}: close the other "
                "audit-explorer, or pass --cache to use another file"
            ) from None
        raise StoreError(f"cannot open cache {path}: {_first_line(exc)}") from None


def _prepare(
    path: Path, read_only: bool, say: Notify, contract: str | None
) -> duckdb.DuckDBPyConnection:
    if read_only and not path.exists():
        raise StoreError(f"no cache at {path} yet: import or sync some events first")
    private_files()  # the cache, its WAL and directory: the owner's only
    if (warning := cache_permission_warning(path)) is not None:
        say(warning)
    if not read_only:
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            if path.is_file() and path.stat().st_size == 0:
                path.unlink()  # an empty file (touch, mktemp) is a new cache, not a broken one
        except OSError as exc:
            raise StoreError(f"cannot create cache {path}: {exc.strerror or exc}") from None
    connection = _connect(path, read_only)
    try:
        version = _schema_version(connection, path)
        if version is None and not read_only:
            _create(connection, contract or DEFAULT_CONTRACT)
        elif version is None or version < SCHEMA_VERSION:
            connection = _upgrade(connection, path, version or 0, read_only, say)
        elif version > SCHEMA_VERSION:
            raise StoreError(
                f"cache {path} was written by a newer audit-explorer (schema v{version}; "
                f"this one reads v{SCHEMA_VERSION}): upgrade, or pass --cache to use another file"
            )
        if not read_only:
            for table in (STAGING, _KEPT):  # left by a fresh load that was killed
                connection.execute(f"DROP TABLE IF EXISTS {table}")
            if contract is not None and _scalar(connection, "SELECT count(*) FROM events") == 0:
                _set_meta(connection, "contract", contract)  # nothing decoded yet
            _refresh_views(connection, cache_contract(connection))
            create_evidence_tables(connection)  # verdicts, runs, holds (store/evidence.py)
    except duckdb.Error as exc:
        connection.close()
        raise StoreError(f"cannot prepare cache {path}: {_first_line(exc)}") from None
    except StoreError:
        connection.close()
        raise
    return connection


def _schema_version(con: duckdb.DuckDBPyConnection, path: Path) -> int | None:
    """The file's schema version; None for an empty file, 0 for a cache from before versions."""
    tables = {
        str(row[0])
        for row in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
        ).fetchall()
    }
    if not tables:
        return None
    if "meta" not in tables:
        if "events" in tables:
            return 0
        raise StoreError(f"{path} is a DuckDB file but not an audit-explorer cache")
    value = _scalar(con, "SELECT value FROM meta WHERE key = 'schema_version'")
    if value is None:
        return 0
    try:
        return int(value)
    except (TypeError, ValueError):
        raise StoreError(f"cache {path} has an unreadable schema version {value!r}") from None


def _create(con: duckdb.DuckDBPyConnection, contract: str) -> None:
    con.execute("BEGIN TRANSACTION")
    for statement in _create_sql():
        con.execute(statement)
    _set_meta(con, "schema_version", str(SCHEMA_VERSION))
    _set_meta(con, "contract", contract)
    con.execute("COMMIT")


class _Executes(Protocol):
    def execute(self, query: str, parameters: Any = ...) -> Any: ...


def cache_contract(con: _Executes) -> str:
    """The contract version the cache's statuses were decoded against (a connection or
    a cursor of it)."""
    try:
        rows = con.execute("SELECT value FROM meta WHERE key = 'contract'").fetchall()
    except duckdb.Error:
        return DEFAULT_CONTRACT
    value = rows[0][0] if rows else None
    return str(value) if value in CONTRACTS else DEFAULT_CONTRACT


def _set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])


def _upgrade(
    con: duckdb.DuckDBPyConnection, path: Path, version: int, read_only: bool, say: Notify
) -> duckdb.DuckDBPyConnection:
    steps = [MIGRATIONS.get(v) for v in range(version, SCHEMA_VERSION)]
    if read_only:
        raise StoreError(
            f"cache {path} has an older schema (v{version}; this audit-explorer uses "
            f"v{SCHEMA_VERSION}): open it once for writing (e.g. import) to upgrade it"
        )
    if all(step is not None for step in steps):
        _migrate(con, version, steps)
        hint = f": {_REDECODE_AFTER[version]}" if version in _REDECODE_AFTER else ""
        say(f"migrated cache {path} from schema v{version} to v{SCHEMA_VERSION}{hint}")
        return con
    con.close()
    backup = _move_aside(path, version)
    say(
        f"cache {path} was made by an older audit-explorer (schema v{version}); "
        f"moved it to {backup} and started an empty cache: import or sync again"
    )
    con = _connect(path, read_only=False)
    _create(con, DEFAULT_CONTRACT)
    return con


def _migrate(
    con: duckdb.DuckDBPyConnection, version: int, steps: list[tuple[str, ...] | None]
) -> None:
    con.execute("BEGIN TRANSACTION")
    for step in steps:
        for statement in step or ():
            con.execute(statement)
    _set_meta(con, "schema_version", str(SCHEMA_VERSION))
    _set_meta(con, "migrated_from", str(version))
    con.execute("COMMIT")


def _move_aside(path: Path, version: int) -> Path:
    backup = path.with_name(f"{path.name}.schema-v{version}.bak")
    try:
        os.replace(path, backup)
        wal = path.with_name(path.name + ".wal")
        if wal.exists():
            os.replace(wal, backup.with_name(backup.name + ".wal"))
    except OSError as exc:
        raise StoreError(f"cannot move the old cache {path} aside: {exc.strerror or exc}") from None
    return backup


def _refresh_views(con: duckdb.DuckDBPyConnection, contract: str) -> None:
    """(Re)create the payload views of ``contract`` when they changed since they were made."""
    digest = views_digest(contract)
    if _scalar(con, "SELECT value FROM meta WHERE key = 'views'") == digest:
        return
    con.execute("BEGIN TRANSACTION")
    wanted = {view.name for view in payload_views(contract)}
    for (name,) in con.execute(
        "SELECT view_name FROM duckdb_views() WHERE database_name = current_database()"
        " AND NOT internal AND view_name LIKE 'payload\\_%' ESCAPE '\\'"
    ).fetchall():
        if name not in wanted:
            con.execute(f'DROP VIEW "{_ident(name)}"')
    for view in payload_views(contract):
        con.execute(view.sql())
    _set_meta(con, "views", digest)
    con.execute("COMMIT")


def _ident(name: Any) -> str:
    return str(name).replace('"', '""')
