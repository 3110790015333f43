"""The unit that flows through the pipeline; each field says which step fills it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str
    severity: str = "error"  # "error" or "warning"; both make `glossa check` fail
    kind: str = "file"  # "file": about one file alone; "site": found across files

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class LinkRef:
    target: str  # what the author wrote, e.g. "RNN" in [[RNN|recurrent nets]]
    slug: str | None  # resolved entry, None when nothing matches
    anchor: str = ""
    line: int = 0


@dataclass(frozen=True)
class Card:
    """A flashcard an author wrote in an entry (see cards.py)."""

    key: str  # stable within the entry while the question stays the same
    kind: str  # "basic", "reversed" (the back-to-front twin of a two-way card) or "cloze"
    front: str  # Markdown
    back: str  # Markdown
    line: int  # in the file


@dataclass
class CardBlock:
    """Body lines [start, end) that hold cards; rendering shows the cards in their place."""

    start: int
    end: int
    cards: list[Card] = field(default_factory=list)


@dataclass
class Document:
    # load
    path: str  # relative to the content folder, POSIX separators
    content_hash: str
    updated: datetime
    file_size: int = 0
    file_mtime: float = 0.0
    # parse
    slug: str = ""
    title: str = ""
    category: str = ""  # display name
    category_slug: str = ""
    tags: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    summary: str = ""
    markdown: str = ""  # body without front matter
    body_line: int = 1  # file line where the body starts, for problem reports
    card_blocks: list[CardBlock] = field(default_factory=list)
    derived_cards: bool = True  # front matter `cards: false` turns them off
    # render
    html: str = ""
    text: str = ""  # plain text for the search index
    prose: str = ""  # readable text for snippets: no code, tables or LaTeX (readable.py)
    toc: list[dict] = field(default_factory=list)
    links: list[LinkRef] = field(default_factory=list)
    deck: list[Any] = field(default_factory=list)  # deck.DeckCard: every card of the entry
