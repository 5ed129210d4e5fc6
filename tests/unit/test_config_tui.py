"""The config's [filters] and [keymap] tables: read as written, bad entries are one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from explorer.config import ConfigError, load_config


def test_filters_and_keymap_are_read(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[filters]\noom = "type:*.oom* -status:ok"\n"gw-1" = "service:gateway"\n'
        '[keymap]\n"events.stats" = "ctrl+g"\n'
    )
    config = load_config(path)
    assert config.filters == {"oom": "type:*.oom* -status:ok", "gw-1": "service:gateway"}
    assert config.keymap == {"events.stats": "ctrl+g"}
    assert load_config(tmp_path / "missing.toml").filters == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[filters]\n"a b" = "x"\n', "filters: filter name 'a b': letters, digits, _ . - only"),
        ("[filters]\noom = 3\n", "filters.oom: expected a string, got 3"),
        ("[keymap]\n'events.stats' = true\n", "keymap.events.stats: expected a string, got True"),
    ],
)
def test_bad_entries_are_one_line_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value) == f"{path}: {message}"
