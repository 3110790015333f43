"""Resolve link targets (title, alias or slug, case-insensitively) and parse [[wikilinks]]."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from app.content.pipeline.model import Document, Problem
from app.names import name_key

WIKILINK = re.compile(r"\[\[([^\[\]\n|#]*)(?:#([^\[\]\n|]*))?(?:\|([^\[\]\n]*))?\]\]")


@dataclass
class Resolver:
    keys: dict[str, str]  # name key -> slug
    titles: dict[str, str]  # slug -> title
    problems: list[Problem] = field(default_factory=list)  # names claimed twice

    def resolve(self, target: str) -> str | None:
        key = name_key(target.removesuffix(".md"))
        return self.keys.get(key) if key else None


def build_resolver(docs: list[Document]) -> Resolver:
    """Slugs and titles claim keys before aliases; among equals, the first path wins.

    Callers pass documents sorted by path, so the rule is stable across builds.
    """
    keys: dict[str, str] = {}
    owner_path: dict[str, str] = {}
    problems: list[Problem] = []
    by_slug = {d.slug: d for d in docs}

    def claim(key: str, doc: Document, what: str, name: str) -> None:
        if not key:
            return
        holder = keys.get(key)
        if holder is None:
            keys[key] = doc.slug
            owner_path[key] = doc.path
        elif holder != doc.slug:
            problems.append(
                Problem(
                    doc.path,
                    2,
                    f"{what} {name!r} is already used by {owner_path[key]}; "
                    f"links to it go there",
                    kind="site",
                )
            )

    for doc in docs:
        claim(name_key(doc.slug), doc, "slug", doc.slug)
    for doc in docs:
        claim(name_key(doc.title), doc, "title", doc.title)
    for doc in docs:
        for alias in doc.aliases:
            claim(name_key(alias), doc, "alias", alias)
    return Resolver(keys, {s: d.title for s, d in by_slug.items()}, problems)


def _wikilink_rule(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[[", state.pos):
        return False
    match = WIKILINK.match(state.src, state.pos)
    if not match or not match.group(1).strip():
        return False
    if not silent:
        token = state.push("wikilink", "", 0)
        token.meta = {
            "target": match.group(1).strip(),
            "anchor": (match.group(2) or "").strip(),
            "label": (match.group(3) or "").strip(),
        }
    state.pos = match.end()
    return True


def wikilink_plugin(md: MarkdownIt) -> None:
    """Adds a `wikilink` token; the renderer decides how it looks (see render.py)."""
    md.inline.ruler.before("link", "wikilink", _wikilink_rule)
