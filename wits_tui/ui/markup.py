"""Text shown as written where Textual reads markup (palette help, option lists)."""

from __future__ import annotations


def escape(text: str) -> str:
    """Escape every ``[``: Rich's and Textual's own escape functions leave ``[NAME]``,
    which Textual's markup then takes for a tag and drops ("(/model )")."""
    return text.replace("[", "\\[")
