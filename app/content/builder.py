"""Store what the pipeline compiled in the content store and the search index, incrementally."""

from __future__ import annotations

import fcntl
import gc
import json
import logging
import marshal
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from app.content import store
from app.content.build_report import BuildReport, stored_report
from app.content.pipeline.catalog import UNKNOWN_STAT, Catalog, Changes, known_file
from app.content.pipeline.compile import compile_content, without_body
from app.content.pipeline.load import discover, read_category_meta
from app.content.pipeline.model import Problem
from app.content.store_writer import path_sections, write_changes, write_compiled
from app.search import SearchIndex

log = logging.getLogger(__name__)


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


class Builder:
    def __init__(self, content_dir: Path, data_dir: Path, engine: Engine, index: SearchIndex):
        self.content_dir = content_dir
        self.data_dir = data_dir
        self.engine = engine
        self.index = index
        self._thread_lock = threading.Lock()  # one build at a time in this process
        self.marker = data_dir / ".building"
        self.signal = data_dir / ".generation"
        self.snapshot = data_dir / "catalog.snapshot"  # the catalog, left by close() for the next start
        # What the last build in this process left, so that an edit need not read 50,000 rows
        # back from the store, nor look at 50,000 files; and the generation it wrote, to
        # notice a build by another process.
        self._catalog: Catalog | None = None
        self._generation: str | None = None
        self._counts: store.Counts | None = None  # what the store holds, kept with the catalog
        self._untidy = False  # updates left small index segments to merge (see tidy)
        self._finished = threading.Condition()
        self.builds_finished = 0

    def build(
        self,
        full: bool = False,
        progress: Callable[[int, int], None] | None = None,
        changed: Iterable[str | Path] | None = None,
    ) -> BuildReport:
        """Bring store and index up to date with the content folder.

        changed: the paths that changed (as a watcher reports them, absolute or relative to the
        content folder), when known: only they, and what depends on them, are looked at.
        None looks at every file (a scan: at start, and now and then to catch what a watcher
        missed).
        """
        with self._thread_lock, cross_process_lock(self.data_dir):
            report = self._build(full, progress, changed)
        with self._finished:
            self.builds_finished += 1
            self._finished.notify_all()
        return report

    def close(self) -> None:
        """Leave the catalog for the next start, when it is what the store holds: reading it
        back from the store costs a second at 50,000 entries."""
        with self._thread_lock, cross_process_lock(self.data_dir):
            if self._catalog is None or self._generation is None:
                return
            try:
                if self._stored_generation() != self._generation:
                    return  # another process built since: the store knows better
                data = {**self._catalog.snapshot(), "generation": self._generation, "schema": store.SCHEMA}
                fresh = self.snapshot.with_name(self.snapshot.name + ".new")
                fresh.write_bytes(marshal.dumps(data))
                os.replace(fresh, self.snapshot)
            except Exception as err:  # noqa: BLE001 - only a faster next start is lost
                log.warning("could not leave a catalog snapshot in %s: %s", self.snapshot, err)

    def _read_snapshot(self) -> Catalog | None:
        """The catalog close() left, if it is of what the store holds now (its generation)."""
        try:
            data = marshal.loads(self.snapshot.read_bytes())
            if data["generation"] != self._generation or data["schema"] != store.SCHEMA:
                return None
            return Catalog.from_snapshot(data)
        except FileNotFoundError:
            return None
        except Exception as err:  # noqa: BLE001 - a damaged or foreign snapshot: read the store instead
            log.warning("catalog snapshot %s is unusable (%s); reading the store", self.snapshot, err)
            return None

    def tidy(self) -> None:
        """Merge the small index segments that edits left, at a quiet moment (the watcher
        calls this when no change came for a while)."""
        with self._thread_lock, cross_process_lock(self.data_dir):
            if self._untidy:
                self.index.tidy()
                self._untidy = False

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

    def _build(
        self, full: bool, progress: Callable[[int, int], None] | None, changed: Iterable[str | Path] | None
    ) -> BuildReport:
        started = time.perf_counter()
        catalog, self._catalog = self._catalog, None  # until this build has written everything
        # A leftover marker means a build died half-way: store and index may disagree.
        if self.marker.exists():
            log.warning("previous build did not finish; rebuilding from content")
            full = True
        elif self.index.was_rebuilt:
            full = True
        elif catalog is not None and self._stored_generation() != self._generation:
            log.info("another process built since this one last did; reading the store again")
            catalog = None
        if catalog is None and not full:
            full = self._needs_full()
        if full:
            return self._full(progress, started)
        loaded = catalog is None
        found = None
        if catalog is None:
            # Looking at every file is mostly waiting for the file system: done meanwhile.
            scan = ThreadPoolExecutor(1, thread_name_prefix="glossa-scan")
            found = scan.submit(discover, self.content_dir).result
            scan.shutdown(wait=False)  # the one task still runs; the pool ends with it
            self._generation = self._stored_generation()
            gc.disable()  # 50,000 entries' worth of objects, none of them garbage
            try:
                catalog = self._read_snapshot()
                log.info("read what the last build left from %s", "its snapshot" if catalog else "the store")
                catalog = catalog or self._load_catalog()
            finally:
                gc.enable()
            gc.freeze()  # long-lived: no collection should walk these again (see _set_aside)
        paths = None if loaded or changed is None else self._relative(changed)
        changes = catalog.update(self.content_dir, paths, self._links_to, progress, found=found)
        if loaded:
            self._unless_stored(changes)
        counts = self._counts if not loaded else None
        if not changes.empty:
            self.marker.write_text(datetime.now(UTC).isoformat())
            self._generation, links, unresolved = write_changes(self.engine, changes)
            store.signal_generation(self.signal, self._generation)
            if counts is not None:
                counts = store.Counts(
                    len(catalog.docs), len(catalog.categories), counts.links + links, counts.unresolved + unresolved
                )
            if changes.docs or changes.removed:
                # An edit someone waits to see leaves merging the index's small segments for later.
                self.index.update(
                    sorted(changes.docs, key=lambda d: d.slug), deleted=sorted(changes.removed), merge=paths is None
                )
                self._untidy |= paths is not None
            self.marker.unlink(missing_ok=True)
        self._catalog = catalog
        if loaded:
            # The search tables (completions, typos) can start from the names the catalog
            # holds, rather than read every stored document back (1.4 s at 50,000 entries).
            self.index.vocab.start_from(catalog.docs.values(), self.index.ix.latest_generation())
            gc.freeze()  # and the search tables' names
        report = stored_report(self.engine, changed=len(changes.docs), removed=len(changes.removed), counts=counts)
        self._counts = store.Counts(report.entries, report.categories, report.links, report.unresolved)
        report.seconds = time.perf_counter() - started
        log.info(
            "%s; %s, read %.3f s, render %.3f s",
            report.summary(),
            "every file looked at" if paths is None else f"{len(paths)} paths changed",
            changes.stats.get("read_s", 0.0),
            changes.stats.get("render_s", 0.0),
        )
        return report

    def _full(self, progress: Callable[[int, int], None] | None, started: float) -> BuildReport:
        compiled = compile_content(self.content_dir, progress=progress)
        self.marker.write_text(datetime.now(UTC).isoformat())
        generation = write_compiled(self.engine, compiled)
        store.signal_generation(self.signal, generation)
        self.index.update(compiled.docs.values(), fresh=True)
        self.index.was_rebuilt = False
        self.marker.unlink(missing_ok=True)
        self._catalog = Catalog(
            {rel: without_body(d) for rel, d in compiled.files.items()},
            compiled.folders,
            failed=compiled.failed,
            paths=compiled.paths,
            path_problems=compiled.path_problems,
        )
        self._generation = generation
        _set_aside()
        report = stored_report(self.engine, changed=len(compiled.rendered), full=True)
        self._counts = store.Counts(report.entries, report.categories, report.links, report.unresolved)
        report.seconds = time.perf_counter() - started
        log.info(
            "%s; parse %.2f s, render %.2f s",
            report.summary(),
            compiled.stats.get("parse_s", 0.0),
            compiled.stats.get("render_s", 0.0),
        )
        return report

    def _unless_stored(self, changes: Changes) -> None:
        """A catalog read from the store does not know the study paths and cross-file
        problems the store holds: leave them out of the changes when they are the same, so
        that a start with nothing changed writes nothing."""
        with store.session_scope(self.engine) as s:
            if changes.paths is not None:
                rows = s.execute(select(store.StudyPathRow).order_by(col(store.StudyPathRow.position))).scalars()
                kept = [(r.slug, r.title, r.description, r.sections) for r in rows]
                if kept == [(p.slug, p.title, p.summary, path_sections(p)) for p in changes.paths]:
                    changes.paths = None
            if changes.site_problems is not None:
                site = [
                    p
                    for p in store.stored_problems(s)
                    if p.kind == "site" and not p.message.startswith(store.UNRESOLVED)
                ]
                if sorted(site, key=_problem_order) == sorted(changes.site_problems, key=_problem_order):
                    changes.site_problems = None
            # Files it did not know (duplicates, files that do not parse) were read again.
            stored: dict[str, list[Problem]] = {rel: [] for rel in changes.reread}
            for chunk in store.chunks(sorted(changes.reread)):
                rows = s.execute(
                    select(store.BuildProblem).where(
                        col(store.BuildProblem.kind) == "file", col(store.BuildProblem.path).in_(chunk)
                    )
                ).scalars()
                for r in rows:
                    stored[r.path].append(Problem(r.path, r.line, r.message, r.severity, r.kind))
            found: dict[str, list[Problem]] = {rel: [] for rel in changes.reread}
            for p in changes.file_problems:
                found[p.path].append(p)
            same = {
                rel
                for rel in changes.reread
                if sorted(stored[rel], key=_problem_order) == sorted(found[rel], key=_problem_order)
            }
            changes.reread -= same
            changes.file_problems = [p for p in changes.file_problems if p.path not in same]

    def _needs_full(self) -> bool:
        """Whether store and index can be trusted as a start for an update (checked when this
        process first reads them, or after another process built)."""
        if self.index.doc_count() != self._entry_count():
            log.warning("search index and store disagree; rebuilding both from content")
            return True
        if self._stored_schema() != store.SCHEMA:
            log.info("content store is of another version; rebuilding it from content")
            return True
        return False

    def _relative(self, changed: Iterable[str | Path]) -> set[str] | None:
        """Changed paths relative to the content folder (POSIX); None when the folder itself
        changed (moved away, made again): then every file is looked at."""
        roots = [self.content_dir.absolute(), self.content_dir.resolve()]
        found: set[str] = set()
        for p in changed:
            path = Path(p)
            if not path.is_absolute():
                found.add(path.as_posix())
                continue
            for root in roots:
                if path == root:
                    return None
                if path.is_relative_to(root):
                    found.add(path.relative_to(root).as_posix())
                    break
        return found

    # -- reading what the last build stored --------------------------------------------
    def _stored_schema(self) -> str | None:
        return self._meta("schema")

    def _stored_generation(self) -> str | None:
        return self._meta("generation")

    def _meta(self, key: str) -> str | None:
        with store.session_scope(self.engine) as s:
            row = s.get(store.Meta, key)
            return row.value if row else None

    def _entry_count(self) -> int:
        with store.session_scope(self.engine) as s:
            return store.counts(s).entries

    def _load_catalog(self) -> Catalog:
        """The catalog of what the store holds: front matter of every entry (plain rows, no
        ORM objects: 50,000 of them), the folders' metadata, and the files with problems."""
        # What an update needs of an entry it does not render: its names, category and file.
        # In the order of known_file's arguments (a snapshot's rows).
        cols = (
            "source_path, content_hash, updated, file_size, file_mtime, slug, title, category, category_slug, aliases"
        )
        files = {}
        with self.engine.connect() as conn:
            cursor = conn.connection.cursor()  # the driver's own: rows as plain tuples, fetched at once
            try:
                cursor.execute(f"SELECT {cols} FROM entry")
                for *row, aliases in cursor.fetchall():
                    fields = (*row, _list(aliases))
                    files[row[0]] = known_file(*fields)
                # Every name of every entry, with its rank, as the last build keyed them.
                cursor.execute("SELECT key, entry_slug, rank FROM alias")
                claims = cursor.fetchall()
            finally:
                cursor.close()
        with store.session_scope(self.engine) as s:
            problem_paths = (
                s.execute(select(store.BuildProblem.path).where(col(store.BuildProblem.kind) == "file").distinct())
                .scalars()
                .all()
            )
        stored_folders = self._meta("folders")
        folders = json.loads(stored_folders) if stored_folders else read_category_meta(self.content_dir)
        failed = {p: UNKNOWN_STAT for p in problem_paths if p not in files}
        return Catalog(files, folders, failed=failed, claims=claims)

    def _links_to(self, keys: set[str]) -> set[str]:
        """Slugs of stored entries with a link by one of these name keys."""
        found: set[str] = set()
        with store.session_scope(self.engine) as s:
            for chunk in store.chunks(sorted(keys)):
                rows = s.execute(select(store.Link.source).where(col(store.Link.target_key).in_(chunk)).distinct())
                found.update(r[0] for r in rows)
        return found


def _problem_order(p: Problem) -> tuple[str, int, str, str, str]:
    return (p.path, p.line, p.message, p.severity, p.kind)


def _set_aside() -> None:
    """Tens of thousands of objects (the catalog) just became long-lived. Collect now, inside a
    slow build, and set the survivors aside (gc.freeze), so that the collector does not walk
    them all again during an edit that should take ms. What the last such build set aside is
    looked at again first (unfreeze), so nothing stays uncollected for longer than that."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _list(value: Any) -> list[str]:
    if isinstance(value, list):
        return value
    return [] if value in ("[]", "", None) else json.loads(value)
