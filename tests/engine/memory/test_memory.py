"""Memory on a real LanceDB directory, with embeddings from the scripted Ollama server."""

from __future__ import annotations

import random
import subprocess
import sys

from tests.engine.memory.conftest import make_memory, run
from wits_tui.engine.memory import Memory, repair
from wits_tui.engine.memory.store import META_FILE

WORDS = "apple river stone cloud paper violin garden copper winter lantern meadow harbor candle forest".split()


def filler(n, seed=1):
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(12)) for _ in range(n)]


def fill(memory: Memory, texts, session_id=1):
    async def go():
        for i in range(0, len(texts), 2):
            for t in texts[i : i + 2]:
                memory.queue_turn(session_id, t, "ok")
            await memory.flush()

    run(memory, go())


def test_recall_finds_a_planted_fact_by_meaning_and_by_exact_term(memory):
    fill(memory, filler(60))
    run(memory, memory.remember("My sister Margarethe lives in Vancouver and her locker code is 48213"))
    assert memory.status.state == "ready"

    by_meaning = run(memory, memory.recall("where does my sister live?"))
    assert by_meaning.mode == "hybrid"
    assert "Margarethe" in by_meaning.hits[0].segment.text
    assert by_meaning.block.startswith("Relevant memories") and "48213" in by_meaning.block

    by_term = run(memory, memory.recall("48213"))
    assert any("48213" in h.segment.text for h in by_term.hits)
    assert by_term.hits[0].text_score is not None

    unrelated = run(memory, memory.recall("quantum chromodynamics lecture"))
    assert not any("Margarethe" in h.segment.text for h in unrelated.hits)


def test_recall_respects_the_token_budget_and_updates_access_counts(paths, server):
    memory = make_memory(paths, server, recall_token_budget=60, recall_max_segments=5)
    run(memory, memory.remember("the garage door code is 7341, " + "and it was set by the previous owner " * 3))
    run(memory, memory.remember("the shed door code is 7341 too"))
    got = run(memory, memory.recall("7341"))
    assert len(got.hits) == 1 and got.tokens <= 60  # the long one does not fit
    memory.wait_idle()
    seg = memory.store.get([got.hits[0].segment.id])[0]
    assert seg.access_count == 1 and seg.last_accessed_at > seg.created_at
    memory.close()


def test_memory_off_touches_nothing(paths, server):
    memory = make_memory(paths, server, enabled=False)
    got = run(memory, memory.recall("anything"))
    memory.queue_turn(1, "hello", "hi")
    assert got.mode == "skipped" and memory.status.state == "off"
    assert run(memory, memory.flush()) == 0
    assert not paths.memory_dir.exists() and server.requests_to("/api/embed") == []


def test_without_an_embedding_model_memory_works_on_full_text(paths, server):
    memory = make_memory(paths, server, embedding_model="not-installed")
    run(memory, memory.remember("the wifi password is tangerine-9041"))
    assert memory.status.state == "text_only" and "not-installed" in memory.status.message
    assert "ollama pull not-installed" in memory.status.hint
    got = run(memory, memory.recall("what was tangerine-9041 again"))
    assert got.mode == "text_only" and "tangerine-9041" in got.block


def test_a_corrupt_directory_disables_memory_with_a_repair_hint(paths, server):
    memory = make_memory(paths, server)
    run(memory, memory.remember("a fact"))
    memory.close()
    for manifest in (paths.memory_dir).rglob("*.manifest"):
        manifest.write_bytes(b"garbage")
    broken = make_memory(paths, server)
    got = run(broken, broken.recall("fact"))
    assert got.mode == "skipped" and broken.status.state == "broken"
    assert "wits memory repair" in broken.status.hint
    aside = repair(paths.memory_dir)
    assert aside is not None and aside.exists() and not paths.memory_dir.exists()
    fresh = make_memory(paths, server)
    run(fresh, fresh.remember("a new fact"))
    assert fresh.status.state == "ready" and fresh.store.count() == 1


def test_a_damaged_index_file_is_reported_too(paths, server):
    paths.memory_dir.mkdir(parents=True)
    (paths.memory_dir / META_FILE).write_text("{not json")
    memory = make_memory(paths, server)
    assert memory.open().state == "broken" and META_FILE in memory.status.message


def test_forget_removes_what_find_for_forget_showed(memory):
    fill(memory, filler(10))
    run(memory, memory.remember("my old phone number was 555-0199"))
    found = run(memory, memory.find_for_forget("555-0199"))
    assert "555-0199" in found[0].text
    assert memory.forget([found[0].id]) == 1
    assert memory.store.count() == 10 * 1 and not any("555-0199" in s.text for s in memory.export())


def test_changing_the_embedding_model_reembeds_without_losing_segments(paths, server):
    server.add_model("mini-embed", capabilities=["embedding"], embedding_dim=384)
    memory = make_memory(paths, server)
    fill(memory, filler(7))
    run(memory, memory.remember("the boat is called Skipjack"))
    memory.settings.embedding_model = "mini-embed"
    seen = []
    assert run(memory, memory.reembed(seen.append)) == 8
    assert memory.store.dim == 384 and memory.store.embed_model == "mini-embed" and memory.store.count() == 8
    assert seen[-1].done == seen[-1].total == 8
    got = run(memory, memory.recall("what is the boat called"))
    assert got.mode == "hybrid" and "Skipjack" in got.hits[0].segment.text


def test_importing_and_constructing_memory_does_not_load_lancedb(paths):
    probe = (
        "import sys; from pathlib import Path; from wits_tui.engine.memory import Memory; "
        "from wits_tui.settings import MemorySettings; Memory(MemorySettings(), Path('x'), backend=None); "
        "print('lancedb' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr


def test_forget_and_search_offer_only_what_matches(memory):
    for text in ("My cat is called Miso", "the spare key is under the blue flowerpot",
                 "dentist appointment on Tuesday at 10", "the wifi password is on the fridge"):
        run(memory, memory.remember(text))
    assert [s.text for s in run(memory, memory.find_for_forget("cat"))] == ["My cat is called Miso"]
    assert run(memory, memory.find_for_forget("xyzzy-nothing-matches")) == []
    hits = run(memory, memory.search("cat"))
    assert [h.segment.text for h in hits] == ["My cat is called Miso"]
    # found by a word of the query, or by meaning above the recall threshold: never by a negative similarity
    assert all(h.text_score is not None or h.similarity >= memory.settings.recall_min_similarity for h in hits)
