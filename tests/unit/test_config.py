"""The config file is validated, never coerced: every mistake is one line naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from explorer.config import ConfigError, load_config, source_contract


def load(tmp_path: Path, body: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "config.toml"
    path.write_text(body, encoding="utf-8")
    return load_config(path)


GOOD = """
default_source = "prod"

[sources.prod]
url = "https://ds:8080"
token_file = "~/t"
ca_bundle = "/ca.pem"
user = "me"
insecure = false
contract = "v1.5.7"
"""


def test_a_good_file(tmp_path: Path) -> None:
    config = load(tmp_path, GOOD)
    prod = config.sources["prod"]
    assert config.default_source == "prod"
    assert prod.url == "https://ds:8080" and prod.insecure is False
    assert prod.contract == "v1.5.7" and prod.token_file == Path("~/t").expanduser()
    assert source_contract("prod", config) == "v1.5.7"
    assert source_contract("other", config) is None
    assert source_contract(None, config) is None


def test_a_missing_file_is_an_empty_config(tmp_path: Path) -> None:
    config = load_config(tmp_path / "nope.toml")
    assert config.sources == {} and config.default_source is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        # the security bug: a string "false" used to turn TLS verification off
        (
            '[sources.p]\nurl = "u"\ninsecure = "false"',
            "sources.p.insecure: expected a boolean (true or false), got 'false'",
        ),
        ('[sources.p]\nurl = "u"\ninsecure = 0', "sources.p.insecure: expected a boolean"),
        (
            '[sources.p]\nurl = "u"\ntoken-file = "t"',
            "sources.p.token-file: unknown key (did you mean token_file?)",
        ),
        ('[sources.p]\nurl = "u"\nkontext = "x"', "sources.p.kontext: unknown key"),
        ('defualt_source = "p"', "defualt_source: unknown key (did you mean default_source?)"),
        ("[sources.p]\ninsecure = true", "sources.p: give url, or context"),
        ("[sources.p]\nurl = 8080", "sources.p.url: expected a string, got 8080"),
        ("default_source = 3", "default_source: expected a string, got 3"),
        ('[sources.p]\nurl = "u"\ncontract = "v9"', "sources.p.contract: unknown contract 'v9'"),
        ('sources = "x"', "sources:"),
        ("[sources", "not valid TOML"),
    ],
)
def test_every_mistake_is_one_line_naming_the_file_and_key(
    tmp_path: Path, body: str, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, body)
    text = str(caught.value)
    assert text.startswith(str(tmp_path / "config.toml") + ": ")
    assert message in text
    assert "\n" not in text
    assert caught.value.exit_code == 2


def test_insecure_false_never_turns_verification_off(tmp_path: Path) -> None:
    from explorer.ingest.sync import client_settings

    config = load(tmp_path, '[sources.p]\nurl = "https://ds"\ninsecure = false')
    settings, _ = client_settings(source="p", config=config, env={})
    assert settings.insecure is False
