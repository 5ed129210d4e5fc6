"""What the explorer remembers between runs: the filter history and the theme.

Both live in the user data directory, in files only the user can read (mode 0600): a
filter can name a customer's namespace. A file that cannot be read or written is
forgotten quietly; remembering is a convenience, never a reason to fail.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

import platformdirs

from explorer.config import APP

HISTORY_SIZE = 200


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP))


def _write_private(path: Path, text: str) -> None:
    """Replace ``path`` with ``text``, readable by the user only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(path.name + ".tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.chmod(temp, 0o600)  # an older file kept its mode through O_TRUNC
    os.replace(temp, path)


class FilterHistory:
    """Applied filter expressions, oldest first, one a line; Up and Down walk them."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or data_dir() / "filter-history"
        self.entries = self._read()

    def _read(self) -> list[str]:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return []
        return [line for line in lines if line.strip()][-HISTORY_SIZE:]

    def add(self, expr: str) -> None:
        """Remember ``expr`` as the newest entry (moved there when already known)."""
        expr = expr.strip()
        if not expr or "\n" in expr or "\r" in expr:
            return
        kept = [e for e in self.entries if e != expr][-(HISTORY_SIZE - 1) :]
        self.entries = [*kept, expr]
        with contextlib.suppress(OSError):
            _write_private(self.path, "\n".join(self.entries) + "\n")


class Settings:
    """Small preferences the app changes itself (the theme chosen in the palette)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or data_dir() / "settings.json"

    def _read(self) -> dict[str, object]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    @property
    def theme(self) -> str | None:
        value = self._read().get("theme")
        return value if isinstance(value, str) else None

    @theme.setter
    def theme(self, name: str) -> None:
        data = self._read() | {"theme": name}
        with contextlib.suppress(OSError):
            _write_private(self.path, json.dumps(data, indent=2) + "\n")
