"""The core and the non-TUI commands start without Textual (so `validate` starts fast)."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import importlib, pkgutil, sys
import explorer, explorer.cli
for mod in pkgutil.walk_packages(explorer.__path__, "explorer."):
    if not mod.name.startswith("explorer.tui"):
        importlib.import_module(mod.name)
leaked = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "textual_fastdatatable"))
print(",".join(leaked))
"""


def test_nothing_outside_the_tui_imports_textual() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
