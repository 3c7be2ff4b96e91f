from __future__ import annotations

import pytest

from tests.test_cli import run
from wits_tui.engine.routing.modules import BUILTIN_MODULES, load_modules
from wits_tui.engine.routing.registry import ModuleRegistry, UnknownModule


def write(paths, name: str, text: str):
    paths.user_modules_dir.mkdir(parents=True, exist_ok=True)
    path = paths.user_modules_dir / name
    path.write_text(text)
    return path


def test_builtins_cover_the_standard_domains_with_keys():
    names = {m.name: m for m in BUILTIN_MODULES}
    assert set(names) == {"code_expert", "math_expert", "creative_expert", "reasoning_expert", "planning_expert", "base_module"}
    assert {d for m in BUILTIN_MODULES for d in m.domains} == {"code", "math", "creative", "reasoning", "planning", "general"}
    assert sorted(m.key for m in BUILTIN_MODULES) == list("123456")
    reg = ModuleRegistry({m.name: m for m in BUILTIN_MODULES}, "llama3.2")
    assert reg.model_of("code_expert") == "llama3.2"  # the chat default unless the module names one
    assert reg.get("math_expert").prompt_messages()[0]["role"] == "system"


def test_user_files_add_and_override_and_a_broken_file_is_reported_alone(paths):
    write(paths, "code_expert.toml", 'model = "qwen2.5-coder:7b"\n[options]\ntemperature = 0.05\n')
    write(paths, "sql_helper.toml", 'description = "SQL"\ndomains = ["code", "sql"]\nkey = "7"\nsystem = "You write SQL."\n'
          '[[examples]]\nprompt = "count rows"\ncompletion = "SELECT count(*) FROM t;"\n')
    bad = write(paths, "broken.toml", 'domains = ["code"]\n[options]\ntemperature = {a = 1}\n')
    syntax = write(paths, "syntax.toml", 'model = "unterminated\n')
    modules, errors = load_modules(paths.user_modules_dir)
    assert modules["code_expert"].model == "qwen2.5-coder:7b" and modules["code_expert"].options == {"temperature": 0.05}
    assert modules["code_expert"].system.startswith("You are an expert software engineer")  # kept from the built-in
    sql = modules["sql_helper"]
    assert sql.key == "7" and sql.prompt_messages()[1:] == [
        {"role": "user", "content": "count rows"}, {"role": "assistant", "content": "SELECT count(*) FROM t;"}]
    assert "broken" not in modules and "syntax" not in modules
    rendered = {e.path: e.render() for e in errors}
    assert "field 'options'" in rendered[bad] and str(bad) in rendered[bad] and "temperature" in rendered[bad]
    assert "not valid TOML" in rendered[syntax]


def test_bad_field_values_name_the_field(paths):
    path = write(paths, "x.toml", 'key = "12"\n')
    _, errors = load_modules(paths.user_modules_dir)
    [err] = errors
    assert err.path == path and err.field == "key" and "one digit" in err.message
    write(paths, "x.toml", 'colour = "red"\n')
    [err] = load_modules(paths.user_modules_dir)[1]
    assert err.field == "colour" and "Extra inputs" in err.message


def test_key_clash_is_reported(paths):
    path = write(paths, "mine.toml", 'key = "1"\ndomains = ["code"]\n')
    modules, errors = load_modules(paths.user_modules_dir)
    assert "mine" in modules
    assert any(e.field == "key" and e.path == path and "code_expert" in e.message for e in errors)


def test_registry_candidates_and_unknown_module():
    reg = ModuleRegistry({m.name: m for m in BUILTIN_MODULES}, "m")
    assert [m.name for m in reg.for_domain("code")] == ["code_expert"]
    assert [m.name for m in reg.for_domain("legal")] == ["base_module"]  # nobody serves it: general
    with pytest.raises(UnknownModule, match="known modules: base_module"):
        reg.get("nope")


def test_cli_modules_list_and_show(capsys, paths):
    write(paths, "broken.toml", "key = 5\n")
    code, out, err = run(capsys, "modules", "list")
    assert code == 0 and "code_expert" in out and "base_module" in out
    assert "broken.toml" in err and "field 'key'" in err
    code, out, _ = run(capsys, "module", "show", "2")
    assert code == 0 and out.startswith("math_expert") and "chat.default_model" in out
    code, _, err = run(capsys, "modules", "show", "nope")
    assert code == 2 and "no module 'nope'" in err


def test_routing_settings_are_validated_with_the_key_named(paths):
    from wits_tui.settings import ConfigError, load_settings

    paths.config_dir.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text('[routing]\ndefault_threshold = 2\n[routing.domains.legal]\nkeywords = ["contract"]\n')
    with pytest.raises(ConfigError) as info:
        load_settings(paths)
    assert "routing.default_threshold = 2" in str(info.value)
    paths.config_file.write_text('[routing.domains.legal]\nkeywords = ["contract"]\nexamplez = []\n')
    with pytest.raises(ConfigError, match="routing.domains.legal.examplez"):
        load_settings(paths)


def test_a_module_is_found_by_key_name_domain_or_prefix():
    reg = ModuleRegistry({m.name: m for m in BUILTIN_MODULES}, "m")
    assert reg.find("2").name == "math_expert"  # its key, as the module bar shows it ("2 math")
    assert reg.find("math").name == "math_expert"  # the domain it serves
    assert reg.find("Math").name == "math_expert"
    assert reg.find("creat").name == "creative_expert"  # an unambiguous prefix
    assert reg.find("general").name == "base_module"
    with pytest.raises(UnknownModule, match="could be any of"):
        reg.find("")  # every module starts with nothing: ambiguous, never a silent pick
    with pytest.raises(UnknownModule, match="no module 'xyz'"):
        reg.find("xyz")


def test_the_module_file_schema_matches_the_module_and_accepts_every_builtin():
    """Module is a plain dataclass (no pydantic on routing's path); module_spec.ModuleSpec validates
    module files: the same fields with the same defaults, and every built-in module passes its rules."""
    import dataclasses

    from wits_tui.engine.routing.module_spec import ModuleSpec, validate_module
    from wits_tui.engine.routing.modules import Module

    fields = {f.name: f for f in dataclasses.fields(Module)}
    assert list(fields) == list(ModuleSpec.model_fields)
    for name, spec in ModuleSpec.model_fields.items():
        f = fields[name]
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        assert spec.is_required() == (default is dataclasses.MISSING), name
        if not spec.is_required():
            assert spec.get_default(call_default_factory=True) == default, name
    for m in BUILTIN_MODULES:
        assert validate_module(m.as_dict()) == m
