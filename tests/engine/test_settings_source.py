"""The validated snapshot quick commands read instead of validating the settings again."""

from __future__ import annotations

import pytest

from wits_tui.settings import load_settings
from wits_tui.settings_source import SNAPSHOT_NAME, SettingsView, load_snapshot, save_snapshot


def _config(paths, text: str) -> None:
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text(text)


def test_the_snapshot_holds_the_validated_settings(paths):
    _config(paths, "[routing]\ndefault_threshold = 0.3\nthresholds = {code = 0.6}\n"
                   "[routing.domains.legal]\nkeywords = ['contract']\n[chat]\ndefault_model = 'qwen3'\n")
    env = {"WITS_ROUTING__TEMPERATURE": "0.2"}
    settings = load_settings(paths, env)
    assert load_snapshot(paths, env) is None  # none written yet
    save_snapshot(paths, settings, env)
    view = load_snapshot(paths, env)
    assert isinstance(view, SettingsView)
    assert view.routing.temperature == 0.2 and view.routing.default_threshold == 0.3
    assert view.routing.thresholds == {"code": 0.6} and view.chat.default_model == "qwen3"
    assert view.routing.domains["legal"].keywords == ["contract"] and view.routing.domains["legal"].threshold is None
    assert view.ollama.host == settings.ollama.host and view.keymap == {}
    with pytest.raises(AttributeError):
        view.routing.temperature = 1.0
    with pytest.raises(AttributeError):
        _ = view.routing.no_such_setting


def test_a_changed_source_means_no_snapshot(paths):
    env = {"WITS_CHAT__DEFAULT_MODEL": "a"}
    save_snapshot(paths, load_settings(paths, env), env)
    assert load_snapshot(paths, env) is not None
    assert load_snapshot(paths, {"WITS_CHAT__DEFAULT_MODEL": "b"}) is None
    assert load_snapshot(paths, {**env, "OLLAMA_HOST": "10.0.0.2"}) is None
    assert load_snapshot(paths, {**env, "WITS_HOME": "/elsewhere"}) is not None  # not a setting
    _config(paths, "[chat]\ndefault_model = 'c'\n")
    assert load_snapshot(paths, env) is None


def test_a_changed_schema_means_no_snapshot(paths, tmp_path, monkeypatch):
    # the settings models and the choices they validate against (settings_choices.py) are both the schema
    import wits_tui.settings_source as source

    copies = []
    for original in source._SCHEMA:
        copy = tmp_path / original.name
        copy.write_bytes(original.read_bytes())
        copies.append(copy)
    monkeypatch.setattr(source, "_SCHEMA", tuple(copies))
    env: dict[str, str] = {}
    save_snapshot(paths, load_settings(paths, env), env)
    assert load_snapshot(paths, env) is not None
    copies[1].write_text(copies[1].read_text() + "\n# another strategy\n")
    assert load_snapshot(paths, env) is None


def test_a_damaged_snapshot_is_ignored(paths):
    save_snapshot(paths, load_settings(paths, {}), {})
    (paths.cache_dir / SNAPSHOT_NAME).write_text("{not json")
    assert load_snapshot(paths, {}) is None
