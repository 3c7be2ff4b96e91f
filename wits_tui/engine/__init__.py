"""The Wits engine: everything that is not UI.

Importing this package must stay cheap and must never load textual, rich,
prompt_toolkit or lancedb (checked by import-linter and tests/engine/test_import_hygiene.py).
"""
