"""Typos: how many a word may have, how far apart two words are, and correction by symmetric
deletes (the SymSpell idea). Search and completion both follow these.

Words from titles and aliases may be two edits away; body words one, which keeps the
table small. A look-up generates the deletes of the query word and checks real distances.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations

LONGEST_CORRECTED = 24  # letters; no real word is longer, and the cost grows with the square


def typo_budget(word: str) -> int:
    """Meilisearch's rule: none up to 4 letters, one up to 8, two beyond; none for words
    longer than any real word (a pasted hash or a held-down key)."""
    n = len(word)
    return 0 if n <= 4 or n > LONGEST_CORRECTED else 1 if n <= 8 else 2


def deletes(word: str, depth: int) -> set[str]:
    out = set()
    for k in range(1, depth + 1):
        if len(word) - k < 2:
            break
        for drop in combinations(range(len(word)), k):
            out.add("".join(c for i, c in enumerate(word) if i not in drop))
    return out


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap counts once), or limit + 1 if larger."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


class Speller:
    def __init__(self, name_words: Iterable[str], body_words: Iterable[str]):
        self.names: set[str] = set()
        self.words: set[str] = set()
        self.table: dict[str, set[str]] = {}
        self.add(name_words, body_words)

    def add(self, name_words: Iterable[str], body_words: Iterable[str]) -> None:
        names = {w for w in name_words if w.isalpha() and len(w) >= 3} - self.names
        body = {w for w in body_words if w.isalpha() and len(w) >= 4} - self.words - names
        for words, depth in ((names, 2), (body, 1)):
            for w in words:
                self.table.setdefault(w, set()).add(w)
                for d in deletes(w, depth):
                    self.table.setdefault(d, set()).add(w)
        self.names |= names
        self.words |= names | body

    def correct(self, word: str, budget: int, limit: int = 3) -> list[str]:
        if budget <= 0 or word in self.words:
            return []
        candidates: set[str] = set(self.table.get(word, ()))
        for d in deletes(word, budget):
            candidates |= self.table.get(d, set())
        scored = []
        for c in candidates:
            if c[0] != word[0] and not (len(word) > 1 and c[:2] == word[1::-1]):
                continue  # people rarely mistype the first letter; this keeps results sane
            dist = edit_distance(word, c, budget)
            if dist <= budget:
                scored.append((dist, c not in self.names, abs(len(c) - len(word)), c))
        return [c for *_, c in sorted(scored)[:limit]]
