"""Run the pipeline over a whole content folder: load -> parse -> link -> render.

Pure: it reads files and returns documents and problems; content/builder.py stores them (content/store_writer.py).
This is a full build, and the reference for the incremental one: catalog.py works out what
an edit changes and must arrive at what this would.
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

log = logging.getLogger(__name__)


def without_body(doc: Document) -> Document:
    """A copy with front-matter fields only: what the next build needs to remember."""
    return Document(
        path=doc.path,
        content_hash=doc.content_hash,
        updated=doc.updated,
        file_size=doc.file_size,
        file_mtime=doc.file_mtime,
        slug=doc.slug,
        title=doc.title,
        category=doc.category,
        category_slug=doc.category_slug,
        tags=doc.tags,
        aliases=doc.aliases,
        summary=doc.summary,
    )


@dataclass
class Compiled:
    docs: dict[str, Document]  # slug -> winning document, rendered
    rendered: set[str]  # slugs whose Document was rendered: all of them
    problems: list[Problem]  # file problems and cross-file problems
    resolver: Resolver
    categories: dict[str, str]  # slug -> name
    category_descriptions: dict[str, str] = field(default_factory=dict)
    paths: list[StudyPath] = field(default_factory=list)
    path_problems: list[Problem] = field(default_factory=list)  # also in problems
    files: dict[str, Document] = field(default_factory=dict)  # path -> every entry that parsed, losers too
    failed: dict[str, tuple[int, float]] = field(default_factory=dict)  # path -> (size, mtime): did not parse
    folders: dict[str, dict] = field(default_factory=dict)  # folder -> its _category.yml
    stats: dict[str, float] = field(default_factory=dict)


def category_descriptions(folders: dict[str, dict]) -> dict[str, str]:
    """Category slug -> description, from the folders' _category.yml files."""
    descriptions = {}
    for folder, meta in folders.items():
        if meta["description"]:
            descriptions[slugify(meta["name"] or folder) or folder] = meta["description"]
    return descriptions


def folder_names(folders: dict[str, dict]) -> dict[str, str]:
    return {f: m["name"] for f, m in folders.items() if m["name"]}


def compile_content(content_dir: Path, progress: Callable[[int, int], None] | None = None) -> Compiled:
    started = time.perf_counter()
    folder_meta = read_category_meta(content_dir)
    names = folder_names(folder_meta)
    problems: list[Problem] = []
    parsed: dict[str, Document] = {}  # path -> parsed doc
    failed: dict[str, tuple[int, float]] = {}

    for rel in discover(content_dir):
        source = read_source(content_dir, rel)
        if source is None:
            continue
        doc, found = parse(source, names)
        problems.extend(found)
        if doc is not None:
            parsed[rel] = doc
        else:
            failed[rel] = (source.file_size, source.file_mtime)
    t_parse = time.perf_counter()

    docs = _winners(parsed, problems)
    resolver = build_resolver(sorted(docs.values(), key=lambda d: d.path))
    problems.extend(resolver.problems)
    paths, path_problems = load_paths(content_dir, resolver.resolve)
    problems.extend(path_problems)

    md = make_markdown()
    total = len(docs)
    for n, slug in enumerate(sorted(docs), 1):
        problems.extend(render(docs[slug], md, resolver))
        if progress:
            progress(n, total)
    t_render = time.perf_counter()

    categories = {d.category_slug: d.category for d in sorted(docs.values(), key=lambda d: d.path)}
    return Compiled(
        docs=docs,
        rendered=set(docs),
        problems=problems,
        resolver=resolver,
        categories=categories,
        category_descriptions=category_descriptions(folder_meta),
        paths=paths,
        path_problems=path_problems,
        files=parsed,
        failed=failed,
        folders=folder_meta,
        stats={"parse_s": t_parse - started, "render_s": t_render - t_parse},
    )


def _winners(parsed: dict[str, Document], problems: list[Problem]) -> dict[str, Document]:
    """One slug, one file: the first path in sorted order wins, the rest are reported."""
    docs: dict[str, Document] = {}
    for rel in sorted(parsed):
        doc = parsed[rel]
        holder = docs.get(doc.slug)
        if holder is not None:
            problems.append(duplicate_slug(rel, doc.slug, holder.path))
            continue
        docs[doc.slug] = doc
    return docs


def duplicate_slug(path: str, slug: str, holder: str) -> Problem:
    return Problem(path, 1, f"duplicate slug {slug!r}: {holder} has it; this file is skipped", kind="site")
