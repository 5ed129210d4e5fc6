"""The core and the non-TUI commands start without Textual (so `validate` starts fast)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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


VALIDATE_PROBE = """
import sys
from explorer.cli import main
try:
    main(["validate", sys.argv[1]])
except SystemExit:
    pass
roots = ("textual", "duckdb", "httpx", "pyarrow")
heavy = sorted(m for m in sys.modules if m.split(".")[0] in roots)
print("HEAVY:" + ",".join(heavy), file=sys.stderr)
"""


def test_validate_loads_neither_the_cache_nor_the_network_stack(tmp_path: Path) -> None:
    path = tmp_path / "one.ndjson"
    path.write_text('{"event_type": "x.y"}\n')
    result = subprocess.run(
        [sys.executable, "-c", VALIDATE_PROBE, str(path)], capture_output=True, text=True
    )
    assert result.stderr.strip().splitlines()[-1] == "HEAVY:"
