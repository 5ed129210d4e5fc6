"""Where things live: the cache file, the config file, named DataStorage sources.

Precedence everywhere: command-line option > environment variable > config file > default.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from explorer.errors import ExplorerError

APP = "audit-explorer"
ENV_CACHE = "AUDIT_EXPLORER_CACHE"
ENV_CONFIG = "AUDIT_EXPLORER_CONFIG"
ENV_URL = "AUDIT_EXPLORER_URL"
ENV_TOKEN = "AUDIT_EXPLORER_TOKEN"
SERVICE_ACCOUNT_TOKEN = Path("/var/run/secrets/kubernetes.io/serviceaccount/token")


class ConfigError(ExplorerError):
    """The config file cannot be read or has a wrong value."""


def cache_path(option: str | Path | None = None) -> Path:
    """The cache file: ``--cache``, else ``$AUDIT_EXPLORER_CACHE``, else the user cache dir."""
    if option:
        return Path(option).expanduser()
    if env := os.environ.get(ENV_CACHE):
        return Path(env).expanduser()
    return Path(platformdirs.user_cache_dir(APP)) / "audit.duckdb"


def demo_cache_path() -> Path:
    """The demo cache, kept apart from the user's own."""
    return Path(platformdirs.user_cache_dir(APP)) / "demo.duckdb"


def config_path() -> Path:
    if env := os.environ.get(ENV_CONFIG):
        return Path(env).expanduser()
    return Path(platformdirs.user_config_dir(APP)) / "config.toml"


def queries_dir() -> Path:
    """The user's own named queries, which join the built-ins."""
    return Path(platformdirs.user_config_dir(APP)) / "queries"


@dataclass(frozen=True)
class SourceConfig:
    """A named DataStorage endpoint from the config file."""

    name: str
    url: str
    token_file: Path | None = None
    ca_bundle: Path | None = None
    user: str | None = None
    insecure: bool = False


@dataclass(frozen=True)
class Config:
    sources: dict[str, SourceConfig] = field(default_factory=dict)
    default_source: str | None = None
    path: Path | None = None


def load_config(path: Path | None = None) -> Config:
    """Read the TOML config file; a missing file is an empty config.

    ```toml
    default_source = "prod"

    [sources.prod]
    url = "https://data-storage.kubernaut-system.svc:8080"
    token_file = "~/.kube/ds-token"
    ca_bundle = "~/.kube/ca.crt"
    ```
    """
    path = path or config_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Config(path=path)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    sources: dict[str, SourceConfig] = {}
    raw_sources = data.get("sources", {})
    if not isinstance(raw_sources, dict):
        raise ConfigError(f"{path}: [sources] must be a table")
    for name, raw in raw_sources.items():
        if not isinstance(raw, dict) or not isinstance(raw.get("url"), str):
            raise ConfigError(f"{path}: source {name!r} needs a url")
        sources[name] = SourceConfig(
            name=name,
            url=raw["url"],
            token_file=_opt_path(raw.get("token_file")),
            ca_bundle=_opt_path(raw.get("ca_bundle")),
            user=raw.get("user") if isinstance(raw.get("user"), str) else None,
            insecure=bool(raw.get("insecure", False)),
        )
    default = data.get("default_source")
    return Config(sources, default if isinstance(default, str) else None, path)


def _opt_path(value: object) -> Path | None:
    return Path(value).expanduser() if isinstance(value, str) and value else None
