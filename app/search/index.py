"""Open, update and query the Whoosh index, with one long-lived searcher per process."""

from __future__ import annotations

import heapq
import logging
import multiprocessing
import os
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as q
from whoosh.searching import Searcher

from app.memo import Memo
from app.names import name_key
from app.search import documents, folders, parser, patches, ranking  # noqa: F401 - patches apply on import
from app.search.completion import Completion
from app.search.postings import leaves
from app.search.scoring import Scorer
from app.search.snippets import snippet
from app.search.spelling import typo_budget
from app.search.vocab import Vocabulary

log = logging.getLogger(__name__)

PARALLEL_FROM = 2000  # documents; below this, starting processes costs more than it saves
MAX_RESULTS_WINDOW = 1000  # page * limit beyond this scores too much for too little
RESULT_CACHE = 512  # queries remembered per searcher


def _processes(documents: int) -> int:
    # Whoosh forks its writer processes; forking is only safe from the main thread (a
    # watcher thread's rebuild could fork while another thread holds a lock), and a
    # daemonic process may not have children at all.
    if (
        documents < PARALLEL_FROM
        or threading.current_thread() is not threading.main_thread()
        or multiprocessing.current_process().daemon
    ):
        return 1
    return min(_cores(), 4)


def _cores() -> int:
    # The cores this process may run on (a container's share), not all the machine has.
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@dataclass
class Hit:
    slug: str
    title: str
    category: str  # category slug
    summary: str
    snippet: str  # HTML-escaped, matches in <mark>
    score: float


@dataclass
class SearchResults:
    total: int
    hits: list[Hit]
    facets: dict[str, int] = field(default_factory=dict)  # category slug -> count
    suggestion: str | None = None


class _Lease:
    """A searcher and how many requests use it; closed once retired and unused."""

    def __init__(self, searcher: Searcher):
        self.searcher = searcher
        self.users = 0
        self.retired = False
        # Results of this searcher's recent queries. Honest by construction: a lease ends
        # when the index changes, and its cache with it.
        self.results: Memo[SearchResults] = Memo(RESULT_CACHE)
        self.scorer = Scorer(searcher)
        self.columns: dict[str, list] = {}  # see SearchIndex._column


