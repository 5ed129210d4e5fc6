"""Vocabulary of the demo data: workloads, alerts, workflows, people, and fast formatters."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAY_MS = 86_400_000


@cache
def _day_prefix(day: int) -> str:
    return (_EPOCH + timedelta(days=day)).strftime("%Y-%m-%dT")


def rfc3339(ms: int) -> str:
    """Epoch milliseconds -> ``2026-11-20T11:59:58.123Z`` (cheaper than datetime.isoformat)."""
    day, rem = divmod(ms, _DAY_MS)
    sec, milli = divmod(rem, 1000)
    hour, sec = divmod(sec, 3600)
    minute, sec = divmod(sec, 60)
    return f"{_day_prefix(day)}{hour:02d}:{minute:02d}:{sec:02d}.{milli:03d}Z"


def epoch_ms(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(milliseconds=1)


_V4_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_V4_SET = (0x4000 << 64) | (0x8000 << 48)


def uuid4(rng: random.Random) -> str:
    """A version-4 UUID string from the seeded RNG (same bits as ``uuid.UUID(version=4)``)."""
    h = f"{(rng.getrandbits(128) & _V4_CLEAR) | _V4_SET:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def hex_id(rng: random.Random, digits: int) -> str:
    return f"{rng.getrandbits(4 * digits):0{digits}x}"


class Ctx(dict[str, Any]):
    """The facts one incident (or one background group) shares; unknown template keys read n/a."""

    def __missing__(self, key: str) -> str:
        return "n/a"


CLUSTERS = ("prod-east", "prod-west")

# namespace, workload, kind
WORKLOADS: tuple[tuple[str, str, str], ...] = (
    ("payment", "payment-api", "Deployment"),
    ("payment", "payment-worker", "Deployment"),
    ("payment", "ledger-db", "StatefulSet"),
    ("checkout", "checkout-web", "Deployment"),
    ("checkout", "cart-service", "Deployment"),
    ("inventory", "inventory-api", "Deployment"),
    ("inventory", "stock-sync", "Deployment"),
    ("inventory", "inventory-db", "StatefulSet"),
    ("auth", "auth-service", "Deployment"),
    ("auth", "token-issuer", "Deployment"),
    ("search", "search-indexer", "StatefulSet"),
    ("search", "search-api", "Deployment"),
    ("shipping", "shipping-api", "Deployment"),
    ("orders", "order-processor", "Deployment"),
    ("notifications", "email-dispatcher", "Deployment"),
    ("catalog", "catalog-api", "Deployment"),
)


@dataclass(frozen=True, slots=True)
class Alert:
    name: str
    severity: str
    action_type: str
    workflow: str
    factors: tuple[str, ...]


ALERTS: tuple[Alert, ...] = (
    Alert(
        "KubePodCrashLooping",
        "critical",
        "RestartPod",
        "restart-crashlooping-pod",
        ("container exits with code 1 after config change", "liveness probe fails on /healthz"),
    ),
    Alert(
        "OOMKilled",
        "critical",
        "IncreaseMemoryLimit",
        "oomkill-increase-memory",
        ("memory limit 512Mi below working set", "heap grows with request backlog"),
    ),
    Alert(
        "HighCPU",
        "warning",
        "ScaleDeployment",
        "hpa-scale-out",
        ("CPU throttling at 95% of limit", "traffic up 3x since 09:00"),
    ),
    Alert(
        "HighMemoryUsage",
        "warning",
        "IncreaseMemoryLimit",
        "oomkill-increase-memory",
        ("working set at 92% of limit", "cache eviction disabled"),
    ),
    Alert(
        "KubeDeploymentReplicasMismatch",
        "warning",
        "RollbackDeployment",
        "rollback-deployment",
        ("new ReplicaSet pods stuck in ImagePullBackOff", "rollout started 14 minutes ago"),
    ),
    Alert(
        "HighErrorRate",
        "critical",
        "RollbackDeployment",
        "rollback-deployment",
        ("5xx rate 12% after rollout", "upstream connection resets"),
    ),
    Alert(
        "HighLatencyP95",
        "warning",
        "ScaleDeployment",
        "hpa-scale-out",
        ("p95 latency 2.4s against 500ms SLO", "request queue saturated"),
    ),
    Alert(
        "KubePersistentVolumeFillingUp",
        "warning",
        "ExpandPVC",
        "pvc-expand",
        ("volume 94% full", "WAL segments not archived"),
    ),
    Alert(
        "KubeContainerWaiting",
        "warning",
        "RestartPod",
        "restart-crashlooping-pod",
        ("container waiting in CreateContainerConfigError", "missing ConfigMap key"),
    ),
    Alert(
        "CertificateExpiringSoon",
        "high",
        "RotateCertificate",
        "cert-rotate",
        ("TLS certificate expires in 36h", "cert-manager renewal failed"),
    ),
)

WORKFLOWS: dict[str, tuple[str, str]] = {  # name -> (id, version)
    name: (str(uuid.uuid5(uuid.NAMESPACE_URL, f"kubernaut/workflows/{name}")), version)
    for name, version in (
        ("restart-crashlooping-pod", "1.4.2"),
        ("oomkill-increase-memory", "2.1.0"),
        ("hpa-scale-out", "1.2.3"),
        ("rollback-deployment", "3.0.1"),
        ("pvc-expand", "1.0.4"),
        ("cert-rotate", "1.1.0"),
        ("node-drain-cordon", "0.9.7"),
        ("clear-stuck-finalizers", "0.3.1"),
    )
}
ACTION_TYPES = (
    "RestartPod",
    "IncreaseMemoryLimit",
    "ScaleDeployment",
    "RollbackDeployment",
    "ExpandPVC",
    "RotateCertificate",
    "CordonDrainNode",
    "ClearFinalizers",
)

USERS = (
    "alice.chen@acme.io",
    "bob.martin@acme.io",
    "carol.diaz@acme.io",
    "dev.patel@acme.io",
    "erin.walsh@acme.io",
)
GROUPS = ("sre-oncall", "platform-admins", "payments-team", "kubernaut-approvers")
MODELS = ("claude-sonnet-4-5", "gpt-4.1", "granite-3.3-8b-instruct", "llama-3.3-70b-instruct")
TOOLS = (
    "kubectl_describe",
    "kubectl_logs",
    "kubectl_events",
    "kubectl_get_by_kind_in_namespace",
    "prometheus_query_range",
    "get_resource_owner_chain",
    "search_workflow_catalog",
    "fetch_runbook",
)
CHANNELS = ("slack", "email", "pagerduty", "webhook")
SOURCE_IPS = ("10.42.1.17", "10.42.3.8", "10.43.0.112", "192.168.40.21", "172.16.5.9")
PATHS = (
    "/api/v1/audit/events",
    "/api/v1/incidents",
    "/api/v1/workflows/search",
    "/a2a/tasks",
    "/mcp",
)


def pick(rng: random.Random, seq: tuple[Any, ...] | list[Any]) -> Any:
    return seq[int(rng.random() * len(seq))]
