"""BM25F scores for a whole query, a posting list at a time instead of a document at a time.

Whoosh scores a query by walking a tree of matchers one document at a time, several Python
calls per document and clause; a pair of common words then costs tens of milliseconds.
Our queries are trees of Term/And/Or/AndNot, so the same scores come from reading each
term's postings as arrays (the index's posting arrays, or Whoosh's blocks decoded) and
combining {docnum: score} maps, with the heavy loops in numpy and set operations. Scores
equal Whoosh's own BM25F (a test holds them side by side); any other query node (phrases,
Every) is scored by Whoosh's matchers.
"""

from __future__ import annotations

import threading
from array import array
from collections import OrderedDict
from collections.abc import Iterator
from typing import cast

import numpy as np
from whoosh import query as q
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from app.search.posting_arrays import PostingArrays, SegmentPostings
from app.search.postings import leaves, postings

Scores = dict[int, float]  # global docnum -> score
DECODED_POSTINGS = 1_000_000  # kept per searcher: about 8 MB


class Kept:
    """Values computed from an index that cannot change under them, kept up to a budget of
    total size, least recently used first out; shared by the threads of concurrent requests."""

    def __init__(self, budget: int):
        self.budget = budget
        self._values: OrderedDict[object, tuple[object, int]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: object) -> object | None:
        with self._lock:
            found = self._values.get(key)
            if found is None:
                return None
            self._values.move_to_end(key)
            return found[0]

    def put(self, key: object, value: object, size: int) -> None:
        with self._lock:
            if key in self._values:
                return
            self._values[key] = (value, size)
            self._size += size
            while self._values and self._size > self.budget:
                _, (_, dropped) = self._values.popitem(last=False)
                self._size -= dropped


