"""Resolve link targets (title, alias or slug, case-insensitively) and parse [[wikilinks]]."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline

from app.content.pipeline.model import Document, Problem
from app.names import name_key

# `[[target#anchor|label]]`; `\|` also separates the label, as Obsidian writes it in table cells.
WIKILINK = re.compile(r"\[\[([^\[\]\n|#\\]*)(?:#([^\[\]\n|\\]*))?(?:\\?\|([^\[\]\n]*))?\]\]")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


@dataclass
class Resolver:
    keys: dict[str, str]  # name key -> slug
    titles: dict[str, str]  # slug -> title
    problems: list[Problem] = field(default_factory=list)  # names claimed twice

    def resolve(self, target: str) -> str | None:
        key = link_key(target)
        return self.keys.get(key) if key else None


def link_key(target: str) -> str:
    """The name key a link to target resolves by (`[[k-means.md]]` is `k means`): stored with
    each link, so that a build can find the links whose target changes owner."""
    return name_key(target.removesuffix(".md"))


def build_resolver(docs: list[Document]) -> Resolver:
    """Slugs and titles claim keys before aliases; among equals, the first path wins.

    Callers pass documents sorted by path, so the rule is stable across builds.
    (catalog.py keeps the same rule up to date one entry at a time.)
    """
    keys: dict[str, str] = {}
    owner_path: dict[str, str] = {}
    problems: list[Problem] = []
    phases = (
        [(d, "slug", d.slug) for d in docs],
        [(d, "title", d.title) for d in docs],
        [(d, "alias", a) for d in docs for a in d.aliases],
    )
    for claims in phases:
        for doc, what, name in claims:
            key = name_key(name)
            if not key:
                continue
            holder = keys.setdefault(key, doc.slug)
            if holder == doc.slug:
                owner_path.setdefault(key, doc.path)
            else:
                problems.append(
                    Problem(
                        doc.path,
                        2,
                        f"{what} {name!r} is already used by {owner_path[key]}; links to it go there",
                        kind="site",
                    )
                )
    return Resolver(keys, {d.slug: d.title for d in docs}, problems)


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


def _pipe_free(line: str) -> str:
    """The line with the label bar of its wikilinks escaped, so that a table does not split a
    cell at it (in code spans too: a table splits those as well)."""
    return WIKILINK.sub(lambda m: re.sub(r"(?<!\\)\|", r"\\|", m.group(0)), line)


def _links_in_tables(state: StateCore) -> None:
    """Escape the label bar of wikilinks on lines that may be table rows (any line with a bar
    outside its links), outside fenced code, before blocks are parsed."""
    fence = ""
    lines = state.src.split("\n")
    for i, line in enumerate(lines):
        opened = FENCE.match(line)
        if fence:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = ""
            continue
        if opened:
            fence = opened.group(1)
            continue
        if "[[" in line and "|" in WIKILINK.sub("", line):
            lines[i] = _pipe_free(line)
    state.src = "\n".join(lines)


def wikilink_plugin(md: MarkdownIt) -> None:
    """Adds a `wikilink` token; the renderer decides how it looks (see render.py)."""
    md.core.ruler.after("normalize", "links_in_tables", _links_in_tables)
    md.inline.ruler.before("link", "wikilink", _wikilink_rule)
