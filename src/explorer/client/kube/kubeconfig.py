"""Which kubeconfig files apply and which contexts they name (kr8s reads the credentials)."""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

from explorer.errors import ClientError

DEFAULT_KUBECONFIG = Path("~/.kube/config")


class KubeError(ClientError):
    """The kubeconfig, the API server or the port-forward failed; the message says what to fix."""


def kubeconfig_paths(
    option: Path | None = None, env: Mapping[str, str] | None = None
) -> list[Path]:
    """``--kubeconfig`` > ``$KUBECONFIG`` (a list, as kubectl reads it) > ``~/.kube/config``."""
    env = os.environ if env is None else env
    if option is not None:
        return [option.expanduser()]
    if value := env.get("KUBECONFIG", "").strip():
        return [Path(part).expanduser() for part in value.split(os.pathsep) if part]
    return [DEFAULT_KUBECONFIG.expanduser()]


@dataclass(frozen=True)
class Kubeconfig:
    """The files that exist, and each context's entry (the first file naming it wins)."""

    paths: tuple[Path, ...]
    contexts: dict[str, dict[str, Any]]
    current: str | None

    def context(self, name: str) -> dict[str, Any]:
        if name in self.contexts:
            return self.contexts[name]
        close = difflib.get_close_matches(name, list(self.contexts), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        known = ", ".join(sorted(self.contexts)[:8]) or "none"
        where = ", ".join(str(p) for p in self.paths)
        raise KubeError(f"no context {name!r} in {where}{hint}; contexts: {known}")


def read_kubeconfig(paths: list[Path]) -> Kubeconfig:
    """The kubeconfig files that exist, read; none, or one that is not YAML, is a KubeError."""
    existing = tuple(p for p in paths if p.is_file())
    if not existing:
        where = ", ".join(str(p) for p in paths)
        raise KubeError(f"no kubeconfig at {where}: give --kubeconfig FILE or set $KUBECONFIG")
    contexts: dict[str, dict[str, Any]] = {}
    current: str | None = None
    for path in existing:
        data = _load(path)
        current = current or _text(data.get("current-context"))
        for entry in data.get("contexts") or []:
            if isinstance(entry, dict) and (name := _text(entry.get("name"))):
                context = entry.get("context")
                contexts.setdefault(name, context if isinstance(context, dict) else {})
    return Kubeconfig(existing, contexts, current)


def _load(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise KubeError(f"cannot read kubeconfig {path}: {exc.__class__.__name__}") from None
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "YAML error"
        raise KubeError(f"kubeconfig {path} is not valid YAML ({first})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise KubeError(f"kubeconfig {path} is not a mapping")
    return data


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
