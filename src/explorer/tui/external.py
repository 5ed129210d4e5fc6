"""An event's JSON outside the explorer: the clipboard, ``$PAGER`` and ``$EDITOR``.

The text handed out is JSON whose every control character (C1 and bidi ones included,
which ``json.dumps`` keeps) is a ``\\uXXXX`` escape: a pager or editor shows the
event's text, and no byte of it can drive the terminal.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import tempfile
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from textual.app import App

from explorer.errors import ExplorerError
from explorer.text import CONTROL

PAGER = "less -R"
EDITOR = "vi"


def event_json(raw: Any) -> str:
    """Pretty JSON of ``raw`` with every control character escaped (still valid JSON)."""
    dumped = json.dumps(raw, indent=2, ensure_ascii=False, default=str)
    return CONTROL.sub(_escape, dumped) + "\n"


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return char if char == "\n" else f"\\u{ord(char):04x}"  # newlines are the indentation


def command(variable: str, fallback: str) -> list[str]:
    """``$PAGER`` / ``$EDITOR`` split as a shell would (``code --wait``), else ``fallback``."""
    value = os.environ.get(variable, "").strip() or fallback
    try:
        words = shlex.split(value)
    except ValueError as exc:
        raise ExplorerError(f"${variable} cannot be read as a command ({exc})") from None
    return words or shlex.split(fallback)


def open_text(app: App[Any], text: str, variable: str, fallback: str, name: str) -> int:
    """Show ``text`` in ``$variable`` with the app suspended; the exit status of the program.

    The text goes to a temporary file only the user can read (mkstemp makes it 0600), which
    is removed afterwards, whatever the program did.
    """
    argv = command(variable, fallback)
    fd, temp = tempfile.mkstemp(prefix=f"audit-explorer-{name}-", suffix=".json")
    path = Path(temp)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        with _suspended(app):
            return subprocess.run([*argv, str(path)], check=False).returncode
    except OSError as exc:
        raise ExplorerError(f"cannot run {argv[0]} (${variable}): {exc.strerror or exc}") from None
    finally:
        path.unlink(missing_ok=True)


def _suspended(app: App[Any]) -> AbstractContextManager[None]:
    # A headless app (tests) has no terminal to hand over.
    return nullcontext() if app.is_headless else app.suspend()
