"""``audit-explorer config``: where the tool reads and keeps things, and the configured sources.

Nothing secret is printed: a token in the environment shows as set or not, a password in a
URL as ``***``; token files are named, never read.
"""

from __future__ import annotations

import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import click
import orjson

from explorer import config
from explorer.cli import main, root_cache
from explorer.cli.render import clean, format_choice_option, json_safe

_EPILOG = """\b
Examples:
  audit-explorer config
  audit-explorer --demo config          # where the demo cache lives
  audit-explorer config --format json | jq .sources
"""


@main.command("config", epilog=_EPILOG)
@format_choice_option(("table", "json"), "table", "Output format (text is table).")
@click.pass_context
def config_cmd(ctx: click.Context, fmt: str) -> None:
    """Show the config file, the cache, the data directories and the sources.

    Tokens are never shown: $AUDIT_EXPLORER_TOKEN appears as set or not set, token files
    by their path only, and a password in a URL as ***.
    """
    facts = gather(root_cache(ctx))
    if fmt == "json":
        sys.stdout.buffer.write(json_safe(orjson.dumps(facts, option=orjson.OPT_INDENT_2)) + b"\n")
        return
    for line in render(facts):
        click.echo(line)


def gather(cache: Path | None) -> dict[str, Any]:
    """What ``config`` shows, as plain data with every secret already redacted."""
    conf = config.load_config()
    path = config.cache_path(cache)
    return {
        "config_file": _file(config.config_path()),
        "cache": _file(path),
        "cache_from": _cache_origin(cache),
        "demo_cache": _file(config.demo_cache_path()),
        "queries_dir": _file(config.queries_dir()),
        "environment": {
            config.ENV_CONFIG: os.environ.get(config.ENV_CONFIG),
            config.ENV_CACHE: os.environ.get(config.ENV_CACHE),
            config.ENV_URL: _redact_url(os.environ.get(config.ENV_URL)),
            config.ENV_TOKEN: "set (hidden)" if os.environ.get(config.ENV_TOKEN) else None,
        },
        "default_source": conf.default_source,
        "sources": {name: _source(vars_) for name, vars_ in _sources(conf).items()},
    }


def _sources(conf: config.Config) -> dict[str, dict[str, Any]]:
    return {name: asdict(source) for name, source in sorted(conf.sources.items())}


def _source(fields: dict[str, Any]) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    for key, value in fields.items():
        if key == "name" or value is None or value is False or value == "":
            continue
        if key == "url":
            value = _redact_url(value)
        elif "token" in key and not key.endswith("_file"):
            value = "(hidden)"
        shown[key] = str(value) if isinstance(value, Path) else value
    return shown


def _file(path: Path) -> dict[str, Any]:
    return {"path": str(path), "exists": path.exists()}


def _cache_origin(option: Path | None) -> str:
    if option is not None:
        return "--cache or --demo"
    return f"${config.ENV_CACHE}" if os.environ.get(config.ENV_CACHE) else "default"


def _redact_url(url: str | None) -> str | None:
    """The URL with any password in it replaced by ``***``."""
    if not url:
        return url
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
    except ValueError:
        return "(unparseable URL, hidden)"
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def render(facts: dict[str, Any]) -> list[str]:
    """The ``config`` report as aligned text lines, every value terminal-safe."""
    lines = [
        _row("config file", facts["config_file"]),
        _row("cache", facts["cache"], f"from {facts['cache_from']}"),
        _row("demo cache", facts["demo_cache"]),
        _row("queries dir", facts["queries_dir"]),
        "",
        "Environment:",
    ]
    for name, value in facts["environment"].items():
        lines.append(f"  {name:<24} {clean(value) if value else 'not set'}")
    sources = facts["sources"]
    lines += ["", f"Sources ({len(sources)}; default: {clean(facts['default_source'] or 'none')}):"]
    if not sources:
        lines.append("  none: add [sources.NAME] to the config file (see README)")
    for name, fields in sources.items():
        lines.append(f"  {clean(name)}")
        for key, value in fields.items():
            lines.append(f"    {key:<16} {clean(str(value))}")
    return lines


def _row(label: str, file: dict[str, Any], note: str = "") -> str:
    state = "" if file["exists"] else " (not there yet)"
    extra = f"  [{note}]" if note else ""
    return f"{label:<12} {clean(file['path'])}{state}{extra}"
