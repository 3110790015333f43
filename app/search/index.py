"""Open, update and query the Whoosh index, with one long-lived searcher per process."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh import query as q
from whoosh.searching import Searcher

from app.content.pipeline.parse import slugify
from app.memo import Memo
from app.names import name_key
from app.search import documents, folders, parser, patches, ranking, semantic, writer  # noqa: F401 - patches apply on import
from app.search.completion import Completion
from app.search.hits import Hit, SearchResults, Wanted, searched_stems
from app.search.paging import Scored, SearcherColumns, SegmentColumns, page_of
from app.search.posting_arrays import PostingArrays
from app.search.postings import leaves
from app.search.scoring import Scorer
from app.search.vocab import Vocabulary
from app.urls import tag_slug

log = logging.getLogger(__name__)

MAX_RESULTS_WINDOW = 1000  # page * limit beyond this scores too much for too little
RESULT_CACHE = 512  # queries remembered per searcher
MAX_SEGMENTS = 16  # an update merges small segments itself beyond this many (see tidy)
ANSWERS = 5  # entries the search box offers for a question: the first few are what it reads


__all__ = ["Hit", "SearchIndex", "SearchResults"]

QUESTION_FIELDS = tuple(ranking.FIELD_WEIGHTS)  # decoded into arrays (app/search/posting_arrays.py)


def _cache_key(text: str, categories: Iterable[str], tags: Iterable[str], page: int, limit: int, exact: bool):
    """How search() remembers an answer and peek() finds it: one key for both."""
    return (text, tuple(categories), tuple(tags), page, limit, exact)


class _Lease:
    """A searcher and how many requests use it; closed once retired and unused."""

    def __init__(self, searcher: Searcher, arrays: PostingArrays, columns: SegmentColumns):
        self.searcher = searcher
        self.users = 0
        self.retired = False
        # Results of this searcher's recent queries. Honest by construction: a lease ends
        # when the index changes, and its cache with it.
        self.results: Memo[SearchResults] = Memo(RESULT_CACHE)
        self.scorer = Scorer(searcher, arrays)
        self.columns = SearcherColumns(searcher, columns)


class SearchIndex:
    def __init__(self, path: Path, meaning: semantic.Mode = "off"):
        """meaning: re-rank questions with the semantic extra (app/search/semantic.py); `on`
        raises SemanticUnavailable when it is not installed, `auto` uses it when it is."""
        self.path = path
        # Imports the extra's modules only when enabled: the default install never loads them.
        self.semantic = semantic.Semantic(path.parent) if semantic.enabled(meaning) else None
        self._lock = threading.Lock()
        self._lease: _Lease | None = None
        self._segment_columns = SegmentColumns()
        self._preparing = False  # a thread is decoding posting arrays
        self._start_afresh()
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
                self._start_afresh()
            if self._lease is None or not self._lease.searcher.up_to_date():
                self._retire()
                self._lease = _Lease(self.ix.searcher(), self._posting_arrays, self._segment_columns)
            lease = self._lease
            lease.users += 1
        try:
            yield lease
        finally:
            with self._lock:
                lease.users -= 1
                if lease.retired and lease.users == 0:
                    lease.searcher.close()

    def _start_afresh(self) -> None:
        """New tables for an index that is not the one they were built from (a full build,
        here or in another process): completions, typos and posting arrays."""
        self.vocab = Vocabulary()
        self._posting_arrays = PostingArrays(QUESTION_FIELDS, self._prepare_soon)

    # -- writing -------------------------------------------------------------------
    def update(self, docs: Iterable, deleted: Iterable[str] = (), fresh: bool = False, merge: bool = True) -> None:
        """docs have slug, title, aliases, category_slug, tags, text, summary (and prose, if rendered).

        fresh: docs are the whole collection; they are written into a new index that
        replaces the live one when complete. merge: small segments may be merged now; an
        edit that should show at once leaves that to tidy(), until too many pile up.
        """
        docs, deleted = list(docs), list(deleted)
        if fresh:
            target, new_ix = folders.new_folder(self.path)
            writer.write(new_ix, docs, [], True, documents.everything(docs))
            with self._lock:
                folders.point_at(self.path, target)
                self.ix = whoosh_index.open_dir(str(self.path))
                self._opened = folders.folder_of(self.path)
                self._retire()
                self._start_afresh()
                self.vocab.start_from(docs, self.ix.latest_generation())
            if self.semantic is not None:
                self.semantic.update(docs, fresh=True)
            return
        with self.searcher() as s:  # what the index holds before this change
            links = documents.changes(s, docs, deleted)
            merge = merge or len(leaves(s.reader())) > MAX_SEGMENTS
        before = self.ix.latest_generation()
        writer.write(self.ix, docs, deleted, False, links, merge)
        self.vocab.applied(docs, deleted, before, self.ix.latest_generation())
        if self.semantic is not None:
            self.semantic.update(docs, deleted)

    def tidy(self) -> None:
        """Merge the small segments that edits leave (Whoosh's MERGE_SMALL), at a quiet moment
        rather than in an edit someone waits for."""
        before = self.ix.latest_generation()
        self.ix.writer(timeout=30.0).commit(merge=True)
        self.vocab.applied([], [], before, self.ix.latest_generation())

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
        exact: bool = False,
    ) -> SearchResults:
        """exact: the words as typed, respelling none of them (a search the user insisted on)."""
        key = _cache_key(text, categories, tags, page, limit, exact)
        with self._leased() as lease:
            # Shared between requests: callers only read it.
            return lease.results.get(key, lambda: self._search(lease, text, key[1], key[2], page, limit, exact))

    def peek(
        self,
        text: str,
        categories: Iterable[str] = (),
        tags: Iterable[str] = (),
        page: int = 1,
        limit: int = 10,
        exact: bool = False,
    ) -> SearchResults | None:
        """search()'s answer if the current searcher remembers it, else None: nothing is
        computed and nothing waits, so it may be called on the event loop."""
        key = _cache_key(text, categories, tags, page, limit, exact)
        with self._lock:  # a lease is retired and closed only under this lock
            lease = self._lease
            if lease is None or folders.folder_of(self.path) != self._opened or not lease.searcher.up_to_date():
                return None
        return lease.results.peek(key)

    def _search(
        self,
        lease: _Lease,
        text: str,
        categories,
        tags,
        page: int,
        limit: int,
        exact: bool = False,
        snippets: bool = True,
    ) -> SearchResults:
        parsed = parser.parse_query(text)
        # Filters compare as addresses do: `category:"Deep learning"` is /categories/deep-learning.
        cats = [slugify(c) for c in [*categories, *parsed.categories] if c]
        filters = [parser.Or([q.Term("category", c) for c in cats])] if cats else []
        filters += [q.Term("tag_slugs", tag_slug(t)) for t in [*tags, *parsed.tags] if t]
        filter_q = q.And(filters) if filters else None
        allowed = lease.scorer.docset(filter_q) if filter_q is not None else None
        page = max(1, min(page, MAX_RESULTS_WINDOW // max(limit, 1)))
        s = lease.searcher
        fixes: dict[str, list[str]] = {}

        def respell(word: str) -> list[str]:
            if not parser.terms(word):  # a stop word is never a typo worth a look-up
                return []
            if word not in fixes:
                fixes[word] = self.vocab.corrections(s, word)
            return fixes[word]

        correct: parser.Corrector = (lambda word: []) if exact else respell
        completer = self.vocab.completer(s)
        complete = lambda word: completer.words_starting(word.lower(), 8)
        excluded = parser.excluded_query(parsed)
        gone = functools.cache(lambda: lease.scorer.docset(excluded) if excluded is not None else set())
        named = self._named(lease, parsed, correct, gone, exact)
        if ranking.is_question(parsed):
            results = self._described(lease, parsed, allowed, page, limit, named, correct, complete, gone, snippets)
        else:
            query = parser.build_query(parsed, correct=correct, complete=complete)
            if query is None and not filters:
                return SearchResults(0, [])
            marks = [t for w in parsed.words for t in parser.terms(w)]
            marks += [t for w in parsed.words for f in correct(w) for t in parser.terms(f)]
            marks += [t for p in parsed.phrases for t in parser.terms(p)]
            wanted = Wanted(marks, named=named, name_stems=searched_stems(parsed, correct), snippets=snippets)
            results = self._run(lease, query, allowed, page, limit, wanted)
            if results.total == 0 and len(parsed.words) > 1:
                loose = parser.build_query(parsed, require_all=False, correct=correct, complete=complete)
                if loose is not None:
                    results = self._run(lease, loose, allowed, page, limit, wanted)
        if exact:
            # Searched as typed; a respelling is offered only if it would find something.
            results.suggestion = self._did_you_mean(lease, text, parsed, allowed, respell)
        elif results.total:
            # Unknown words were searched as their respellings: say so (and offer the words as typed).
            # Not an unfinished last word that names begin with: its results are its completions'.
            last = parsed.words[-1] if parsed.words and not ranking.is_question(parsed) else None
            respelt = {w: f[0] for w, f in fixes.items() if f and not (w == last and complete(w))}
            results.corrected = parser.respelled(text, respelt) if respelt else None
        return results

    def _described(
        self, lease: _Lease, parsed, allowed, page: int, limit: int, named, correct, complete, gone, snippets=True
    ):
        """A description or a question: ranked by what its words mean (app/search/ranking.py);
        gone() gives the entries its -words exclude."""
        described = ranking.rank(lease.scorer, parsed.words, correct, complete)
        docs, values = described.docs, described.values
        excluded = gone()
        if excluded:
            kept = ~np.isin(docs, np.fromiter(excluded, np.int64, len(excluded)))
            docs, values = docs[kept], values[kept]
        scored: Scored = (docs, values)
        if self.semantic is not None:
            lexical = dict(zip(docs.tolist(), values.tolist()))
            scored = self.semantic.rank(parser.as_typed(parsed), lexical, lease.searcher, allowed, excluded)
        wanted = Wanted(list(described.weights), described.weights, named, snippets=snippets)
        return page_of(lease.searcher, lease.columns, scored, allowed, page, limit, wanted)

    def _named(
        self,
        lease: _Lease,
        parsed: parser.ParsedQuery,
        correct: parser.Corrector,
        gone: Callable[[], set[int]],
        exact: bool = False,
    ) -> dict[int, int]:
        """docnum -> 2 for entries whose whole name the query is, 1 for those it names once
        respelled or whose name it begins (a name being typed): these come first whatever else
        matches more words."""
        content = name_key(" ".join(w for w in parsed.name.split() if parser.terms(w)))
        if len(content.split()) > self.vocab.completer(lease.searcher).longest:
            return {}  # longer than any name: a question, however it ends
        exact_keys, fixed = parser.whole_names(parsed, correct)
        tiers: dict[int, int] = {}
        for tier, keys in ((1, fixed), (2, exact_keys)):
            if keys:
                tiers.update(dict.fromkeys(lease.scorer.docset(parser.Or([q.Term("exact", k) for k in keys])), tier))
        if not tiers and parsed.words and not parsed.phrases:
            completer = self.vocab.completer(lease.searcher)
            # A name typed with a typo, or a name still being typed (its last word unfinished).
            slugs = ([] if exact else completer.misspelt_names(parsed.text)) or completer.begun(parsed.text)
            if slugs:
                tiers = dict.fromkeys(lease.scorer.docset(parser.Or([q.Term("slug", s) for s in slugs])), 1)
        if tiers and parsed.excluded:  # `gradient descent -batch`: a name does not override an exclusion
            excluded = gone()
            tiers = {d: t for d, t in tiers.items() if d not in excluded}
        return tiers

    def _run(
        self, lease: _Lease, query, allowed: set[int] | None, page: int, limit: int, wanted: Wanted
    ) -> SearchResults:
        scored = lease.scorer.scores(query) if query is not None else dict.fromkeys(allowed or (), 1.0)
        return page_of(
            lease.searcher, lease.columns, scored, allowed if query is not None else None, page, limit, wanted
        )

    def _did_you_mean(self, lease: _Lease, text: str, parsed, allowed: set[int] | None, respell) -> str | None:
        """The query with its unknown words respelt, if that finds entries; else None."""
        fixes = {w: f[0] for w in parsed.words if (f := respell(w))}
        if not fixes:
            return None
        suggestion = parser.respelled(text, fixes)
        better = parser.build_query(parser.parse_query(suggestion))
        if better is None:
            return None
        found = lease.scorer.docset(better)
        return suggestion if (found if allowed is None else found & allowed) else None

    def _prepare_soon(self) -> None:
        """A search met a large segment nobody prepared (another process built in full)."""
        with self._lock:
            if self._preparing:
                return
            self._preparing = True
        threading.Thread(target=self._prepare, name="glossa-search-arrays", daemon=True).start()

    def _prepare(self) -> None:
        """Decode the posting arrays of large segments, behind the requests that meanwhile
        read Whoosh's own postings (app/search/posting_arrays.py)."""
        try:
            with self._leased() as lease:
                lease.scorer.prepare()
        except Exception:  # the index closed or changed under it: the next lease starts again
            log.warning("search arrays not prepared", exc_info=True)
        finally:
            with self._lock:
                self._preparing = False

    def arrays_size(self) -> int:
        """Bytes of the posting arrays decoded so far (a figure for benchmarks)."""
        return self._posting_arrays.nbytes()

    def prepared(self) -> bool:
        """Every large segment's posting arrays are decoded, so no search reads Whoosh's."""
        with self._leased() as lease:
            return lease.scorer.prepared()

    def warm(self, wait: bool = True) -> None:
        """Build the completion and typo tables (a second at 10,000 entries) for a server's
        first keystroke and typo; decode the posting arrays here or (wait=False) in a thread,
        searches meanwhile reading Whoosh's, so a large glossary's server answers sooner."""
        with self._leased() as lease:
            self.vocab.speller(lease.searcher)
            if wait:
                lease.scorer.prepare()
            elif not lease.scorer.prepared():
                self._prepare_soon()
            if self.semantic is not None:
                self.semantic.fill(lease.searcher.all_stored_fields())

    def suggest(self, text: str, limit: int = 8) -> list[Completion]:
        """Titles and aliases that begin with the words typed; when none does and several
        words were typed (a question, a description), the entries the search answers with."""
        with self.searcher() as s:
            found = self.vocab.completer(s).complete(text, limit)
        if found or len(name_key(text).split()) < 2:
            return found
        return self.answers(text, min(limit, ANSWERS))

    def answers(self, text: str, limit: int = ANSWERS) -> list[Completion]:
        """The first hits of search(text), for the search box: as often as a key is pressed,
        so one short page, no snippets, and remembered like searches."""
        key = ("answers", text, limit)
        with self._leased() as lease:
            found = lease.results.get(key, lambda: self._search(lease, text, (), (), 1, limit, snippets=False))
        return [Completion(h.slug, h.title, h.category, kind="answer") for h in found.hits]
