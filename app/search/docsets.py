"""Which documents match a query, as a set, without scoring: for totals and facet counts.

Whoosh's own `docs_for_query` walks the matcher tree one document at a time in Python.
Our queries are trees of Term/And/Or/AndNot, so the same answer comes from posting lists
read a block at a time and combined with set operations, which run in C.
"""

from __future__ import annotations

from whoosh import query as q


def _leaves(reader):
    subs = reader.leaf_readers()
    return subs if subs else [(reader, 0)]


def _term_docs(reader, fieldname: str, text: str) -> set[int]:
    out: set[int] = set()
    for sub, offset in _leaves(reader):
        if (fieldname, text) not in sub:
            continue
        m = sub.postings(fieldname, text)
        ids: set[int] = set()
        if hasattr(m, "_read_ids"):  # a block posting list (whoosh 2.7 W3LeafMatcher)
            while not m._atend:
                if m._ids is None:
                    m._read_ids()
                ids.update(m._ids)
                m._next_block()
        else:  # short lists stored inline
            ids.update(m.all_ids())
        if sub.has_deletions():
            ids = {d for d in ids if not sub.is_deleted(d)}
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
