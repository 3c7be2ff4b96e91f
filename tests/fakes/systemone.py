"""/v1/systemone (Ollama's decision endpoint, ``Client.systemone()`` in ollama 0.6.3): the
scripted server answers ``choice`` questions with the probabilities a test scripted
(``ScriptedOllama.script_choice``), uniform ones otherwise."""

from __future__ import annotations

from typing import Any

from .http_base import parse_keep_alive


class SystemOneEndpoints:
    def _h_systemone(self, body: Any, raw: bytes, path: str) -> None:
        if not isinstance(body, dict):
            return self._send_error(400, "missing request body")  # type: ignore[attr-defined]
        requested, model = self._model_or_404(body)  # type: ignore[attr-defined]
        if model is None:
            return None
        questions = body.get("questions")
        if not isinstance(questions, dict) or not questions:
            return self._send_error(400, "questions are required")  # type: ignore[attr-defined]
        if "state" not in body:
            return self._send_error(400, "state is required")  # type: ignore[attr-defined]
        self._load(model)  # type: ignore[attr-defined]
        self.app.mark_loaded(model, parse_keep_alive(body.get("keep_alive")), {})  # type: ignore[attr-defined]
        answers = {}
        for key, q in questions.items():
            if not isinstance(q, dict) or q.get("type") != "choice" or not isinstance(q.get("criteria"), dict) or not q["criteria"]:
                return self._send_error(400, f"question {key!r}: the scripted server answers choice questions with criteria")  # type: ignore[attr-defined]
            options = list(q["criteria"])
            probs = self.app.choice_probabilities(model, body["state"], q)  # type: ignore[attr-defined]
            probs = {o: float(probs.get(o, 0.0)) for o in options}
            total = sum(probs.values()) or 1.0
            probs = {o: p / total for o, p in probs.items()}
            choice = max(options, key=lambda o: probs[o])
            answers[key] = {"type": "choice", "choice": choice, "probabilities": probs, "confidence": probs[choice]}
        text = str(body["state"])
        self._send_json(200, {"model": requested, "answers": answers,  # type: ignore[attr-defined]
                              "usage": {"input_tokens": max(1, len(text) // 4), "output_tokens": len(answers)}})
