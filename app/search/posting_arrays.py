"""Every posting of a segment's searched text fields, decoded once into two arrays.

A question reads six fields for each of its words, mostly words no earlier query read, and
Whoosh decodes each term's postings through a term look-up, a matcher and an unpickled,
unzipped block: a fixed cost per term and field that made a long question several times a
name's. A whole segment decodes in about 0.15 ms per entry (1.5 s at 10,000) into about
8 bytes per posting (11 MB at 10,000), after which a term's postings are two array slices.

Segments never change once written, except that documents in them may be deleted: so a
segment is decoded once, deleted documents included, and kept by segment id for as long
as it is live; deletions are applied when it is read. An edit adds a small segment, which
is all that is decoded anew.
"""

from __future__ import annotations

import sys
import threading
from array import array
from collections.abc import Callable

import numpy as np

from app.search.postings import postings

NOT_FOUND = (np.zeros(0, np.uint32), np.zeros(0, np.float32))
DECODE_AT_ONCE = 2000  # documents: a segment this small is decoded by the request that needs it (0.3 s)


class SegmentPostings:
    """One segment's postings for some fields: term -> (docnums within the segment, weights)."""

    def __init__(self, sub, fields: tuple[str, ...]):
        docs, weights = array("I"), array("f")
        bounds = array("q", [0])
        self._where: dict[str, dict[str, int]] = {}
        for fieldname in fields:
            if fieldname not in sub.schema:
                continue
            where = self._where[fieldname] = {}
            for text in sub.lexicon(fieldname):
                term = text.decode() if isinstance(text, bytes) else text
                for ids, ws in postings(sub, fieldname, term, live_only=False):
                    docs.extend(ids)
                    weights.extend(ws)
                where[term] = len(bounds) - 1
                bounds.append(len(docs))
        self.docs = np.frombuffer(docs, np.uint32) if docs else NOT_FOUND[0]
        self.weights = np.frombuffer(weights, np.float32) if weights else NOT_FOUND[1]
        self._bounds = np.frombuffer(bounds, np.int64)

    def __call__(self, fieldname: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, weights) of a term, deleted documents included; empty when absent."""
        k = self._where.get(fieldname, {}).get(term)
        if k is None:
            return NOT_FOUND
        start, stop = self._bounds[k], self._bounds[k + 1]
        return self.docs[start:stop], self.weights[start:stop]

    def nbytes(self) -> int:
        """Memory held: the arrays and the term tables."""
        tables = sum(sys.getsizeof(w) + sum(map(sys.getsizeof, w)) for w in self._where.values())
        return self.docs.nbytes + self.weights.nbytes + self._bounds.nbytes + tables

    def counts(self, fieldname: str, term: str) -> tuple[int, float]:
        """(documents, total weight) of a term in this segment, deleted documents included,
        as Whoosh's own term statistics count them."""
        docs, weights = self(fieldname, term)
        return len(docs), float(weights.sum(dtype=np.float64))


class PostingArrays:
    """SegmentPostings by segment id, kept while the segment is live; shared by every
    searcher of one index.

    A segment is decoded on first use when small (an edit's); a large one only when asked
    to wait (a server prepares them once it has built, or a thread does when a reader
    finds one that nobody prepared, after another process built in full), and until then
    its readers use Whoosh's own postings: no request waits a second or more for it.
    """

    def __init__(self, fields: tuple[str, ...], wanted: Callable[[], None] = lambda: None):
        """wanted: called when a reader finds a large segment not decoded (to prepare them)."""
        self.fields = fields
        self._kept: dict[str, SegmentPostings] = {}
        self._lock = threading.Lock()
        self._decoding: dict[str, threading.Lock] = {}  # segment id -> held while it is decoded
        self._wanted = wanted

    def of(self, sub, live: frozenset[str], wait: bool = False) -> SegmentPostings | None:
        """sub's postings, or None for a large segment not decoded yet (and an empty index);
        wait: decode it now, however large. live: the ids of the asking searcher's segments;
        segments not among them (merged away, or replaced by a full build) are forgotten
        when a new one is kept."""
        segment = sub.segment()
        if segment is None:
            return None
        sid = segment.segment_id()
        found = self._kept.get(sid)
        if found is not None:
            return found
        if not wait and sub.doc_count_all() > DECODE_AT_ONCE:
            self._wanted()
            return None
        with self._lock:
            decoding = self._decoding.setdefault(sid, threading.Lock())
        with decoding:  # one decoding of a segment, however many ask; others go on
            found = self._kept.get(sid)
            if found is None:
                found = SegmentPostings(sub, self.fields)
                with self._lock:
                    kept = {k: v for k, v in self._kept.items() if k in live}
                    kept[sid] = found
                    self._kept = kept  # replaced whole: readers never see it half changed
                    self._decoding = {k: v for k, v in self._decoding.items() if k in live or k == sid}
        return found

    def waiting(self, sub) -> bool:
        """sub is a large segment not decoded yet: only prepare() will decode it."""
        segment = sub.segment()
        return segment is not None and sub.doc_count_all() > DECODE_AT_ONCE and segment.segment_id() not in self._kept

    def nbytes(self) -> int:
        return sum(p.nbytes() for p in self._kept.values())

    def segment_ids(self) -> set[str]:
        """The segments decoded so far."""
        return set(self._kept)
