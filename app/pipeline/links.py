"""Resolve link targets (title, alias or slug, case-insensitively) and parse [[wikilinks]]."""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from app.pipeline.model import Document, Problem

WIKILINK = re.compile(r"\[\[([^\[\]\n|#]*)(?:#([^\[\]\n|]*))?(?:\|([^\[\]\n]*))?\]\]")


@lru_cache(maxsize=200_000)  # every build asks again for the same 30,000 names
def link_key(text: str) -> str:
    """`K-Means`, `k means` and `k_means` are one key; links should not fail on spelling."""
    return re.sub(r"[\s_\-]+", " ", text.casefold()).strip()


@dataclass
class Resolver:
    keys: dict[str, str]  # link key -> slug
    titles: dict[str, str]  # slug -> title
    problems: list[Problem] = field(default_factory=list)  # names claimed twice

    def resolve(self, target: str) -> str | None:
        key = link_key(target.removesuffix(".md"))
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
        claim(link_key(doc.slug), doc, "slug", doc.slug)
    for doc in docs:
        claim(link_key(doc.title), doc, "title", doc.title)
    for doc in docs:
        for alias in doc.aliases:
            claim(link_key(alias), doc, "alias", alias)
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
