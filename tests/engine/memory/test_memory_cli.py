"""`wits memory ...` against a real memory directory and the scripted server."""

from __future__ import annotations

import json

from tests.engine.memory.conftest import make_memory, run as run_async
from tests.test_cli import run


def test_stats_search_export_prune_and_repair(capsys, paths, server, monkeypatch):
    monkeypatch.setenv("WITS_OLLAMA__HOST", server.host)
    memory = make_memory(paths, server)
    run_async(memory, memory.remember("the spare key is under the blue flowerpot"))
    memory.close()

    code, out, _ = run(capsys, "memory", "stats", "--json")
    assert code == 0
    stats = json.loads(out)
    assert stats["segments"] == 1 and stats["status"]["state"] == "ready" and stats["size_bytes"] > 0

    code, out, _ = run(capsys, "memory", "search", "flowerpot", "--json")
    assert code == 0 and "blue flowerpot" in json.loads(out)[0]["segment"]["text"]

    code, out, _ = run(capsys, "memory", "export")
    assert code == 0 and json.loads(out.splitlines()[0])["kind"] == "note"

    monkeypatch.setenv("WITS_MEMORY__MAX_MEMORY_SIZE_MB", "0.001")  # far under what one segment takes
    code, out, _ = run(capsys, "memory", "prune", "oldest_first", "--json")
    assert code == 0 and json.loads(out)["removed"] == 1

    for manifest in paths.memory_dir.rglob("*.manifest"):
        manifest.write_bytes(b"garbage")
    code, _, err = run(capsys, "memory", "stats")
    assert code == 1 and "wits memory repair" in err
    code, out, _ = run(capsys, "memory", "repair")
    assert code == 0 and "moved" in out and not paths.memory_dir.exists()
    code, out, _ = run(capsys, "memory", "stats", "--json")
    assert code == 0 and json.loads(out)["segments"] == 0


def test_an_unknown_strategy_names_the_choices(capsys):
    code, _, err = run(capsys, "memory", "prune", "random")
    assert code == 2 and "oldest_first" in err


def test_add_keeps_a_note_from_the_arguments_or_stdin(capsys, paths, server, monkeypatch):
    import io

    monkeypatch.setenv("WITS_OLLAMA__HOST", server.host)
    code, out, _ = run(capsys, "memory", "add", "my", "cat", "is", "called", "Miso")
    assert code == 0 and "remembered: my cat is called Miso" in out
    monkeypatch.setattr("sys.stdin", io.StringIO("the boiler code is 4471\n"))
    code, out, _ = run(capsys, "memory", "add", "-", "--json")
    assert code == 0 and json.loads(out)["text"] == "the boiler code is 4471"
    code, out, _ = run(capsys, "memory", "export")
    assert sorted(json.loads(line)["text"] for line in out.splitlines()) == [
        "my cat is called Miso", "the boiler code is 4471"]
    monkeypatch.setattr("sys.stdin", io.StringIO("   \n"))
    code, _, err = run(capsys, "memory", "add", "-")
    assert code == 2 and "nothing to remember" in err
