"""Whatever is typed, a query's typo correction does a bounded amount of work: counted in the
deletions generated and the distances measured, never timed (a slow machine would flake)."""

from __future__ import annotations

import random
from collections import Counter
from math import comb

import pytest

import app.search.completion as completion
import app.search.spelling as spelling
from app.search.parser import MAX_WORDS
from app.search.spelling import LONGEST_CORRECTED, typo_budget

# The most deletions one word may cause: every way of dropping one or two of its letters.
PER_WORD = comb(LONGEST_CORRECTED, 1) + comb(LONGEST_CORRECTED, 2)


@pytest.fixture
def work(written, monkeypatch):
    """Counts the deletions generated and distances measured from here on."""
    written.search("precison")  # the speller's tables are built once, before counting
    counted: Counter[str] = Counter()
    deletes, distance = spelling.deletes, spelling.edit_distance

    def counting_deletes(word: str, depth: int) -> set[str]:
        out = deletes(word, depth)
        counted["words"] += 1
        counted["deletes"] += len(out)
        return out

    def counting_distance(a: str, b: str, limit: int) -> int:
        counted["distances"] += 1
        return distance(a, b, limit)

    monkeypatch.setattr(spelling, "deletes", counting_deletes)
    monkeypatch.setattr(spelling, "edit_distance", counting_distance)
    monkeypatch.setattr(completion, "edit_distance", counting_distance)
    return counted


def test_a_500_letter_word_is_not_corrected_at_all(written, work):
    assert typo_budget("a" * 500) == 0
    word = "".join(random.Random(5).choice("etaoinshrdlu") for _ in range(500))
    for ask in (written.search, written.suggest, written.answers):
        found = ask(word)
        assert not getattr(found, "hits", found)  # nothing matches it, and nothing was tried
    assert work["deletes"] == 0 and work["distances"] == 0


def test_200_distinct_long_words_are_corrected_within_the_bound(written, work):
    rng = random.Random(7)
    words = {"".join(rng.choice("etaoinshrdlu") for _ in range(LONGEST_CORRECTED)) for _ in range(200)}
    assert len(words) == 200
    query = " ".join(sorted(words))
    found = written.search(query)
    assert found.total == 0 and work["words"] <= MAX_WORDS  # only the first words are looked at
    assert 0 < work["deletes"] <= MAX_WORDS * PER_WORD
    work.clear()
    written.suggest(query)
    assert work["words"] <= MAX_WORDS and work["deletes"] <= MAX_WORDS * PER_WORD
    # each candidate found is measured once: no more distances than the deletions looked up
    assert work["distances"] <= MAX_WORDS * PER_WORD


def test_a_real_typo_is_still_corrected_while_counting(written, work):
    assert written.search("precisoin recall").corrected == "precision recall"  # not one cached
    assert 0 < work["deletes"] <= PER_WORD
