"""A term's posting lists, read a block at a time rather than a posting at a time.

Whoosh's matchers step through postings one Python call at a time; the blocks they decode
hold the same document numbers and weights as plain sequences, ready for comprehensions.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound


def leaves(reader) -> list:
    """(segment reader, first docnum) pairs."""
    return list(reader.leaf_readers()) or [(reader, 0)]


def postings(sub, fieldname: str, text: str, live_only: bool = True) -> Iterator[tuple[Sequence[int], Sequence[float]]]:
    """A term's postings in one segment, as (docnums, weights) a block at a time: of live
    documents only, or of deleted ones too (for a caller that applies deletions itself)."""
    try:
        m = sub.postings(fieldname, text)
    except TermNotFound:  # one look-up in the term table, not two
        return
    deleted = None
    if isinstance(m, FilterMatcher):  # the segment has deletions; filter whole blocks below
        deleted, m = sub.deleted_docs_set, m.child
        if not live_only:  # the filter has moved its child past the deleted documents it began with
            deleted = None
            m.reset()
    if hasattr(m, "_read_ids"):  # a block posting list (whoosh-reloaded 2.7.5 W3LeafMatcher)
        blocks = _blocks(m)
    else:  # a short list stored inline in the term dictionary
        blocks = iter([_walk(m)])
    for ids, weights in blocks:
        if deleted:
            kept = [(d, w) for d, w in zip(ids, weights) if d not in deleted]
            ids, weights = [d for d, _ in kept], [w for _, w in kept]
        yield ids, weights


def _blocks(m) -> Iterator[tuple[Sequence[int], Sequence[float]]]:
    while not m._atend:
        if m._ids is None:
            m._read_ids()
        if m._weights is None:
            m._read_weights()
        yield m._ids, m._weights
        m._next_block()


def _walk(m) -> tuple[list[int], list[float]]:
    ids, weights = [], []
    while m.is_active():
        ids.append(m.id())
        weights.append(m.weight())
        m.next()
    return ids, weights
