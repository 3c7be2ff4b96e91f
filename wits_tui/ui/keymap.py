"""The effective keymap: the user's ``[keymap]`` over the presets they switched on.

In tmux and xterm Alt+digit arrives as ESC digit, which Textual reads as the macOS
Option character of that digit (ESC 2 -> "™"): the same key as typing that character.
Binding those characters would eat "£5" or "1º" on UK, Spanish and Portuguese keyboards,
so they switch modules only with ``ui.option_digit_module_keys = true``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wits_tui.settings import Settings


#: The key names Textual gives the characters Alt+0..9 arrive as (ESC digit).
OPTION_DIGITS = {"1": "inverted_exclamation_mark", "2": "trade_mark_sign", "3": "pound_sign", "4": "cent_sign",
                 "5": "infinity", "6": "section_sign", "7": "pilcrow_sign", "8": "bullet", "9": "ª", "0": "º"}


def option_digit_keymap() -> dict[str, str]:
    """The opt-in preset: the module keys also on the Option characters."""
    keys = {f"module_{k}": f"ctrl+{k},alt+{k},{OPTION_DIGITS[str(k)]}" for k in range(1, 10)}
    return {**keys, "auto_module": f"ctrl+0,alt+0,{OPTION_DIGITS['0']}"}


def keymap_for(settings: Settings) -> dict[str, str]:
    preset = option_digit_keymap() if settings.ui.option_digit_module_keys else {}
    return {**preset, **settings.keymap}


def bound_keys(keymap: dict[str, str]) -> frozenset[str]:
    """Every key the keymap binds (the prompt lets those that are characters through)."""
    return frozenset(k.strip() for keys in keymap.values() for k in keys.split(",") if k.strip())
