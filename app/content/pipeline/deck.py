"""An entry's deck: the cards a learner studies from it, rendered like the entry.

Two cards are derived from every entry (unless its front matter says `cards: false`):
- *name → meaning*: the title (and other names) asks for the summary and opening paragraph;
- *meaning → name*: the summary, with every name of the term masked, asks for the title; it
  can be answered by typing, and any of the entry's names counts.
The cards an author wrote in the entry (cards.py) follow, in the order they appear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

from app.content.pipeline import sanitize
from app.content.pipeline.model import Card, Document
from app.urls import entry_url

MASK = "[…]"


@dataclass(frozen=True)
class DeckCard:
    key: str  # with the entry's slug, the card's identity (see cards.py)
    kind: str  # "name", "meaning", "basic", "reversed" or "cloze"
    position: int
    front_md: str
    back_md: str
    front_html: str
    back_html: str
    line: int
    answers: list[str] = field(default_factory=list)  # names a typed answer may give


def opening_markdown(tokens: list[Token], markdown: str) -> str:
    """The Markdown of the first top-level paragraph of a body."""
    lines = markdown.split("\n")
    for i, tok in enumerate(tokens):
        if tok.type == "paragraph_open" and tok.level == 0 and tok.map and i + 1 < len(tokens):
            text = "\n".join(lines[tok.map[0] : tok.map[1]]).strip()
            if text:
                return text
    return ""


def mask_names(text: str, names: list[str]) -> str:
    """text with every whole-word mention of any of names hidden."""
    names = sorted({n for n in names if n.strip()}, key=len, reverse=True)
    if text.isascii() and all(n.isascii() for n in names):  # plain case rules: look before compiling
        lowered = text.lower()
        names = [n for n in names if n.lower() in lowered]
    if not names:
        return text
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)", re.IGNORECASE)
    return pattern.sub(MASK, text)


def build_deck(doc: Document, tokens: list[Token], md: MarkdownIt, env: dict[str, object]) -> list[DeckCard]:
    names = [doc.title, *doc.aliases]
    written: list[Card] = [card for block in doc.card_blocks for card in block.cards]
    cards: list[tuple[str, str, str, str, int, list[str]]] = []  # key, kind, front, back, line, answers
    if doc.derived_cards:
        also = f" (also: {', '.join(doc.aliases)})" if doc.aliases else ""
        opening = opening_markdown(tokens, doc.markdown)
        meaning = (
            doc.summary
            if not opening or opening.startswith(doc.summary.rstrip("…"))
            else (f"{doc.summary}\n\n{opening}")
        )
        read = f"[Read the entry]({entry_url(doc.slug)})"
        cards.append(("name", "name", f"**{doc.title}**{also}", f"{meaning}\n\n{read}", doc.body_line, []))
        cards.append(
            ("meaning", "meaning", mask_names(doc.summary, names), f"**{doc.title}**{also}", doc.body_line, names)
        )
    cards += [(c.key, c.kind, c.front, c.back, c.line, []) for c in written]
    deck = []
    for position, (key, kind, front, back, line, answers) in enumerate(cards):
        nested = {**env, "card_blocks": [], "body_line": line}
        deck.append(
            DeckCard(
                key=key,
                kind=kind,
                position=position,
                front_md=front,
                back_md=back,
                front_html=sanitize.clean(md.renderInline(front, nested)),
                back_html=sanitize.clean(md.render(back, nested)),
                line=line,
                answers=answers,
            )
        )
    return deck
