"""Demo content for manual trials (``python -m tests.fakes.ollama_server --demo``):
realistic models, a small pullable registry, and plausible Markdown answers."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from .scripts import Reply, images_seen, last_user_text

if TYPE_CHECKING:
    from .ollama_server import ScriptedOllama

_CODE_RE = re.compile(
    r"\b(code|function|script|python|implement\w*|snippet|program|regex|class|def|algorithm|bash|sql)\b",
    re.IGNORECASE,
)
_STOPWORDS = set(
    "a an and are can could do does for from give how i in is it me my of on or please show "
    "that the this to use using what when where which who why will with would write you your "
    "code function script python implement snippet program some".split()
)


def _pick(seed: str, options: list[str]) -> str:
    return options[int(hashlib.sha256(seed.encode()).hexdigest(), 16) % len(options)]


def _topic_words(question: str) -> list[str]:
    return [w for w in re.findall(r"[a-zA-Z][a-zA-Z0-9]*", question.lower()) if w not in _STOPWORDS]


def demo_answer(question: str) -> str:
    """A plausible Markdown answer that references the question (deterministic)."""
    question = " ".join(question.split())
    short = question if len(question) <= 80 else question[:77].rstrip() + "..."
    words = _topic_words(question)
    topic = " ".join(words[:3]) or "your question"
    if _CODE_RE.search(question):
        fname = "_".join(words[:2]) or "solve"
        body = _pick(
            question,
            [
                f'def {fname}(items):\n    """Return the items that are set, in order."""\n'
                "    return [item for item in items if item is not None]\n",
                f'def {fname}(text: str) -> dict[str, int]:\n    """Count how often each word appears."""\n'
                "    counts: dict[str, int] = {}\n    for word in text.lower().split():\n"
                "        counts[word] = counts.get(word, 0) + 1\n    return counts\n",
            ],
        )
        example = "[1, None, 2]" if "items" in body else '"a b a"'
        return (
            f"Here is a small, self-contained example for **{topic}**:\n\n"
            f'```python\n{body}\n\nif __name__ == "__main__":\n    print({fname}({example}))\n```\n\n'
            "**How it works**\n\n"
            "- It makes a single pass over the input, so it runs in *O(n)* time.\n"
            "- It has no dependencies beyond the standard library.\n\n"
            "Let me know if you would like type hints, tests or a different approach."
        )
    opener = _pick(
        question,
        [
            f'Good question. You asked: *"{short}"*',
            f'Let me break down *"{short}"*',
            f'Here is an overview of **{topic}**, to answer *"{short}"*',
        ],
    )
    return (
        f"{opener}.\n\n"
        f"**The short answer.** It depends on what you need from {topic}, but in most cases "
        "the simplest approach that you can measure is the right place to start.\n\n"
        "**Things to keep in mind:**\n\n"
        f"1. Start from a concrete example of {topic} and check the result.\n"
        "2. Change one thing at a time, so that you can see what made the difference.\n"
        "3. Write down what you learn; it saves time the next time around.\n\n"
        "If you share more details, I can give a more specific answer."
    )


def demo_thought(question: str) -> str:
    """What a thinking demo model thinks before it answers."""
    topic = " ".join(_topic_words(question)[:4]) or "this"
    return (
        f"The person asks about {topic}. Let me work out what they really need before answering.\n"
        "First, what do they already know? The question is short, so a direct answer with one example is best. "
        "I should check the details twice, keep it brief, and end with what to try next."
    )


def demo_reply_factory(
    tokens_per_second: float | None = 60.0, first_token_delay: float = 0.3
) -> Callable[[dict], Reply]:
    def make(request: dict) -> Reply:
        question = last_user_text(request).strip()
        text = demo_answer(question) if question else "Hello! What would you like to talk about?"
        seen = images_seen(request)  # a vision model says what it was shown (tests and trials check it)
        text = f"{seen}\n\n{text}" if seen else text
        return Reply(text=text, thinking=demo_thought(question), tokens_per_second=tokens_per_second,
                     first_token_delay=first_token_delay)  # only thinking models send the thought

    return make


# name, capabilities, family, parameter size, context length, embedding dim, cold load (ms)
DEMO_MODELS = [
    ("llama3.2:3b", ["completion", "tools"], "llama", "3.2B", 131072, None, 1200),
    ("qwen2.5-coder:7b", ["completion", "tools", "insert"], "qwen2", "7.6B", 32768, None, 2500),
    ("qwen3:4b", ["completion", "tools", "thinking"], "qwen3", "4.0B", 40960, None, 1800),
    ("llava:7b", ["completion", "vision"], "llama", "7B", 32768, None, 2000),
    ("nomic-embed-text", ["embedding"], "nomic-bert", "137M", 2048, 768, 300),
    ("all-minilm", ["embedding"], "bert", "23M", 512, 384, 150),
]
# what `ollama pull` can fetch from the fake registry: (model row, progress lines for the big layer)
DEMO_PULLABLE = [
    (("llama3.2:1b", ["completion", "tools"], "llama", "1.2B", 131072, None, 800), 40),
    (("gemma3:1b", ["completion"], "gemma3", "1000M", 32768, None, 700), 40),
    (("mxbai-embed-large", ["embedding"], "bert", "334M", 512, 1024, 200), 20),
]


def install_demo(server: ScriptedOllama, *, tokens_per_second: float | None = 60.0, fast: bool = False) -> None:
    """A few realistic models, a plausible paced default answer and a pullable registry."""

    def spec(row: tuple) -> dict:
        keys = ("name", "capabilities", "family", "parameter_size", "context_length", "embedding_dim", "load_ms")
        kwargs = dict(zip(keys, row, strict=True))
        kwargs["load_ms"] = 0.0 if fast else kwargs["load_ms"]
        return kwargs

    for row in DEMO_MODELS:
        server.add_model(**spec(row))
    server.pull_delay = 0.0 if fast else 0.05
    for row, steps in DEMO_PULLABLE:
        server.add_pullable(**spec(row), pull_steps=steps)
    server.fallback_reply = demo_reply_factory(
        tokens_per_second=None if fast else tokens_per_second, first_token_delay=0.0 if fast else 0.3
    )
