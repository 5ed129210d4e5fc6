"""The committed models are exactly what the pinned generator makes from the contract."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from explorer.models import payloads
from explorer.models.registry import PAYLOAD_SCHEMAS, REGISTRY, view_name
from tests.conftest import REPO


def test_registry_covers_every_mapping_entry(spec_path: Path) -> None:
    spec = yaml.safe_load(spec_path.read_text())
    event_data = spec["components"]["schemas"]["AuditEventRequest"]["properties"]["event_data"]
    mapping = {k: v.rsplit("/", 1)[1] for k, v in event_data["discriminator"]["mapping"].items()}
    assert {t: info.schema for t, info in REGISTRY.items()} == mapping
    one_of = {ref["$ref"].rsplit("/", 1)[1] for ref in event_data["oneOf"]}
    assert set(PAYLOAD_SCHEMAS) == one_of


def test_committed_module_matches_the_generator(spec_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "payloads.py"
    subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "generate_models.py"),
            str(spec_path),
            "--output",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    committed = (REPO / "src" / "explorer" / "models" / "payloads.py").read_text()
    assert out.read_text() == committed, "run `make models` and commit the result"


def test_generated_code_carries_no_prose(spec_path: Path) -> None:
    source = Path(payloads.__file__).read_text()
    assert "description=" not in source
    assert "example" not in source.lower()


def test_optional_non_nullable_fields_reject_null_but_may_be_omitted() -> None:
    field = payloads.GatewayAuditPayload.model_fields["severity"]
    assert field.annotation is str and field.default is None


def test_view_names() -> None:
    assert view_name("GatewayAuditPayload") == "payload_gateway_audit"
    assert view_name("NotificationMessageSentPayload") == "payload_notification_message_sent"
    assert view_name("AIAgentRCACompletePayload") == "payload_ai_agent_rca_complete"
    assert view_name("ApifrontendA2ATaskStartedPayload") == "payload_apifrontend_a2a_task_started"
    assert len({view_name(s) for s in PAYLOAD_SCHEMAS}) == len(PAYLOAD_SCHEMAS)
