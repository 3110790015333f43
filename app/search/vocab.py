"""Names for completions and words for typo correction, kept in step with the index.

Reading every stored document back costs ~0.3 s at 10,000 entries, too much after each
edit. So the index's own updates are applied here as they are written, and a full reload
happens only when the index changed behind our back (another process, or a fresh start).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from app.names import name_key
from app.search import parser
from app.search.completion import Completer, NamedEntry
from app.search.spelling import Speller, typo_budget


def _entry(slug: str, title: str, aliases: list[str], category: str) -> NamedEntry:
    named = [(k, n) for k, n in ((name_key(n), n) for n in [title, *aliases]) if k]
    return NamedEntry(slug, title, category, [k for k, _ in named], [n for _, n in named])


def _in_index(searcher, stem: str) -> bool:
    return any(searcher.doc_frequency(f, stem) for f in ("title", "aliases", "body"))


class Vocabulary:
    def __init__(self):
        self._lock = threading.Lock()
        self._entries: dict[str, NamedEntry] | None = None
        self._generation: int | None = None
        self._completer: Completer | None = None
        self._speller: Speller | None = None

    def start_from(self, docs: Iterable, generation: int) -> None:
        """The index was just written from exactly these docs: no need to read it back."""
        with self._lock:
            self._entries = {d.slug: _entry(d.slug, d.title, list(d.aliases), d.category_slug) for d in docs}
            self._generation = generation
            self._completer = self._speller = None

    def _ensure(self, searcher) -> None:
        generation = searcher.reader().generation()
        if self._entries is not None and generation == self._generation:
            return
        entries = {}
        for f in searcher.all_stored_fields():
            aliases = [a for a in (f.get("aliases") or "").split(" | ") if a]
            entries[f["slug"]] = _entry(f["slug"], f["title"], aliases, f["category"])
        self._entries, self._generation = entries, generation
        self._completer = self._speller = None

    def completer(self, searcher) -> Completer:
        with self._lock:
            self._ensure(searcher)
            if self._completer is None:
                entries = self._entries or {}
                self._completer = Completer(sorted(entries.values(), key=lambda e: e.title.casefold()))
            return self._completer

    def speller(self, searcher) -> Speller:
        completer = self.completer(searcher)
        with self._lock:
            if self._speller is None:
                # Body stems, not words: a correction is stemmed before use anyway, and
                # keeping unstemmed words would mean analysing every body twice per build.
                body = (t.decode() if isinstance(t, bytes) else t for t in searcher.reader().lexicon("body"))
                self._speller = Speller(completer.vocabulary(), body)
            return self._speller

    def corrections(self, searcher, word: str) -> list[str]:
        """Real words within the typo budget of a word the index lacks, best first."""
        low = word.lower()
        budget = typo_budget(low)
        if not budget:
            return []
        stems = parser.terms(low)
        if stems and all(_in_index(searcher, t) for t in stems):
            return []
        return self.speller(searcher).correct(low, budget)

    def applied(self, docs: Iterable, deleted: Iterable[str], before: int, after: int) -> None:
        """Record a commit that took the index from generation before to after."""
        with self._lock:
            if self._entries is None or self._generation != before:
                self._entries = None  # not in step: reload on next use
                return
            gone = {slug for slug in deleted if self._entries.pop(slug, None) is not None}
            renamed: list[NamedEntry] = []
            names: set[str] = set()
            stems: set[str] = set()
            for doc in docs:
                e = _entry(doc.slug, doc.title, list(doc.aliases), doc.category_slug)
                if self._entries.get(doc.slug) != e:
                    renamed.append(e)
                self._entries[doc.slug] = e
                names.update(w for n in e.names for w in n.split())
                if self._speller is not None:
                    stems.update(parser.terms(doc.text))
            self._generation = after
            # Most edits change a body only: the completions still hold. Otherwise they change
            # where the names changed, not afresh.
            if (gone or renamed) and self._completer is not None:
                self._completer = self._completer.changed(gone, renamed)
            if self._speller is not None:
                # Words only ever join the table; a stale one corrects to a word that
                # simply finds nothing, and the next full reload drops it.
                self._speller.add(names, stems)
