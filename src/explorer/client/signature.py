"""The export's signature: what DataStorage signs, and checking it against a certificate.

The contract says an export is signed with the service's X.509 certificate (SHA256withRSA,
base64 in ``export_metadata.signature``, ``certificate_fingerprint`` the SHA-256 of the
certificate). What the bytes are it does not say; DataStorage signs the verification
summary of the page: a JSON object (Go's ``json.Marshal`` of a map: keys sorted, compact,
``<``, ``>`` and ``&`` escaped) of ``broken_chain_events``, ``export_timestamp``,
``tampered_event_ids`` (null when absent), ``total_events``, ``valid_chain_events`` and
``verification_timestamp``, with the values as the page carries them. The events
themselves are not signed: a valid signature vouches for the verdict (the counts and the
tampered IDs), which is what ``verify`` relies on.
"""

from __future__ import annotations

import base64
import binascii
import json
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from explorer.client.evidence import ExportPage
from explorer.errors import ClientError, InputError

ALGORITHM = "SHA256withRSA"
_GO_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def signed_bytes(metadata: dict[str, Any], chain: dict[str, Any]) -> bytes:
    """The bytes an export page's signature covers (see the module's docstring)."""
    signed = {
        "broken_chain_events": chain.get("broken_chain_events"),
        "export_timestamp": metadata.get("export_timestamp"),
        "tampered_event_ids": chain.get("tampered_event_ids"),
        "total_events": metadata.get("total_events"),
        "valid_chain_events": chain.get("valid_chain_events"),
        "verification_timestamp": chain.get("verification_timestamp"),
    }
    text = json.dumps(signed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for char, escaped in _GO_ESCAPES.items():
        text = text.replace(char, escaped)
    return text.encode()


def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 of the certificate (DER), as colon-separated lower-case hex."""
    return certificate.fingerprint(hashes.SHA256()).hex(":")


def load_certificate(path: Path) -> x509.Certificate:
    try:
        data = path.expanduser().read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read certificate {path}: {exc.strerror or exc}") from None
    try:
        return x509.load_pem_x509_certificate(data)
    except ValueError:
        raise InputError(f"{path}: not a PEM certificate") from None


def check_signature(page: ExportPage, certificate: x509.Certificate) -> str:
    """The fingerprint of ``certificate`` when it signed ``page``; ClientError otherwise."""
    mine = fingerprint(certificate)
    claimed = page.certificate_fingerprint
    if claimed and claimed.lower() != mine:
        raise ClientError(
            f"the export was signed by certificate {claimed}, not by the given one ({mine})"
        )
    if page.signature_algorithm not in (None, ALGORITHM):
        raise ClientError(f"unsupported signature algorithm {page.signature_algorithm!r}")
    key = certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise ClientError("the certificate's key is not RSA (SHA256withRSA needs one)")
    try:
        signature = base64.b64decode(page.signature, validate=True)
    except (binascii.Error, ValueError):
        raise ClientError("the export's signature is not base64") from None
    try:
        key.verify(
            signature,
            signed_bytes(page.metadata, page.chain),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except InvalidSignature:
        raise ClientError(
            f"the export's signature does not verify with certificate {mine}: "
            "wrong certificate, or the export was altered"
        ) from None
    return mine
