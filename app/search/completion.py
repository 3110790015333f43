"""Search-box completions from titles and aliases, held in memory per searcher.

A sorted word list answers "which names have a word starting with ..." by bisection,
so a keystroke costs a few dictionary look-ups rather than a scan of every entry.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from app.names import name_key
from app.search.spelling import edit_distance, typo_budget

END = "\uffff"


@dataclass
class Completion:
    slug: str
    title: str
    category: str
    # The alias that matched what was typed, as written, when the title does not: the list
    # shows "endpoint — alias of Batch inference", not a title without the typed word.
    matched: str | None = None
    kind: Literal["name", "answer"] = "name"  # "answer": one of the first hits of searching for a question


@dataclass
class NamedEntry:
    slug: str
    title: str
    category: str
    names: list[str]  # name keys: title first, then aliases
    labels: list[str] = field(default_factory=list)  # the names as written, side by side with names


_GONE = NamedEntry("", "", "", [])  # the place of an entry removed by Completer.changed


class Completer:
    def __init__(self, entries: list[NamedEntry]):
        self.entries = entries
        pairs = {(w, i) for i, e in enumerate(entries) for n in e.names for w in n.split()}
        self.words = sorted(pairs)
        self.keys = [w for w, _ in self.words]
        self.longest = max((len(n.split()) for e in entries for n in e.names), default=0)  # words
        self._slots: dict[str, int] | None = None  # slug -> place in entries, once changed() needs it

    def vocabulary(self) -> set[str]:
        return set(self.keys)

    def changed(self, gone: set[str], named: list[NamedEntry]) -> Completer:
        """A copy with entries gone (by slug) and entries new or renamed: what an edit of a title
        or alias costs, where building afresh sorts every name (0.7 s at 50,000 entries). A copy,
        not a change in place, since searches may be reading this one."""
        if self._slots is None:
            self._slots = {e.slug: i for i, e in enumerate(self.entries)}
        new = Completer([])
        new.entries, new.words, new.keys = list(self.entries), list(self.words), list(self.keys)
        slots = new._slots = dict(self._slots)
        for slug in gone | {e.slug for e in named}:
            i = slots.pop(slug, None) if slug in gone else slots.get(slug)
            if i is None:
                continue
            for w in {w for n in new.entries[i].names for w in n.split()}:
                at = bisect_left(new.words, (w, i))
                if at < len(new.words) and new.words[at] == (w, i):
                    del new.words[at], new.keys[at]
            new.entries[i] = _GONE  # no word leads here any more
        for e in named:
            i = slots.setdefault(e.slug, len(new.entries))
            if i == len(new.entries):
                new.entries.append(e)
            new.entries[i] = e
            for w in sorted({w for n in e.names for w in n.split()}):
                at = bisect_left(new.words, (w, i))
                new.words.insert(at, (w, i))
                new.keys.insert(at, w)
        new.longest = max(self.longest, *(len(n.split()) for e in named for n in e.names), 0)
        return new

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

    def begun(self, text: str, most: int = 6) -> list[str]:
        """Slugs of entries with a name that text begins, cut inside its last word: the name
        being typed (`gradient desc` is Gradient descent being typed, not Stochastic gradient
        descent). Two words at least: one unfinished word begins too many names to say which.
        Only entries that have the other words are compared, so this costs a few look-ups."""
        query = name_key(text)
        words = query.split()
        if not 2 <= len(words) <= most:
            return []
        having = self._prefixed(words[-1])
        for word in words[:-1]:
            having &= self._exactly(word)
        cut = len(query)  # a name that goes on past here within the same word, not with a new one
        return sorted(
            self.entries[i].slug
            for i in having
            if any(n.startswith(query) and n[cut : cut + 1] not in ("", " ") for n in self.entries[i].names)
        )

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
        return [
            Completion(e.slug, e.title, e.category, self._alias_matched(e, words, fuzzy_used))
            for e in (self.entries[i] for i in best)
        ]

    @staticmethod
    def _alias_matched(e: NamedEntry, words: list[str], fuzzy: bool) -> str | None:
        """The first of e's names that has a word beginning with each typed word (or close to
        one, for a fuzzy match), as written; None when it is the title, or when the typed words
        are spread over several names and no one name explains the match."""

        def begins(word: str, part: str) -> bool:
            if part.startswith(word):
                return True
            budget = typo_budget(word) if fuzzy else 0
            # As _fuzzy compares: a typed prefix may have lost or gained a letter.
            lengths = {len(word) - 1, len(word), len(word) + 1}
            return bool(budget) and any(edit_distance(word, part[:n], budget) <= budget for n in lengths)

        for name, label in zip(e.names, e.labels or e.names):
            parts = name.split()
            if all(any(begins(w, p) for p in parts) for w in words):
                return None if name_key(label) == name_key(e.title) else label
        return None
