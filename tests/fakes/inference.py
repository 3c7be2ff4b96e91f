"""Inference endpoints of the fake Ollama server: /api/chat, /api/generate,
/api/embed and the legacy /api/embeddings, driven by scripted replies."""

from __future__ import annotations

import time
from typing import Any

from .http_base import Abort, HandlerBase, dumps, now_go, parse_keep_alive
from .models import FakeModel, registry_name
from .scripts import Reply, estimate_prompt_tokens, l2_normalize

RUNNER_ERROR = "an error was encountered while running the model: unexpected EOF"


def _decodes(data: object) -> bool:
    import base64
    import binascii

    if not isinstance(data, str) or not data:
        return False
    try:
        base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


class InferenceEndpoints(HandlerBase):
    def _h_chat(self, body: Any, raw: bytes, path: str) -> None:
        self._inference(body, generate=False)

    def _h_generate(self, body: Any, raw: bytes, path: str) -> None:
        self._inference(body, generate=True)

    def _inference(self, body: Any, generate: bool) -> None:
        t_start = time.perf_counter()
        if not isinstance(body, dict):
            return self._send_error(400, "missing request body")
        requested, model = self._model_or_404(body)
        if model is None:
            return
        caps = model.capabilities
        think = body.get("think")
        if think not in (None, True, False, "low", "medium", "high"):
            return self._send_error(400, f"invalid think value: {dumps(think)} (must be true, false, \"low\", \"medium\" or \"high\")")
        if think not in (None, False) and "thinking" not in caps:
            return self._send_error(400, f'"{requested}" does not support thinking')
        if "completion" not in caps:
            return self._send_error(400, f'"{requested}" does not support {"generate" if generate else "chat"}')
        images = [i for m in (body.get("messages") or []) if isinstance(m, dict) for i in (m.get("images") or [])]
        images += list(body.get("images") or []) if generate else []
        if images and "vision" not in caps:  # as Ollama answers a model without a vision projector
            return self._send_error(500, "this model is missing data required for image input")
        if images and not all(_decodes(i) for i in images):
            return self._send_error(400, "invalid image input: not base64-encoded image data")
        if not generate and body.get("tools") and "tools" not in caps:
            return self._send_error(400, f"{registry_name(model.name)} does not support tools")
        options = body.get("options") if isinstance(body.get("options"), dict) else {}
        keep_alive = parse_keep_alive(body.get("keep_alive"))
        if not (body.get("prompt") if generate else body.get("messages")):
            return self._load_request(model, requested, generate, keep_alive, options)

        reply = self.app.next_reply(model, body)
        no_trigger = reply.error_after is None and reply.disconnect_after is None and reply.hang_after is None
        if reply.status != 200 or (reply.error and no_trigger):
            status = reply.status if reply.status != 200 else 500
            if status >= 500:  # the runner died: the model is no longer loaded
                self.app.unload(model)
            return self._send_error(status, reply.error or RUNNER_ERROR)

        stream = body.get("stream") is not False
        load_ns = self._load(model, reply)
        self.app.mark_loaded(model, keep_alive, options)
        tokens, done_reason = reply.token_list(), reply.done_reason
        thoughts = reply.thinking_list() if "thinking" in caps else []
        if thoughts and think is None:  # older Ollama: the thinking inline, in the content
            tokens, thoughts = ["<think>", *thoughts, "</think>", "\n\n", *tokens], []
        elif think is False:
            thoughts = []
        num_predict = options.get("num_predict")
        if isinstance(num_predict, int) and 0 < num_predict < len(thoughts) + len(tokens):
            tokens, done_reason = tokens[: max(0, num_predict - len(thoughts))], "length"
            thoughts = thoughts[:num_predict]

        if stream:
            self._begin_stream()
        timing = self._emit_tokens(reply, [("thinking", t) for t in thoughts] + [("content", t) for t in tokens], requested, generate, stream)
        if timing is None:  # failed midway, as scripted
            return
        t_eval, t_first, t_end = timing

        tool_calls = None if generate else self._tool_calls(reply)
        if stream and tool_calls:  # like Ollama: tool calls arrive in their own chunk, before the done chunk
            message = {"role": "assistant", "content": "", "tool_calls": tool_calls}
            self._send_line({"model": requested, "created_at": now_go(), "message": message, "done": False})
            tool_calls = None

        prompt_ns = max(1000, int(((t_first or t_end) - t_eval) * 1e9))
        eval_ns = max(1000, int(((t_end - t_first) if t_first else 0) * 1e9 + reply.interval * 1e9))
        total_ns = int((t_end - t_start) * 1e9)
        if reply.load_duration_ms is not None and not reply.simulate_load:
            total_ns += load_ns  # reported, not waited
        prompt_count = reply.prompt_eval_count or estimate_prompt_tokens(body, model.system)
        eval_count = reply.eval_count if reply.eval_count is not None else len(thoughts) + len(tokens)
        text = "" if stream else "".join(tokens)
        thought = "" if stream else "".join(thoughts)
        final: dict[str, Any] = {"model": requested, "created_at": now_go()}
        if generate:
            final["response"] = text
            if thought:
                final["thinking"] = thought
        else:
            final["message"] = {"role": "assistant", "content": text}
            if thought:
                final["message"]["thinking"] = thought
            if tool_calls:
                final["message"]["tool_calls"] = tool_calls
        final.update(
            done_reason=done_reason,
            done=True,
            total_duration=max(total_ns, load_ns + prompt_ns + eval_ns),
            load_duration=load_ns,
            prompt_eval_count=prompt_count,
            prompt_eval_duration=prompt_ns,
            eval_count=eval_count,
            eval_duration=eval_ns,
        )
        if generate and not body.get("raw"):
            final["context"] = list(range(1, min(prompt_count + eval_count, 8192) + 1))
        if stream:
            self._send_line(final)
            self._end_stream()
        else:
            self._send_json(200, final)
        if keep_alive == 0:
            self.app.unload(model)

    def _load_request(
        self, model: FakeModel, requested: str, generate: bool, keep_alive: float | None, options: dict
    ) -> None:
        """No messages (or no prompt): load the model, or unload it when keep_alive is 0."""
        if keep_alive == 0:
            self.app.unload(model)
            reason = "unload"
        else:
            self._load(model)
            self.app.mark_loaded(model, keep_alive, options)
            reason = "load"
        body: dict[str, Any] = {"model": requested, "created_at": now_go()}
        body.update({"response": ""} if generate else {"message": {"role": "assistant", "content": ""}})
        self._send_json(200, {**body, "done_reason": reason, "done": True})

    def _emit_tokens(
        self, reply: Reply, tokens: list[tuple[str, str]], requested: str, generate: bool, stream: bool
    ) -> tuple[float, float | None, float] | None:
        """Pace (and, when streaming, send) the tokens, each ``(field, text)`` with field
        "thinking" or "content"; None when the reply failed midway.

        Returns (eval start, first token time, end time) from time.perf_counter().
        """
        t_eval = time.perf_counter()
        first, interval = reply.first_token_delay, reply.interval
        t_first: float | None = None
        # one token line: {"model":..,"created_at":..,"message":{"role":"assistant","content":..},"done":false}
        head = '{"model":' + dumps(requested) + ',"created_at":"'
        middle = '","response":' if generate else '","message":{"role":"assistant","content":'
        thinking_middle = '","response":"","thinking":' if generate else '","message":{"role":"assistant","content":"","thinking":'
        tail = ',"done":false}\n' if generate else '},"done":false}\n'
        pending: list[bytes] = []  # chunks that are already due go out together, in one write

        def flush() -> None:
            if pending:
                self.wfile.write(b"".join(pending))
                pending.clear()

        for i in range(len(tokens) + 1):
            deadline = t_eval + first + i * interval
            if reply.pause_after is not None and i >= reply.pause_after:
                deadline += reply.pause_s
            if len(pending) >= 32 or deadline > time.perf_counter():
                flush()
            if i in (reply.error_after, reply.disconnect_after, reply.hang_after):
                flush()
                self._sleep_until(deadline)
                self._fail_midway(reply, i, stream)
                return None
            if i == len(tokens):
                break
            if reply.hold is not None and i == reply.hold_after:
                flush()
                reply.hold.wait(600)  # released by the test (600 s: only a guard against a forgotten hold)
            self._sleep_until(deadline)
            if t_first is None:
                t_first = time.perf_counter()
            if stream:
                kind, piece = tokens[i]
                data = (head + now_go() + (thinking_middle if kind == "thinking" else middle) + dumps(piece) + tail).encode()
                pending.append(b"%x\r\n%s\r\n" % (len(data), data))
        flush()
        return t_eval, t_first, time.perf_counter()

    def _fail_midway(self, reply: Reply, index: int, stream: bool) -> None:
        if index == reply.error_after:
            message = reply.error or RUNNER_ERROR
            if not stream:
                return self._send_error(500, message)
            self._send_line({"error": message})
            return self._end_stream()
        if index == reply.disconnect_after:
            raise Abort()
        self._hang()

    def _tool_calls(self, reply: Reply) -> list[dict[str, Any]] | None:
        if not reply.tool_calls:
            return None
        calls = []
        for index, call in enumerate(reply.tool_calls):
            fn = dict(call.get("function", call))
            fn.setdefault("arguments", {})
            fn["index"] = index
            calls.append({"id": call.get("id") or self.app.new_tool_call_id(), "function": fn})
        return calls

    # -- embeddings ----------------------------------------------------------------
    def _h_embed(self, body: Any, raw: bytes, path: str) -> None:
        t_start = time.perf_counter()
        if not isinstance(body, dict):
            return self._send_error(400, "missing request body")
        requested, model = self._model_or_404(body)
        if model is None:
            return
        given = body.get("input")
        if isinstance(given, str):
            texts = [given] if given else []
        elif isinstance(given, list) and all(isinstance(t, str) for t in given):
            texts = list(given)
        elif given is None:
            texts = []
        else:
            return self._send_error(400, "invalid input type")
        options = body.get("options") if isinstance(body.get("options"), dict) else {}
        load_ns = self._load(model)
        self.app.mark_loaded(model, parse_keep_alive(body.get("keep_alive")), options)
        if not texts:
            return self._send_json(200, {"model": requested, "embeddings": []})
        if not model.is_embedding:
            return self._send_error(self.app.embed_unsupported_status, "this model does not support embeddings")
        counts = [max(1, (len(t) + 3) // 4) for t in texts]
        if body.get("truncate") is False and max(counts) > model.context_length:
            return self._send_error(400, "the input length exceeds the context length")
        vectors = self.app.embed(model, texts)
        dims = body.get("dimensions")
        if isinstance(dims, int) and 0 < dims < len(vectors[0]):
            vectors = [l2_normalize(v[:dims]) for v in vectors]
        self._send_json(
            200,
            {
                "model": requested,
                "embeddings": vectors,
                "total_duration": int((time.perf_counter() - t_start) * 1e9),
                "load_duration": load_ns,
                "prompt_eval_count": sum(counts),
            },
        )

    def _h_embeddings(self, body: Any, raw: bytes, path: str) -> None:
        """The legacy single-text endpoint: {"model", "prompt"} -> {"embedding": [...]}."""
        requested, model = self._model_or_404(body)
        if model is None:
            return
        self._load(model)
        self.app.mark_loaded(model, parse_keep_alive(body.get("keep_alive")), {})
        prompt = body.get("prompt") or ""
        if not prompt:
            return self._send_json(200, {"embedding": []})
        if not model.is_embedding:
            return self._send_error(self.app.embed_unsupported_status, "this model does not support embeddings")
        self._send_json(200, {"embedding": self.app.embed(model, [str(prompt)])[0]})
