"""Store what the pipeline compiled in the content store and the search index, incrementally."""

from __future__ import annotations

import fcntl
import gc
import hashlib
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.content import store
from app.content.pipeline.compile import Compiled, compile_content, without_body
from app.content.pipeline.links import Resolver
from app.content.pipeline.load import ignored_files
from app.content.pipeline.model import Document, Problem
from app.names import name_key
from app.search import SearchIndex

log = logging.getLogger(__name__)


@dataclass
class BuildReport:
    entries: int = 0
    categories: int = 0
    links: int = 0
    unresolved: int = 0
    files_with_errors: int = 0
    changed: int = 0
    removed: int = 0
    seconds: float = 0.0
    full: bool = False
    problems: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        kind = "full build" if self.full else "update"
        return (
            f"{kind}: {self.entries} entries, {self.categories} categories, {self.links} links, "
            f"{self.unresolved} unresolved links, {self.files_with_errors} files with errors "
            f"({self.changed} rendered, {self.removed} removed, {self.seconds:.2f} s)"
        )


@contextmanager
def cross_process_lock(data_dir: Path) -> Iterator[None]:
    """Processes sharing a data folder (uvicorn workers, a CLI build) build or (re)create the
    index one at a time; the others wait, then find the work done."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / ".build.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class LastBuild:
    """What the last build in this process left, so that a rebuild after an edit need not
    read 10,000 rows back from the store."""

    docs_by_path: dict[str, Document]  # body-less, but for the entries just rendered
    resolver: Resolver


class Builder:
    def __init__(self, content_dir: Path, data_dir: Path, engine: Engine, index: SearchIndex):
        self.content_dir = content_dir
        self.data_dir = data_dir
        self.engine = engine
        self.index = index
        self._thread_lock = threading.Lock()  # one build at a time in this process
        self.marker = data_dir / ".building"
        self.signal = data_dir / ".generation"
        self._last: LastBuild | None = None
        self._finished = threading.Condition()
        self.builds_finished = 0

    def build(self, full: bool = False, progress: Callable[[int, int], None] | None = None) -> BuildReport:
        with self._thread_lock, cross_process_lock(self.data_dir):
            report = self._build(full, progress)
        with self._finished:
            self.builds_finished += 1
            self._finished.notify_all()
        return report

    def wait_until(self, condition: Callable[[], bool], timeout: float) -> bool:
        """Wait until condition() holds, testing it again after every finished build
        (for tests and tools that make a change and wait for it to be served)."""
        deadline = time.monotonic() + timeout
        with self._finished:
            while not condition():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._finished.wait(left)
        return True

    def _build(self, full: bool, progress: Callable[[int, int], None] | None) -> BuildReport:
        started = time.perf_counter()
        # A leftover marker means a build died half-way: store and index may disagree.
        if self.marker.exists():
            log.warning("previous build did not finish; rebuilding from content")
            full = True
        elif self.index.was_rebuilt:
            full = True
        elif not full and self.index.doc_count() != self._entry_count():
            log.warning("search index and store disagree; rebuilding both from content")
            full = True
        elif not full and self._stored_schema() != store.SCHEMA:
            log.info("content store is of another version; rebuilding it from content")
            full = True
        starts_afresh = full or self._last is None  # this build's objects will live long
        known: dict[str, Document] = {}
        resolver = None
        if self._last is not None and not full:
            known, resolver = self._last.docs_by_path, self._last.resolver
        elif not full:
            known = self._known()
        self._last = None  # until this build has written everything
        compiled = compile_content(self.content_dir, known, links_to=self._links_to,
                                   progress=progress, old_resolver=resolver)
        self.marker.write_text(datetime.now(timezone.utc).isoformat())
        store.signal_generation(self.signal, write_compiled(self.engine, compiled, full))
        if full:
            self.index.update(compiled.docs.values(), fresh=True)
        else:
            self.index.update((compiled.docs[s] for s in sorted(compiled.rendered)),
                              deleted=compiled.removed)
        self.index.was_rebuilt = False
        self.marker.unlink(missing_ok=True)
        self._last = LastBuild(
            {d.path: without_body(d) if d.markdown else d for d in compiled.docs.values()},
            compiled.resolver,
        )
        if starts_afresh:
            # Tens of thousands of objects just became long-lived. Collect now, inside
            # a slow build, and set the survivors aside (gc.freeze), so that the
            # collector does not walk them all again during an edit that should take ms.
            # What the last such build set aside is looked at again first (unfreeze),
            # so nothing stays uncollected for longer than one full build.
            gc.unfreeze()
            gc.collect()
            gc.freeze()
        report = stored_report(self.engine, changed=len(compiled.rendered),
                               removed=len(compiled.removed), full=full)
        report.seconds = time.perf_counter() - started
        log.info("%s; parse %.2f s, render %.2f s", report.summary(),
                 compiled.stats.get("parse_s", 0.0), compiled.stats.get("render_s", 0.0))
        return report

    # -- reading what the last build stored --------------------------------------------
    def _stored_schema(self) -> str | None:
        with store.session_scope(self.engine) as s:
            row = s.get(store.Meta, "schema")
            return row.value if row else None

    def _entry_count(self) -> int:
        with store.session_scope(self.engine) as s:
            return store.counts(s).entries

    def _known(self) -> dict[str, Document]:
        e = store.Entry
        cols: list[Any] = [e.slug, e.title, e.category, e.category_slug, e.tags, e.aliases, e.summary,
                e.source_path, e.content_hash, e.file_size, e.file_mtime, e.updated]
        known = {}
        with store.session_scope(self.engine) as s:
            for row in s.execute(select(*cols)):
                known[row.source_path] = Document(
                    path=row.source_path, content_hash=row.content_hash, updated=row.updated,
                    file_size=row.file_size, file_mtime=row.file_mtime,
                    slug=row.slug, title=row.title, category=row.category,
                    category_slug=row.category_slug, tags=list(row.tags),
                    aliases=list(row.aliases), summary=row.summary,
                )
        return known

    def _links_to(self, keys: set[str]) -> set[str]:
        found: set[str] = set()
        with store.session_scope(self.engine) as s:
            for chunk in store.chunks(sorted(keys)):
                rows = s.execute(
                    select(store.Link.source).where(col(store.Link.target_key).in_(chunk)).distinct()
                )
                found.update(r[0] for r in rows)
        return found


# -- writing ------------------------------------------------------------------------------
def write_compiled(engine: Engine, c: Compiled, full: bool) -> str:
    """Write one compiled build into the content store in one transaction; returns the new
    build generation.

    full: the store is emptied first (it is derived; nothing else lives in it).
    """
    generation = uuid.uuid4().hex
    rewrite = set(c.rendered) | set(c.removed)
    with store.session_scope(engine) as s, s.begin():
        if full:
            for table in (store.Link, store.EntryTag, store.Alias, store.StudyCard, store.Entry,
                          store.BuildProblem, store.Category, store.StudyPathRow):
                s.execute(delete(table))
        else:
            for chunk in store.chunks(sorted(rewrite)):
                s.execute(delete(store.Link).where(col(store.Link.source).in_(chunk)))
                s.execute(delete(store.EntryTag).where(col(store.EntryTag.entry_slug).in_(chunk)))
                s.execute(delete(store.Alias).where(col(store.Alias.entry_slug).in_(chunk)))
                s.execute(delete(store.StudyCard).where(col(store.StudyCard.entry_slug).in_(chunk)))
                s.execute(delete(store.Entry).where(col(store.Entry.slug).in_(chunk)))
        existing = {r[0]: r[1] for r in s.execute(select(store.Category.slug, store.Category.name))}
        for slug, name in c.categories.items():
            desc = c.category_descriptions.get(slug, "")
            row = s.get(store.Category, slug) if slug in existing else None
            if row is None:
                s.add(store.Category(slug=slug, name=name, description=desc))
            else:
                row.name, row.description = name, desc
        s.flush()
        _insert_entries(s, [c.docs[slug] for slug in sorted(c.rendered)])
        gone = set(existing) - set(c.categories)
        if gone:
            s.execute(delete(store.Category).where(col(store.Category.slug).in_(sorted(gone))))
        # Paths are read afresh by every build: a few small files, checked against today's names.
        s.execute(delete(store.StudyPathRow))
        s.add_all(
            store.StudyPathRow(
                slug=p.slug, title=p.title, description=p.summary, position=n,
                sections=[{"title": x.title, "description": x.summary, "entries": x.entries} for x in p.sections],
            )
            for n, p in enumerate(c.paths)
        )
        # Site problems are found afresh by every build; a file's own problems stay
        # until the file is read again.
        s.execute(delete(store.BuildProblem).where(col(store.BuildProblem.kind) == "site"))
        with_problems = s.execute(select(store.BuildProblem.path).distinct()).scalars()
        for chunk in store.chunks(sorted(set(with_problems) - c.kept_problem_paths)):
            s.execute(delete(store.BuildProblem).where(col(store.BuildProblem.path).in_(chunk)))
        # Readers cache by this value; any build that writes changes it.
        s.merge(store.Meta(key="generation", value=generation))
        # Study decks are cached by this one: most edits change text, not cards or links.
        deck = hashlib.blake2b(digest_size=16)
        for slug, deck_hash in s.execute(select(store.Entry.slug, store.Entry.deck_hash).order_by(store.Entry.slug)):
            deck.update(f"{slug}\x00{deck_hash}\x00".encode())
        s.merge(store.Meta(key="deck", value=deck.hexdigest()))
        s.merge(store.Meta(key="schema", value=store.SCHEMA))
        problems = [*c.problems, *store.unresolved_problems(s)]
        if problems:
            s.execute(insert(store.BuildProblem), [
                {"path": p.path, "line": p.line, "message": p.message,
                 "severity": p.severity, "kind": p.kind} for p in problems
            ])
    return generation


def _insert_entries(s: Session, docs: list[Document]) -> None:
    for chunk in store.chunks(docs):
        entries: list[dict[str, Any]] = []
        tags: list[dict[str, Any]] = []
        cards: list[dict[str, Any]] = []
        aliases: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        for d in chunk:
            entries.append({
                "slug": d.slug, "title": d.title, "category": d.category,
                "category_slug": d.category_slug, "tags": d.tags, "aliases": d.aliases,
                "summary": d.summary, "markdown": d.markdown, "html": d.html,
                "text": d.text, "toc": d.toc, "source_path": d.path,
                "content_hash": d.content_hash, "file_size": d.file_size, "file_mtime": d.file_mtime,
                "updated": d.updated, "deck_hash": _deck_hash(d),
            })
            tags += [{"entry_slug": d.slug, "tag": t} for t in dict.fromkeys(d.tags)]
            cards += [{"entry_slug": d.slug, "key": c.key, "kind": c.kind, "position": c.position,
                       "front_md": c.front_md, "back_md": c.back_md, "front_html": c.front_html,
                       "back_html": c.back_html, "answers": c.answers, "line": c.line} for c in d.deck]
            names = {name_key(d.slug): 0}
            names.setdefault(name_key(d.title), 1)
            for a in d.aliases:
                names.setdefault(name_key(a), 2)
            aliases += [{"key": k, "entry_slug": d.slug, "rank": r} for k, r in names.items() if k]
            links += [{
                "source": d.slug, "target": link.slug, "target_text": link.target,
                "target_key": name_key(link.target), "anchor": link.anchor, "line": link.line,
            } for link in d.links]
        s.execute(insert(store.Entry), entries)
        tables = ((store.EntryTag, tags), (store.Alias, aliases), (store.Link, links), (store.StudyCard, cards))
        for table, rows in tables:
            if rows:
                s.execute(insert(table), rows)


def _deck_hash(d: Document) -> str:
    """What a study deck takes from this entry; names included, since they decide where others'
    links lead."""
    parts = [d.slug, d.title, d.category_slug, *sorted(d.aliases), "\x00", *sorted(set(d.tags)), "\x00"]
    parts += sorted({link.slug for link in d.links if link.slug}) + ["\x00"]
    parts += [f"{c.key}\x01{c.kind}\x01{c.position}" for c in d.deck]
    return hashlib.blake2b("\x02".join(parts).encode(), digest_size=16).hexdigest()


def stored_report(engine: Engine, changed: int = 0, removed: int = 0, full: bool = False) -> BuildReport:
    """The report of what the store now holds, with the problems of its latest build."""
    with store.session_scope(engine) as s:
        counts = store.counts(s)
        problems = store.stored_problems(s)
    return BuildReport(
        entries=counts.entries, categories=counts.categories, links=counts.links,
        unresolved=counts.unresolved,
        files_with_errors=len({p.path for p in problems if p.severity == "error"}),
        changed=changed, removed=removed, full=full, problems=problems,
    )


def check_content(content_dir: Path) -> tuple[BuildReport, Compiled]:
    """What a build of content_dir would report, written nowhere but memory (`glossa check`),
    and what the pipeline made of it."""
    engine = store.make_engine("sqlite://")
    store.create_tables(engine)
    compiled = compile_content(content_dir)
    write_compiled(engine, compiled, full=True)
    report = stored_report(engine, changed=len(compiled.rendered), full=True)
    engine.dispose()
    report.problems += [
        Problem(rel, 1, "ignored: not an entry (.md), a _category.yml or a study path (_paths/*.yml)", "warning")
        for rel in ignored_files(content_dir)
    ]
    return report, compiled
