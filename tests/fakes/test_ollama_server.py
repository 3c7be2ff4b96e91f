"""The fake Ollama server, exercised through the real ``ollama`` client."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import ollama
import pytest

from tests.fakes.conftest import CHAT_MODEL, EMBED_MODEL
from tests.fakes.demo import demo_answer
from tests.fakes.http_base import HandlerBase
from tests.fakes.ollama_server import RecordedRequest, Reply, ScriptedOllama
from tests.fakes.scripts import cosine, tokenize
from tests.waiting import hang_guard, wait_until

MSGS = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Say hello"}]
REPO = Path(__file__).resolve().parents[2]


def chat_stream(client: ollama.Client, got: list, model: str = CHAT_MODEL, **kw) -> list:
    """Stream a chat, collecting chunks into ``got`` (so a test sees what arrived before an error)."""
    for chunk in client.chat(model, messages=MSGS, stream=True, **kw):
        got.append(chunk)
    return got


# -- chat ---------------------------------------------------------------------------------
def test_tokenizer_keeps_spaces_and_newlines() -> None:
    text = "Hello there,  friend.\n\n```py\nx = 1\n```  "
    tokens = tokenize(text)
    assert "".join(tokens) == text
    assert tokens[:4] == ["Hello", " there,", "  friend.", "\n\n"]


def test_streaming_chat_token_order_and_final_stats(fake_ollama: ScriptedOllama, client: ollama.Client) -> None:
    fake_ollama.script(CHAT_MODEL, Reply(text="Hello there, friend.\nHow are you?", token_delay=0.005))
    chunks = chat_stream(client, [], options={"temperature": 0})

    *parts, final = chunks
    assert [c.message.content for c in parts] == ["Hello", " there,", " friend.", "\n", "How", " are", " you?"]
    assert all(not c.done and c.model == CHAT_MODEL and c.message.role == "assistant" for c in parts)
    assert final.done and final.done_reason == "stop" and final.message.content == ""
    assert final.eval_count == 7
    assert final.prompt_eval_count and final.prompt_eval_count > 0
    assert final.eval_duration >= 7 * 0.005e9 * 0.9  # consistent with the pacing
    assert final.total_duration >= final.load_duration + final.prompt_eval_duration + final.eval_duration
    # the request was recorded as sent, options included
    method, path, body = fake_ollama.requests_to("/api/chat")[-1]
    assert (method, path) == ("POST", "/api/chat")
    assert body["messages"] == MSGS and body["stream"] is True and body["options"] == {"temperature": 0}


def test_async_client_streams_too(fake_ollama: ScriptedOllama) -> None:
    fake_ollama.script(CHAT_MODEL, Reply(tokens=["A", "sync", " reply"]))

    async def run() -> list[str]:
        async with ollama.AsyncClient(host=fake_ollama.host) as client:
            return [c.message.content async for c in await client.chat(CHAT_MODEL, messages=MSGS, stream=True)]

    assert asyncio.run(run()) == ["A", "sync", " reply", ""]


def test_non_streaming_chat_and_default_echo(fake_ollama: ScriptedOllama, client: ollama.Client) -> None:
    fake_ollama.script(CHAT_MODEL, Reply(text="Scripted answer."))
    first = client.chat(CHAT_MODEL, messages=MSGS)  # the client's default is stream=False
    assert first.done and first.message.content == "Scripted answer." and first.eval_count == 2
    assert fake_ollama.pending(CHAT_MODEL) == 0
    # an empty queue falls back to the deterministic echo...
    assert client.chat(CHAT_MODEL, messages=MSGS).message.content == "You said: Say hello"
    # ...or to the model's default reply, which may depend on the request
    fake_ollama.default_reply(CHAT_MODEL, lambda req: Reply(text=f"{len(req['messages'])} messages"))
    assert client.chat(CHAT_MODEL, messages=MSGS).message.content == "2 messages"


def test_tool_calls_streaming_and_not(fake_ollama: ScriptedOllama, client: ollama.Client) -> None:
    call = {"function": {"name": "read_file", "arguments": {"path": "notes.md"}}}
    tools = [
        {
            "type": "function",
            "function": {
                "name": "read_file",
                "description": "Read a file",
                "parameters": {"type": "object", "properties": {}},
            },
        }
    ]
    fake_ollama.script(CHAT_MODEL, Reply(text="", tool_calls=[call]), Reply(text="Let me look.", tool_calls=[call]))

    message = client.chat(CHAT_MODEL, messages=MSGS, tools=tools).message
    assert message.content == "" and message.tool_calls[0].function.name == "read_file"
    assert message.tool_calls[0].function.arguments == {"path": "notes.md"}

    chunks = chat_stream(client, [], tools=tools)
    calls = [tc for c in chunks for tc in (c.message.tool_calls or [])]
    assert "".join(c.message.content for c in chunks) == "Let me look."
    assert [tc.function.name for tc in calls] == ["read_file"] and chunks[-1].done
    assert fake_ollama.requests_to("/api/chat")[-1].body["tools"][0]["function"]["name"] == "read_file"


def test_generate_streams_response_field(fake_ollama: ScriptedOllama, client: ollama.Client) -> None:
    fake_ollama.script(CHAT_MODEL, Reply(text="Once upon a time"))
    chunks = list(client.generate(CHAT_MODEL, "Tell a story", stream=True))
    assert "".join(c.response for c in chunks) == "Once upon a time"
    assert chunks[-1].done and chunks[-1].eval_count == 4 and chunks[-1].context


def test_num_predict_truncates_with_done_reason_length(fake_ollama: ScriptedOllama, client: ollama.Client) -> None:
    fake_ollama.script(CHAT_MODEL, Reply(text="one two three four five"))
    reply = client.chat(CHAT_MODEL, messages=MSGS, options={"num_predict": 2})
    assert reply.message.content == "one two" and reply.done_reason == "length"


def test_fast_stream_of_4000_tokens(fake_ollama: ScriptedOllama) -> None:
    """Unpaced tokens go out as they are due, batched (how fast: benchmarks/bench_fakes.py)."""
    fake_ollama.script(CHAT_MODEL, Reply(tokens=[" tok"] * 4000))
    body = {"model": CHAT_MODEL, "messages": MSGS}
    with httpx.stream("POST", f"{fake_ollama.host}/api/chat", json=body) as response:
        assert response.headers["content-type"] == "application/x-ndjson"
        assert response.headers["transfer-encoding"] == "chunked"
        lines = list(response.iter_lines())
    final = httpx.Response(200, content=lines[-1]).json()
    assert len(lines) == 4001 and final["eval_count"] == 4000
    assert final["eval_duration"] > 0 and final["total_duration"] >= final["eval_duration"]


# -- errors -------------------------------------------------------------------------------
def test_unknown_model_is_404(client: ollama.Client) -> None:
    for call in (lambda: client.chat("nope:7b", messages=MSGS), lambda: chat_stream(client, [], model="nope:7b")):
        with pytest.raises(ollama.ResponseError) as info:
            call()
        assert info.value.status_code == 404 and info.value.error == "model 'nope:7b' not found"


def test_runner_crash_is_500(fake_ollama: ScriptedOllama, client: ollama.Client) -> None:
    crash = "llama runner process has terminated: signal: killed"
    fake_ollama.script(CHAT_MODEL, Reply(status=500, error=crash))
    with pytest.raises(ollama.ResponseError) as info:
        chat_stream(client, [])
    assert info.value.status_code == 500 and info.value.error == crash


def test_error_line_mid_stream(fake_ollama: ScriptedOllama, client: ollama.Client) -> None:
    fake_ollama.script(CHAT_MODEL, Reply(text="a b c d e f", error_after=3, error="CUDA error: out of memory"))
    got: list = []
    with pytest.raises(ollama.ResponseError) as info:
        chat_stream(client, got)
    assert [c.message.content for c in got] == ["a", " b", " c"]
    assert info.value.error == "CUDA error: out of memory"
    assert info.value.status_code == -1  # the client does not know a status for stream errors


def test_disconnect_mid_stream(fake_ollama: ScriptedOllama, client: ollama.Client) -> None:
    fake_ollama.script(CHAT_MODEL, Reply(text="a b c d e f", disconnect_after=2))
    got: list = []
    with pytest.raises(httpx.RemoteProtocolError):
        chat_stream(client, got)
    assert [c.message.content for c in got] == ["a", " b"]

    fake_ollama.script(CHAT_MODEL, Reply(text="a b c d e f", disconnect_after=2))

    async def run(got: list) -> None:
        async with ollama.AsyncClient(host=fake_ollama.host) as aclient:
            async for chunk in await aclient.chat(CHAT_MODEL, messages=MSGS, stream=True):
                got.append(chunk)

    got = []
    with pytest.raises(httpx.RemoteProtocolError):
        asyncio.run(run(got))
    assert len(got) == 2


def test_slow_first_token(fake_ollama: ScriptedOllama, client: ollama.Client) -> None:
    fake_ollama.script(CHAT_MODEL, Reply(text="late but fine", first_token_delay=0.3))
    stream = client.chat(CHAT_MODEL, messages=MSGS, stream=True)
    first = next(iter(stream))
    rest = list(stream)
    assert first.message.content == "late"
    # the wait before the first token is reported as prompt evaluation (as Ollama does)
    assert rest[-1].prompt_eval_duration >= 0.3e9


def test_hang_then_read_timeout_and_quick_stop() -> None:
    with ScriptedOllama() as server:
        server.add_model(CHAT_MODEL)
        server.script(CHAT_MODEL, Reply(text="a b c", hang_after=1))
        got: list = []
        with ollama.Client(host=server.host, timeout=0.3) as impatient, pytest.raises(httpx.ReadTimeout):
            chat_stream(impatient, got)
        assert [c.message.content for c in got] == ["a"]
        # a hung reply whose client is still waiting must not block the server's shutdown
        server.script(CHAT_MODEL, Reply(text="a b c", hang_after=0))
        with ollama.Client(host=server.host) as patient:
            waiter = threading.Thread(target=lambda: pytest.raises(httpx.HTTPError, chat_stream, patient, []))
            waiter.start()
            wait_until(lambda: len(server.requests_to("/api/chat")) == 2, what="the second request to arrive")
            assert server.stop(timeout=hang_guard())  # every connection cut, every handler done
            waiter.join(hang_guard())
        assert not waiter.is_alive()


def test_capability_errors(client: ollama.Client) -> None:
    with pytest.raises(ollama.ResponseError) as info:
        client.chat(EMBED_MODEL, messages=MSGS)
    assert info.value.status_code == 400 and "does not support chat" in info.value.error
    with pytest.raises(ollama.ResponseError) as info:
        client.embed(CHAT_MODEL, "text")
    assert info.value.status_code == 501 and info.value.error == "this model does not support embeddings"
    with pytest.raises(ollama.ResponseError) as info:
        client.chat(CHAT_MODEL, messages=MSGS, think=True)
    assert info.value.status_code == 400 and "does not support thinking" in info.value.error


def test_unknown_route_and_method(fake_ollama: ScriptedOllama) -> None:
    assert httpx.get(f"{fake_ollama.host}/api/nothing").status_code == 404
    assert httpx.get(f"{fake_ollama.host}/api/chat").status_code == 405
    root = httpx.get(fake_ollama.host)
    assert root.status_code == 200 and root.text == "Ollama is running"
    assert httpx.get(f"{fake_ollama.host}/api/version").json() == {"version": "0.12.0"}


# -- models -----------------------------------------------------------------------------------
def test_list_show_and_delete(client: ollama.Client) -> None:
    assert {m.model for m in client.list().models} == {CHAT_MODEL, "nomic-embed-text:latest"}
    shown = client.show(CHAT_MODEL)
    assert shown.capabilities == ["completion", "tools"]
    assert shown.modelinfo["general.architecture"] == "llama"
    assert shown.modelinfo["llama.context_length"] == 4096
    assert shown.details.family == "llama" and shown.details.parameter_size == "1.2B"
    assert client.show("nomic-embed-text").capabilities == ["embedding"]
    with pytest.raises(ollama.ResponseError) as info:
        client.show("missing")
    assert info.value.status_code == 404 and info.value.error == "model 'missing' not found"
    assert client.delete(EMBED_MODEL).status == "success"
    with pytest.raises(ollama.ResponseError) as info:
        client.delete(EMBED_MODEL)
    assert info.value.status_code == 404


def test_load_request_and_ps(fake_ollama: ScriptedOllama, client: ollama.Client) -> None:
    fake_ollama.add_model("big:7b", parameter_size="7B", context_length=32768, load_ms=150)
    assert client.ps().models == []
    loaded = client.chat("big:7b", messages=[], keep_alive="10m", options={"num_ctx": 8192})
    assert loaded.done_reason == "load"
    (entry,) = client.ps().models
    assert entry.model == "big:7b" and entry.context_length == 8192 and entry.size_vram == entry.size
    # warm now: no load time (a fixed 1 µs); a cold model reports its load time
    fake_ollama.script("big:7b", Reply(text="warm"))
    assert client.chat("big:7b", messages=MSGS).load_duration == 1000
    fake_ollama.add_model("cold:1b", load_ms=120)
    assert client.chat("cold:1b", messages=MSGS).load_duration >= 0.11e9
    assert {m.model for m in client.ps().models} == {"big:7b", "cold:1b"}
    assert client.generate("big:7b", keep_alive=0).done_reason == "unload"
    assert [m.model for m in client.ps().models] == ["cold:1b"]
    fake_ollama.loaded.clear()
    assert client.ps().models == []


def test_reported_load_duration(fake_ollama: ScriptedOllama, client: ollama.Client,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    sleep = HandlerBase._sleep
    monkeypatch.setattr(HandlerBase, "_sleep", lambda self, seconds: (slept.append(seconds), sleep(self, seconds))[1])
    fake_ollama.script(CHAT_MODEL, Reply(text="hi", load_duration_ms=2500))
    reply = client.chat(CHAT_MODEL, messages=MSGS)
    assert reply.load_duration == 2_500_000_000 and slept == []  # reported, not waited
    assert reply.total_duration >= reply.load_duration
    fake_ollama.script(CHAT_MODEL, Reply(text="hi", load_duration_ms=20, simulate_load=True))
    assert client.chat(CHAT_MODEL, messages=MSGS).load_duration == 20_000_000 and slept == [0.02]


def test_embed_dimensions_and_similarity(fake_ollama: ScriptedOllama, client: ollama.Client) -> None:
    fake_ollama.add_model("all-minilm", capabilities=["embedding"], embedding_dim=384)
    texts = ["The cat sat on the mat.", "A cat was sitting on a mat.", "Quarterly revenue grew by five percent."]
    result = client.embed(EMBED_MODEL, texts)
    assert result.model == EMBED_MODEL and result.prompt_eval_count > 0
    cat, cat2, money = result.embeddings
    assert len(cat) == 768 and abs(cosine(cat, cat) - 1) < 1e-9
    assert cosine(cat, cat2) > cosine(cat, money) + 0.2
    assert len(client.embed("all-minilm", "one text").embeddings[0]) == 384
    assert client.embed(EMBED_MODEL, "same").embeddings == client.embed(EMBED_MODEL, ["same"]).embeddings
    # a pluggable embedder, e.g. a real sentence-transformers model in a benchmark
    fake_ollama.embedder = lambda batch: [[float(len(t)), 0.0] for t in batch]
    assert client.embed(EMBED_MODEL, ["ab", "abc"]).embeddings == [[1.0, 0.0], [1.0, 0.0]]
    with pytest.raises(ollama.ResponseError) as info:
        client.embed("missing", "x")
    assert info.value.status_code == 404


def test_pull_progress_then_model_is_listed(fake_ollama: ScriptedOllama, client: ollama.Client) -> None:
    fake_ollama.add_pullable("qwen2.5:0.5b", family="qwen2", parameter_size="494M", pull_steps=3, pull_delay=0.01)
    events = list(client.pull("qwen2.5:0.5b", stream=True))
    statuses = [e.status for e in events]
    assert statuses[0] == "pulling manifest"
    assert statuses[-3:] == ["verifying sha256 digest", "writing manifest", "success"]
    big = [e for e in events if e.total and e.total > 1_000_000]
    assert len(big) == 4 and big[-1].completed == big[-1].total and big[0].completed is None
    assert big[0].status == f"pulling {big[0].digest[7:19]}" and big[0].digest.startswith("sha256:")
    assert "qwen2.5:0.5b" in {m.model for m in client.list().models}
    assert client.chat("qwen2.5:0.5b", messages=MSGS).message.content == "You said: Say hello"

    got: list = []
    with pytest.raises(ollama.ResponseError) as info:
        got.extend(e.status for e in client.pull("no-such-model", stream=True))
    assert info.value.error == "pull model manifest: file does not exist"

    fake_ollama.add_pullable("flaky:1b", pull_error="max retries exceeded: connection reset", pull_error_after=2)
    with pytest.raises(ollama.ResponseError) as info:
        client.pull("flaky:1b")  # stream=False: one JSON object, or the error with status 500
    assert info.value.status_code == 500 and "max retries" in info.value.error
    assert "flaky:1b" not in {m.model for m in client.list().models}


def test_create_derived_model(fake_ollama: ScriptedOllama, client: ollama.Client) -> None:
    fake_ollama.default_reply(CHAT_MODEL, Reply(text="It's-a me!"))
    events = list(
        client.create(
            model="mario", from_=CHAT_MODEL, system="You are Mario.", parameters={"temperature": 0.7}, stream=True
        )
    )
    statuses = [e.status for e in events]
    assert statuses[-2:] == ["writing manifest", "success"]
    assert any(s.startswith("using existing layer sha256:") for s in statuses)
    assert any(s.startswith("creating new layer sha256:") for s in statuses)
    assert "mario:latest" in {m.model for m in client.list().models}
    shown = client.show("mario")
    assert 'SYSTEM """You are Mario."""' in shown.modelfile and "temperature" in shown.parameters
    assert shown.capabilities == ["completion", "tools"] and shown.details.parent_model == CHAT_MODEL
    raw = httpx.post(f"{fake_ollama.host}/api/show", json={"model": "mario"}).json()
    assert raw["system"] == "You are Mario."
    assert client.chat("mario", messages=MSGS).message.content == "It's-a me!"  # the base's default
    with pytest.raises(ollama.ResponseError) as info:
        client.create(model="x", from_="not-here")
    assert info.value.error == "pull model manifest: file does not exist"


# -- server lifecycle ----------------------------------------------------------------------------
def test_concurrent_streams_do_not_wait_for_each_other(fake_ollama: ScriptedOllama) -> None:
    """Four streams that each hang after two tokens: all four get their tokens, which a server
    answering one request after another could never do (no clock involved)."""
    for _ in range(4):
        fake_ollama.script(CHAT_MODEL, Reply(text="a b c d e", hang_after=2))
    got: list[list] = [[] for _ in range(4)]

    def one_stream(mine: list) -> None:
        with ollama.Client(host=fake_ollama.host) as own_client:  # one connection each
            with pytest.raises(httpx.HTTPError):  # cut when the server stops
                chat_stream(own_client, mine)

    threads = [threading.Thread(target=one_stream, args=(mine,)) for mine in got]
    for t in threads:
        t.start()
    wait_until(lambda: all(len(mine) == 2 for mine in got), what="two tokens on each of the four streams")
    assert fake_ollama.stop(timeout=hang_guard())
    for t in threads:
        t.join(hang_guard())
    assert [[c.message.content for c in mine] for mine in got] == [["a", " b"]] * 4
    assert len(fake_ollama.requests_to("/api/chat", "POST")) == 4
    assert isinstance(fake_ollama.requests[0], RecordedRequest)


def test_stop_and_start_again_on_the_same_port(fake_ollama: ScriptedOllama, client: ollama.Client) -> None:
    # the client's keep-alive connection must not survive the stop
    assert client.chat(CHAT_MODEL, messages=MSGS).done
    port = fake_ollama.port
    fake_ollama.stop()
    with pytest.raises(ConnectionError):
        client.chat(CHAT_MODEL, messages=MSGS)
    with pytest.raises(httpx.ConnectError):  # streaming calls leak httpx's error unwrapped
        chat_stream(client, [])
    fake_ollama.start()
    assert fake_ollama.port == port
    assert client.chat(CHAT_MODEL, messages=MSGS).message.content == "You said: Say hello"


def test_stop_interrupts_a_stream_in_progress(fake_ollama: ScriptedOllama, client: ollama.Client) -> None:
    fake_ollama.script(CHAT_MODEL, Reply(text=" ".join(f"w{i}" for i in range(200)), token_delay=0.05))  # 10 s
    got: list = []

    def stop_once_streaming() -> None:
        wait_until(lambda: got, what="the first token")
        fake_ollama.stop()

    stopper = threading.Thread(target=stop_once_streaming)
    stopper.start()
    with pytest.raises(httpx.HTTPError):
        chat_stream(client, got)
    stopper.join(hang_guard())
    assert 1 <= len(got) < 200


# -- demo ----------------------------------------------------------------------------------------
def test_demo_answers() -> None:
    code = demo_answer("Write a python function to flatten a list")
    assert "```python\n" in code and code.count("```") == 2
    prose = demo_answer("Why is the sky blue?")
    assert "Why is the sky blue?" in prose and "```" not in prose
    assert demo_answer("Why is the sky blue?") == prose


def test_command_line_demo() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.ollama_server", "--port", "0", "--demo", "--fast"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first_line = proc.stdout.readline()  # "Scripted Ollama 0.12.0 listening on http://127.0.0.1:PORT"
        assert "listening on http://127.0.0.1:" in first_line
        with ollama.Client(host=first_line.split()[-1]) as client:
            assert {"llama3.2:3b", "qwen2.5-coder:7b", "nomic-embed-text:latest", "all-minilm:latest"} <= {
                m.model for m in client.list().models
            }
            prompt = [{"role": "user", "content": "Write python code to sort"}]
            assert "```python" in client.chat("qwen2.5-coder:7b", messages=prompt).message.content
            assert len(client.embed("all-minilm", "hi").embeddings[0]) == 384
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(hang_guard()) == 0
        proc.stdout.close()
        proc.stderr.close()
