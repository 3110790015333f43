"""Writing what the pipeline compiled into the content store: a full build in one transaction,
emptied first, and an update's changes in another (the rows of the entries rendered again or
gone, and whatever else changed), with the deck fingerprint that study decks are cached by."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.content import store
from app.content.pipeline.catalog import Changes, ranked_names
from app.content.pipeline.compile import Compiled
from app.content.pipeline.links import link_key
from app.content.pipeline.model import Document, Problem
from app.content.pipeline.paths import StudyPath


def write_compiled(engine: Engine, c: Compiled) -> str:
    """Write a full build into the content store in one transaction, emptied first (it is
    derived; nothing else lives in it); returns the new build generation."""
    generation = uuid.uuid4().hex
    with store.session_scope(engine) as s, s.begin():
        for table in (
            store.Link,
            store.EntryTag,
            store.Alias,
            store.StudyCard,
            store.Entry,
            store.BuildProblem,
            store.Category,
            store.StudyPathRow,
        ):
            s.execute(delete(table))
        _write_categories(s, c.categories, c.category_descriptions)
        s.flush()
        docs = [c.docs[slug] for slug in sorted(c.rendered)]
        deck = _insert_entries(s, docs)
        _write_paths(s, c.paths)
        s.merge(store.Meta(key="generation", value=generation))  # readers cache by this value
        s.merge(store.Meta(key="deck", value=f"{deck % DECK_MODULUS:032x}"))
        s.merge(store.Meta(key="schema", value=store.SCHEMA))
        s.merge(store.Meta(key="folders", value=json.dumps(c.folders, sort_keys=True)))
        _insert_problems(s, [*c.problems, *store.unresolved_problems(s)])
    return generation


def write_changes(engine: Engine, c: Changes) -> tuple[str, int, int]:
    """Write what an update changed into the content store in one transaction: the rows of
    the entries rendered again or gone, and whatever else changed. Returns the new generation
    and how many resolved and unresolved links the store gained (or lost)."""
    generation = uuid.uuid4().hex
    rewrite = sorted({d.slug for d in c.docs} | c.removed)
    links = sum(1 for d in c.docs for link in d.links if link.slug is not None)
    unresolved = sum(1 for d in c.docs for link in d.links if link.slug is None)
    with store.session_scope(engine) as s, s.begin():
        row = s.get(store.Meta, "deck")
        deck = int(row.value, 16) if row and row.value else 0
        if c.categories is not None:
            _write_categories(s, c.categories, c.descriptions)
        for chunk in store.chunks(rewrite):
            old = s.execute(
                select(store.Entry.slug, store.Entry.deck_hash, store.Entry.source_path).where(
                    col(store.Entry.slug).in_(chunk)
                )
            ).all()
            deck -= sum(_deck_part(slug, deck_hash) for slug, deck_hash, _ in old)
            total, resolved = s.execute(
                select(func.count(), func.count(col(store.Link.target))).where(col(store.Link.source).in_(chunk))
            ).one()
            links, unresolved = links - resolved, unresolved - (total - resolved)
            # Their unresolved links are found again from what is written now.
            s.execute(
                delete(store.BuildProblem).where(
                    col(store.BuildProblem.kind) == "site",
                    col(store.BuildProblem.message).startswith(store.UNRESOLVED),
                    col(store.BuildProblem.path).in_([path for *_, path in old]),
                )
            )
            s.execute(delete(store.Link).where(col(store.Link.source).in_(chunk)))
            s.execute(delete(store.EntryTag).where(col(store.EntryTag.entry_slug).in_(chunk)))
            s.execute(delete(store.Alias).where(col(store.Alias.entry_slug).in_(chunk)))
            s.execute(delete(store.StudyCard).where(col(store.StudyCard.entry_slug).in_(chunk)))
            s.execute(delete(store.Entry).where(col(store.Entry.slug).in_(chunk)))
        s.flush()
        docs = sorted(c.docs, key=lambda d: d.slug)
        deck += _insert_entries(s, docs)
        if c.categories is not None:
            gone = set(s.execute(select(store.Category.slug)).scalars()) - set(c.categories)
            if gone:
                s.execute(delete(store.Category).where(col(store.Category.slug).in_(sorted(gone))))
        if c.paths is not None:
            _write_paths(s, c.paths)
        for chunk in store.chunks(sorted(c.reread)):
            s.execute(
                delete(store.BuildProblem).where(
                    col(store.BuildProblem.kind) == "file", col(store.BuildProblem.path).in_(chunk)
                )
            )
        problems = list(c.file_problems)
        if c.site_problems is not None:
            s.execute(
                delete(store.BuildProblem).where(
                    col(store.BuildProblem.kind) == "site",
                    ~col(store.BuildProblem.message).startswith(store.UNRESOLVED),
                )
            )
            problems += c.site_problems
        problems += [
            store.unresolved_problem(d.path, link.line, link.target)
            for d in docs
            for link in d.links
            if link.slug is None
        ]
        _insert_problems(s, problems)
        rewritten = set(rewrite)
        _restat(s, [r for r in c.restat if r[0] not in rewritten])
        s.merge(store.Meta(key="generation", value=generation))
        s.merge(store.Meta(key="deck", value=f"{deck % DECK_MODULUS:032x}"))
        if c.folders is not None:
            s.merge(store.Meta(key="folders", value=json.dumps(c.folders, sort_keys=True)))
    return generation, links, unresolved


def _restat(s: Session, restat: list[tuple[str, int, float, datetime]]) -> None:
    """Files touched but saying the same: their entries were updated then, and the next start
    need not read them again."""
    if restat:
        s.execute(
            update(store.Entry),
            [
                {"slug": slug, "file_size": size, "file_mtime": mtime, "updated": updated}
                for slug, size, mtime, updated in restat
            ],
        )


def _write_categories(s: Session, categories: dict[str, str], descriptions: dict[str, str]) -> None:
    existing = set(s.execute(select(store.Category.slug)).scalars())
    for slug, name in categories.items():
        desc = descriptions.get(slug, "")
        row = s.get(store.Category, slug) if slug in existing else None
        if row is None:
            s.add(store.Category(slug=slug, name=name, description=desc))
        elif (row.name, row.description) != (name, desc):
            row.name, row.description = name, desc
    s.flush()


def _write_paths(s: Session, paths: list[StudyPath]) -> None:
    """Study paths: a few small files, written whole."""
    s.execute(delete(store.StudyPathRow))
    s.add_all(
        store.StudyPathRow(slug=p.slug, title=p.title, description=p.summary, position=n, sections=path_sections(p))
        for n, p in enumerate(paths)
    )


def path_sections(p: StudyPath) -> list[dict[str, Any]]:
    return [{"title": x.title, "description": x.summary, "entries": x.entries} for x in p.sections]


def _insert_problems(s: Session, problems: list[Problem]) -> None:
    if problems:
        s.execute(
            insert(store.BuildProblem),
            [
                {"path": p.path, "line": p.line, "message": p.message, "severity": p.severity, "kind": p.kind}
                for p in problems
            ],
        )


def _insert_entries(s: Session, docs: list[Document]) -> int:
    """Insert the rows of these entries; returns their part of the deck fingerprint."""
    deck = 0
    for chunk in store.chunks(docs):
        entries: list[dict[str, Any]] = []
        tags: list[dict[str, Any]] = []
        cards: list[dict[str, Any]] = []
        aliases: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        for d in chunk:
            entries.append(
                {
                    "slug": d.slug,
                    "title": d.title,
                    "category": d.category,
                    "category_slug": d.category_slug,
                    "tags": d.tags,
                    "aliases": d.aliases,
                    "summary": d.summary,
                    "markdown": d.markdown,
                    "html": d.html,
                    "text": d.text,
                    "toc": d.toc,
                    "source_path": d.path,
                    "content_hash": d.content_hash,
                    "file_size": d.file_size,
                    "file_mtime": d.file_mtime,
                    "updated": d.updated,
                    "deck_hash": (deck_hash := _deck_hash(d)),
                }
            )
            deck += _deck_part(d.slug, deck_hash)
            tags += [{"entry_slug": d.slug, "tag": t} for t in dict.fromkeys(d.tags)]
            cards += [
                {
                    "entry_slug": d.slug,
                    "key": c.key,
                    "kind": c.kind,
                    "position": c.position,
                    "front_md": c.front_md,
                    "back_md": c.back_md,
                    "front_html": c.front_html,
                    "back_html": c.back_html,
                    "answers": c.answers,
                    "line": c.line,
                }
                for c in d.deck
            ]
            aliases += [{"key": k, "entry_slug": d.slug, "rank": r} for k, r in ranked_names(d).items()]
            links += [
                {
                    "source": d.slug,
                    "target": link.slug,
                    "target_text": link.target,
                    "target_key": link_key(link.target),
                    "anchor": link.anchor,
                    "line": link.line,
                }
                for link in d.links
            ]
        s.execute(insert(store.Entry), entries)
        tables = ((store.EntryTag, tags), (store.Alias, aliases), (store.Link, links), (store.StudyCard, cards))
        for table, rows in tables:
            if rows:
                s.execute(insert(table), rows)
    return deck


def _deck_hash(d: Document) -> str:
    """What a study deck takes from this entry; names included, since they decide where others'
    links lead."""
    parts = [d.slug, d.title, d.category_slug, *sorted(d.aliases), "\x00", *sorted(set(d.tags)), "\x00"]
    parts += [*sorted({link.slug for link in d.links if link.slug}), "\x00"]
    parts += [f"{c.key}\x01{c.kind}\x01{c.position}" for c in d.deck]
    return hashlib.blake2b("\x02".join(parts).encode(), digest_size=16).hexdigest()


# Study decks are cached by the deck fingerprint: most edits change text, not cards or links. It
# is a sum over entries, so an update adds and takes away the entries it rewrites, and agrees
# with a full build without reading every row.
DECK_MODULUS = 1 << 128


def _deck_part(slug: str, deck_hash: str) -> int:
    return int.from_bytes(hashlib.blake2b(f"{slug}\x00{deck_hash}".encode(), digest_size=16).digest(), "big")
