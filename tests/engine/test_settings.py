from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from wits_tui.paths import resolve_paths
from wits_tui.settings import ConfigError, Settings, load_settings, normalise_host, settings_doc


def write_config(paths, text: str) -> Path:
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text(text)
    return paths.config_file


def test_wits_home_relocates_everything(wits_home):
    p = resolve_paths()
    for d in (p.config_dir, p.data_dir, p.cache_dir, p.log_dir):
        assert d.is_relative_to(wits_home)
    assert p.config_file == wits_home / "config" / "config.toml"
    assert p.database.parent == wits_home / "data"


def test_without_wits_home_uses_platform_dirs(monkeypatch, tmp_path):
    monkeypatch.delenv("WITS_HOME")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    p = resolve_paths()
    assert p.config_file == tmp_path / "xdg-config" / "wits" / "config.toml"


def test_defaults_without_a_file(paths, monkeypatch):
    monkeypatch.delenv("OLLAMA_HOST")  # the suite points it at a closed port (tests/conftest.py)
    s = load_settings(paths)
    assert s == Settings()
    assert s.ollama.host == "http://127.0.0.1:11434"
    assert s.memory.pruning_strategy == "hybrid"
    assert 0 < s.memory.pruning_threshold <= 1


def test_every_setting_is_documented():
    for key, doc in settings_doc():
        assert doc.strip(), f"{key} has no description"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0.0.0.0", "http://127.0.0.1:11434"),
        ("example.lan:9999", "http://example.lan:9999"),
        ("https://ollama.example.lan", "https://ollama.example.lan:443"),
        ("http://127.0.0.1:11434/", "http://127.0.0.1:11434"),
    ],
)
def test_host_normalisation(raw, expected):
    assert normalise_host(raw) == expected


def test_ollama_host_env_is_the_default(paths, monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", "10.1.2.3:8080")
    assert load_settings(paths).ollama.host == "http://10.1.2.3:8080"


def test_file_then_env_override(paths):
    write_config(paths, '[chat]\ndefault_model = "qwen2.5"\nfallback_models = ["a"]\n[memory]\nmax_memory_size_mb = 64\n')
    env = {"WITS_MEMORY__MAX_MEMORY_SIZE_MB": "128", "WITS_CHAT__FALLBACK_MODELS": '["b", "c"]', "WITS_HOME": "ignored"}
    s = load_settings(paths, env)
    assert s.chat.default_model == "qwen2.5"
    assert s.memory.max_memory_size_mb == 128
    assert s.chat.fallback_models == ["b", "c"]


def test_keymap_table(paths):
    write_config(paths, '[keymap]\ntoggle_sidebar = "ctrl+s"\n')
    assert load_settings(paths).keymap == {"toggle_sidebar": "ctrl+s"}


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ('[chat]\nmax_fallback_attemps = 3\n', ["chat.max_fallback_attemps", "unknown key", "did you mean 'chat.max_fallback_attempts'"]),
        ('colour = "red"\n', ["unknown key 'colour'", "expected one of: attachments, chat, ", "history, keymap, memory"]),
        ('[memory]\nmax_memory_size_mb = "big"\n', ["memory.max_memory_size_mb", '"big"', "valid number"]),
        ('[memory]\npruning_threshold = 1.5\n', ["memory.pruning_threshold", "1.5", "less than or equal to 1"]),
        ('[memory]\npruning_strategy = "random"\n', ["memory.pruning_strategy", '"random"', "'oldest_first', 'least_relevant' or 'hybrid'"]),
        ('[chat]\nmax_fallback_attempts = -1\n', ["chat.max_fallback_attempts", "-1", "greater than or equal to 0"]),
        ("[memory\nx = 1\n", ["not valid TOML", "line 1"]),
    ],
)
def test_config_errors_name_file_key_value_and_expectation(paths, text, fragments):
    cfg = write_config(paths, text)
    with pytest.raises(ConfigError) as info:
        load_settings(paths)
    message = str(info.value)
    assert str(cfg) in message
    for fragment in fragments:
        assert fragment in message


def test_env_error_names_the_variable(paths):
    with pytest.raises(ConfigError) as info:
        load_settings(paths, {"WITS_CHAT__MAX_FALLBACK_ATTEMPTS": "abc"})
    assert "WITS_CHAT__MAX_FALLBACK_ATTEMPTS" in str(info.value)
    assert '"abc"' in str(info.value)


def test_unknown_env_variable_is_reported(paths):
    with pytest.raises(ConfigError) as info:
        load_settings(paths, {"WITS_CHAT__DEFAULT_MODLE": "x"})
    assert "WITS_CHAT__DEFAULT_MODLE" in str(info.value)


@pytest.mark.parametrize("argv", [["config", "validate"], ["sessions", "list"], ["history"]])
def test_bad_config_exits_2_without_traceback_for_every_command(paths, argv):
    cfg = write_config(paths, "[memory]\npruning_threshold = 7\n")
    proc = subprocess.run([sys.executable, "-m", "wits_tui", *argv], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert str(cfg) in proc.stderr and "memory.pruning_threshold" in proc.stderr
