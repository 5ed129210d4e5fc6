"""benchmarks/run.py keeps working: a tiny run writes results.json in the agreed shape."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FILTERS = {"service", "event_type", "correlation_id", "status", "time_window", "free_text"}
METRICS = {
    "import_events_per_s",
    "import_ratio",
    "validate_events_per_s",
    "validate_ratio",
    "sync_events_per_s",
    "sync_ratio",
    "filter_p95_ms",
    "tui_first_paint_ms",
    "tui_jump_end_ms",
    "import_rss_mb",
    "tui_rss_mb",
    "import_cpu_s",
}


def test_a_small_run_writes_the_results_shape(tmp_path: Path) -> None:
    output = tmp_path / "results.json"
    args = ["--events", "2000", "--repeat", "2", "--work", str(tmp_path), "--output", str(output)]
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(output.read_text())
    assert set(results) == {"events", "machine", "load", "metrics"}
    assert results["events"] == 2000 and results["machine"]
    metrics = results["metrics"]
    assert set(metrics) == METRICS
    assert set(metrics["filter_p95_ms"]) == FILTERS | {"combination", "free_text_first_window"}
    numbers = [v for k, v in metrics.items() if k != "filter_p95_ms"]
    assert all(isinstance(v, int | float) and v > 0 for v in numbers)
    assert all(v > 0 for v in metrics["filter_p95_ms"].values())
    assert "import_ratio" in done.stdout and "tui_jump_end_ms" in done.stdout
    assert not list(tmp_path.glob("run-*")), "the scratch caches are removed"


def test_against_a_revision_compares_import_and_validate_in_the_same_run(tmp_path: Path) -> None:
    output = tmp_path / "results.json"
    args = ["--events", "500", "--repeat", "1", "--work", str(tmp_path), "--output", str(output)]
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), *args, "--against", "HEAD"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    metrics = json.loads(output.read_text())["metrics"]
    assert metrics["base"] == "HEAD"
    assert metrics["import_vs_base"] > 0 and metrics["validate_vs_base"] > 0
    assert "validate_vs_base" in done.stdout
    assert not (tmp_path / "base").exists()


def test_only_the_import_against_a_revision(tmp_path: Path) -> None:
    """``--only import``: the import's numbers (CPU seconds and the process tree's RSS
    included) for this tree and REV, nothing written without ``--output``."""
    args = ["--events", "300", "--work", str(tmp_path), "--only", "import", "--against", "HEAD"]
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    for shown in ("import CPU s", "import_rss_mb", "base import CPU s", "load average"):
        assert shown in done.stdout
    assert "validate" not in done.stdout and "tui" not in done.stdout
    assert not list(tmp_path.rglob("*.json")), "a partial run writes no results"
    cpu = float(done.stdout.split("import CPU s (children included)")[1].split()[0])
    assert cpu > 0
