"""A realistic answer corpus: Markdown the way local models write it (seeded, deterministic).

Headings, paragraphs with inline code, bold and links, nested bullet and numbered lists,
tables, block quotes and fenced code blocks (python, bash, json, rust, sql; 3-40 lines).
Sizes are counted in the tokens the scripted server sends (``tests.fakes.scripts.tokenize``:
a word with its leading space, or a run of newlines), which is about 1.3 model tokens each,
so a "4,000-token" answer here is a little longer than a model's.

    from benchmarks.corpus import answer
    text = answer(4000, seed=1)

    python -m benchmarks.corpus 1000 --seed 3   # print one
"""

from __future__ import annotations

import argparse
import random
import re

SIZES = (200, 1000, 4000)

_TOKEN_RE = re.compile(r"\n+|[^\S\n]*\S+|[^\S\n]+")  # the same split as tests/fakes/scripts.tokenize

WORDS = (
    "the a request handler returns cache value each time when we call function result list config server "
    "client model answer memory thread process input output file path error message retry timeout buffer "
    "index query table column row user session token stream parser value state event loop worker queue "
    "batch limit option setting default version update record field type schema check test case data "
    "simple faster slower safer instead because however usually often always never only first then"
).split()
TOPICS = ["caching", "retries", "the event loop", "SQLite indexes", "error handling", "streaming", "parsing",
          "memory use", "configuration", "testing", "concurrency", "logging"]
NAMES = ["load_config", "retry", "parse_line", "Cache", "open_db", "stream_tokens", "Worker", "batch", "run"]
LINKS = ["https://docs.python.org/3/library/asyncio.html", "https://www.sqlite.org/lang_createindex.html",
         "https://doc.rust-lang.org/book/ch09-00-error-handling.html", "https://peps.python.org/pep-0008/"]


def tokenize(text: str) -> list[str]:
    return _TOKEN_RE.findall(text)


def count_tokens(text: str) -> int:
    return len(tokenize(text))


