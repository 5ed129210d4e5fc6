"""Where things live: the cache file, the config file, named DataStorage sources.

Precedence everywhere: command-line option > environment variable > config file > default.
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from explorer.errors import ExplorerError
from explorer.models.registry import CONTRACT_NAMES
from explorer.text import clean

APP = "audit-explorer"
ENV_CACHE = "AUDIT_EXPLORER_CACHE"
ENV_CONFIG = "AUDIT_EXPLORER_CONFIG"
ENV_URL = "AUDIT_EXPLORER_URL"
ENV_TOKEN = "AUDIT_EXPLORER_TOKEN"
SERVICE_ACCOUNT_TOKEN = Path("/var/run/secrets/kubernetes.io/serviceaccount/token")


class ConfigError(ExplorerError):
    """The config file cannot be read or has a wrong value."""

    exit_code = 2


def cache_path(option: str | Path | None = None) -> Path:
    """The cache file: ``--cache``, else ``$AUDIT_EXPLORER_CACHE``, else the user cache dir."""
    if option:
        return Path(option).expanduser()
    if env := os.environ.get(ENV_CACHE):
        return Path(env).expanduser()
    return Path(platformdirs.user_cache_dir(APP)) / "audit.duckdb"


def private_files() -> None:
    """From now on this process creates files its owner alone can read (umask += 077).

    The cache holds actor identities, IPs and prompts. DuckDB creates the cache and its
    WAL itself, the WAL again after every checkpoint and from any thread, so only the
    process umask reaches them; it is tightened, never loosened, and left so.
    """
    current = os.umask(0o077)
    os.umask(current | 0o077)


def too_open(path: Path) -> int | None:
    """The permission bits of ``path`` when group or others have any; else None."""
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        return None
    return mode if mode & 0o077 else None


def cache_permission_warning(path: Path) -> str | None:
    """One line naming the ``chmod`` that makes an existing cache private, if it is not:
    the file, its WAL, and the tool's own cache directory (never a directory it did not make)."""
    wal = path.with_name(path.name + ".wal")
    files = [f for f in (path, wal) if too_open(f) is not None]
    own_dir = path.parent == Path(platformdirs.user_cache_dir(APP))
    open_dir = own_dir and too_open(path.parent) is not None
    if not files and not open_dir:
        return None
    fixes = [f"chmod 700 {_quoted(path.parent)}"] if open_dir else []
    if files:
        fixes.append("chmod 600 " + " ".join(_quoted(f) for f in files))
    what = f"cache {path}" if files else f"cache directory {path.parent}"
    mode = too_open(files[0] if files else path.parent)
    return clean(
        f"{what} can be read by other users (mode {mode:04o}); "
        f"it holds identities, IPs and prompts: run `{' && '.join(fixes)}`"
    )


def _quoted(path: Path) -> str:
    return shlex.quote(str(path))


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
    url: str = ""  # empty for a source reached through a kubeconfig context
    token_file: Path | None = None
    ca_bundle: Path | None = None
    user: str | None = None
    insecure: bool = False
    contract: str | None = None  # the contract version this source's cluster runs
    # Kubernetes: the tool port-forwards to the service through this kubeconfig context
    context: str | None = None
    kubeconfig: Path | None = None
    namespace: str = "kubernaut-system"
    service: str = "data-storage-service"
    port: int = 8080
    service_account: str | None = None  # NS/NAME: send a TokenRequest token, not the user's


@dataclass(frozen=True)
class Config:
    sources: dict[str, SourceConfig] = field(default_factory=dict)
    default_source: str | None = None
    path: Path | None = None
    filters: dict[str, str] = field(default_factory=dict)
    """Named filter expressions (``[filters]``): ``@name`` in the explorer, ``--filter name``."""
    keymap: dict[str, str] = field(default_factory=dict)
    """Action id -> keys (``[keymap]``), checked against the explorer's actions when it starts."""


