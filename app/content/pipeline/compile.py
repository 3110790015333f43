"""Run the pipeline over a content folder: load -> parse -> link -> render.

Pure: it reads files and returns documents and problems; content/builder.py stores them.
Given what the last build stored (`known`), it reparses only files whose size, time or
hash changed, and re-renders an unchanged file only when a name it links to changed owner.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.content.pipeline.links import Resolver, build_resolver
from app.content.pipeline.load import discover, read_category_meta, read_source
from app.content.pipeline.model import Document, Problem
from app.content.pipeline.parse import parse, slugify
from app.content.pipeline.paths import StudyPath, load_paths
from app.content.pipeline.render import make_markdown, render
from app.names import name_key

log = logging.getLogger(__name__)


def without_body(doc: Document) -> Document:
    """A copy with front-matter fields only: what the next build needs to remember."""
    return Document(
        path=doc.path, content_hash=doc.content_hash, updated=doc.updated,
        file_size=doc.file_size, file_mtime=doc.file_mtime, slug=doc.slug, title=doc.title,
        category=doc.category, category_slug=doc.category_slug, tags=doc.tags,
        aliases=doc.aliases, summary=doc.summary,
    )


@dataclass
class Compiled:
    docs: dict[str, Document]  # slug -> winning document (rendered or carried over)
    rendered: set[str]  # slugs whose Document was (re)rendered this run
    removed: set[str]  # slugs the store holds that are gone
    problems: list[Problem]  # file problems of reparsed files and all cross-file problems
    kept_problem_paths: set[str]  # unchanged files whose stored file problems still hold
    resolver: Resolver
    categories: dict[str, str]  # slug -> name
    category_descriptions: dict[str, str] = field(default_factory=dict)
    paths: list[StudyPath] = field(default_factory=list)
    stats: dict[str, float] = field(default_factory=dict)


def _names(doc: Document) -> set[str]:
    return {k for k in (name_key(n) for n in [doc.slug, doc.title, *doc.aliases]) if k}


def compile_content(
    content_dir: Path,
    known: dict[str, Document] | None = None,
    links_to: Callable[[set[str]], set[str]] | None = None,
    progress: Callable[[int, int], None] | None = None,
    old_resolver: Resolver | None = None,
) -> Compiled:
    """known: path -> body-less Document of the last build; links_to(keys) -> slugs of stored
    entries with a link whose key is in keys; old_resolver: the last build's, if kept."""
    started = time.perf_counter()
    known = known or {}
    folder_meta = read_category_meta(content_dir)
    folder_names = {f: m["name"] for f, m in folder_meta.items() if m["name"]}
    problems: list[Problem] = []
    parsed: dict[str, Document] = {}  # path -> freshly parsed doc
    carried: dict[str, Document] = {}  # path -> unchanged doc from the store

    for rel, (size, mtime) in discover(content_dir).items():
        prior = known.get(rel)
        if prior is not None and size == prior.file_size and mtime == prior.file_mtime:
            carried[rel] = prior
            continue
        source = read_source(content_dir, rel)
        if source is None:
            continue
        if prior is not None and source.content_hash == prior.content_hash:
            prior.file_size, prior.file_mtime = source.file_size, source.file_mtime
            carried[rel] = prior
            continue
        doc, found = parse(source, folder_names)
        problems.extend(found)
        if doc is not None:
            parsed[rel] = doc
    t_parse = time.perf_counter()

    if old_resolver is not None and _same_names(known, parsed, carried):
        # Bodies changed, names did not (the usual edit): every name keeps its owner.
        docs = {d.slug: d for d in known.values()}
        docs.update((d.slug, d) for d in parsed.values())
        resolver = old_resolver
    else:
        docs = _winners(parsed, carried, problems)
        resolver = build_resolver(sorted(docs.values(), key=lambda d: d.path))
    problems.extend(resolver.problems)
    paths, path_problems = load_paths(content_dir, resolver.resolve)
    problems.extend(path_problems)

    # Names whose owner may have changed: those of files added, edited or removed.
    old_docs = {rel: d for rel, d in known.items() if rel not in carried}
    touched: set[str] = set()
    for d in [*old_docs.values(), *parsed.values()]:
        touched |= _names(d)
    old = old_resolver or build_resolver(sorted(known.values(), key=lambda d: d.path))
    changed_keys = {k for k in touched if resolver.keys.get(k) != old.keys.get(k)}
    to_render = {d.slug for d in parsed.values() if docs.get(d.slug) is d}
    if changed_keys and links_to is not None:
        for slug in links_to(changed_keys):
            doc = docs.get(slug)
            if doc is not None and doc.path in carried:
                fresh = _reparse(content_dir, doc.path, folder_names)
                if fresh is not None:
                    docs[slug] = fresh
                    to_render.add(slug)

    md = make_markdown()
    total = len(to_render)
    for n, slug in enumerate(sorted(to_render), 1):
        found = render(docs[slug], md, resolver)
        if parsed.get(docs[slug].path) is docs[slug]:  # a carried file's own problems are kept as stored
            problems.extend(found)
        if progress:
            progress(n, total)
    t_render = time.perf_counter()

    live_paths = {d.path for d in docs.values()}
    removed = {d.slug for rel, d in known.items() if rel not in live_paths} - set(docs)
    categories = {d.category_slug: d.category for d in sorted(docs.values(), key=lambda d: d.path)}
    descriptions = {}
    for folder, meta in folder_meta.items():
        if meta["description"]:
            descriptions[slugify(meta["name"] or folder) or folder] = meta["description"]
    return Compiled(
        docs=docs,
        rendered=to_render,
        removed=removed,
        problems=problems,
        kept_problem_paths={rel for rel in carried if rel in live_paths},
        resolver=resolver,
        categories=categories,
        category_descriptions=descriptions,
        paths=paths,
        stats={"parse_s": t_parse - started, "render_s": t_render - t_parse},
    )


def _same_names(known: dict[str, Document], parsed: dict[str, Document],
                carried: dict[str, Document]) -> bool:
    """The same files as last time, each with the slug, title and aliases it had."""
    if len(parsed) + len(carried) != len(known):
        return False
    for rel, doc in parsed.items():
        prior = known.get(rel)
        if prior is None or (prior.slug, prior.title, prior.aliases) != (doc.slug, doc.title, doc.aliases):
            return False
    return True


def _winners(parsed: dict[str, Document], carried: dict[str, Document],
             problems: list[Problem]) -> dict[str, Document]:
    """One slug, one file: the first path in sorted order wins, the rest are reported."""
    docs: dict[str, Document] = {}
    for rel in sorted({*parsed, *carried}):
        doc = parsed.get(rel) or carried[rel]
        holder = docs.get(doc.slug)
        if holder is not None:
            problems.append(
                Problem(rel, 1, f"duplicate slug {doc.slug!r}: {holder.path} has it; "
                        "this file is skipped", kind="site")
            )
            continue
        docs[doc.slug] = doc
    return docs


def _reparse(content_dir: Path, rel: str, folder_names: dict[str, str]) -> Document | None:
    source = read_source(content_dir, rel)
    if source is None:
        return None
    doc, _ = parse(source, folder_names)
    return doc
