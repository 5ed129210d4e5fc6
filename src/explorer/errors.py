"""Errors a person can act on. Each carries a one-line message; no traceback is shown."""

from __future__ import annotations


class ExplorerError(Exception):
    """Base class: ``str(error)`` is the one line the CLI and TUI show."""

    exit_code = 1


class InputError(ExplorerError):
    """An input file or stream cannot be read at all."""

    exit_code = 2


class StoreError(ExplorerError):
    """The DuckDB cache cannot be opened, read or written."""


class CacheLockedError(StoreError):
    """Another process holds the cache file."""


class ClientError(ExplorerError):
    """DataStorage could not be reached or answered with an error."""


class FilterError(ExplorerError):
    """A filter expression does not parse. ``position`` points at the offending text."""

    def __init__(self, message: str, position: int = 0, length: int = 1) -> None:
        super().__init__(message)
        self.position = position
        self.length = length


class QueryError(ExplorerError):
    """A named query is unknown, lacks a parameter, or fails in DuckDB."""


class ExportError(ExplorerError):
    """An export could not be written."""


class ContractError(ExplorerError):
    """A contract name the tool does not ship."""

    exit_code = 2
