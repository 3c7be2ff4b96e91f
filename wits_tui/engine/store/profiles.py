"""User profiles: domain and module preferences, topic interests, feedback counts."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from wits_tui.engine.clock import now_iso
from wits_tui.engine.store.tx import transaction

if TYPE_CHECKING:
    import sqlite_utils

Feedback = Literal["positive", "negative", "neutral"]
FEEDBACK_KINDS: tuple[str, ...] = ("positive", "negative", "neutral")
#: Topics kept per profile (the least mentioned go first).
MAX_TOPICS = 200


@dataclass(slots=True)
class Profile:
    user: str
    domain_prefs: dict[str, float] = field(default_factory=dict)  # domain -> turns routed there
    module_prefs: dict[str, float] = field(default_factory=dict)  # module -> preference (+ good, - bad)
    topics: dict[str, int] = field(default_factory=dict)  # word -> mentions
    feedback_positive: int = 0
    feedback_negative: int = 0
    feedback_neutral: int = 0
    interactions: int = 0
    created_at: str | None = None
    updated_at: str | None = None

    def top_topics(self, n: int = 10) -> list[tuple[str, int]]:
        return sorted(self.topics.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


class Profiles:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def get(self, user: str) -> Profile:
        rows = list(self.db.query("SELECT * FROM user_profiles WHERE user = ?", [user]))
        if not rows:
            return Profile(user=user)
        r = rows[0]
        return Profile(
            user=user,
            domain_prefs=json.loads(r["domain_prefs"] or "{}"),
            module_prefs=json.loads(r["module_prefs"] or "{}"),
            topics=json.loads(r["topics"] or "{}"),
            feedback_positive=r["feedback_positive"] or 0,
            feedback_negative=r["feedback_negative"] or 0,
            feedback_neutral=r["feedback_neutral"] or 0,
            interactions=r["interactions"] or 0,
            created_at=r["created_at"],
            updated_at=r["updated_at"],
        )

    def save(self, profile: Profile) -> Profile:
        ts = now_iso()
        if len(profile.topics) > MAX_TOPICS:
            kept = sorted(profile.topics.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_TOPICS]
            profile.topics = dict(kept)
        profile.created_at = profile.created_at or ts
        profile.updated_at = ts
        row = {
            "user": profile.user,
            "domain_prefs": json.dumps(profile.domain_prefs, sort_keys=True),
            "module_prefs": json.dumps(profile.module_prefs, sort_keys=True),
            "topics": json.dumps(profile.topics, sort_keys=True),
            "feedback_positive": profile.feedback_positive,
            "feedback_negative": profile.feedback_negative,
            "feedback_neutral": profile.feedback_neutral,
            "interactions": profile.interactions,
            "created_at": profile.created_at,
            "updated_at": profile.updated_at,
        }
        with transaction(self.db):
            self.db.table("user_profiles").upsert(row, pk="user")
        return profile

    def record_turn(self, user: str, *, domain: str | None, module: str | None, topics: list[str]) -> Profile:
        """One answered message: counts the domain, the module's use and the topics."""
        p = self.get(user)
        p.interactions += 1
        if domain:
            p.domain_prefs[domain] = p.domain_prefs.get(domain, 0) + 1
        if module:
            p.module_prefs.setdefault(module, 0.0)
        for word in topics:
            p.topics[word] = p.topics.get(word, 0) + 1
        return self.save(p)

    def record_feedback(self, user: str, kind: str, *, module: str | None = None, weight: float = 1.0) -> Profile:
        if kind not in FEEDBACK_KINDS:
            raise ValueError(f"unknown feedback {kind!r}: expected one of {', '.join(FEEDBACK_KINDS)}")
        p = self.get(user)
        setattr(p, f"feedback_{kind}", getattr(p, f"feedback_{kind}") + 1)
        if module and kind != "neutral":
            delta = weight if kind == "positive" else -weight
            p.module_prefs[module] = p.module_prefs.get(module, 0.0) + delta
        return self.save(p)

    def reset(self, user: str) -> bool:
        with transaction(self.db):
            return self.db.execute("DELETE FROM user_profiles WHERE user = ?", [user]).rowcount > 0
