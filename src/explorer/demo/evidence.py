"""The stand-in's evidence endpoints: the signed export, legal holds, reconstruction.

The demo's hash chain is unkeyed (see :mod:`explorer.demo.generator.tamper`), so the
stand-in can judge it the way DataStorage judges its keyed one: an event is valid when its
hash is the hash of its content and it links to the event before it in its correlation.
Exports are signed for real (SHA256withRSA) with a key and self-signed certificate made at
start, over the bytes :func:`explorer.client.signature.signed_bytes` names.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from explorer.client.evidence import MAX_EXPORT_LIMIT, VERDICT
from explorer.client.signature import ALGORITHM, fingerprint, signed_bytes
from explorer.demo.generator.tamper import event_hash
from explorer.times import parse_timestamp

DEFAULT_EXPORT_LIMIT = 1000
TAMPERED_ACTOR = "tampered-after-sealing"


class TooLarge(Exception):
    pass


class Invalid(Exception):
    pass


@dataclass(frozen=True)
class DemoSigner:
    """An RSA key and its self-signed certificate (``cert_pem`` is what ``--cert`` takes)."""

    key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    @classmethod
    def generate(cls, name: str = "demo-data-storage") -> DemoSigner:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=365))
            .sign(key, hashes.SHA256())
        )
        return cls(key, cert)

    @property
    def cert_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.certificate)

    def sign(self, data: bytes) -> str:
        return base64.b64encode(self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())).decode()


def chain_verdicts(events: Iterable[Mapping[str, Any]]) -> dict[str, bool]:
    """event_id -> whether its hash is right and it links to its predecessor."""
    chains: dict[Any, list[Mapping[str, Any]]] = defaultdict(list)
    for event in events:
        if "event_hash" in event:
            chains[event.get("correlation_id")].append(event)
    verdicts: dict[str, bool] = {}
    for chain in chains.values():
        chain.sort(key=lambda e: (str(e.get("event_timestamp")), str(e.get("event_id"))))
        previous: Any = None
        for event in chain:
            own = event.get("event_hash")
            linked = event.get("previous_event_hash") == previous
            verdicts[str(event.get("event_id"))] = linked and own == event_hash(
                event, event.get("previous_event_hash")
            )
            previous = own
    return verdicts


def tamper(events: Sequence[dict[str, Any]], count: int) -> list[str]:
    """Alter ``count`` sealed events after the fact (their hash no longer matches)."""
    sealed = [e for e in events if "event_hash" in e]
    if count <= 0 or not sealed:
        return []
    step = max(1, len(sealed) // count)
    chosen = sealed[::step][:count]
    for event in chosen:
        event["actor_id"] = TAMPERED_ACTOR
    return [str(e.get("event_id")) for e in chosen]


def export_answer(
    events: Sequence[dict[str, Any]],
    verdicts: Mapping[str, bool],
    params: Mapping[str, str],
    signer: DemoSigner,
    exported_by: str,
) -> dict[str, Any]:
    """One export page for ``params`` (oldest first), signed."""
    offset, limit = _paging(params)
    if params.get("format", "json") != "json":
        raise Invalid("format must be json")
    start = _time(params, "start_time")
    end = _time(params, "end_time")
    correlation = params.get("correlation_id")
    category = params.get("event_category")
    chosen = []
    for event in events:
        when = parse_timestamp(event.get("event_timestamp"))
        if correlation is not None and event.get("correlation_id") != correlation:
            continue
        if category is not None and event.get("event_category") != category:
            continue
        if (start or end) and when is None:
            continue
        if (start and when and when < start) or (end and when and when > end):
            continue
        chosen.append(event)
    chosen.sort(key=lambda e: (str(e.get("event_timestamp")), str(e.get("event_id"))))
    page = chosen[offset : offset + limit]
    marked = [_exported(e, verdicts.get(str(e.get("event_id")), False)) for e in page]
    broken = [str(e.get("event_id")) for e in marked if not e[VERDICT]]
    now = _now()
    chain = {
        "total_events_verified": len(page),
        "valid_chain_events": len(page) - len(broken),
        "broken_chain_events": len(broken),
        "chain_integrity_percentage": 100.0 * (len(page) - len(broken)) / len(page)
        if page
        else 100.0,
        "verification_timestamp": now,
        "tampered_event_ids": broken,
    }
    filters: dict[str, Any] = {k: params[k] for k in ("start_time", "end_time") if k in params}
    if correlation is not None:
        filters["correlation_id"] = correlation
    if category is not None:
        filters["event_category"] = category
    metadata: dict[str, Any] = {
        "export_timestamp": now,
        "export_format": "json",
        "query_filters": {**filters, "offset": offset, "limit": limit},
        "total_events": len(page),
        "signature_algorithm": ALGORITHM,
        "certificate_fingerprint": signer.fingerprint,
        "exported_by": exported_by,
    }
    metadata["signature"] = signer.sign(signed_bytes(metadata, chain))
    answer = {"export_metadata": metadata, "events": marked, "hash_chain_verification": chain}
    if params.get("include_detached_signature") == "true":
        answer["detached_signature"] = (
            f"-----BEGIN SIGNATURE-----\nAlgorithm: {ALGORITHM}\n"
            f"Certificate-Fingerprint: {signer.fingerprint}\n\n{metadata['signature']}\n"
            "-----END SIGNATURE-----"
        )
    return answer


# The properties an export item carries (AuditExportResponse.events.items): a projection.
EXPORTED = (
    "event_id",
    "version",
    "event_type",
    "event_timestamp",
    "event_category",
    "event_action",
    "event_outcome",
    "correlation_id",
    "event_data",
    "event_hash",
    "previous_event_hash",
)


def _exported(event: dict[str, Any], valid: bool) -> dict[str, Any]:
    """The event as the export writes it: the export's projection of it, a plain string for
    no previous hash (the export's schema does not let it be null), its verdict and whether
    it is under legal hold."""
    out = {name: event[name] for name in EXPORTED if name in event}
    out[VERDICT] = valid
    out["legal_hold"] = bool(event.get("legal_hold"))
    if "event_hash" in out and out.get("previous_event_hash") is None:
        out["previous_event_hash"] = ""
    return out


def holds_answer(
    events: Iterable[Mapping[str, Any]], placed: Mapping[str, dict[str, Any]]
) -> dict[str, Any]:
    """The active holds: those placed through the API, and those the events carry."""
    holds: dict[str, dict[str, Any]] = {}
    counts: dict[str, int] = defaultdict(int)
    for event in events:
        correlation = event.get("correlation_id")
        if not isinstance(correlation, str):
            continue
        counts[correlation] += 1
        if event.get("legal_hold") and correlation not in holds:
            holds[correlation] = {
                "correlation_id": correlation,
                "placed_by": event.get("legal_hold_placed_by"),
                "placed_at": event.get("legal_hold_placed_at"),
                "reason": event.get("legal_hold_reason"),
            }
    holds.update(placed)
    listed = [{**h, "events_affected": counts.get(c, 0)} for c, h in sorted(holds.items())]
    return {"holds": listed, "total": len(listed)}


_FIELDS = ("signal_name", "signal_type", "signal_labels", "signal_annotations", "severity")


class NotFound(Exception):
    pass


def reconstruct_answer(events: Sequence[Mapping[str, Any]], correlation_id: str) -> dict[str, Any]:
    """A RemediationRequest rebuilt from a correlation's gateway and orchestrator events."""
    mine = [e for e in events if e.get("correlation_id") == correlation_id]
    if not mine:
        raise NotFound(f"No audit events found for correlation_id: {correlation_id}")
    gateway = next((e for e in mine if e.get("event_type") == "gateway.signal.received"), None)
    if gateway is None:
        raise Invalid("gateway.signal.received event is required for reconstruction")
    data = gateway.get("event_data") if isinstance(gateway.get("event_data"), dict) else {}
    assert isinstance(data, dict)
    found = [name for name in _FIELDS if data.get(name)]
    phases = [e for e in mine if str(e.get("event_type", "")).startswith("orchestrator.")]
    completeness = round(100 * (len(found) + (1 if phases else 0)) / (len(_FIELDS) + 1))
    warnings = [f"{name} is missing" for name in _FIELDS if name not in found]
    if not phases:
        warnings.append("no orchestrator events: status is empty")
    errors = [] if {"signal_name", "signal_type"} <= set(found) else ["signal name/type missing"]
    lines = [
        "apiVersion: remediation.kubernaut.ai/v1alpha1",
        "kind: RemediationRequest",
        "metadata:",
        f"  name: {_yaml('rr-reconstructed-' + correlation_id)}",
        "  labels:",
        '    kubernaut.ai/reconstructed: "true"',
        f"    kubernaut.ai/correlation-id: {_yaml(correlation_id)}",
        "spec:",
        f"  signalName: {_yaml(data.get('signal_name'))}",
        f"  signalType: {_yaml(data.get('signal_type'))}",
        f"  severity: {_yaml(data.get('severity'))}",
        "status:",
        f"  phaseTransitions: {len(phases)}",
    ]
    return {
        "remediation_request_yaml": "\n".join(lines) + "\n",
        "validation": {
            "is_valid": not errors,
            "completeness": completeness,
            "errors": errors,
            "warnings": warnings,
        },
        "reconstructed_at": _now(),
        "correlation_id": correlation_id,
        "cluster_id": gateway.get("cluster_id") or "",
    }


def _yaml(value: Any) -> str:
    """A YAML scalar that stays one scalar, whatever the event said."""
    import json

    return json.dumps("" if value is None else str(value))


def _paging(params: Mapping[str, str]) -> tuple[int, int]:
    try:
        offset = int(params.get("offset", "0"))
        limit = int(params.get("limit", str(DEFAULT_EXPORT_LIMIT)))
    except ValueError:
        raise Invalid("offset and limit must be integers") from None
    if offset < 0 or limit < 1:
        raise Invalid("offset must be at least 0 and limit at least 1")
    if limit > MAX_EXPORT_LIMIT:
        raise TooLarge(
            f"Export limit exceeds maximum of {MAX_EXPORT_LIMIT} events. Use pagination."
        )
    return offset, limit


def _time(params: Mapping[str, str], name: str) -> dt.datetime | None:
    value = params.get(name)
    if value is None:
        return None
    parsed = parse_timestamp(value)
    if parsed is None:
        raise Invalid(f"invalid {name} format: an RFC 3339 time is required")
    return parsed


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")
