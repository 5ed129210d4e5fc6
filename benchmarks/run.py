"""Measure audit-explorer at scale against the floor, in one run (issue 7).

    python benchmarks/run.py [--events N] [--output benchmarks/results.json]
    python benchmarks/run.py --events 200000 --only import [--against REV]

Generates demo NDJSON into ``benchmarks/data/`` (gitignored, reused when present), then
measures import vs DuckDB's ``read_json``, sync vs downloading and parsing the same pages,
the filters of the TUI/CLI on the full cache, the TUI's first paint and end jump, and the
peak RSS of import and of the TUI (each in a subprocess, the whole process tree). The
import also reports its CPU seconds (``getrusage`` of the children, its workers included)
and the load average before it: the machine may be shared. Ratios compare against a
baseline measured in this same run; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
DATA = ROOT / "data"
PAGE_SIZE = 1000
WINDOW = 200
SEED = 7


# -- helpers ---------------------------------------------------------------------------------


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        info: dict[str, str] = {}
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            info.setdefault(key.strip(), value.strip())
        cpu = info.get("model name", cpu)
        # A virtual machine often names only the brand ("AMD EPYC"): family and model
        # tell the generation (AMD family 25 is Zen 3/4), the clock the rest.
        detail = [f"{k} {info[k]}" for k in ("cpu family", "model", "stepping") if k in info]
        if "cpu MHz" in info:
            detail.append(f"{float(info['cpu MHz']):.0f} MHz")
        if detail:
            cpu += f" ({', '.join(detail)})"
    except (OSError, ValueError):
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 2**20:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores{mem}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def _children_cpu_s() -> float:
    """CPU seconds (user + system) of the children this process waited for, their own
    waited-for children included (an import's workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def _status_kb(pid: int, field: str) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith(field))


def _tree_rss_kb(pid: int) -> tuple[int, int]:
    """(resident memory of ``pid`` and all its descendants, the largest high-water mark
    of any one of them), in kB, from /proc."""
    total, highest, stack = 0, 0, [pid]
    while stack:
        current = stack.pop()
        try:
            total += _status_kb(current, "VmRSS:")
            highest = max(highest, _status_kb(current, "VmHWM:"))
            for task in Path(f"/proc/{current}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            continue
    return total, highest


@contextmanager
def _rss_sampler(pid: int) -> Iterator[list[int]]:
    """Samples the process tree every 50 ms; yields a one-item list of the peak (kB):
    the tree's summed RSS, or one process's own high-water mark if that is larger."""
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            peak[0] = max(peak[0], *_tree_rss_kb(pid))

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield peak
    finally:
        done.set()
        thread.join()


def _run_child(
    args: list[str], *, ok: tuple[int, ...] = (0,), env: dict[str, str] | None = None
) -> tuple[float, str, float]:
    """Run a command; (wall seconds, stdout, peak RSS of its process tree in MB).

    Not ``ru_maxrss`` of the child: on Linux it starts from the RSS of this process at
    fork time, which the in-process sync measurement makes large. ``ok``: the exit
    statuses that are not a failure (``validate`` exits 1 when some event does not fit).
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out, stderr=err, env=env)
        with _rss_sampler(proc.pid) as peak:
            proc.wait()
        elapsed = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        if proc.returncode not in ok:
            tail = err.read().decode(errors="replace")[-800:]
            raise RuntimeError(f"{' '.join(args[2:4])} failed ({proc.returncode}): {tail}")
        return elapsed, out.read().decode(), peak[0] / 1024


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "explorer", *args]


# -- data ------------------------------------------------------------------------------------


def generate(events: int, seed: int, where: Path = DATA) -> Path:
    """The demo NDJSON (kept in ``where`` and reused: 1,000,000 events take ~20 s), oldest
    first, as a DataStorage export or a sync delivers events (the generator's own order
    interleaves incidents at random)."""
    from explorer.demo.generator import write_ndjson

    where.mkdir(parents=True, exist_ok=True)
    path = where / f"demo-{events}-{seed}-ordered.ndjson"
    if not path.exists():
        partial = path.with_suffix(".partial")
        write_ndjson(partial, events, seed, time_order=True)
        partial.replace(path)
    return path


# -- 1. import -------------------------------------------------------------------------------


def measure_import(path: Path, work: Path, events: int) -> dict[str, float]:
    cache = work / "import.duckdb"
    cpu = _children_cpu_s()
    elapsed, _, rss = _run_child(_cli("import", str(path), "--cache", str(cache)))
    cpu = _children_cpu_s() - cpu
    floor = _read_json_floor(path, work / "floor.duckdb")
    return {
        "import_events_per_s": events / elapsed,
        "floor_events_per_s": events / floor,
        "import_ratio": floor / elapsed,
        "import_cpu_s": cpu,
        "import_rss_mb": rss,
    }


def measure_validate(path: Path, events: int) -> dict[str, float]:
    """``validate`` of the whole file (decoding only, no cache) against parsing each line
    with orjson in a child process of its own (the floor: reading and parsing)."""
    elapsed, _, _ = _run_child(_cli("validate", str(path)), ok=(0, 1))
    floor, _, _ = _run_child([sys.executable, "-c", _PARSE_LINES, str(path)])
    return {"validate_events_per_s": events / elapsed, "validate_ratio": floor / elapsed}


_PARSE_LINES = """
import sys, orjson
with open(sys.argv[1], "rb") as f:
    for line in f:
        orjson.loads(line)
"""


def measure_against(
    rev: str, path: Path, work: Path, events: int, validate: bool = True
) -> dict[str, float]:
    """Import and validate with the code of ``rev`` (a git revision) on the same file, in
    this run: ``*_vs_base`` is the base's time over this tree's (>= 0.9: at most 10 %
    slower)."""
    base = work / "base"
    subprocess.run(
        ["git", "-C", str(ROOT.parent), "worktree", "add", "--detach", str(base), rev],
        check=True,
        capture_output=True,
    )
    try:
        env = {**os.environ, "PYTHONPATH": str(base / "src")}
        cpu = _children_cpu_s()
        imported, _, rss = _run_child(
            _cli("import", str(path), "--cache", str(work / "base.duckdb")), env=env
        )
        cpu = _children_cpu_s() - cpu
        validated = (
            _run_child(_cli("validate", str(path)), ok=(0, 1), env=env)[0] if validate else 0.0
        )
    finally:
        subprocess.run(
            ["git", "-C", str(ROOT.parent), "worktree", "remove", "--force", str(base)],
            check=False,
            capture_output=True,
        )
    measured = {
        "base_import_events_per_s": events / imported,
        "base_import_cpu_s": cpu,
        "base_import_rss_mb": rss,
    }
    if validate:
        measured["base_validate_events_per_s"] = events / validated
    return measured


def _read_json_floor(path: Path, target: Path) -> float:
    """DuckDB's own read_json into a file table: envelope columns, event_data as JSON."""
    import duckdb

    from explorer.store.schema import COLUMNS

    skip = {"service", "extra", "decode_status", "decode_issues", "source", "fetched_at"}
    wanted = [(name, sql.split()[0]) for name, sql in COLUMNS if name not in skip]
    columns = "{" + ", ".join(f"'{name}': '{sql}'" for name, sql in wanted) + "}"
    con = duckdb.connect(str(target))
    try:
        started = time.perf_counter()
        sql = (
            "CREATE TABLE floor AS SELECT * FROM read_json(?, format = 'newline_delimited', "  # noqa: S608 - constants
            f"columns = {columns}, maximum_object_size = 67108864)"
        )
        con.execute(sql, [str(path)])
        con.execute("CHECKPOINT")
        return time.perf_counter() - started
    finally:
        con.close()


# -- 2. sync ---------------------------------------------------------------------------------


@contextmanager
def demo_server(events: int, seed: int) -> Iterator[str]:
    proc = subprocess.Popen(
        _cli("demo-server", "--events", str(events), "--seed", str(seed), "--port", "0"),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        url = next((w for w in line.split() if w.startswith("http://")), None)
        if url is None:
            raise RuntimeError(f"the demo server did not start: {line!r}")
        yield url.rstrip(";")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def measure_sync(url: str, work: Path, events: int) -> dict[str, float]:
    baseline = _download_pages(url)
    elapsed = _sync_into(url, work / "sync.duckdb")
    return {
        "sync_events_per_s": events / elapsed,
        "download_events_per_s": events / baseline,
        "sync_ratio": baseline / elapsed,
    }


def _download_pages(url: str) -> float:
    """Fetch and parse the same pages sync asks for (time-cursor paging), nothing else."""
    import httpx

    from explorer.client.datastorage import format_timestamp, parse_timestamp

    started = time.perf_counter()
    until: datetime | None = None
    skip = 0
    with httpx.Client(base_url=url, timeout=60) as client:
        while True:
            params = {"limit": str(PAGE_SIZE), "offset": str(skip)}
            if until is not None:
                params["until"] = format_timestamp(until + timedelta(microseconds=1))
            body = json.loads(client.get("/api/v1/audit/events", params=params).content)
            data = body["data"]
            if not data:
                break
            times = [parse_timestamp(e["event_timestamp"]) for e in data]
            oldest = min(t for t in times if t is not None)
            if until is None or oldest < until:
                until, skip = oldest, sum(1 for t in times if t == oldest)
            else:
                skip += len(data)
            if not body["pagination"]["has_more"]:
                break
    return time.perf_counter() - started


def _sync_into(url: str, cache_path: Path) -> float:
    from explorer.client.datastorage import ClientSettings, DataStorageClient, EventFilters
    from explorer.ingest.sync import run_sync
    from explorer.store.cache import Cache

    started = time.perf_counter()
    with Cache.open(cache_path) as cache, DataStorageClient(ClientSettings(url=url)) as client:
        result = run_sync(cache, client, EventFilters(), source=url, page_size=PAGE_SIZE)
    if not result.complete:
        raise RuntimeError(f"sync did not complete: {result.stopped}")
    return time.perf_counter() - started


# -- 3. filters ------------------------------------------------------------------------------


def filter_expressions(cache_path: Path) -> dict[str, str]:
    """Filters over values that exist in this cache (found once, not timed)."""
    import duckdb

    con = duckdb.connect(str(cache_path), read_only=True)
    try:
        con.execute("SET TimeZone = 'UTC'")
        row = con.execute(
            "SELECT correlation_id, event_timestamp FROM events WHERE correlation_id IS NOT NULL "
            "ORDER BY event_timestamp, event_id LIMIT 1 OFFSET (SELECT count(*) // 2 FROM events)"
        ).fetchone()
    finally:
        con.close()
    assert row is not None, "an empty cache"
    corr, middle = row
    since = middle.astimezone(UTC).replace(microsecond=0)
    until = since + timedelta(hours=1)
    window = f"since:{since.isoformat()} until:{until.isoformat()}"
    return {
        "service": "service:orchestrator",
        "event_type": "type:aiagent.llm.*",
        "correlation_id": f"corr:{corr}",
        "status": "status:drift,invalid",
        "time_window": window,
        "free_text": "OOMKilled",
        "combination": f"service:aiagent -status:ok since:{(since - timedelta(days=1)).isoformat()}"
        " outcome:success",
    }


FIRST_WINDOW = "free_text_first_window"  # a bare word's first window, before its count


def measure_filters(cache_path: Path, repeat: int) -> tuple[dict[str, float], dict[str, float]]:
    from explorer.core.browse import EventBrowser
    from explorer.core.filters import parse_filter
    from explorer.store.cache import Cache

    expressions = filter_expressions(cache_path)
    p50: dict[str, float] = {}
    p95: dict[str, float] = {}
    with Cache.open(cache_path, read_only=True) as cache:
        cur = cache.cursor()
        for name, expr in expressions.items():
            times = []
            for _ in range(repeat + 1):
                started = time.perf_counter()
                flt = parse_filter(expr)
                browser = EventBrowser(flt.where, flt.params)
                browser.count(cur)
                browser.window(cur, 0, WINDOW)
                times.append((time.perf_counter() - started) * 1000)
            times = times[1:]  # the first run warms DuckDB's buffer cache
            p50[name] = statistics.median(times)
            p95[name] = _percentile(times, 95)
        # What the explorer shows first for a bare word: its newest window, before the count.
        times = []
        for _ in range(repeat + 1):
            started = time.perf_counter()
            flt = parse_filter(expressions["free_text"])
            window = EventBrowser(flt.where, flt.params).first_window(cur, WINDOW)
            times.append((time.perf_counter() - started) * 1000)
        if len(window.rows) < WINDOW:  # a tiny run: fewer matches than a window
            print(f"note: {expressions['free_text']!r} matched {len(window.rows)}", file=sys.stderr)
        times = times[1:]
        p50[FIRST_WINDOW], p95[FIRST_WINDOW] = statistics.median(times), _percentile(times, 95)
    return p50, p95


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


# -- 4/5. TUI --------------------------------------------------------------------------------


def measure_tui(cache_path: Path) -> dict[str, float]:
    _, out, rss = _run_child([sys.executable, str(Path(__file__)), "--tui-child", str(cache_path)])
    timings = json.loads(out.strip().splitlines()[-1])
    own_peak = timings.pop("vm_hwm_kb") / 1024  # exact: read by the child as it ends
    return {**timings, "tui_rss_mb": max(rss, own_peak)}


def tui_child(cache_path: Path) -> None:
    """In a subprocess: launch -> first rows painted, and ``end`` -> the last row painted.

    "Painted" is when the table renders the line of that row with its data, seen
    through a wrapper around ``EventsTable.render_line`` (Pilot's own waits for an idle
    process would count DuckDB's threads as busy and add their own sleeps).
    """
    started = time.perf_counter()
    from explorer.tui.app import ExplorerApp
    from explorer.tui.widgets.events_table import EventsTable

    painted = _watch_painting(EventsTable)
    app = ExplorerApp(cache_path)
    result: dict[str, float] = {}

    async def run() -> None:
        async with app.run_test(size=(120, 36)):
            await _until(lambda: 0 in painted)
            result["tui_first_paint_ms"] = (painted[0] - started) * 1000
            table = app.screen.query_one(EventsTable)
            await _until(lambda: table.highlighted is not None and _idle(app))
            last = table.total - 1
            pressed = time.perf_counter()
            app.simulate_key("end")
            await _until(lambda: last in painted and table.cursor_row == last)
            result["tui_jump_end_ms"] = (painted[last] - pressed) * 1000
            await _until(lambda: _idle(app))  # closing the cache under a worker fails

    asyncio.run(run())
    result["vm_hwm_kb"] = _status_kb(os.getpid(), "VmHWM:")
    print(json.dumps(result))


def _idle(app: Any) -> bool:
    return not any(worker.is_running for worker in app.workers)


def _watch_painting(table: Any) -> dict[int, float]:
    """Row index -> when the table first rendered that row with its data."""
    painted: dict[int, float] = {}
    render_line = table.render_line

    def watched(self: Any, y: int) -> Any:
        strip = render_line(self, y)
        index = round(self.scroll_offset.y) + y - 1
        if y > 0 and index not in painted and self.row_at(index) is not None:
            painted[index] = time.perf_counter()
        return strip

    table.render_line = watched
    return painted


async def _until(check: Callable[[], Any], timeout: float = 120.0) -> None:
    deadline = time.perf_counter() + timeout
    while not check():
        if time.perf_counter() > deadline:
            raise RuntimeError("the TUI did not get there in time")
        await asyncio.sleep(0.001)


# -- report ----------------------------------------------------------------------------------


def report(events: int, measured: dict[str, Any], p50: dict[str, float]) -> str:
    m = measured
    lines = [
        f"{events:,} events on {_machine()}",
        f"{'metric':<34}{'value':>14}  {'target':>10}",
        _line("import events/s", m["import_events_per_s"], ""),
        _line("  read_json floor events/s", m["floor_events_per_s"], ""),
        _line("import_ratio", m["import_ratio"], ">= 0.5", 2),
        _line("import CPU s (children included)", m["import_cpu_s"], "", 1),
        _line("import_rss_mb (process tree)", m["import_rss_mb"], "<= 400", 0),
        f"load average (1, 5, 15 min) before the import: {m['load']}",
    ]
    if "validate_events_per_s" not in m:  # --only import
        return "\n".join(lines + _against_lines(m))
    lines += [
        _line("validate events/s", m["validate_events_per_s"], ""),
        _line("validate_ratio (vs orjson parse)", m["validate_ratio"], "", 2),
        _line("sync events/s", m["sync_events_per_s"], ""),
        _line("  download+parse events/s", m["download_events_per_s"], ""),
        _line("sync_ratio", m["sync_ratio"], ">= 0.5", 2),
    ]
    for name, value in m["filter_p95_ms"].items():
        target = "<= 100" if name == FIRST_WINDOW else "<= 50"
        lines.append(_line(f"filter {name} p50/p95 ms", value, target, 1, p50[name]))
    lines += [
        _line("tui_first_paint_ms", m["tui_first_paint_ms"], "<= 1000", 0),
        _line("tui_jump_end_ms", m["tui_jump_end_ms"], "<= 100", 0),
        _line("tui_rss_mb", m["tui_rss_mb"], "<= 400", 0),
    ]
    return "\n".join(lines + _against_lines(m))


def _against_lines(m: dict[str, Any]) -> list[str]:
    if "base_import_events_per_s" not in m:
        return []
    lines = [
        f"against {m['base']}:",
        _line("  base import events/s", m["base_import_events_per_s"], ""),
        _line("  import_vs_base", m["import_vs_base"], ">= 0.9", 2),
        _line("  base import CPU s", m["base_import_cpu_s"], "", 1),
        _line("  base import_rss_mb", m["base_import_rss_mb"], "", 0),
    ]
    if "base_validate_events_per_s" in m:
        lines += [
            _line("  base validate events/s", m["base_validate_events_per_s"], ""),
            _line("  validate_vs_base", m["validate_vs_base"], ">= 0.9", 2),
        ]
    return lines


def _line(name: str, value: float, target: str, digits: int = 0, p50: float | None = None) -> str:
    shown = f"{value:,.{digits}f}" if p50 is None else f"{p50:,.1f} / {value:,.1f}"
    return f"{name:<34}{shown:>14}  {target:>10}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument(
        "--output", type=Path, help="default: benchmarks/results.json (none with --only)"
    )
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--repeat", type=int, default=20, help="runs per filter")
    parser.add_argument("--work", type=Path, help="data and scratch (default: benchmarks/data)")
    parser.add_argument(
        "--against",
        metavar="REV",
        help="also import and validate with the code of git revision REV, in this run",
    )
    parser.add_argument(
        "--only",
        choices=["import"],
        help="measure the import alone (and REV's import with --against); prints, and "
        "writes results only to an explicit --output",
    )
    parser.add_argument("--tui-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.tui_child is not None:
        tui_child(args.tui_child)
        return 0
    measured = run_all(args.events, args.seed, args.repeat, args.work, args.against, args.only)
    output = args.output or (None if args.only else ROOT / "results.json")
    if output is not None:
        keys = _METRIC_KEYS if args.only is None else _IMPORT_KEYS
        metrics = {k: measured[k] for k in keys}
        metrics.update({k: measured[k] for k in _BASE_KEYS if k in measured})
        doc = {"events": args.events, "machine": _machine(), "load": measured["load"]}
        doc["metrics"] = metrics
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(doc, indent=2) + "\n")
    print(report(args.events, measured, measured.get("filter_p50_ms", {})))
    return 0


_METRIC_KEYS = (
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
)
_IMPORT_KEYS = ("import_events_per_s", "import_ratio", "import_cpu_s", "import_rss_mb")
_BASE_KEYS = (
    "base",
    "base_import_events_per_s",
    "base_import_cpu_s",
    "base_import_rss_mb",
    "import_vs_base",
    "base_validate_events_per_s",
    "validate_vs_base",
)


def run_all(
    events: int,
    seed: int,
    repeat: int,
    work_dir: Path | None,
    against: str | None = None,
    only: str | None = None,
) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT.parent / "src"))
    path = generate(events, seed, work_dir or DATA)
    work = (work_dir or DATA) / f"run-{os.getpid()}"
    work.mkdir(parents=True, exist_ok=True)
    try:
        measured: dict[str, Any] = {"load": _load()}
        _step("import", lambda: measured.update(measure_import(path, work, events)))
        validate = only is None
        if validate:
            _step("validate", lambda: measured.update(measure_validate(path, events)))
        if against:
            base = _step(
                f"against {against}",
                lambda: measure_against(against, path, work, events, validate),
            )
            measured.update(base, base=against)
            measured["import_vs_base"] = (
                measured["import_events_per_s"] / base["base_import_events_per_s"]
            )
            if validate:
                measured["validate_vs_base"] = (
                    measured["validate_events_per_s"] / base["base_validate_events_per_s"]
                )
        if only == "import":
            return measured
        with demo_server(events, seed) as url:
            _step("sync", lambda: measured.update(measure_sync(url, work, events)))
        cache = work / "import.duckdb"
        p50, p95 = _step("filters", lambda: measure_filters(cache, repeat))
        measured["filter_p50_ms"], measured["filter_p95_ms"] = p50, p95
        _step("tui", lambda: measured.update(measure_tui(cache)))
        return measured
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _step(name: str, work: Callable[[], Any]) -> Any:
    print(f"[{time.strftime('%H:%M:%S')}] {name} (load {_load()})...", file=sys.stderr, flush=True)
    return work()


if __name__ == "__main__":
    sys.exit(main())
