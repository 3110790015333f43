"""A learner on study paths: which steps they have read (opened the entry's page) and which
they know (every card of the entry known as the progress page counts it: in review, and likely
to be recalled today), and where to continue."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlmodel import col

from app.content.paths import PathReader, Step, StudyPath
from app.content.reader import ContentReader
from app.state import StateUnavailable
from app.study.models import CardState, EntryRead
from app.study.progress import is_known
from app.study.queue import SCHEDULE_COLUMNS
from app.study.scheduler import Schedule
from app.study.service import Study

log = logging.getLogger(__name__)
READ_AGAIN_AFTER = timedelta(days=1)  # last_read is refreshed at most this often: no write per page view


@dataclass(frozen=True)
class PathProgress:
    path: StudyPath
    read: set[str]  # entry slugs
    known: set[str]

    @property
    def next_step(self) -> Step | None:
        """Continue here: the first step not yet known."""
        return next((s for s in self.path.steps if s.slug not in self.known), None)

    @property
    def read_count(self) -> int:
        return sum(1 for s in self.path.steps if s.slug in self.read)

    @property
    def known_count(self) -> int:
        return sum(1 for s in self.path.steps if s.slug in self.known)


class PathStudy:
    """Paths as a learner sees them. Reading needs no state store: without one (or without a
    learner) nothing is marked read or known."""

    def __init__(self, reader: ContentReader, study: Study | None):
        self.study = study
        self.paths = PathReader(reader)

    def mark_read(self, learner_id: str, slug: str) -> None:
        if self.study is None:
            return
        now = self.study.clock()
        with self.study.state.read() as s:
            row = s.get(EntryRead, (learner_id, slug))
            if row is not None and now - row.last_read < READ_AGAIN_AFTER:
                return
        with self.study.state.write() as s:
            row = s.get(EntryRead, (learner_id, slug))
            if row is None:
                s.add(EntryRead(learner_id=learner_id, entry_slug=slug, first_read=now, last_read=now))
            else:
                row.last_read = now
                s.add(row)

    def progress(self, learner_id: str | None, paths: list[StudyPath]) -> list[PathProgress]:
        """Each path with the steps read and known; nothing is read or known without a learner."""
        read: set[str] = set()
        known: set[str] = set()
        if learner_id is not None and self.study is not None:
            try:
                read, known = self._marks(self.study, learner_id, sorted({slug for p in paths for slug in p.slugs}))
            except StateUnavailable:
                log.warning("study paths shown without marks: the state store is unavailable")
        return [PathProgress(p, read, known) for p in paths]

    @staticmethod
    def _marks(study: Study, learner_id: str, slugs: list[str]) -> tuple[set[str], set[str]]:
        deck = study.decks.index()
        wanted = set(slugs)
        cards: dict[str, set[str]] = defaultdict(set)  # entry slug -> its card keys
        for ref in deck.cards:
            if ref.entry_slug in wanted:
                cards[ref.entry_slug].add(ref.key)
        now = study.clock()
        recalled: dict[str, set[str]] = defaultdict(set)
        read: set[str] = set()
        with study.state.read() as s:
            db = s.connection()
            for chunk in (slugs[i : i + 400] for i in range(0, len(slugs), 400)):
                read.update(
                    db.execute(
                        select(col(EntryRead.entry_slug)).where(
                            col(EntryRead.learner_id) == learner_id, col(EntryRead.entry_slug).in_(chunk)
                        )
                    ).scalars()
                )
                rows = db.execute(
                    select(*SCHEDULE_COLUMNS).where(
                        col(CardState.learner_id) == learner_id, col(CardState.entry_slug).in_(chunk)
                    )
                )
                for slug, key, *rest in rows:
                    if is_known(Schedule(*rest), now):  # the progress page's meaning of known
                        recalled[str(slug)].add(str(key))
        known = {slug for slug, keys in cards.items() if keys and keys <= recalled[slug]}
        return read, known
