"""The read service for cards: which cards an entry, a category, a tag or the glossary holds,
in the order a learner meets them, and their faces."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import select as core_select
from sqlmodel import col, select

from app.content import store
from app.content.reader import ContentReader
from app.memo import Memo
from app.urls import entry_url


def card_id(slug: str, key: str) -> str:
    return f"{slug}:{key}"


def split_card_id(value: str) -> tuple[str, str] | None:
    slug, sep, key = value.partition(":")
    return (slug, key) if sep and slug and key else None


@dataclass(frozen=True)
class CardRef:
    entry_slug: str
    key: str
    kind: str
    position: int
    id: str = field(init=False, compare=False)  # kept, not recomputed: a queue looks every card up by it

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", card_id(self.entry_slug, self.key))


@dataclass(frozen=True)
class CardFace:
    id: str
    entry_slug: str
    entry_title: str
    entry_url: str
    kind: str
    front_html: str
    back_html: str
    answers: list[str]
    front_md: str
    back_md: str


@dataclass
class DeckIndex:
    """Every card, and what ordering and scopes need, for one build of the content."""

    cards: list[CardRef]  # foundations first: entries many others link to, then A-Z
    by_id: dict[str, CardRef]
    titles: dict[str, str]
    categories: dict[str, str]  # entry slug -> category slug
    tags: dict[str, set[str]] = field(default_factory=dict)
    neighbours: dict[str, set[str]] = field(default_factory=dict)  # linked either way

    def of_entries(self, slugs: set[str]) -> list[CardRef]:
        return [c for c in self.cards if c.entry_slug in slugs]


FACE_COLUMNS = tuple(
    col(c)
    for c in (
        store.StudyCard.entry_slug,
        store.StudyCard.key,
        store.StudyCard.kind,
        store.StudyCard.front_html,
        store.StudyCard.back_html,
        store.StudyCard.answers,
        store.StudyCard.front_md,
        store.StudyCard.back_md,
    )
)
# Built once: the study page asks for one card's faces per card shown.
FACES_OF_ENTRIES = core_select(*FACE_COLUMNS).where(
    col(store.StudyCard.entry_slug).in_(bindparam("slugs", expanding=True))
)


class DeckReader:
    def __init__(self, content: ContentReader):
        self.content = content
        self.engine = content.engine
        self._decks: Memo[DeckIndex] = Memo(2)

    def index(self) -> DeckIndex:
        """Every card. Kept across builds that leave the decks as they were (the store's deck
        fingerprint): rereading thousands of cards after each edit of a sentence held up queues."""
        fingerprint = self.content.remember("deck-fingerprint", self._fingerprint)
        return self._decks.get(fingerprint, self._load)

    def _fingerprint(self) -> str:
        with store.session_scope(self.engine) as s:
            row = s.get(store.Meta, "deck")
            return row.value if row else self.content.generation()

    def _load(self) -> DeckIndex:
        with store.session_scope(self.engine) as s:
            entries = s.execute(select(store.Entry.slug, store.Entry.title, store.Entry.category_slug)).all()
            tags: dict[str, set[str]] = defaultdict(set)
            for slug, tag in s.execute(select(store.EntryTag.entry_slug, store.EntryTag.tag)).all():
                tags[slug].add(tag)
            neighbours: dict[str, set[str]] = defaultdict(set)
            linked_to: Counter[str] = Counter()
            for source, target in s.execute(
                select(store.Link.source, store.Link.target).where(col(store.Link.target).is_not(None)).distinct()
            ).all():
                if source != target:
                    neighbours[source].add(target)
                    neighbours[target].add(source)
                    linked_to[target] += 1
            rows = s.execute(
                select(store.StudyCard.entry_slug, store.StudyCard.key, store.StudyCard.kind, store.StudyCard.position)
            ).all()
        titles = {slug: title for slug, title, _ in entries}
        cards = [CardRef(*row) for row in rows if row[0] in titles]
        # New cards introduce basics first: an entry that many link to before those that link to it.
        cards.sort(key=lambda c: (-linked_to[c.entry_slug], titles[c.entry_slug].casefold(), c.entry_slug, c.position))
        return DeckIndex(
            cards,
            {c.id: c for c in cards},
            titles,
            {slug: cat for slug, _, cat in entries},
            dict(tags),
            dict(neighbours),
        )

    def faces(self, ids: list[str]) -> dict[str, CardFace]:
        """The cards' fronts and backs, for the few about to be shown."""
        wanted = {pair for pair in (split_card_id(i) for i in ids) if pair}
        titles = self.index().titles
        out: dict[str, CardFace] = {}
        with self.engine.connect() as db:
            # By entry, then picked out here: SQLite scans the whole table for a row-value IN.
            for chunk in store.chunks(sorted({slug for slug, _ in wanted})):
                rows: list[Any] = list(db.execute(FACES_OF_ENTRIES, {"slugs": chunk}))
                for slug, key, kind, front_html, back_html, answers, front_md, back_md in rows:
                    if (slug, key) not in wanted:
                        continue
                    cid = card_id(slug, key)
                    out[cid] = CardFace(
                        cid,
                        slug,
                        titles.get(slug, slug),
                        entry_url(slug),
                        kind,
                        front_html,
                        back_html,
                        list(answers),
                        front_md,
                        back_md,
                    )
        return out
