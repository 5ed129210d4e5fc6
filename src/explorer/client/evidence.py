"""The answers of DataStorage's evidence endpoints, checked: the signed export (the server's
hash-chain verdict), the legal-hold list and the reconstruction of a RemediationRequest.

DataStorage keys its hash chain with a server-side secret, so only the server can say
whether an event's hash is right: ``GET /api/v1/audit/export`` says it per event
(``hash_chain_valid``) and in a signed summary (``hash_chain_verification``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import quote

from explorer.errors import ClientError
from explorer.times import parse_time, server_time

EXPORT_PATH = "/api/v1/audit/export"
HOLDS_PATH = "/api/v1/audit/legal-hold"
RECONSTRUCT_PATH = "/api/v1/audit/remediation-requests/{}/reconstruct"
MAX_EXPORT_LIMIT = 10_000
VERDICT = "hash_chain_valid"  # the per-event verdict: not an envelope property
# What the export adds to each event, about the event: not part of it.
_ANNOTATIONS = frozenset({VERDICT, "legal_hold"})


def reconstruct_path(correlation_id: str) -> str:
    if not correlation_id:
        raise ClientError("a correlation ID is required")
    return RECONSTRUCT_PATH.format(quote(correlation_id, safe=""))


@dataclass(frozen=True)
class ExportFilters:
    """The filters ``GET /api/v1/audit/export`` takes (times in any form ``explorer.times``
    reads; sent as RFC 3339 UTC, resolved once)."""

    start_time: str | None = None
    end_time: str | None = None
    correlation_id: str | None = None
    event_category: str | None = None

    def __post_init__(self) -> None:
        for name in ("start_time", "end_time"):
            if (value := getattr(self, name)) is not None:
                try:
                    parse_time(value)
                except ValueError as exc:
                    raise ClientError(f"{name} must be a time: {exc}") from None

    def resolved(self) -> ExportFilters:
        def when(value: str | None) -> str | None:
            return None if value is None else server_time(value)

        return ExportFilters(
            when(self.start_time), when(self.end_time), self.correlation_id, self.event_category
        )

    def params(self) -> dict[str, str]:
        return {f.name: v for f in fields(self) if (v := getattr(self, f.name)) is not None}

    def scope(self) -> dict[str, str]:
        """What a verification run covered, for its record."""
        return self.params()


@dataclass(frozen=True)
class ChainSummary:
    """``hash_chain_verification`` of one export page."""

    total_verified: int
    valid: int
    broken: int
    integrity: float | None
    verified_at: str
    tampered_ids: tuple[str, ...] | None  # None: the server sent no list


@dataclass(frozen=True)
class ExportPage:
    """One export answer. ``events`` are the events without ``hash_chain_valid``, which is
    in ``verdicts`` (event_id -> valid) instead; ``metadata`` and ``chain`` are the
    ``export_metadata`` and ``hash_chain_verification`` objects as received (the signature
    is checked over them)."""

    events: list[Any]
    verdicts: dict[str, bool]
    metadata: dict[str, Any]
    chain: dict[str, Any]
    summary: ChainSummary
    total_events: int
    signature: str
    signature_algorithm: str | None
    certificate_fingerprint: str | None
    exported_by: str | None
    export_timestamp: str


def export_from_json(body: Any) -> ExportPage:
    """An export answer checked against AuditExportResponse (what this tool relies on)."""
    if not isinstance(body, dict):
        raise ClientError("the answer is not an export (not a JSON object)")
    events = body.get("events")
    metadata = body.get("export_metadata")
    chain = body.get("hash_chain_verification")
    if not isinstance(events, list):
        raise ClientError("the export has no events array")
    if not isinstance(metadata, dict):
        raise ClientError("the export has no export_metadata object")
    if not isinstance(chain, dict):
        raise ClientError("the export has no hash_chain_verification object")
    verdicts: dict[str, bool] = {}
    stripped: list[Any] = []
    for event in events:
        if isinstance(event, dict):
            verdict, event_id = event.get(VERDICT), event.get("event_id")
            if isinstance(verdict, bool) and isinstance(event_id, str):
                verdicts[event_id] = verdict
            event = {k: v for k, v in event.items() if k not in _ANNOTATIONS}
        if isinstance(event, dict) and event.get("previous_event_hash") == "":
            # The export declares it a plain string, so a chain's first event says "" where
            # the events endpoint says null: the same fact, stored the same way.
            event = {**event, "previous_event_hash": None}
        stripped.append(event)
    return ExportPage(
        events=stripped,
        verdicts=verdicts,
        metadata=metadata,
        chain=chain,
        summary=_summary(chain),
        total_events=_int(metadata, "total_events", "export_metadata"),
        signature=_str(metadata, "signature", "export_metadata") or "",
        signature_algorithm=_str(metadata, "signature_algorithm", "export_metadata"),
        certificate_fingerprint=_str(metadata, "certificate_fingerprint", "export_metadata"),
        exported_by=_str(metadata, "exported_by", "export_metadata"),
        export_timestamp=_str(metadata, "export_timestamp", "export_metadata") or "",
    )


def _summary(chain: dict[str, Any]) -> ChainSummary:
    where = "hash_chain_verification"
    integrity = chain.get("chain_integrity_percentage")
    if integrity is not None and (
        isinstance(integrity, bool) or not isinstance(integrity, int | float)
    ):
        raise ClientError(f"the export's {where}.chain_integrity_percentage is not a number")
    tampered = chain.get("tampered_event_ids")
    if tampered is not None and (
        not isinstance(tampered, list) or not all(isinstance(t, str) for t in tampered)
    ):
        raise ClientError(f"the export's {where}.tampered_event_ids is not a list of strings")
    return ChainSummary(
        total_verified=_int(chain, "total_events_verified", where),
        valid=_int(chain, "valid_chain_events", where),
        broken=_int(chain, "broken_chain_events", where),
        integrity=None if integrity is None else float(integrity),
        verified_at=_str(chain, "verification_timestamp", where) or "",
        tampered_ids=None if tampered is None else tuple(tampered),
    )


@dataclass(frozen=True)
class Hold:
    """One active legal hold (every event of a correlation ID)."""

    correlation_id: str
    events_affected: int | None
    placed_by: str | None
    placed_at: str | None
    reason: str | None


def holds_from_json(body: Any) -> list[Hold]:
    if not isinstance(body, dict):
        raise ClientError("the legal-hold list is not a JSON object")
    holds = body.get("holds") or []
    if not isinstance(holds, list):
        raise ClientError("the legal-hold list's holds is not an array")
    found: list[Hold] = []
    for index, item in enumerate(holds):
        where = f"holds[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("correlation_id"), str):
            raise ClientError(f"the legal-hold list's {where} has no correlation_id")
        affected = item.get("events_affected")
        found.append(
            Hold(
                correlation_id=item["correlation_id"],
                events_affected=affected
                if isinstance(affected, int) and not isinstance(affected, bool)
                else None,
                placed_by=_str(item, "placed_by", where),
                placed_at=_str(item, "placed_at", where),
                reason=_str(item, "reason", where),
            )
        )
    return found


@dataclass(frozen=True)
class Reconstruction:
    """A RemediationRequest rebuilt by the server from the audit trail."""

    correlation_id: str | None
    yaml: str
    is_valid: bool
    completeness: int
    errors: tuple[str, ...]
    warnings: tuple[str, ...]
    reconstructed_at: str | None
    cluster_id: str | None


def reconstruction_from_json(body: Any) -> Reconstruction:
    if not isinstance(body, dict):
        raise ClientError("the reconstruction is not a JSON object")
    text = body.get("remediation_request_yaml")
    validation = body.get("validation")
    if not isinstance(text, str):
        raise ClientError("the reconstruction has no remediation_request_yaml string")
    if not isinstance(validation, dict):
        raise ClientError("the reconstruction has no validation object")
    valid = validation.get("is_valid")
    if not isinstance(valid, bool):
        raise ClientError("the reconstruction's validation.is_valid is not a boolean")
    completeness = _int(validation, "completeness", "validation")
    return Reconstruction(
        correlation_id=_str(body, "correlation_id", "reconstruction"),
        yaml=text,
        is_valid=valid,
        completeness=completeness,
        errors=_strings(validation, "errors"),
        warnings=_strings(validation, "warnings"),
        reconstructed_at=_str(body, "reconstructed_at", "reconstruction"),
        cluster_id=_str(body, "cluster_id", "reconstruction"),
    )


def _int(obj: dict[str, Any], name: str, where: str) -> int:
    value = obj.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ClientError(f"the answer's {where}.{name} is not an integer")
    return value


def _str(obj: dict[str, Any], name: str, where: str) -> str | None:
    value = obj.get(name)
    if value is not None and not isinstance(value, str):
        raise ClientError(f"the answer's {where}.{name} is not a string")
    return value


def _strings(obj: dict[str, Any], name: str) -> tuple[str, ...]:
    value = obj.get(name) or []
    if not isinstance(value, list):
        raise ClientError(f"the answer's validation.{name} is not an array")
    return tuple(str(item) for item in value)