class Scorer:
    """Scores queries against one searcher; lives as long as the searcher."""

    def __init__(self, searcher, arrays: PostingArrays | None = None):
        """arrays: segments' postings decoded whole and shared between searchers, for
        add_saturation; without them each term is decoded from Whoosh's blocks."""
        self.searcher = searcher
        self._arrays = arrays
        weighting = searcher.weighting
        # Only plain BM25F is reproduced here; any other model goes through Whoosh.
        self.fast = type(weighting) is BM25F and not weighting._field_B
        self.B = getattr(weighting, "B", 0.75)
        self.K1 = getattr(weighting, "K1", 1.2)
        self._norm_arrays: dict[tuple[int, str], np.ndarray] = {}
        self._leaves = leaves(searcher.reader())
        self._live: dict[int, np.ndarray | None] = {}  # segment number -> live documents
        self._segment_arrays: list[SegmentPostings | None] | None = None  # see _segments
        self._segment_ids = frozenset(sub.segment().segment_id() for sub, _ in self._leaves if sub.segment())
        self._decoded = Kept(DECODED_POSTINGS)
        # For rankings built on these scores (app/search/ranking.py): what they derive per
        # word from postings is as reusable as the postings.
        self.kept = Kept(DECODED_POSTINGS)

    def scores(self, query: q.Query) -> Scores:
        if not self.fast:
            return self._whoosh(query)
        if isinstance(query, q.Term):
            return self._term(query)
        if isinstance(query, q.Or) and not query.minmatch and query.scale is None:
            return self._union([self.scores(sub) for sub in query.subqueries])
        if isinstance(query, q.And):
            return self._intersection([self.scores(sub) for sub in query.subqueries])
        if isinstance(query, q.AndNot):
            found = self.scores(query.a)
            if found:
                excluded = self.docset(query.b)
                found = {d: s for d, s in found.items() if d not in excluded}
            return found
        return self._whoosh(query)

    def docset(self, query: q.Query) -> set[int]:
        """The documents a query matches (filters, exclusions), from the same postings."""
        return set(self.scores(query))

    # -- combining ---------------------------------------------------------------
    @staticmethod
    def _union(parts: list[Scores]) -> Scores:
        parts = sorted((p for p in parts if p), key=len, reverse=True)
        if not parts:
            return {}
        total = parts[0]  # every part is a fresh map: add the others into the largest
        for part in parts[1:]:
            get = total.get
            total.update({d: get(d, 0.0) + s for d, s in part.items()})
        return total

    @staticmethod
    def _intersection(parts: list[Scores]) -> Scores:
        parts = sorted(parts, key=len)
        if not parts or not parts[0]:
            return {}
        total = parts[0]
        for part in parts[1:]:
            total = {d: s + part[d] for d, s in total.items() if d in part}
            if not total:
                break
        return total

    # -- leaves --------------------------------------------------------------------
    def _term(self, term: q.Term) -> Scores:
        s = self.searcher
        if term.fieldname not in s.schema:
            return {}
        out: Scores = {}
        if not s.schema[term.fieldname].scorable:  # Whoosh's WeightScorer: the posting's weight
            for _, offset, ids, weights in self._postings(term.fieldname, term.text):
                out.update(zip((d + offset for d in ids), (w * term.boost for w in weights)))
            return out
        found = self._posting_arrays(term.fieldname, term.text)
        if found:  # bm25 = idf * tf * (K1 + 1) / (tf + norm(length)), statistics from the whole index
            c = s.idf(term.fieldname, term.text) * (self.K1 + 1) * term.boost
            for docs, scores in self._saturations(term.fieldname, found, c):
                out.update(zip(docs.tolist(), scores.tolist()))
        return out

    def add_saturation(self, into: np.ndarray, fieldname: str, text: str, times: float = 1.0) -> None:
        """BM25's term-frequency part alone, times * tf * (K1 + 1) / (tf + norm(length)), added
        per document into an array indexed by document number (for rankings that weigh words by
        their own measure of meaning)."""
        if fieldname not in self.searcher.schema:
            return
        for docs, values in self._saturations(fieldname, self._posting_arrays(fieldname, text), times * (self.K1 + 1)):
            into[docs] += values

    def _saturations(self, fieldname: str, found: list, c: float) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(global docnums, c * tf / (tf + norm(length))) of each segment's postings in found."""
        for i, offset, docs, weights in found:
            tf = weights.astype(np.float64)
            yield docs + offset, c * tf / (tf + self._norm_array(i, fieldname)[docs])

    def _posting_arrays(self, fieldname: str, text: str) -> list[tuple[int, int, np.ndarray, np.ndarray]]:
        """(segment number, first docnum, docnums, weights) of a term's live postings."""
        if self._arrays is None or fieldname not in self._arrays.fields:
            return self._decoded_arrays(fieldname, text)
        segments = self._segments()
        if segments is None:
            return self._decoded_arrays(fieldname, text)  # a large segment not decoded yet
        out = []
        for i, segment in enumerate(segments):
            if segment is None:
                continue
            offset = self._leaves[i][1]
            docs, weights = segment(fieldname, text)
            if not len(docs):
                continue
            live = self._live_in(i)
            if live is not None:
                keep = live[docs]
                docs, weights = docs[keep], weights[keep]
            out.append((i, offset, docs, weights))
        return out

    def term_counts(self, fieldname: str, text: str) -> tuple[int, float]:
        """(documents, total weight) of a term in a field, deleted documents included: Whoosh's
        doc_frequency and frequency, from the posting arrays when they hold the field."""
        if self._arrays is None or fieldname not in self._arrays.fields:
            s = self.searcher
            return s.doc_frequency(fieldname, text), s.frequency(fieldname, text)
        df, cf = 0, 0.0
        segments = self._segments() or [self._arrays.of(sub, self._segment_ids) for sub, _ in self._leaves]
        for (sub, _), segment in zip(self._leaves, segments):
            if segment is not None:
                n, total = segment.counts(fieldname, text)
            else:  # not decoded yet: the segment's own term statistics
                n, total = sub.doc_frequency(fieldname, text), sub.frequency(fieldname, text)
            df, cf = df + n, cf + total
        return df, cf

    def _segments(self) -> list[SegmentPostings | None] | None:
        """Each segment's posting arrays (None for an empty one), or None while a large
        segment is not decoded yet; found once for this searcher when they all are."""
        if self._segment_arrays is None and self._arrays is not None:
            segments = [self._arrays.of(sub, self._segment_ids) for sub, _ in self._leaves]
            if not any(seg is None and sub.doc_count_all() for seg, (sub, _) in zip(segments, self._leaves)):
                self._segment_arrays = segments
        return self._segment_arrays

    def _decoded_arrays(self, fieldname: str, text: str) -> list[tuple[int, int, np.ndarray, np.ndarray]]:
        return [
            (i, offset, np.frombuffer(ids, np.uint32), np.frombuffer(weights, np.float32))
            for i, offset, ids, weights in self._postings(fieldname, text)
        ]

    def _live_in(self, i: int) -> np.ndarray | None:
        """Segment i's live documents as a mask, or None when it has no deletions."""
        if i not in self._live:
            sub = self._leaves[i][0]
            mask = None
            if sub.has_deletions():
                mask = np.ones(sub.doc_count_all(), bool)
                mask[np.fromiter(sub.deleted_docs_set, np.int64)] = False
            self._live[i] = mask
        return self._live[i]

    def prepare(self) -> None:
        """Decode every segment's posting arrays now, so that no question waits for them."""
        if self._arrays is not None:
            for sub, _ in self._leaves:
                self._arrays.of(sub, self._segment_ids, wait=True)

    def prepared(self) -> bool:
        """No large segment waits for prepare() (small ones are decoded when first read)."""
        return self._arrays is None or not any(self._arrays.waiting(sub) for sub, _ in self._leaves)

    def _postings(self, fieldname: str, text: str) -> list[tuple[int, int, array, array]]:
        """(segment number, first docnum, docnums, weights) blocks of one term, decoded.

        Decoding is most of the cost of a term. Common words recur across queries, so
        decoded lists are kept, compactly, for as long as this searcher lives (the index
        cannot change under it), up to a bounded number of postings.
        """
        key = (fieldname, text)
        blocks = cast("list[tuple[int, int, array, array]] | None", self._decoded.get(key))
        if blocks is not None:
            return blocks
        decoded = [
            (i, offset, array("I", ids), array("f", weights))
            for i, (sub, offset) in enumerate(self._leaves)
            for ids, weights in postings(sub, fieldname, text)
        ]
        self._decoded.put(key, decoded, sum(len(b[2]) for b in decoded))
        return decoded

    def _norm_array(self, i: int, fieldname: str) -> np.ndarray:
        """K1 * (1 - B + B * length / average length), per document of segment i."""
        key = (i, fieldname)
        norm = self._norm_arrays.get(key)
        if norm is None:
            avg = self.searcher.avg_field_length(fieldname) or 1
            k1, b_ = self.K1, self.B
            by_byte = np.array([k1 * ((1 - b_) + b_ * byte_to_length(n) / avg) for n in range(256)])
            lengths = np.frombuffer(_length_bytes(self._leaves[i][0], fieldname), np.uint8)
            norm = self._norm_arrays[key] = by_byte[lengths]
        return norm

    def _whoosh(self, query: q.Query) -> Scores:
        out: Scores = {}
        s = self.searcher
        context = s.context()
        for sub, offset in s.leaf_searchers():
            m = query.matcher(sub, context)
            while m.is_active():
                out[m.id() + offset] = m.score()
                m.next()
        return out


def _length_bytes(sub, fieldname: str) -> bytes:
    """One byte per document: Whoosh's compressed field length (0 when absent)."""
    count = sub.doc_count_all()
    column = sub._perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
    if column is None:
        return bytes(count)
    raw = column._dbfile.get(column._basepos, column._count)
    return raw + bytes(count - len(raw))
