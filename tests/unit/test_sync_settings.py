"""Where a sync connects to: option > environment > config source, for every setting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from explorer.client.datastorage import Secret
from explorer.config import Config, SourceConfig
from explorer.errors import ClientError
from explorer.ingest import sync


def client_settings(**options: Any) -> Any:
    """Never the in-cluster token of whatever machine runs the tests."""
    return sync.client_settings(service_account=Path("/nonexistent/token"), **options)


@pytest.fixture
def config(tmp_path: Path) -> Config:
    token_file = tmp_path / "lab-token"
    token_file.write_text("from-config-file\n")
    lab = SourceConfig(
        "lab", "https://lab:8443/", token_file=token_file, ca_bundle=tmp_path / "ca.pem", user="u"
    )
    return Config({"lab": lab}, default_source="lab")


def test_named_source_supplies_everything(config: Config) -> None:
    settings, label = client_settings(source="lab", config=config, env={})
    assert label == "lab" and settings.url == "https://lab:8443/"
    assert settings.token == Secret("from-config-file") and settings.user == "u"
    assert settings.ca_bundle is not None and not settings.insecure


def test_default_source_only_without_a_url(config: Config) -> None:
    settings, label = client_settings(config=config, env={})
    assert label == "lab" and settings.token == Secret("from-config-file")
    other, label = client_settings(url="http://other:8080/", config=config, env={})
    assert label == "http://other:8080" and other.token is None and other.ca_bundle is None
    from_env, label = client_settings(config=config, env={"AUDIT_EXPLORER_URL": "http://e:1"})
    assert label == "http://e:1" and from_env.token is None


def test_options_and_environment_beat_the_config(config: Config, tmp_path: Path) -> None:
    env = {"AUDIT_EXPLORER_TOKEN": "from-env", "AUDIT_EXPLORER_URL": "http://env:8080"}
    settings, label = client_settings(source="lab", config=config, env=env)
    assert settings.url == "http://env:8080" and settings.token == Secret("from-env")
    assert label == "lab"
    flag, _ = client_settings(
        source="lab", token="from-flag", insecure=True, config=config, env=env
    )
    assert flag.token == Secret("from-flag") and flag.insecure and flag.ca_bundle is None


def test_tuning_passes_through(config: Config) -> None:
    settings, _ = client_settings(
        url="http://x:1", config=Config(), env={}, read_timeout=2.5, max_tries=2
    )
    assert (settings.read_timeout, settings.max_tries, settings.connect_timeout) == (2.5, 2, 5.0)


def test_no_url_anywhere() -> None:
    with pytest.raises(ClientError, match="no DataStorage URL"):
        client_settings(config=Config(), env={})
    with pytest.raises(ClientError, match="http"):
        client_settings(url="ftp://x", config=Config(), env={})
