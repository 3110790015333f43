"""One site: content store, search index, builder, read service and state store, opened in
the one order that is safe, and closed together. The app, the CLI, tests and benchmarks all
start here."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Protocol

from sqlalchemy.engine import Engine

from app.accounts.limits import RateLimits
from app.accounts.passwords import Hasher
from app.accounts.service import Accounts, Policy
from app.clock import Clock, utc_now
from app.config import Settings
from app.content.build_report import BuildReport
from app.content.builder import Builder, cross_process_lock
from app.content.reader import ContentReader
from app.content.store import close_content_store, open_content_store
from app.schemas import StateStatus, Status
from app.search import SearchIndex
from app.state import StateStore, StateUnavailable
from app.state.refs import orphaned_cards, orphaned_rows
from app.study import learners as _study_learners  # noqa: F401 - joins accounts' hooks
from app.study.service import Study

log = logging.getLogger(__name__)
ORPHANS_EVERY = 600  # seconds


class Observer(Protocol):
    """Told what the site did, for its metrics."""

    def build_finished(self, report: BuildReport) -> None: ...

    def review_written(self) -> None: ...


@dataclass
class Site:
    settings: Settings
    content_engine: Engine
    index: SearchIndex
    builder: Builder
    reader: ContentReader
    state: StateStore | None  # None for content-only work (build, check)
    serving: bool
    clock: Clock = utc_now
    accounts: Accounts | None = None  # with the state store
    study: Study | None = None
    observer: Observer | None = None

    def update(
        self,
        full: bool = False,
        progress: Callable[[int, int], None] | None = None,
        changed: Iterable[str | Path] | None = None,
    ) -> BuildReport:
        """Bring the content store and the index up to date with the content folder; changed:
        the paths a watcher saw change, when known (see Builder.build)."""
        report = self.builder.build(full=full, progress=progress, changed=changed)
        if report.full and self.serving:
            self.warm(wait=False)  # a full build starts the search tables afresh
        if self.observer is not None:
            self.observer.build_finished(report)
        return report

    def tidy(self) -> None:
        """Housekeeping for a quiet moment after edits: merge the index's small segments."""
        self.builder.tidy()

    def warm(self, wait: bool = True) -> None:
        """Fill the completion and typo tables now (a second at 10,000 entries), so that no
        reader's first keystroke waits for them, and the search's posting arrays (wait=False:
        in the background, searches meanwhile as correct and a little slower). Servers do; a
        command-line build would only throw them away."""
        self.index.warm(wait)

    def status(self) -> Status:
        """The content store's counts and problems, and the state store's health."""
        status = self.reader.status()
        if self.state is not None:
            health = self.state.health()
            orphans: dict[str, int] = {}
            if health.available:
                try:
                    # A scan of every study row: counted once per build and per ten minutes.
                    bucket = int(self.clock().timestamp() // ORPHANS_EVERY)
                    orphans = self.reader.remember(f"orphans-{bucket}", self._orphans)
                except StateUnavailable:
                    pass
            status.state = StateStatus(
                available=health.available,
                backend=health.backend,
                revision=health.revision,
                store_id=health.store_id,
                problem=health.problem,
                orphaned_rows=orphans,
            )
        return status

    def _orphans(self) -> dict[str, int]:
        assert self.state is not None and self.study is not None
        cards = set(self.study.decks.index().by_id)
        with self.state.read() as session:
            found = orphaned_rows(session, self.reader.resolve)
            found.update(orphaned_cards(session, self.reader.resolve, cards))
        return found

    def health(self) -> dict[str, str]:
        """Cheap enough for a load balancer to ask every second: can this node read, and learn?"""
        self.reader.generation()  # the content store answers
        state = "none" if self.state is None else "ok" if self.state.health().available else "unavailable"
        return {"content": "ok", "state": state}

    def readiness(self) -> dict[str, str]:
        """Each part a node needs to take traffic (content, index, state): `ok`, or why not."""
        checks: dict[str, str] = {}
        try:
            checks["content"] = "ok" if self.reader.generation() else "not built yet"
        except Exception as err:  # noqa: BLE001 - whatever it is, this node cannot serve
            checks["content"] = f"the content store cannot be read: {err}"
        try:
            self.index.doc_count()  # opens a searcher, as every search does
            checks["index"] = "ok"
        except Exception as err:  # noqa: BLE001
            checks["index"] = f"the search index cannot be opened: {err}"
        if self.state is not None:
            health = self.state.health()
            checks["state"] = "ok" if health.available else health.problem or "unavailable"
        return checks

    def close(self) -> None:
        self.builder.close()  # leaves what it knows of the content for the next start
        self.index.close()
        close_content_store(self.content_engine)
        if self.state is not None:
            self.state.close()


def open_accounts(settings: Settings, state: StateStore, clock: Clock) -> Accounts:
    health = state.health()
    # Nodes that share a state store share its rate-limit counters (in Redis), and only they.
    limits = RateLimits(settings.redis_url or "memory://", namespace=f"glossa:{health.store_id or 'unknown'}")
    policy = Policy(
        settings.signup,
        settings.guests,
        timedelta(days=settings.session_idle_days),
        timedelta(days=settings.session_max_days),
    )
    hasher = Hasher(settings.password_memory_kib, settings.password_time_cost)
    return Accounts(state, clock, hasher, limits, policy)


def open_site(settings: Settings, *, serve: bool, clock: Clock = utc_now, observer: Observer | None = None) -> Site:
    """serve: for a server, which opens (and migrates) the state store, builds when
    settings.build_on_start says so, and warms the search tables; otherwise content only.
    observer: told of every build (the one at start too) and review."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = open_content_store(settings.content_db_url)
    with cross_process_lock(settings.data_dir):
        index = SearchIndex(settings.index_dir, settings.semantic)
    builder = Builder(settings.content_dir, settings.data_dir, engine, index)
    state = accounts = None
    if serve:
        state = StateStore(settings.state_db_url, hold=True)
        state.open()  # on failure it says why, and reading works without it
        accounts = open_accounts(settings, state, clock)
    reader = ContentReader(engine, index, signal=builder.signal)
    on_review = observer.review_written if observer is not None else None
    study = Study(state, reader, clock, on_review) if state is not None else None
    site = Site(settings, engine, index, builder, reader, state, serve, clock, accounts, study, observer)
    if serve:
        report = site.update() if settings.build_on_start else None
        if report is None or not report.full:  # a full build warms them itself (Site.update)
            site.warm(wait=False)
    return site