class SearchIndex:
    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._lease: _Lease | None = None
        self.vocab = Vocabulary()
        self._segment_columns: dict[str, dict[str, list]] = {}  # segment id -> name -> values
        # was_rebuilt: opening found no usable index, so a new empty one was made.
        self.ix, self.was_rebuilt = folders.open_or_create(path)
        self._opened = folders.folder_of(path)  # which index folder self.ix is

    # -- lifecycle ---------------------------------------------------------------
    def close(self) -> None:
        with self._lock:
            self._retire()

    def _retire(self) -> None:
        if self._lease:
            self._lease.retired = True
            if self._lease.users == 0:
                self._lease.searcher.close()
            self._lease = None

    @contextmanager
    def searcher(self) -> Iterator[Searcher]:
        with self._leased() as lease:
            yield lease.searcher

    @contextmanager
    def _leased(self) -> Iterator[_Lease]:
        # Never Searcher.refresh() (wrong results in whoosh-reloaded 2.7.5): open anew.
        with self._lock:
            target = folders.folder_of(self.path)
            if target != self._opened:
                # Another process rebuilt the index in full and swapped the link: its
                # generation numbers start again, so up_to_date() alone cannot tell.
                self.ix = whoosh_index.open_dir(str(self.path))
                self._opened = target
                self._retire()
                self.vocab = Vocabulary()
            if self._lease is None or not self._lease.searcher.up_to_date():
                self._retire()
                self._lease = _Lease(self.ix.searcher())
            lease = self._lease
            lease.users += 1
        try:
            yield lease
        finally:
            with self._lock:
                lease.users -= 1
                if lease.retired and lease.users == 0:
                    lease.searcher.close()

    # -- writing -------------------------------------------------------------------
    def update(self, docs: Iterable, deleted: Iterable[str] = (), fresh: bool = False) -> None:
        """docs have slug, title, aliases, category_slug, tags, text, summary.

        fresh: docs are the whole collection; they are written into a new index that
        replaces the live one when complete.
        """
        docs, deleted = list(docs), list(deleted)
        if fresh:
            target, new_ix = folders.new_folder(self.path)
            self._write(new_ix, docs, [], True, documents.everything(docs))
            with self._lock:
                folders.point_at(self.path, target)
                self.ix = whoosh_index.open_dir(str(self.path))
                self._opened = folders.folder_of(self.path)
                self._retire()
                self.vocab = Vocabulary()
                self.vocab.start_from(docs, self.ix.latest_generation())
            return
        with self.searcher() as s:  # what the index holds before this change
            links = documents.changes(s, docs, deleted)
        before = self.ix.latest_generation()
        self._write(self.ix, docs, deleted, False, links)
        self.vocab.applied(docs, deleted, before, self.ix.latest_generation())

    @staticmethod
    def _write(ix, docs: list, deleted: list, fresh: bool, links: documents.Links) -> None:
        procs = _processes(len(docs)) if fresh else 1
        if procs > 1:
            # Analysing text is most of a build: split it over processes, and keep their
            # segments as they are instead of merging them (half the time again).
            writer = ix.writer(timeout=30.0, procs=procs, multisegment=True)
        else:
            writer = ix.writer(timeout=30.0)
        add = writer.add_document if fresh else writer.update_document
        try:
            for slug in deleted:
                writer.delete_by_term("slug", slug)
            for doc in docs:
                add(**documents.fields(doc, links))
            for stored in links.others:  # entries whose context sentences changed
                writer.update_document(**documents.fields(documents.from_stored(stored), links))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def doc_count(self) -> int:
        with self.searcher() as s:
            return s.doc_count()

    # -- reading -------------------------------------------------------------------
    def search(
        self,
        text: str,
        categories: Iterable[str] = (),
        tags: Iterable[str] = (),
        page: int = 1,
        limit: int = 10,
    ) -> SearchResults:
        key = (text, tuple(categories), tuple(tags), page, limit)
        with self._leased() as lease:
            # Shared between requests: callers only read it.
            return lease.results.get(key, lambda: self._search(lease, text, key[1], key[2], page, limit))

    def peek(
        self, text: str, categories: Iterable[str] = (), tags: Iterable[str] = (), page: int = 1, limit: int = 10
    ) -> SearchResults | None:
        """search()'s answer if the current searcher remembers it, else None: nothing is
        computed and nothing waits, so it may be called on the event loop."""
        key = (text, tuple(categories), tuple(tags), page, limit)
        with self._lock:  # a lease is retired and closed only under this lock
            lease = self._lease
            if lease is None or folders.folder_of(self.path) != self._opened or not lease.searcher.up_to_date():
                return None
        return lease.results.peek(key)

    def _search(self, lease: _Lease, text: str, categories, tags, page: int, limit: int) -> SearchResults:
        parsed = parser.parse_query(text)
        cats = [c for c in [*categories, *parsed.categories] if c]
        tag_list = [t.lower() for t in [*tags, *parsed.tags] if t]
        filters = [parser.Or([q.Term("category", c) for c in cats])] if cats else []
        filters += [q.Term("tags", t) for t in tag_list]
        filter_q = q.And(filters) if filters else None
        allowed = lease.scorer.docset(filter_q) if filter_q is not None else None
        page = max(1, min(page, MAX_RESULTS_WINDOW // max(limit, 1)))
        s = lease.searcher
        fixes: dict[str, list[str]] = {}

        def correct(word: str) -> list[str]:
            if not parser.terms(word):  # a stop word is never a typo worth a look-up
                return []
            if word not in fixes:
                fixes[word] = self._corrections(lease, word)
            return fixes[word]

        completer = self.vocab.completer(s)
        complete = lambda word: completer.words_starting(word.lower(), 8)
        named = self._named(lease, parsed, correct)
        if ranking.is_question(parsed):
            results = self._described(lease, parsed, allowed, page, limit, named, correct, complete)
        else:
            query = parser.build_query(parsed, correct=correct, complete=complete)
            if query is None and not filters:
                return SearchResults(0, [])
            marks = [t for w in parsed.words for t in parser.terms(w)]
            marks += [t for w in parsed.words for f in correct(w) for t in parser.terms(f)]
            marks += [t for p in parsed.phrases for t in parser.terms(p)]
            results = self._run(lease, query, allowed, page, limit, marks, named)
            if results.total == 0 and len(parsed.words) > 1:
                loose = parser.build_query(parsed, require_all=False, correct=correct, complete=complete)
                if loose is not None:
                    results = self._run(lease, loose, allowed, page, limit, marks, named)
        if any(fixes.values()):
            results.suggestion = self._did_you_mean(lease, parsed, allowed, correct)
        return results

    def _described(self, lease: _Lease, parsed, allowed, page: int, limit: int, named, correct, complete):
        """A description or a question: ranked by what its words mean (app/search/ranking.py)."""
        described = ranking.rank(lease.scorer, parsed.words, correct, complete)
        scored = described.scores
        excluded = parser.excluded_query(parsed)
        if excluded is not None:
            gone = lease.scorer.docset(excluded)
            scored = {d: v for d, v in scored.items() if d not in gone}
        return self._page(lease, scored, allowed, page, limit, list(described.weights), named, described.weights)

    def _named(self, lease: _Lease, parsed: parser.ParsedQuery, correct: parser.Corrector) -> dict[int, int]:
        """docnum -> 2 for entries whose whole name the query is, 1 for those it names once
        respelled: these come first whatever else matches more words."""
        content = name_key(" ".join(w for w in parsed.words if parser.terms(w)))
        if len(content.split()) > self.vocab.completer(lease.searcher).longest:
            return {}  # longer than any name: a question, however it ends
        exact, fixed = parser.whole_names(parsed, correct)
        tiers: dict[int, int] = {}
        for tier, keys in ((1, fixed), (2, exact)):
            if keys:
                tiers.update(dict.fromkeys(lease.scorer.docset(parser.Or([q.Term("exact", k) for k in keys])), tier))
        if not tiers and parsed.words:
            slugs = self.vocab.completer(lease.searcher).misspelt_names(parsed.text)
            if slugs:
                tiers = dict.fromkeys(lease.scorer.docset(parser.Or([q.Term("slug", s) for s in slugs])), 1)
        return tiers

    def _run(
        self,
        lease: _Lease,
        query,
        allowed: set[int] | None,
        page: int,
        limit: int,
        marks: list[str],
        named: dict[int, int] | None = None,
    ) -> SearchResults:
        scored = lease.scorer.scores(query) if query is not None else dict.fromkeys(allowed or (), 1.0)
        return self._page(lease, scored, allowed if query is not None else None, page, limit, marks, named)

    def _page(
        self,
        lease: _Lease,
        scored: dict[int, float],
        allowed: set[int] | None,
        page: int,
        limit: int,
        marks: list[str],
        named: dict[int, int] | None = None,
        weights: dict[str, float] | None = None,
    ) -> SearchResults:
        s = lease.searcher
        for docnum in named or ():  # named entries are found even when a word differs
            scored.setdefault(docnum, 0.0)
        if allowed is not None:
            scored = {d: v for d, v in scored.items() if d in allowed}
        with self._lock:
            categories = self._column(lease, "category")
            titles = self._column(lease, "title_key")
        facets = dict(Counter(map(categories.__getitem__, scored)))
        tier = (named or {}).get
        pool: Iterable[tuple[int, float]] = scored.items()
        if len(scored) > 4 * page * limit:
            # Only named entries and those scoring at least the page's last can make the page:
            # floats compared in C first, the full key only on those few.
            floor = heapq.nlargest(page * limit, scored.values())[-1]
            pool = [item for item in pool if item[1] >= floor or tier(item[0])]
        top = heapq.nsmallest(page * limit, pool, key=lambda item: (-tier(item[0], 0), -item[1], titles[item[0]]))
        hits = []
        for docnum, score in top[(page - 1) * limit :]:
            fields = s.stored_fields(docnum)
            hits.append(
                Hit(
                    slug=fields["slug"],
                    title=fields["title"],
                    category=fields["category"],
                    summary=fields.get("summary", ""),
                    snippet=snippet(fields.get("body", ""), marks, weights) or snippet(fields.get("summary", ""), []),
                    score=round(float(score), 4),
                )
            )
        return SearchResults(total=len(scored), hits=hits, facets=facets)

    def _column(self, lease: _Lease, name: str) -> list:
        """docnum -> value of a column (category slug, title key): no stored-field reads.

        Segments never change once written, so each one's column is read only once: after
        an edit, only the new small segment is read.
        """
        if name not in lease.columns:
            values, live = [], {}
            for sub, _ in leaves(lease.searcher.reader()):
                segment = sub.segment()
                if segment is None:  # an empty index
                    continue
                sid = segment.segment_id()
                per_segment = live[sid] = self._segment_columns.get(sid, {})
                if name not in per_segment:
                    per_segment[name] = list(sub.column_reader(name, translate=True))
                values.extend(per_segment[name])
            self._segment_columns = live  # forget segments merged away
            lease.columns[name] = values
        return lease.columns[name]

    def _corrections(self, lease: _Lease, word: str) -> list[str]:
        """Real words within the typo budget of an unknown word, best first."""
        low = word.lower()
        budget = typo_budget(low)
        if not budget or self._known(lease.searcher, low):
            return []
        return self.vocab.speller(lease.searcher).correct(low, budget)

    def _did_you_mean(self, lease: _Lease, parsed, allowed: set[int] | None, correct) -> str | None:
        """A respelling of unknown words that finds entries as typed, or None."""
        corrected = [(correct(w) or [w.lower()])[0] for w in parsed.words]
        suggestion = " ".join(corrected)
        if suggestion == " ".join(w.lower() for w in parsed.words):
            return None
        better = parser.build_query(parser.parse_query(suggestion))
        if better is None:
            return None
        found = lease.scorer.docset(better)
        return suggestion if (found if allowed is None else found & allowed) else None

    @staticmethod
    def _known(s: Searcher, word: str) -> bool:
        stems = parser.terms(word)
        return bool(stems) and all(any(s.doc_frequency(f, t) for f in ("title", "aliases", "body")) for t in stems)

    def warm(self) -> None:
        """Build the completion and typo tables now (a second at 10,000 entries), so that
        no user's first keystroke or first typo after a start or a full build waits for it.
        For servers: a command-line build would only throw them away."""
        with self.searcher() as s:
            self.vocab.speller(s)

    def suggest(self, text: str, limit: int = 8) -> list[Completion]:
        with self.searcher() as s:
            return self.vocab.completer(s).complete(text, limit)
