"""The victim-choosing policy, without LanceDB."""

from __future__ import annotations

import pytest

from wits_tui.engine.memory.pruning import Candidate, bytes_to_free, choose_victims, order

DAY = 86_400.0
NOW = 1_000 * DAY


def cand(id, age_days, used_days_ago, count=0, relevance=0.5, nbytes=100):
    return Candidate(id, NOW - age_days * DAY, NOW - used_days_ago * DAY, count, relevance, nbytes)


ROWS = [
    cand("old-used", age_days=300, used_days_ago=1, count=40, relevance=0.9),
    cand("old-unused", age_days=200, used_days_ago=200, count=0, relevance=0.5),
    cand("mid-note", age_days=100, used_days_ago=2, count=5, relevance=1.0),
    cand("new-unused", age_days=2, used_days_ago=2, count=0, relevance=0.1),
    cand("new-used", age_days=1, used_days_ago=0, count=9, relevance=0.8),
]


def ids(victims):
    return [v.id for v in victims]


def test_oldest_first_removes_by_creation_time_only():
    assert ids(choose_victims(ROWS, "oldest_first", 200, NOW)) == ["old-used", "old-unused"]


def test_least_relevant_removes_unused_low_relevance_rows_whatever_their_age():
    victims = ids(choose_victims(ROWS, "least_relevant", 200, NOW))
    assert set(victims) == {"old-unused", "new-unused"}


def test_hybrid_mixes_age_and_value():
    ranked = ids(order(ROWS, "hybrid", NOW))
    assert ranked[0] == "old-unused"  # old and worthless goes first
    assert ranked[-1] == "new-used"  # new and used goes last
    # the heavily used old row outlives a worthless newer one under least_relevant but not oldest_first
    assert ids(order(ROWS, "least_relevant", NOW)).index("old-used") > ids(order(ROWS, "least_relevant", NOW)).index("new-unused")


def test_victims_add_up_to_the_bytes_needed():
    assert ids(choose_victims(ROWS, "oldest_first", 1, NOW)) == ["old-used"]
    assert len(choose_victims(ROWS, "oldest_first", 10_000, NOW)) == len(ROWS)
    assert choose_victims(ROWS, "hybrid", 0, NOW) == []


def test_bytes_to_free_starts_at_the_threshold_and_leaves_headroom():
    cap = 1000
    assert bytes_to_free(899, cap, 0.9, 0.8) == 0
    assert bytes_to_free(900, cap, 0.9, 0.8) == 900 - 720


def test_unknown_strategy_is_named_with_the_choices():
    with pytest.raises(ValueError, match="oldest_first, least_relevant, hybrid"):
        order(ROWS, "random", NOW)
