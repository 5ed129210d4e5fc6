"""The committed models are what the pinned generator makes from each contract version.

This only proves the modules are current. That they are *faithful* to the contracts is
proven, without the generator, by ``test_contract_fidelity.py``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from explorer.models.contracts import main as main_models
from explorer.models.registry import (
    CONTRACT_NAMES,
    CONTRACTS,
    DEFAULT_CONTRACT,
    PAYLOAD_SCHEMAS,
    load_contract,
    view_name,
)
from tests.conftest import REPO, spec_file

CONTRACTS_DIR = REPO / "src" / "explorer" / "models" / "contracts"
UNMAPPED = {
    "v1.4.0": {"RemediationApprovalDecisionPayload"},
    "v1.5.7": {"RemediationApprovalDecisionPayload"},
}


@pytest.mark.parametrize("name", CONTRACT_NAMES)
def test_registry_covers_every_mapping_entry(name: str) -> None:
    spec = yaml.safe_load(spec_file(name).read_text())
    event_data = spec["components"]["schemas"]["AuditEventRequest"]["properties"]["event_data"]
    mapping = {k: v.rsplit("/", 1)[1] for k, v in event_data["discriminator"]["mapping"].items()}
    models = load_contract(name)
    assert {t: info.schema for t, info in models.registry.items()} == mapping
    one_of = {ref["$ref"].rsplit("/", 1)[1] for ref in event_data["oneOf"]}
    assert set(models.payload_schemas) == set(mapping.values())
    # v1.4.0 and v1.5.7 list one payload in oneOf that no event type maps to: no event
    # can be typed as it, so the registry rightly leaves it out.
    assert one_of - set(mapping.values()) == UNMAPPED.get(name, set())
    assert CONTRACTS[name].event_types == len(mapping)
    assert CONTRACTS[name].payload_schemas == len(set(mapping.values()))


def test_catalog_names_the_shipped_versions() -> None:
    assert CONTRACT_NAMES == ("2026-01-24", "v1.4.0", "v1.5.7", "v1.6.0-rc4", "main")
    assert DEFAULT_CONTRACT == "main"
    assert [CONTRACTS[n].event_types for n in CONTRACT_NAMES] == [47, 90, 136, 140, 142]


def test_committed_modules_match_the_generator(tmp_path: Path) -> None:
    spec_dir = spec_file(DEFAULT_CONTRACT).parent
    subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "generate_models.py"),
            "--spec-dir",
            str(spec_dir),
            "--output-dir",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
    )
    made = sorted(p.name for p in tmp_path.glob("*.py"))
    committed = sorted(p.name for p in CONTRACTS_DIR.glob("*.py") if p.name != "__init__.py")
    assert made == committed
    for name in made:
        assert (tmp_path / name).read_text() == (CONTRACTS_DIR / name).read_text(), (
            f"{name}: run `make models` and commit the result"
        )


def test_generated_code_carries_no_prose() -> None:
    for path in CONTRACTS_DIR.glob("*.py"):
        source = path.read_text()
        assert "description=" not in source, path.name
        assert "example" not in source.lower(), path.name


def test_optional_non_nullable_fields_reject_null_but_may_be_omitted() -> None:
    field = main_models.GatewayAuditPayload.model_fields["severity"]
    assert field.annotation is str and field.default is None


def test_view_names() -> None:
    assert view_name("GatewayAuditPayload") == "payload_gateway_audit"
    assert view_name("NotificationMessageSentPayload") == "payload_notification_message_sent"
    assert view_name("AIAgentRCACompletePayload") == "payload_ai_agent_rca_complete"
    assert view_name("ApifrontendA2ATaskStartedPayload") == "payload_apifrontend_a2a_task_started"
    assert len({view_name(s) for s in PAYLOAD_SCHEMAS}) == len(PAYLOAD_SCHEMAS)
