"""Which documents match a query, as a set, without scoring: for totals, facets and filters.

Whoosh's own `docs_for_query` walks the matcher tree one document at a time in Python.
Our queries are trees of Term/And/Or/AndNot, so the same answer comes from posting lists
read a block at a time and combined with set operations, which run in C.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from whoosh import query as q
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound


def leaves(reader) -> list:
    """(segment reader, first docnum) pairs."""
    return list(reader.leaf_readers()) or [(reader, 0)]


def postings(sub, fieldname: str, text: str) -> Iterator[tuple[Sequence[int], Sequence[float]]]:
    """A term's live postings in one segment, as (docnums, weights) a block at a time."""
    try:
        m = sub.postings(fieldname, text)
    except TermNotFound:  # one look-up in the term table, not two
        return
    deleted = None
    if isinstance(m, FilterMatcher):  # the segment has deletions; filter whole blocks below
        deleted, m = sub.deleted_docs_set, m.child
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


def _term_docs(reader, fieldname: str, text: str) -> set[int]:
    out: set[int] = set()
    for sub, offset in leaves(reader):
        for ids, _ in postings(sub, fieldname, text):
            out.update(ids if not offset else (i + offset for i in ids))
    return out


def docset(searcher, query: q.Query) -> set[int]:
    reader = searcher.reader()
    if isinstance(query, q.Term):
        return _term_docs(reader, query.fieldname, query.text)
    if isinstance(query, q.Or):
        out: set[int] = set()
        for sub in query.subqueries:
            out |= docset(searcher, sub)
        return out
    if isinstance(query, q.And):
        subs = sorted(query.subqueries, key=lambda s: s.estimate_size(reader))
        out = docset(searcher, subs[0]) if subs else set()
        for sub in subs[1:]:
            if not out:
                break
            out &= docset(searcher, sub)
        return out
    if isinstance(query, q.AndNot):
        return docset(searcher, query.a) - docset(searcher, query.b)
    return set(searcher.docs_for_query(query))  # phrases, Every: rare, fine to walk