class _Writer:
    def __init__(self, rng: random.Random) -> None:
        self.r = rng

    def words(self, lo: int, hi: int) -> str:
        return " ".join(self.r.choice(WORDS) for _ in range(self.r.randint(lo, hi)))

    def inline(self) -> str:
        kind = self.r.random()
        if kind < 0.3:
            return f"`{self.r.choice(NAMES)}()`"
        if kind < 0.55:
            return f"**{self.words(1, 3)}**"
        if kind < 0.7:
            return f"*{self.words(1, 2)}*"
        if kind < 0.8:
            return f"[{self.words(1, 3)}]({self.r.choice(LINKS)})"
        return self.words(1, 4)

    def sentence(self) -> str:
        parts = [self.words(3, 9)]
        for _ in range(self.r.randint(0, 2)):
            parts += [self.inline(), self.words(2, 7)]
        s = " ".join(parts)
        return s[0].upper() + s[1:] + self.r.choice([".", ".", ".", ":", "?"]).replace(":", ".")

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.r.randint(1, 4)))

    def heading(self) -> str:
        level = self.r.choice([2, 2, 3, 3, 3, 4])
        return "#" * level + " " + self.words(2, 5).capitalize()

    def bullets(self, depth: int = 0) -> str:
        lines = []
        numbered = depth == 0 and self.r.random() < 0.4
        for i in range(self.r.randint(2, 5)):
            mark = f"{i + 1}." if numbered else "-"
            lines.append("   " * depth + f"{mark} {self.sentence()}")
            if depth < 2 and self.r.random() < 0.3:
                lines.append(self.bullets(depth + 1))
        return "\n".join(lines)

    def table(self) -> str:
        cols = self.r.randint(2, 5)
        head = [self.words(1, 2).capitalize() for _ in range(cols)]
        rows = [[self.r.choice([self.words(1, 4), f"`{self.r.choice(NAMES)}`", str(self.r.randint(1, 9999)),
                                f"{self.r.random() * 100:.1f} ms"]) for _ in range(cols)]
                for _ in range(self.r.randint(2, 7))]
        out = ["| " + " | ".join(head) + " |", "|" + "|".join(" --- " for _ in head) + "|"]
        out += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(out)

    def quote(self) -> str:
        return "\n".join("> " + self.sentence() for _ in range(self.r.randint(1, 3)))

    def code(self) -> str:
        lang = self.r.choice(["python", "python", "bash", "json", "rust", "sql"])
        n = self.r.choice([3, 5, 8, 12, 15, 20, 25, 30, 40])
        body = getattr(self, f"_{lang}")(n)
        return f"```{lang}\n{body}\n```"

    def _python(self, n: int) -> str:
        name = self.r.choice(NAMES).lower()
        lines = [f"def {name}(path: str, retries: int = 3) -> dict[str, int]:",
                 f'    """{self.sentence()}"""', "    counts: dict[str, int] = {}"]
        while len(lines) < n - 1:
            w = self.r.choice(WORDS)
            lines.append(self.r.choice([
                f"    for {w} in open(path, encoding='utf-8'):",
                f"        counts[{w}.strip()] = counts.get({w}.strip(), 0) + 1",
                f"    if retries > {self.r.randint(0, 9)}:  # {self.words(2, 6)}",
                f"        raise ValueError(f\"bad {w}: {{path!r}}\")",
                f"    {w}_total = sum(counts.values()) * {self.r.randint(2, 64)}",
                f"    logger.info(\"{self.words(2, 5)} %s\", {w})",
            ]))
        lines.append("    return counts")
        return "\n".join(lines[:n])

    def _bash(self, n: int) -> str:
        cmds = ["pip install --upgrade {w}", "export {W}_HOME=\"$HOME/.{w}\"", "grep -rn \"{w}\" src/ | head -20",
                "for f in *.log; do gzip \"$f\"; done", "curl -s http://localhost:11434/api/tags | jq '.models[].name'",
                "systemctl --user restart {w}.service", "find . -name '*.py' -newer setup.cfg -print",
                "echo \"{w} done\" >> /tmp/{w}.log"]
        out = ["#!/usr/bin/env bash", "set -euo pipefail"]
        while len(out) < n:
            w = self.r.choice(WORDS)
            out.append(self.r.choice(cmds).format(w=w, W=w.upper()))
        return "\n".join(out[:n])

    def _json(self, n: int) -> str:
        inner = []
        while len(inner) < max(1, n - 2):
            w = self.r.choice(WORDS)
            inner.append(self.r.choice([f'  "{w}": {self.r.randint(0, 5000)}', f'  "{w}_name": "{self.words(1, 3)}"',
                                        f'  "{w}_enabled": {self.r.choice(["true", "false", "null"])}']))
        return "{\n" + ",\n".join(inner) + "\n}"

    def _rust(self, n: int) -> str:
        lines = ["use std::collections::HashMap;", "",
                 f"fn {self.r.choice(NAMES).lower()}(input: &str) -> Result<HashMap<String, usize>, String> {{",
                 "    let mut counts = HashMap::new();"]
        while len(lines) < n - 2:
            w = self.r.choice(WORDS)
            lines.append(self.r.choice([
                "    for word in input.split_whitespace() {",
                f"        *counts.entry(word.to_string()).or_insert(0) += {self.r.randint(1, 4)};",
                "    }",
                f"    if counts.len() > {self.r.randint(10, 999)} {{ return Err(\"{w} overflow\".into()); }}",
                f"    // {self.words(3, 8)}",
            ]))
        return "\n".join(lines[: max(1, n - 2)] + ["    Ok(counts)", "}"])

    def _sql(self, n: int) -> str:
        lines = [f"SELECT s.id, s.title, count(m.id) AS {self.r.choice(WORDS)}_count", "FROM sessions AS s",
                 "JOIN messages AS m ON m.session_id = s.id"]
        while len(lines) < n - 1:
            w = self.r.choice(WORDS)
            lines.append(self.r.choice([f"  AND m.{w} IS NOT NULL", f"  AND s.created_at > date('now', '-{self.r.randint(1, 90)} days')",
                                        f"  -- {self.words(3, 7)}", f"  OR m.role = '{w}'"]))
        lines[3:3] = ["WHERE s.archived = 0"] if n > 4 else []
        lines = lines[: n - 1] + ["GROUP BY s.id ORDER BY 3 DESC LIMIT 20;"]
        return "\n".join(lines[:n])

    def block(self) -> str:
        kind = self.r.random()
        if kind < 0.3:
            return self.paragraph()
        if kind < 0.46:
            return self.bullets()
        if kind < 0.72:
            return self.code()
        if kind < 0.8:
            return self.table()
        if kind < 0.87:
            return self.quote()
        return self.heading() + "\n\n" + self.paragraph()


def answer(tokens: int, seed: int = 0) -> str:
    """A Markdown answer of about ``tokens`` tokens (never more than 5% over); the same seed gives the same text."""
    rng = random.Random(f"wits-corpus-{tokens}-{seed}")
    w = _Writer(rng)
    topic = rng.choice(TOPICS)
    blocks = [f"Here is how to approach **{topic}**, step by step. {w.sentence()}"]
    if tokens >= 1000:
        blocks.insert(0, f"## {topic.capitalize()}: an overview")
    used = count_tokens("\n\n".join(blocks))
    while used < tokens:
        block = w.block()
        cost = count_tokens(block) + 1
        if used + cost > tokens * 1.05:
            if tokens - used < 15:
                break
            block = w.paragraph()
            words = block.split(" ")[: max(3, tokens - used - 1)]
            block = " ".join(words).rstrip(".,:") + "."
            cost = count_tokens(block) + 1
        blocks.append(block)
        used += cost
    blocks.append("Let me know if you want me to go deeper into any of these steps.")
    return "\n\n".join(blocks) + "\n"


def answers(tokens: int, count: int, seed: int = 0) -> list[str]:
    return [answer(tokens, seed + i) for i in range(count)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print one corpus answer.")
    parser.add_argument("tokens", type=int, nargs="?", default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    text = answer(args.tokens, args.seed)
    print(text)
    print(f"<!-- {count_tokens(text)} tokens, {len(text)} characters -->")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
