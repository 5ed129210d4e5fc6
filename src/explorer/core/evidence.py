"""What the server said about one correlation: its hash-chain verdicts and its legal hold.

The timeline checks the links of the chain itself; whether each hash is right only the
server can say (``audit-explorer verify`` stores its verdict). This puts the two side by
side for the TUI and the CLI.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from explorer.store import evidence
from explorer.store.connection import Cursor
from explorer.store.evidence import HoldInfo


@dataclass(frozen=True)
class ChainEvidence:
    """The server's newest verdict per event (none: never verified) and the hold."""

    verdicts: dict[str, bool] = field(default_factory=dict)
    verified_at: datetime | None = None
    hold: HoldInfo = field(default_factory=lambda: HoldInfo(False))
    events: int = 0  # how many events were asked about

    @property
    def verified(self) -> bool:
        return bool(self.verdicts)

    @property
    def tampered(self) -> list[str]:
        return [event_id for event_id, valid in self.verdicts.items() if not valid]

    @property
    def unverified(self) -> int:
        """Events of the correlation no run has judged (newer than the last verify)."""
        return self.events - len(self.verdicts)


def chain_evidence(cur: Cursor, correlation_id: str, event_ids: Sequence[str]) -> ChainEvidence:
    """The server's verdicts on ``event_ids`` and the legal hold of ``correlation_id``."""
    found = evidence.verdicts(cur, event_ids)
    newest = max((v.verified_at for v in found.values()), default=None)
    return ChainEvidence(
        verdicts={event_id: v.hash_chain_valid for event_id, v in found.items()},
        verified_at=newest,
        hold=evidence.hold_of(cur, correlation_id=correlation_id),
        events=len(event_ids),
    )


def verdict_summary(found: ChainEvidence) -> str:
    """One line: ``never verified``, ``all 12 valid``, ``2 tampered of 12``."""
    if not found.verified:
        return "never verified"
    tampered = len(found.tampered)
    judged = len(found.verdicts)
    text = f"{tampered:,} tampered of {judged:,}" if tampered else f"all {judged:,} valid"
    if found.unverified:
        text += f", {found.unverified:,} not verified yet"
    return text