def load_config(path: Path | None = None) -> Config:
    """Read the TOML config file; a missing file is an empty config.

    ```toml
    default_source = "prod"

    [sources.prod]
    url = "https://data-storage.kubernaut-system.svc:8080"
    token_file = "~/.kube/ds-token"
    ca_bundle = "~/.kube/ca.crt"
    contract = "v1.5.7"

    [sources.staging]                # no url: port-forward through a kubeconfig context
    context = "staging"              # namespace, service, port, kubeconfig, service_account
    ```

    The file is validated, never coerced: an unknown key, a wrong type or a string
    where a boolean belongs (``insecure = "false"``) is a one-line error naming the file
    and the key.
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
    try:
        parsed = _ConfigFile.model_validate(data, strict=True)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_first_error(exc)}") from None
    sources = {
        name: SourceConfig(
            name=name,
            url=raw.url or "",
            token_file=_opt_path(raw.token_file),
            ca_bundle=_opt_path(raw.ca_bundle),
            user=raw.user,
            insecure=raw.insecure,
            contract=raw.contract,
            context=raw.context,
            kubeconfig=_opt_path(raw.kubeconfig),
            namespace=raw.namespace,
            service=raw.service,
            port=raw.port,
            service_account=raw.service_account,
        )
        for name, raw in parsed.sources.items()
    }
    config = Config(sources, parsed.default_source, path)
    return replace(config, filters=parsed.filters, keymap=parsed.keymap)


class _SourceFile(BaseModel):
    """One ``[sources.NAME]`` table, as written."""

    model_config = ConfigDict(extra="forbid", strict=True)

    url: str | None = None
    token_file: str | None = None
    ca_bundle: str | None = None
    user: str | None = None
    insecure: bool = False
    contract: str | None = None
    context: str | None = None
    kubeconfig: str | None = None
    namespace: str = "kubernaut-system"
    service: str = "data-storage-service"
    port: int = Field(default=8080, ge=1, le=65535)
    service_account: str | None = None

    @model_validator(mode="after")
    def _reachable(self) -> _SourceFile:
        if not self.url and not self.context:
            raise ValueError("give url, or context (a kubeconfig context to port-forward through)")
        return self

    @field_validator("contract")
    @classmethod
    def _known_contract(cls, value: str | None) -> str | None:
        if value is not None and value not in CONTRACT_NAMES:
            shipped = ", ".join(CONTRACT_NAMES)
            raise ValueError(f"unknown contract {value!r}; shipped: {shipped}")
        return value


class _ConfigFile(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    default_source: str | None = None
    sources: dict[str, _SourceFile] = {}
    filters: dict[str, str] = {}
    keymap: dict[str, str] = {}

    @field_validator("filters")
    @classmethod
    def _filter_names(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not re.fullmatch(r"[\w.-]+", name):
                raise ValueError(f"filter name {name!r}: letters, digits, _ . - only")
        return value


_TYPE_WORDS = {"bool_type": "a boolean (true or false)", "string_type": "a string"}


def _first_error(exc: ValidationError) -> str:
    """``sources.prod.insecure: expected a boolean (true or false), got 'false'``."""
    err = exc.errors(include_url=False)[0]
    key = ".".join(str(part) for part in err["loc"]) or "(top level)"
    if err["type"] == "extra_forbidden":
        word = str(err["loc"][-1])
        known = _SourceFile.model_fields if len(err["loc"]) > 1 else _ConfigFile.model_fields
        hint = difflib.get_close_matches(word.replace("-", "_"), list(known), n=1)
        return f"{key}: unknown key" + (f" (did you mean {hint[0]}?)" if hint else "")
    if err["type"] == "missing":
        return f"{key}: required key is missing"
    expected = _TYPE_WORDS.get(err["type"])
    if expected is not None:
        return f"{key}: expected {expected}, got {_shown(err.get('input'))}"
    message = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
    return f"{key}: {message}"


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _opt_path(value: object) -> Path | None:
    return Path(value).expanduser() if isinstance(value, str) and value else None


def source_contract(name: str | None, config: Config | None = None) -> str | None:
    """The contract version the config file gives source ``name``, if any."""
    if not name:
        return None
    conf = (config or load_config()).sources.get(name)
    return conf.contract if conf is not None else None
