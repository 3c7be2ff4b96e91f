"""User profiles on the routing side: who the user is, topics of a message, and
how feedback moves module preferences."""

from __future__ import annotations

import getpass
import os
import re

_WORD = re.compile(r"[a-zA-Z][a-zA-Z+#-]{3,}")
STOPWORDS = frozenset(
    """about above after again against also because been before being below between both could does doing down during
    each few from further have having here hers herself himself into itself just like made make more most much must
    myself need only other ours ourselves over please same should some such than that their theirs them themselves then
    there these they this those through under until very want what when where which while whom will with would your
    yours yourself yourselves give tell write show help know thing things using used sure really maybe good well""".split()
)
MAX_TOPICS_PER_MESSAGE = 8


def default_user(configured: str | None = None) -> str:
    """The profile name: ``routing.user`` if set, else the OS user name."""
    if configured:
        return configured
    try:
        return getpass.getuser() or "default"
    except Exception:  # noqa: BLE001 - no user name in some containers
        return os.environ.get("USER") or "default"


def topics_of(text: str) -> list[str]:
    """Distinct content words of a message (lower case, stop words dropped), in order."""
    seen: dict[str, None] = {}
    for w in _WORD.findall(text):
        w = w.lower().strip("-")
        if len(w) >= 4 and w not in STOPWORDS:
            seen.setdefault(w, None)
        if len(seen) >= MAX_TOPICS_PER_MESSAGE:
            break
    return list(seen)


#: /feedback words and keys mapped to the stored kinds.
FEEDBACK_ALIASES = {
    "good": "positive", "+": "positive", "up": "positive", "positive": "positive",
    "bad": "negative", "-": "negative", "down": "negative", "negative": "negative",
    "neutral": "neutral", "meh": "neutral", "0": "neutral",
}


def feedback_kind(word: str) -> str:
    try:
        return FEEDBACK_ALIASES[word.strip().lower()]
    except KeyError:
        raise ValueError(f"unknown feedback {word!r}: use good, bad or neutral") from None
