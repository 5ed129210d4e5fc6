"""Decode one raw audit event into typed models, and say exactly where it does not fit.

``decode`` never raises. Each event gets one status, the first that applies:
``unknown_type`` > ``discriminator_mismatch`` > ``invalid`` > ``drift`` > ``ok``; the
issues list every finding, lower-precedence ones included.

Validation is strict and JSON-shaped (``validate_json(strict=True)``): a string where
the contract wants an integer is a type error, as it would be for a generated Go client,
while date-times and UUIDs are read from their JSON string forms.

Two readings of one text are findings too, because consumers would see different events:
a key written twice in one object (``duplicate_key``, status ``invalid`` whatever the
values: pydantic keeps the last value, other readers the first) and a property the
envelope does not declare (``unexpected_field``, ``drift``: a generated Go client drops
it, this tool keeps it) - except ``hash_algorithm``, which the server adds to every event.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cache
from typing import Any, Literal, TypeVar, get_args, get_origin

import orjson
from pydantic import BaseModel, RootModel, ValidationError

from explorer.jsontext import DuplicateKey
from explorer.models.registry import (
    CONTRACT_NAMES,
    Contract,
    default_contract,
    load_contract,
    service_of,
)

M = TypeVar("M", bound=BaseModel)


class Status(StrEnum):
    OK = "ok"
    DRIFT = "drift"
    INVALID = "invalid"
    MISMATCH = "discriminator_mismatch"
    UNKNOWN = "unknown_type"

    @property
    def badge(self) -> str:
        """The short word (``mismatch``, ``unknown``) the filter language still reads; every
        view shows the status's own word (its value)."""
        return _BADGES[self]

    @property
    def fails(self) -> bool:
        """Whether ``validate`` exits 1 for this status (drift only with --strict)."""
        return self in (Status.UNKNOWN, Status.MISMATCH, Status.INVALID)


_BADGES = {
    Status.OK: "ok",
    Status.DRIFT: "drift",
    Status.INVALID: "invalid",
    Status.MISMATCH: "mismatch",
    Status.UNKNOWN: "unknown",
}

IssueKind = Literal[
    "missing",
    "type",
    "enum",
    "constraint",
    "null",
    "not_object",
    "unexpected_field",
    "discriminator",
    "unknown_type",
    "malformed_json",
    "decoder_error",
    "duplicate_key",
]
ISSUE_KINDS: tuple[str, ...] = IssueKind.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Issue:
    kind: IssueKind
    path: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "path": self.path, "message": self.message}


@dataclass(frozen=True, slots=True)
class Decoded:
    status: Status
    issues: tuple[Issue, ...]
    event_id: str | None
    event_type: str | None
    service: str | None
    envelope: BaseModel | None = None
    payload: BaseModel | None = None
    raw: Any = field(default=None, repr=False)
    # The shipped contracts under which a non-ok event is ok or drift (None for ok events:
    # not computed, so the common path costs nothing), and those of them it is ok under.
    fits: tuple[str, ...] | None = None
    fits_ok: tuple[str, ...] | None = None

    def issues_as_dicts(self) -> list[dict[str, str]]:
        return [issue.as_dict() for issue in self.issues]


def decode(
    raw: Any,
    text: bytes | None = None,
    contract: Contract | None = None,
    duplicates: Sequence[DuplicateKey] = (),
    *,
    with_fits: bool = True,
) -> Decoded:
    """Decode one event (a parsed JSON value) against ``contract`` (default: main).

    ``text`` may be the JSON text ``raw`` was parsed from (by orjson, so nothing was
    lost): it is validated as is instead of serialising ``raw`` again. ``duplicates``:
    the keys that text writes twice (see :func:`explorer.jsontext.duplicate_keys`); each
    is a ``duplicate_key`` issue, and such an event fits no contract. ``with_fits=False``
    leaves a non-ok event's ``fits`` unset (None): they cost a decode per shipped contract.

    Never raises: a bug in the decoder itself becomes an ``invalid`` event with one
    ``decoder_error`` issue naming the exception, so one event cannot stop an import.
    """
    try:
        decoded = _decode(raw, text, contract or default_contract())
        if duplicates:
            repeated = [duplicate_issue(duplicate) for duplicate in duplicates]
            issues = sorted((*decoded.issues, *repeated), key=lambda i: _RANK.get(i.kind, 2))
            status = decoded.status if decoded.status.fails else Status.INVALID
            return replace(decoded, status=status, issues=tuple(issues), fits=(), fits_ok=())
        if decoded.status is Status.OK or not with_fits:
            return decoded
        fits, fits_ok = fitting_contracts(raw, text, (contract or default_contract(), decoded))
        return replace(decoded, fits=fits, fits_ok=fits_ok)
    except Exception as exc:
        event_id = raw.get("event_id") if isinstance(raw, dict) else None
        issue = Issue(
            "decoder_error", "", f"could not be decoded: {type(exc).__name__}: {exc}"[:200]
        )
        return Decoded(
            Status.INVALID,
            (issue,),
            event_id if isinstance(event_id, str) else None,
            None,
            None,
            raw=raw,
        )


