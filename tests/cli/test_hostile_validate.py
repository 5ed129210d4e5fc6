from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.hostile import corpus, corpus_ndjson


def test_validate_reports_every_hostile_line_and_never_crashes(tmp_path: Path) -> None:
    path = tmp_path / "hostile.ndjson"
    path.write_bytes(corpus_ndjson())
    for fmt in ("ndjson", "json", "text"):
        result = subprocess.run(
            [sys.executable, "-m", "explorer", "validate", str(path), "--format", fmt],
            capture_output=True,
            timeout=120,
        )
        assert result.returncode == 1, result.stderr
        assert b"Traceback" not in result.stderr
        assert b"\x1b" not in result.stdout and b"\x07" not in result.stdout
        if fmt == "ndjson":
            rows = [json.loads(line) for line in result.stdout.splitlines()]
            assert len(rows) == len(corpus())
            assert all(row["status"] for row in rows)
            bad = [row for row in rows if row["status"] != "ok"]
            assert all(row["issues"] for row in bad)
