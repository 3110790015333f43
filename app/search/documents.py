"""What the index holds for an entry, including what other entries say where they link to it.

Authors explain a concept in passing where they link to it ("use [[dropout]] layers, which
randomly switch off units during training"), often in the words a learner would use to
describe it; web search has used the text around links the same way for decades. Those
sentences are indexed with the entry they describe (the `context` field), so an edit to one
entry also rewrites the few entries whose sentences it changed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from app.search.postings import leaves
from app.search.schema import name_keys, title_key
from app.urls import tag_slug

SENTENCE_CHARS = 300  # a link inside a run-on line or a table row still gives a sentence, not a page
LEAD_CHARS = 800
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")

Cite = tuple[str, str]  # (slug of the other entry, sentence)


@dataclass
class Links:
    """Link sentences for one write: those of the entries written and of the entries whose
    context the write changes (`others`: stored fields of entries not otherwise written)."""

    cites: dict[str, list[Cite]] = field(default_factory=dict)  # source -> (target, sentence)
    cited: dict[str, list[Cite]] = field(default_factory=dict)  # target -> (source, sentence)
    others: list[dict] = field(default_factory=list)


def outgoing(doc: Any) -> list[Cite]:
    """(linked slug, the sentence holding the link), for each link of doc to another entry."""
    lines = (getattr(doc, "markdown", "") or "").split("\n")
    first = getattr(doc, "body_line", 1)
    out: dict[Cite, None] = {}
    for link in getattr(doc, "links", ()):
        if link.slug and link.slug != doc.slug:
            sentence = _sentence(lines, link.line - first, link.target)
            if sentence:
                out[(link.slug, sentence)] = None
    return list(out)


def _sentence(lines: list[str], i: int, target: str) -> str:
    # A link's line is where its paragraph starts; the link may sit on a later line of it.
    needle = target.casefold()
    while 0 <= i < len(lines) and lines[i].strip():
        for sentence in _SENTENCE_END.split(lines[i]):
            if needle in sentence.casefold():
                return sentence.strip()[:SENTENCE_CHARS]
        i += 1
    return ""


def everything(docs: list) -> Links:
    """Links of a whole collection, for a full build."""
    links = Links(cites={d.slug: outgoing(d) for d in docs})
    for source, cites in links.cites.items():
        for target, sentence in cites:
            links.cited.setdefault(target, []).append((source, sentence))
    return links


def changes(searcher: Any, docs: list, deleted: list[str]) -> Links:
    """Links for writing docs and deleting `deleted` on an index read through searcher."""
    links = Links(cites={d.slug: outgoing(d) for d in docs})
    sources = set(links.cites) | set(deleted)
    before = _Before(searcher)
    touched: set[str] = set()
    for slug in sources:
        old, new = before.links("cites", slug), links.cites.get(slug, [])
        # Only targets whose sentences from this source changed: renaming an entry changes
        # one link of each entry linking to it, not what they say of every other entry.
        touched |= {t for t, _ in set(old) ^ set(new)}
    for target in touched - sources:
        fields = before.stored(target)
        if fields is not None:  # a link to an entry being deleted rewrites nothing
            links.others.append(fields)
            links.cites[target] = before.links("cites", target)
    for target in links.cites:  # every entry written: its own, and those it rewrites
        kept = [c for c in before.links("cited", target) if c[0] not in sources]
        new = [(s, sentence) for s in sorted(sources) for t, sentence in links.cites.get(s, ()) if t == target]
        links.cited[target] = kept + new
    return links


class _Before:
    """The index as it was before a change: an entry's stored fields and link columns."""

    def __init__(self, searcher: Any):
        self.searcher = searcher
        self.leaves = leaves(searcher.reader())
        self.columns: dict[tuple[str, int], Any] = {}

    def stored(self, slug: str) -> dict | None:
        docnum = self.searcher.document_number(slug=slug)
        return None if docnum is None else self.searcher.stored_fields(docnum)

    def links(self, name: str, slug: str) -> list[Cite]:
        docnum = self.searcher.document_number(slug=slug)
        if docnum is None:
            return []
        # Read a segment's column, not the whole index's: Whoosh's multi-segment column
        # reader leaves out segments without the column and would misplace the documents.
        for i, (sub, offset) in enumerate(self.leaves):
            if offset <= docnum < offset + sub.doc_count_all():
                if (name, i) not in self.columns:
                    self.columns[(name, i)] = sub.column_reader(name, translate=True)
                return unpack(self.columns[(name, i)][docnum - offset])
        return []


def pack(cites: list[Cite]) -> bytes:
    return json.dumps(cites, ensure_ascii=False).encode() if cites else b""


def unpack(raw: bytes) -> list[Cite]:
    return [(a, b) for a, b in json.loads(raw)] if raw else []


def fields(doc: Any, links: Links) -> dict[str, Any]:
    """Keyword arguments for the writer: one entry's document."""
    names = [doc.title, *doc.aliases, doc.slug]
    cited = links.cited.get(doc.slug, [])
    return {
        "slug": doc.slug,
        "title": doc.title,
        "aliases": " | ".join(doc.aliases),
        "body": doc.text,
        "prose": prose(doc),
        "category": doc.category_slug,
        "tags": ",".join(doc.tags),
        "tag_slugs": ",".join(tag_slug(t) for t in doc.tags),
        "exact": ",".join(sorted({k for n in names for k in name_keys(n)})),
        "summary": doc.summary,
        "lead": lead(doc.text, doc.summary),
        "context": "\n".join(sentence for _, sentence in cited),
        "cites": pack(links.cites.get(doc.slug, [])),
        "cited": pack(cited),
        "title_key": title_key(doc.title, doc.slug),
    }


def prose(doc: Any) -> str:
    """The entry's readable text (app/content/pipeline/readable.py); an entry made without
    one, as tests and tools make them, has only its plain text to show."""
    readable = getattr(doc, "prose", None)
    return doc.text if readable is None else readable


def lead(text: str, summary: str) -> str:
    """The opening paragraph, which says what the entry is: a description is likeliest to
    match it. Nothing when the summary was cut from it (an entry that gives none): those
    words would count twice, and cost a second analysis of them in every build."""
    opening = " ".join(text.split("\n", 1)[0][:LEAD_CHARS].split())
    start = summary.removesuffix("…").strip()
    return "" if start and opening.startswith(start) else opening


def from_stored(stored: dict) -> SimpleNamespace:
    """An entry as update() takes it, from its stored fields: to write it again."""
    return SimpleNamespace(
        slug=stored["slug"],
        title=stored["title"],
        aliases=[a for a in (stored.get("aliases") or "").split(" | ") if a],
        text=stored.get("body", ""),
        prose=stored.get("prose"),
        category_slug=stored.get("category", ""),
        tags=[t for t in (stored.get("tags") or "").split(",") if t],
        summary=stored.get("summary", ""),
    )
