"""Wits: a local-first terminal assistant."""

__version__ = "0.1.0"
