"""Persist what the pipeline compiled into the store and the search index, incrementally."""

from __future__ import annotations

import fcntl
import gc
import logging
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Engine

from app import store
from app.config import Settings
from app.pipeline.compile import Compiled, compile_content, light
from app.pipeline.links import link_key
from app.pipeline.model import Document, Problem
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
def exclusive(settings: Settings):
    """Across processes (uvicorn workers sharing a data folder), one may build or
    (re)create the index at a time; the others wait, then find the work done."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.data_dir / ".build.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Builder:
    def __init__(self, settings: Settings, engine: Engine, index: SearchIndex):
        self.settings = settings
        self.engine = engine
        self.index = index
        self.lock = threading.Lock()  # one build at a time per process
        self.marker = settings.data_dir / ".building"
        # What the last build in this process left, so a watch-triggered rebuild need not
        # read 10,000 rows back from the store: (path -> light Document, resolver).
        self._memory: tuple[dict[str, Document], object] | None = None

    @contextmanager
    def _exclusive(self):
        with self.lock, exclusive(self.settings):
            yield

    def build(self, full: bool = False, progress: Callable[[int, int], None] | None = None) -> BuildReport:
        with self._exclusive():
            started = time.perf_counter()
            # A leftover marker means a build died half-way: store and index may disagree.
            if self.marker.exists() or self.index.was_rebuilt:
                if self.marker.exists():
                    log.warning("previous build did not finish; rebuilding from content")
                full = True
            if not full and self.index.doc_count() != self._entry_count():
                log.warning("search index and store disagree; rebuilding both from content")
                full = True
            settled = full or self._memory is None  # this build fills memory anew
            if full:
                known, resolver = {}, None
            elif self._memory is not None:
                known, resolver = self._memory
            else:
                known, resolver = self._known(), None
            self._memory = None  # until this build has written everything
            compiled = compile_content(
                self.settings.content_dir, known, links_to=self._links_to, progress=progress,
                old_resolver=resolver,
            )
            self.marker.write_text(datetime.now(timezone.utc).isoformat())
            self._write_store(compiled, full)
            if full:
                self.index.update(compiled.docs.values(), fresh=True)
            else:
                self.index.update(
                    (compiled.docs[s] for s in sorted(compiled.rendered)), deleted=compiled.removed
                )
            self.index.was_rebuilt = False
            self.marker.unlink(missing_ok=True)
            self._memory = (
                {d.path: light(d) if d.markdown else d for d in compiled.docs.values()},
                compiled.resolver,
            )
            if settled:
                # Tens of thousands of objects just became long-lived. Collect now, inside
                # a slow build, and set the survivors aside (gc.freeze), so that the
                # collector does not walk them all again during an edit that should take ms.
                # What the last such build set aside is looked at again first (unfreeze),
                # so nothing stays uncollected for longer than one full build.
                gc.unfreeze()
                gc.collect()
                gc.freeze()
            report = self._report(compiled, full)
            report.seconds = time.perf_counter() - started
            log.info("%s; parse %.2f s, render %.2f s", report.summary(),
                     compiled.stats.get("parse_s", 0.0), compiled.stats.get("render_s", 0.0))
            return report

    # -- reading what the last build stored --------------------------------------------
    def _entry_count(self) -> int:
        with store.session_scope(self.engine) as s:
            return s.execute(select(func.count()).select_from(store.Entry)).scalar_one()

    def _known(self) -> dict[str, Document]:
        e = store.Entry
        cols = [e.slug, e.title, e.category, e.category_slug, e.tags, e.aliases, e.summary,
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
                    select(store.Link.source).where(store.Link.target_key.in_(chunk)).distinct()
                )
                found.update(r[0] for r in rows)
        return found

    # -- writing --------------------------------------------------------------------------
    def _write_store(self, c: Compiled, full: bool) -> None:
        rewrite = set(c.rendered) | set(c.removed)
        with store.session_scope(self.engine) as s, s.begin():
            if full:
                for table in (store.Link, store.EntryTag, store.Alias, store.Entry,
                              store.Problem, store.Category):
                    s.execute(delete(table))
            else:
                for chunk in store.chunks(sorted(rewrite)):
                    s.execute(delete(store.Link).where(store.Link.source.in_(chunk)))
                    s.execute(delete(store.EntryTag).where(store.EntryTag.entry_slug.in_(chunk)))
                    s.execute(delete(store.Alias).where(store.Alias.entry_slug.in_(chunk)))
                    s.execute(delete(store.Entry).where(store.Entry.slug.in_(chunk)))
            existing = {r[0]: r[1] for r in s.execute(select(store.Category.slug, store.Category.name))}
            for slug, name in c.categories.items():
                desc = c.category_descriptions.get(slug, "")
                if slug not in existing:
                    s.add(store.Category(slug=slug, name=name, description=desc))
                else:
                    row = s.get(store.Category, slug)
                    row.name, row.description = name, desc
            s.flush()
            self._insert_entries(s, [c.docs[slug] for slug in sorted(c.rendered)])
            gone = set(existing) - set(c.categories)
            if gone:
                s.execute(delete(store.Category).where(store.Category.slug.in_(sorted(gone))))
            # Site problems are found afresh by every build; a file's own problems stay
            # until the file is read again.
            s.execute(delete(store.Problem).where(store.Problem.kind == "site"))
            with_problems = s.execute(select(store.Problem.path).distinct()).scalars()
            for chunk in store.chunks(sorted(set(with_problems) - c.kept_problem_paths)):
                s.execute(delete(store.Problem).where(store.Problem.path.in_(chunk)))
            # Readers cache by this value; any build that writes changes it.
            s.merge(store.Meta(key="generation", value=uuid.uuid4().hex))
            problems = [p for p in c.problems]
            problems += self._unresolved(s)
            if problems:
                s.execute(insert(store.Problem), [
                    {"path": p.path, "line": p.line, "message": p.message,
                     "severity": p.severity, "kind": p.kind} for p in problems
                ])

    def _insert_entries(self, s, docs: list[Document]) -> None:
        for chunk in store.chunks(docs):
            entries, tags, aliases, links = [], [], [], []
            for d in chunk:
                entries.append({
                    "slug": d.slug, "title": d.title, "category": d.category,
                    "category_slug": d.category_slug, "tags": d.tags, "aliases": d.aliases,
                    "summary": d.summary, "markdown": d.markdown, "html": d.html,
                    "text": d.text, "toc": d.toc, "source_path": d.path,
                    "content_hash": d.content_hash, "file_size": d.file_size, "file_mtime": d.file_mtime,
                    "updated": d.updated,
                })
                tags += [{"entry_slug": d.slug, "tag": t} for t in dict.fromkeys(d.tags)]
                names = {link_key(d.slug): 0}
                names.setdefault(link_key(d.title), 1)
                for a in d.aliases:
                    names.setdefault(link_key(a), 2)
                aliases += [{"key": k, "entry_slug": d.slug, "rank": r} for k, r in names.items() if k]
                links += [{
                    "source": d.slug, "target": link.slug, "target_text": link.target,
                    "target_key": link_key(link.target), "anchor": link.anchor, "line": link.line,
                } for link in d.links]
            s.execute(insert(store.Entry), entries)
            for table, rows in ((store.EntryTag, tags), (store.Alias, aliases), (store.Link, links)):
                if rows:
                    s.execute(insert(table), rows)

    def _unresolved(self, s) -> list[Problem]:
        rows = s.execute(
            select(store.Entry.source_path, store.Link.line, store.Link.target_text)
            .join(store.Entry, store.Entry.slug == store.Link.source)
            .where(store.Link.target.is_(None))
        )
        return [Problem(r[0], r[1], f"unresolved link [[{r[2]}]]", "warning", "site") for r in rows]

    def _report(self, c: Compiled, full: bool) -> BuildReport:
        with store.session_scope(self.engine) as s:
            count = lambda stmt: s.execute(stmt).scalar_one()  # noqa: E731
            linked = count(select(func.count()).select_from(store.Link).where(store.Link.target.is_not(None)))
            unresolved = count(select(func.count()).select_from(store.Link).where(store.Link.target.is_(None)))
            problems = [
                Problem(p.path, p.line, p.message, p.severity, p.kind)
                for p in s.execute(select(store.Problem).order_by(store.Problem.path, store.Problem.line)).scalars()
            ]
            return BuildReport(
                entries=count(select(func.count()).select_from(store.Entry)),
                categories=count(select(func.count()).select_from(store.Category)),
                links=linked,
                unresolved=unresolved,
                files_with_errors=len({p.path for p in problems if p.severity == "error"}),
                changed=len(c.rendered),
                removed=len(c.removed),
                full=full,
                problems=problems,
            )
