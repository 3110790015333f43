"""Search-box completions from titles and aliases, held in memory per searcher.

A sorted word list answers "which names have a word starting with ..." by bisection,
so a keystroke costs a few dictionary look-ups rather than a scan of every entry.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass

from app.names import name_key
from app.search.spelling import edit_distance, typo_budget

END = "\uffff"


@dataclass
class Completion:
    slug: str
    title: str
    category: str


@dataclass
class NamedEntry:
    slug: str
    title: str
    category: str
    names: list[str]  # name keys: title first, then aliases


class Completer:
    def __init__(self, entries: list[NamedEntry]):
        self.entries = entries
        pairs = {(w, i) for i, e in enumerate(entries) for n in e.names for w in n.split()}
        self.words = sorted(pairs)
        self.keys = [w for w, _ in self.words]
        self.longest = max((len(n.split()) for e in entries for n in e.names), default=0)  # words

    def vocabulary(self) -> set[str]:
        return set(self.keys)

    def words_starting(self, prefix: str, limit: int) -> list[str]:
        """Up to limit distinct title/alias words that start with prefix (shortest first)."""
        if len(prefix) < 2:
            return []
        lo = bisect_left(self.keys, prefix)
        hi = bisect_left(self.keys, prefix + END)
        distinct = sorted(set(self.keys[lo:hi]), key=lambda w: (len(w), w))
        return distinct[:limit]

    def _prefixed(self, word: str) -> set[int]:
        lo = bisect_left(self.keys, word)
        hi = bisect_left(self.keys, word + END)
        return {i for _, i in self.words[lo:hi]}

    def _fuzzy(self, word: str) -> set[int]:
        """Entries with a word that starts like `word` give or take the typo budget.

        Only words sharing the first two letters (or those two swapped) are compared:
        people seldom mistype the start, and this keeps a keystroke to a few dozen checks.
        """
        limit = typo_budget(word)
        if not limit or len(word) < 2:
            return set()
        found: set[int] = set()
        for start in dict.fromkeys([word[:2], word[1] + word[0]]):
            lo = bisect_left(self.keys, start)
            hi = bisect_left(self.keys, start + END)
            checked: dict[str, bool] = {}
            for key, i in self.words[lo:hi]:
                ok = checked.get(key)
                if ok is None:
                    ok = checked[key] = any(
                        edit_distance(word, key[:n], limit) <= limit for n in {len(word) - 1, len(word), len(word) + 1}
                    )
                if ok:
                    found.add(i)
        return found

    def _exactly(self, word: str) -> set[int]:
        lo = bisect_left(self.keys, word)
        hi = bisect_left(self.keys, word + "\x00")
        return {i for _, i in self.words[lo:hi]}

    def misspelt_names(self, text: str, most: int = 6) -> list[str]:
        """Slugs of entries with a name of the same words as text but one, respelt within its
        typo budget: `principle component analysis` names Principal component analysis even
        though `principle` is a real word (and so is never corrected on its own). Only entries
        that have all the other words are compared, so this costs a few look-ups."""
        words = name_key(text).split()
        if not 2 <= len(words) <= most:
            return []
        having = Counter(i for word in words for i in self._exactly(word))
        found = []
        for i, n in having.items():
            if n < len(words) - 1:
                continue
            for name in self.entries[i].names:
                parts = name.split()
                if len(parts) == len(words) and all(
                    p == w or ((b := typo_budget(w)) and edit_distance(w, p, b) <= b)
                    for p, w in zip(parts, words, strict=True)
                ):
                    found.append(self.entries[i].slug)
                    break
        return sorted(found)

    def complete(self, text: str, limit: int = 8) -> list[Completion]:
        query = name_key(text)
        words = query.split()
        if not words or not self.entries:
            return []
        matched: set[int] | None = None
        fuzzy_used = False
        for word in words:
            hits = self._prefixed(word)
            if not hits:
                hits, fuzzy_used = self._fuzzy(word), True
            matched = hits if matched is None else matched & hits
            if not matched:
                return []

        def rank(i: int) -> tuple[bool, int, bool, int, str]:
            e = self.entries[i]
            starts = min((0 if n == query else 1 if n.startswith(query) else 2, j) for j, n in enumerate(e.names))
            return (fuzzy_used, starts[0], starts[1] > 0, len(e.title), e.title.casefold())

        best = sorted(matched or (), key=rank)[:limit]
        return [Completion(self.entries[i].slug, self.entries[i].title, self.entries[i].category) for i in best]
