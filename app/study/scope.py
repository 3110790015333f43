"""Which cards a study session draws from: `all`, `category:<slug>`, `tag:<tag>`,
`entry:<slug>` (the entry and the entries it links with), `path:<slug>` (a study path's
entries, new cards in the path's order), or `lapses` (rated Again lately)."""

from __future__ import annotations

from dataclasses import dataclass

from app.content.decks import CardRef, DeckIndex
from app.content.paths import PathReader
from app.content.reader import ContentReader
from app.refusal import Refusal

KINDS = ("all", "category", "tag", "entry", "path", "lapses")


@dataclass(frozen=True)
class Scope:
    kind: str
    value: str = ""

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}" if self.value else self.kind


def parse_scope(text: str | None) -> Scope:
    text = (text or "all").strip()
    kind, _, value = text.partition(":")
    kind, value = kind.strip().lower(), value.strip()
    if kind in ("all", "lapses") and not value:
        return Scope(kind)
    if kind in ("category", "tag", "entry", "path") and value:
        return Scope(kind, value[:200])
    raise Refusal(
        422, f"scope {text[:100]!r} is not one of all, category:<slug>, tag:<tag>, entry:<slug>, path:<slug>, lapses"
    )


@dataclass(frozen=True)
class Resolved:
    scope: Scope
    title: str  # for headings: "Clustering", "K-means clustering and linked entries"
    cards: list[CardRef]


def resolve_scope(scope: Scope, reader: ContentReader, deck: DeckIndex, lapsed: set[str]) -> Resolved:
    """The scope's cards, in deck order; 404 for a category, tag or entry that does not exist."""
    if scope.kind == "all":
        return Resolved(scope, "Everything", deck.cards)
    if scope.kind == "lapses":
        return Resolved(scope, "Cards you missed in the last 7 days", [c for c in deck.cards if c.id in lapsed])
    if scope.kind == "category":
        category = reader.category(scope.value)
        if category is None:
            raise Refusal(404, f"there is no category {scope.value!r}")
        slugs = {slug for slug, cat in deck.categories.items() if cat == category.slug}
        return Resolved(Scope("category", category.slug), category.name, deck.of_entries(slugs))
    if scope.kind == "tag":
        tag = reader.tag(scope.value)
        if tag is None:
            raise Refusal(404, f"no entry is tagged {scope.value!r}")
        slugs = {slug for slug, tags in deck.tags.items() if tag.name in tags}
        return Resolved(Scope("tag", tag.name), f"#{tag.name}", deck.of_entries(slugs))
    if scope.kind == "path":
        path = PathReader(reader).get(scope.value)
        if path is None:
            raise Refusal(404, f"there is no study path {scope.value!r}")
        order = {slug: n for n, slug in enumerate(path.slugs)}
        cards = sorted(deck.of_entries(set(order)), key=lambda c: (order[c.entry_slug], c.position))
        return Resolved(Scope("path", path.slug), path.title, cards)
    slug = scope.value if scope.value in deck.titles else reader.resolve(scope.value)
    if slug is None:
        raise Refusal(404, f"there is no entry {scope.value!r}")
    slugs = {slug} | deck.neighbours.get(slug, set())
    cards = deck.of_entries(slugs)
    cards.sort(key=lambda c: c.entry_slug != slug)  # the entry's own cards first
    return Resolved(Scope("entry", slug), f"{deck.titles[slug]} and linked entries", cards)
