"""`wits CMD` registers only CMD's module; every command name still reaches its module."""

from __future__ import annotations

import argparse

import pytest

from wits_tui.cli import COMMAND_MODULES, _modules_for, build_parser


def _names(parser: argparse.ArgumentParser) -> set[str]:
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return set(sub.choices)


ALL = _names(build_parser([]))


@pytest.mark.parametrize("command", sorted(ALL))
def test_each_command_alone_parses_as_with_all_registered(command):
    only = _modules_for([command])
    assert len(only) == 1, f"{command!r} should map to one module, not all"
    assert command in _names(build_parser([command]))


def test_help_and_unknown_commands_list_every_command():
    assert _modules_for([]) == COMMAND_MODULES
    assert _modules_for(["--help"]) == COMMAND_MODULES
    assert _modules_for(["nope"]) == COMMAND_MODULES
    assert {"ask", "chat", "doctor", "export", "import", "module"} <= ALL