def fitting_contracts(
    raw: Any, text: bytes | None = None, known: tuple[Contract, Decoded] | None = None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The shipped contracts (oldest first) under which ``raw`` is ``ok`` or ``drift``,
    and those under which it is ``ok``.

    ``known``: a contract and what decoding against it gave, not done again. A contract
    that does not map the event's type is not tried (its verdict is ``unknown_type``).
    """
    if not isinstance(raw, dict):
        return (), ()  # not an event object under any contract
    event_type = raw.get("event_type")
    statuses: dict[str, Status] = {}
    for name in CONTRACT_NAMES:
        if known is not None and known[0].name == name:
            statuses[name] = known[1].status
            continue
        models = load_contract(name)
        if not isinstance(event_type, str) or event_type not in models.registry:
            continue
        statuses[name] = _decode(raw, text, models).status
    fits = tuple(n for n, s in statuses.items() if s in (Status.OK, Status.DRIFT))
    return fits, tuple(n for n in fits if statuses[n] is Status.OK)


def with_stored_duplicates(decoded: Decoded, stored_issues: Any) -> Decoded:
    """``decoded`` plus the ``duplicate_key`` issues found when the event was first read.

    The cache keeps one value per key (the text with the repeated key is gone), so
    decoding a stored event again cannot see the repeat: the finding is carried over.
    """
    repeats = tuple(
        Issue("duplicate_key", str(item.get("path", "")), str(item.get("message", "")))
        for item in (stored_issues if isinstance(stored_issues, list) else ())
        if isinstance(item, dict) and item.get("kind") == "duplicate_key"
    )
    if not repeats:
        return decoded
    issues = sorted((*decoded.issues, *repeats), key=lambda i: _RANK.get(i.kind, 2))
    status = decoded.status if decoded.status.fails else Status.INVALID
    return replace(decoded, status=status, issues=tuple(issues), fits=(), fits_ok=())


def duplicate_issue(duplicate: DuplicateKey) -> Issue:
    """The ``duplicate_key`` issue: which value each consumer reads."""
    first, last = describe(duplicate.first), describe(duplicate.last)
    same = duplicate.count == 2 and _dumps(duplicate.first) == _dumps(duplicate.last)
    values = f"both {last}" if same else f"first {first}, last {last}"
    head = f"{_short(duplicate.key)} appears {duplicate.count} times ({values}): "
    if duplicate.at == _DISCRIMINATOR[:1] and duplicate.key == _DISCRIMINATOR[1]:
        # ogen's decoder picks the payload's type from the first event_type it meets.
        return Issue(
            "duplicate_key",
            duplicate.path,
            head + "a generated Go client types the payload by the first, "
            "pydantic and this tool by the last",
        )
    return Issue(
        "duplicate_key",
        duplicate.path,
        head + "pydantic, this tool and a generated Go client read the last, "
        "first-wins readers (DuckDB) the first",
    )


def malformed(locator: str, message: str) -> Decoded:
    """The entry for an input record that is not JSON at all."""
    issue = Issue("malformed_json", locator, message)
    return Decoded(Status.INVALID, (issue,), None, None, None, fits=(), fits_ok=())


def _decode(raw: Any, text: bytes | None, contract: Contract) -> Decoded:
    if not isinstance(raw, dict):
        issue = Issue("not_object", "", f"expected an event object, got {describe(raw)}")
        return Decoded(Status.INVALID, (issue,), None, None, None, raw=raw)

    issues: list[Issue] = []
    event_id = raw.get("event_id")
    event_id = event_id if isinstance(event_id, str) else None
    event_type = raw.get("event_type")
    event_type = event_type if isinstance(event_type, str) else None
    service = service_of(event_type) if event_type else None

    info = contract.registry.get(event_type) if event_type is not None else None
    unknown = info is None
    if unknown:
        known = f"({len(contract.registry)} known types)"
        message = (
            f"event type {_short(event_type)} is not in the contract {contract.name} {known}"
            if event_type is not None
            else f"event_type is missing or not a string, so the payload cannot be typed {known}"
        )
        issues.append(Issue("unknown_type", "event_type", message))

    mismatch = False
    envelope: BaseModel | None = None
    payload: BaseModel | None = None
    data = raw.get("event_data", _MISSING)
    if data is _MISSING:
        issues.append(Issue("missing", "event_data", "required field is missing"))
    elif not isinstance(data, dict):
        issues.append(Issue("not_object", "event_data", f"expected object, got {describe(data)}"))
    else:
        mismatch = _check_discriminator(data, event_type, issues)

    if info is not None and isinstance(data, dict):
        # One pass over the whole event, its payload typed by the envelope's event_type.
        # The discriminator was judged above, so findings about it are not repeated.
        model = contract.event_model(info.event_type)
        typed = _validate(model, raw, raw, "", issues, contract, _DISCRIMINATOR, text)
        if typed is not None:
            envelope, payload = typed, typed.event_data  # type: ignore[attr-defined]
        elif all(i.path.startswith("event_data") for i in issues):
            # Only the payload is wrong: the envelope alone still validates.
            envelope = _validate(contract.envelope, _without_payload(raw), raw, "", [], contract)
        drift = _drift(info.model, data, "event_data")
    else:
        envelope = _validate(contract.envelope, _without_payload(raw), raw, "", issues, contract)
        drift = []
    extra = envelope.__pydantic_extra__ if envelope is not None else None
    if extra is None:  # not validated: read the raw keys
        allowed = _ALLOWED.get(contract.name) or _envelope_allowed(contract)
        if not raw.keys() <= allowed:
            drift[:0] = _envelope_drift(raw, contract, allowed)
    elif extra and not extra.keys() <= SERVER_ADDED:  # most events: {} or hash_algorithm
        drift[:0] = _envelope_drift(extra, contract, SERVER_ADDED)
    closed = any(issue.message.endswith(CLOSED) for issue in drift)
    issues.extend(drift)

    issues.sort(key=lambda i: _RANK.get(i.kind, 2))
    if unknown:
        status = Status.UNKNOWN
    elif mismatch:
        status = Status.MISMATCH
    elif closed or any(i.kind != "unexpected_field" for i in issues):
        status = Status.INVALID
    elif issues:
        status = Status.DRIFT
    else:
        status = Status.OK
    return Decoded(status, tuple(issues), event_id, event_type, service, envelope, payload, raw)


_MISSING: Any = object()
_DISCRIMINATOR = ("event_data", "event_type")


def _without_payload(raw: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in raw.items() if k != "event_data"}


def _check_discriminator(data: dict[str, Any], event_type: str | None, issues: list[Issue]) -> bool:
    """Record a missing or different ``event_data.event_type``; True when there is one."""
    inner = data.get("event_type", _MISSING)
    if inner is _MISSING:
        message = f"discriminator is missing; the envelope says {_short(event_type)}"
    elif inner != event_type:
        message = (
            f"expected {_short(event_type)} (the envelope's event_type), got {describe(inner)}"
        )
    else:
        return False
    issues.append(Issue("discriminator", "event_data.event_type", message))
    return True


_RANK = {"unknown_type": 0, "discriminator": 1, "unexpected_field": 3}


def _dumps(value: Any) -> bytes:
    try:
        return orjson.dumps(value)
    except (TypeError, orjson.JSONEncodeError):
        # orjson refuses integers beyond 64 bits; the standard library does not.
        return json.dumps(value, allow_nan=False).encode()


def _validate(
    model: type[M],
    body: dict[str, Any],
    raw: Any,
    prefix: str,
    issues: list[Issue],
    contract: Contract,
    skip: tuple[str, ...] = (),
    text: bytes | None = None,
    *,
    pruned: bool = False,
) -> M | None:
    try:
        return model.model_validate_json(text or _dumps(body), strict=True)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        if not pruned and any(_too_deep(err) for err in errors):
            # pydantic's JSON parser stops at 200 levels; no declared property nests that
            # deep, so validate without the deepest subtrees (drift is judged on the raw data).
            return _validate(model, _prune(body), raw, prefix, issues, contract, skip, pruned=True)
        for err in errors:
            if skip and tuple(err["loc"][: len(skip)]) == skip:
                continue
            if err["type"] == "extra_forbidden":
                continue  # reported by _drift, with the schema's name
            issues.append(_issue(err, raw, prefix, contract.model_names))
    except (ValueError, RecursionError) as exc:
        issues.append(Issue("type", prefix, f"could not be validated: {exc}"[:200]))
    return None


_MAX_DEPTH = 100


def _too_deep(err: Any) -> bool:
    return err["type"] == "json_invalid" and "recursion limit" in str(err.get("msg", ""))


def _prune(value: Any, depth: int = 0) -> Any:
    """``value`` with containers below ``_MAX_DEPTH`` levels emptied."""
    if isinstance(value, dict):
        return {k: _prune(v, depth + 1) for k, v in value.items()} if depth < _MAX_DEPTH else {}
    if isinstance(value, list):
        return [_prune(v, depth + 1) for v in value] if depth < _MAX_DEPTH else []
    return value


_TYPE_WORDS = {
    "string": "string",
    "int": "integer",
    "float": "number",
    "bool": "boolean",
    "dict": "object",
    "model": "object",
    "model_attributes": "object",
    "list": "array",
    "datetime": "RFC 3339 date-time",
    "date": "date (YYYY-MM-DD)",
    "uuid": "UUID",
    "url": "URL",
    "timezone": "date-time with a timezone",
}

_CONSTRAINTS = {
    "string_too_short": "at least {min_length} characters",
    "string_too_long": "at most {max_length} characters",
    "too_short": "at least {min_length} items",
    "too_long": "at most {max_length} items",
    "greater_than": "a value > {gt}",
    "greater_than_equal": "a value >= {ge}",
    "less_than": "a value < {lt}",
    "less_than_equal": "a value <= {le}",
    "multiple_of": "a multiple of {multiple_of}",
    "string_pattern_mismatch": "a string matching {pattern}",
}


def _issue(err: Any, raw: Any, prefix: str, model_names: frozenset[str]) -> Issue:
    kind_of_error: str = err["type"]
    path = _path(prefix, err["loc"], raw, model_names, missing=kind_of_error == "missing")
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind_of_error == "missing":
        return Issue("missing", path, "required field is missing")
    if kind_of_error in ("literal_error", "enum"):
        expected = ctx.get("expected", "one of the declared values")
        if value is None:  # a nullable enum accepts null: this one is not nullable
            return Issue("null", path, f"null is not allowed; expected {expected}")
        return Issue("enum", path, f"expected {expected}, got {describe(value)}")
    if kind_of_error in _CONSTRAINTS:
        try:
            expected = _CONSTRAINTS[kind_of_error].format(**ctx)
        except (KeyError, IndexError):
            expected = str(err.get("msg", "a valid value"))
        return Issue("constraint", path, f"expected {expected}, got {describe(value)}")
    expected = _expected_type(kind_of_error)
    if value is None:
        return Issue("null", path, f"null is not allowed; expected {expected}")
    return Issue("type", path, f"expected {expected}, got {describe(value)}")


def _expected_type(error_type: str) -> str:
    stem = error_type.split("_", 1)[0]
    if error_type.startswith("timezone"):
        stem = "timezone"
    if error_type.startswith("model_attributes"):
        stem = "model"
    return _TYPE_WORDS.get(stem, stem.replace("_", " "))


_TAG = re.compile(r"^[a-z][a-z_\-]*\[.*\]$|^(str|int|float|bool|none|list|dict)$")


def _path(
    prefix: str, loc: tuple[Any, ...], raw: Any, model_names: frozenset[str], *, missing: bool
) -> str:
    """Dotted path from the event root; drops pydantic's union tags from ``loc``."""
    parts = [prefix] if prefix else []
    cur = raw
    for i, seg in enumerate(loc):
        if isinstance(seg, int):
            parts[-1:] = [f"{parts[-1]}[{seg}]" if parts else f"[{seg}]"]
            cur = cur[seg] if isinstance(cur, list) and -len(cur) <= seg < len(cur) else None
            continue
        last = i == len(loc) - 1
        present = isinstance(cur, dict) and seg in cur
        if not present and not (missing and last) and (_TAG.match(seg) or seg in model_names):
            continue
        parts.append(seg)
        cur = cur.get(seg) if isinstance(cur, dict) else None
    return ".".join(parts)


@dataclass(frozen=True, slots=True)
class _Shape:
    """What a model declares: property names, and which of them hold nested models."""

    declared: frozenset[str]
    nested: dict[str, tuple[type[BaseModel], bool]]  # alias -> (model, is_list)
    closed: bool  # the contract allows no additional properties


@cache
def _shape(model: type[BaseModel]) -> _Shape:
    declared: set[str] = set()
    nested: dict[str, tuple[type[BaseModel], bool]] = {}
    for name, info in model.model_fields.items():
        alias = info.alias or name
        declared.add(alias)
        target = _nested_model(info.annotation)
        if target is not None:
            nested[alias] = target
    return _Shape(frozenset(declared), nested, model.model_config.get("extra") == "forbid")


def _nested_model(annotation: Any) -> tuple[type[BaseModel], bool] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if issubclass(annotation, RootModel):
            return None
        return annotation, False
    args = [a for a in get_args(annotation) if a is not type(None)]
    origin = get_origin(annotation)
    if origin is list and len(args) == 1:
        inner = _nested_model(args[0])
        return (inner[0], True) if inner is not None and not inner[1] else None
    if len(args) == 1:
        return _nested_model(args[0])
    return None


CLOSED = ", which allows no additional properties"
# Envelope properties the server adds to what the contract declares.
SERVER_ADDED = frozenset({"hash_algorithm"})


def _envelope_drift(
    raw: dict[str, Any], contract: Contract, allowed: frozenset[str]
) -> list[Issue]:
    """Envelope properties the contract does not declare (a generated Go client drops them):
    the keys of ``raw`` (the event, or what its validated envelope kept as extra) that
    are not ``allowed``."""
    closed = CLOSED if contract.envelope.model_config.get("extra") == "forbid" else ""
    return [
        Issue("unexpected_field", key, f"{_short(key)} is not declared by AuditEvent{closed}")
        for key in raw
        if key not in allowed
    ]


_ALLOWED: dict[str, frozenset[str]] = {}  # per contract: what the envelope may hold


def _envelope_allowed(contract: Contract) -> frozenset[str]:
    allowed = _ALLOWED[contract.name] = contract.envelope_fields | SERVER_ADDED
    return allowed


def _drift(model: type[BaseModel], data: dict[str, Any], path: str) -> list[Issue]:
    """Properties the schema (or a nested schema) does not declare, read off the raw data."""
    shape = _shape(model)
    found = [
        Issue(
            "unexpected_field",
            f"{path}.{key}",
            f"{_short(key)} is not declared by {model.__name__}" + (CLOSED if shape.closed else ""),
        )
        for key in data
        if key not in shape.declared
    ]
    for key, (inner, is_list) in shape.nested.items():
        value = data.get(key)
        if not is_list and isinstance(value, dict):
            found.extend(_drift(inner, value, f"{path}.{key}"))
        elif is_list and isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    found.extend(_drift(inner, item, f"{path}.{key}[{index}]"))
    return found


def _short(value: str | None, limit: int = 60) -> str:
    if value is None:
        return "nothing"
    text = value if len(value) <= limit else value[: limit - 1] + "…"
    return repr(text)


def describe(value: Any) -> str:
    """'string '12345'', 'integer 7', 'null', 'array of 3 items'."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int):
        text = (
            str(value) if abs(value) < 10**30 else f"{str(value)[:12]}… ({len(str(value))} digits)"
        )
        return f"integer {text}"
    if isinstance(value, float):
        return f"number {value!r}"
    if isinstance(value, str):
        return f"string {_short(value, 40)}"
    if isinstance(value, list):
        return f"array of {len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__
