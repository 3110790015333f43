"""A page of results cut from scored entries: filtered, counted by category and ordered in
arrays (a question matches thousands of entries), with the per-document columns that needs
(category slug, title key) read without touching stored fields.

Segments never change once written, so each one's column is read only once and kept by segment
id for every searcher of the index: after an edit, only the new small segment is read.
"""

from __future__ import annotations

import heapq
import threading
from typing import NamedTuple

import numpy as np

from app.search.hits import SearchResults, Wanted, hit
from app.search.postings import leaves

Scored = dict[int, float] | tuple[np.ndarray, np.ndarray]  # docnum -> score, or (docnums, scores)


class Codes(NamedTuple):
    codes: np.ndarray  # docnum -> code
    names: list[str]  # code -> value


class SegmentColumns:
    """Column values by segment id, shared by the searchers of one index."""

    def __init__(self) -> None:
        self._kept: dict[str, dict[str, list]] = {}  # segment id -> name -> values
        self._lock = threading.Lock()

    def read(self, searcher, name: str) -> list:
        """docnum -> value of a column over all of a searcher's segments."""
        with self._lock:
            values, live = [], {}
            for sub, _ in leaves(searcher.reader()):
                segment = sub.segment()
                if segment is None:  # an empty index
                    continue
                sid = segment.segment_id()
                per_segment = live[sid] = self._kept.get(sid, {})
                if name not in per_segment:
                    per_segment[name] = list(sub.column_reader(name, translate=True))
                values.extend(per_segment[name])
            self._kept = live  # forget segments merged away
        return values


class SearcherColumns:
    """One searcher's columns, read through the shared segment columns on first use."""

    def __init__(self, searcher, shared: SegmentColumns):
        self._searcher = searcher
        self._shared = shared
        self._values: dict[str, list] = {}
        self._categories: Codes | None = None
        self._lock = threading.Lock()  # requests on one searcher ask at once

    def column(self, name: str) -> list:
        with self._lock:
            if name not in self._values:
                self._values[name] = self._shared.read(self._searcher, name)
            return self._values[name]

    def categories(self) -> Codes:
        """Each document's category as a small integer, for counting facets in arrays."""
        column = self.column("category")
        with self._lock:
            if self._categories is None:
                names: dict[str, int] = {}
                codes = np.fromiter((names.setdefault(c, len(names)) for c in column), np.int32, len(column))
                self._categories = Codes(codes, list(names))
            return self._categories


def page_of(
    searcher, columns: SearcherColumns, scored: Scored, allowed: set[int] | None, page: int, limit: int, wanted: Wanted
) -> SearchResults:
    """One page of hits, the total and the category facets of everything scored (and allowed);
    named entries (wanted.named: docnum -> tier) first, then by score, then by title."""
    named = wanted.named
    docs, values = _as_arrays(scored)
    if named:  # named entries are found even when a word differs
        named_docs = np.fromiter(named, np.int64, len(named))
        extra = np.setdiff1d(named_docs, docs)
        docs, values = np.concatenate([docs, extra]), np.concatenate([values, np.zeros(len(extra))])
    if allowed is not None:
        kept = np.isin(docs, np.fromiter(allowed, np.int64, len(allowed)))
        docs, values = docs[kept], values[kept]
    categories, titles = columns.categories(), columns.column("title_key")
    n, wanted_n = len(docs), page * limit
    counts = np.bincount(categories.codes[docs], minlength=len(categories.names))
    facets = {categories.names[c]: int(counts[c]) for c in np.flatnonzero(counts)}
    if n > 4 * wanted_n:
        # Only named entries and those scoring at least the page's last can make the page: the
        # full key is compared on those few.
        floor = np.partition(values, n - wanted_n)[n - wanted_n]
        can = values >= floor
        if named:
            can |= np.isin(docs, named_docs)
        docs, values = docs[can], values[can]
    tier = named.get
    pool = zip(docs.tolist(), values.tolist())
    top = heapq.nsmallest(wanted_n, pool, key=lambda item: (-tier(item[0], 0), -item[1], titles[item[0]]))
    hits = [hit(docnum, searcher.stored_fields(docnum), score, wanted) for docnum, score in top[(page - 1) * limit :]]
    return SearchResults(total=n, hits=hits, facets=facets)


def _as_arrays(scored: Scored) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(scored, tuple):
        return scored
    return np.fromiter(scored, np.int64, len(scored)), np.fromiter(scored.values(), np.float64, len(scored))
