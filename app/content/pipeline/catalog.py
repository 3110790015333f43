"""What the content folder held at the last build, file by file, and what an edit changes.

A full build (compile.py) reads every file. After it, a change to a few files need not: the
catalog remembers each entry file's front matter (not its body), who owns every name, the
categories and the cross-file problems, and `update` works out from the changed paths alone
what else the change reaches:

- a file may win or lose a slug against other files with the same slug (the first path wins);
- a new, changed or removed slug, title or alias may move a name to another entry, and then
  every entry linking by that name is rendered again (found through the store's links);
- a folder's `_category.yml` names the category of the entries in it that name none;
- study paths name entries, so they are read again when a name moves.

What it returns (Changes) is what a full build would store, as the rows that differ; tests
compare the two after edits, renames, moves and deletions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from app.content.pipeline.compile import (
    category_descriptions,
    duplicate_slug,
)
from app.content.pipeline.links import Resolver
from app.content.pipeline.model import Document, Problem
from app.content.pipeline.paths import StudyPath
from app.names import name_key

UNKNOWN_STAT = (-1, -1.0)  # a file known only by its stored problems: read it at the next scan
SNAPSHOT_VERSION = 1  # of Catalog.snapshot()'s layout


@dataclass
class Changes:
    """What one update changes in the store and the index."""

    docs: list[Document] = field(default_factory=list)  # winning entries rendered now: rows to (re)write
    removed: set[str] = field(default_factory=set)  # slugs with no entry any more
    reread: set[str] = field(default_factory=set)  # paths whose file problems are replaced
    file_problems: list[Problem] = field(default_factory=list)  # of the reread paths
    site_problems: list[Problem] | None = None  # every duplicate, name and path problem; None: unchanged
    categories: dict[str, str] | None = None  # slug -> name, all of them; None: unchanged
    descriptions: dict[str, str] = field(default_factory=dict)  # with categories
    paths: list[StudyPath] | None = None  # study paths, all of them; None: unchanged
    folders: dict[str, dict] | None = None  # folder metadata to remember; None: unchanged
    # (slug, size, mtime, updated) of entries whose file was touched but says the same
    restat: list[tuple[str, int, float, datetime]] = field(default_factory=list)
    moved_keys: set[str] = field(default_factory=set)  # names whose owner changed
    stats: dict[str, float] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """Nothing a reader could see changed: no new generation is needed."""
        return not (self.docs or self.removed or self.reread or self.restat) and all(
            x is None for x in (self.site_problems, self.categories, self.paths, self.folders)
        )


def known_file(
    path: str,
    content_hash: str,
    updated: datetime | str,
    size: int,
    mtime: float,
    slug: str,
    title: str,
    category: str,
    category_slug: str,
    aliases: list[str],
) -> Document:
    """An entry as the catalog knows it between builds: its file and front matter, no body
    (from a snapshot's row, or the content store's in the same order)."""
    return Document(
        path=path,
        content_hash=content_hash,
        updated=updated if isinstance(updated, datetime) else datetime.fromisoformat(updated),
        file_size=size,
        file_mtime=mtime,
        slug=slug,
        title=title,
        category=category,
        category_slug=category_slug,
        aliases=aliases,
    )


def names_of(doc: Document) -> set[str]:
    return {k for k in (name_key(n) for n in [doc.slug, doc.title, *doc.aliases]) if k}


def ranked_names(doc: Document) -> dict[str, int]:
    """Name key -> the best rank by which doc claims it: what the store's aliases hold."""
    ranked = {name_key(doc.slug): 0}
    ranked.setdefault(name_key(doc.title), 1)
    for alias in doc.aliases:
        ranked.setdefault(name_key(alias), 2)
    ranked.pop("", None)
    return ranked


def _claims(doc: Document) -> list[tuple[int, str, str]]:
    """(rank, what, name) in the order build_resolver makes them: slug, title, aliases."""
    return [(0, "slug", doc.slug), (1, "title", doc.title), *((2, "alias", a) for a in doc.aliases)]


def _rank(doc: Document, key: str) -> int:
    return min(rank for rank, _, name in _claims(doc) if name_key(name) == key)


def folder_of(rel: str) -> str:
    return rel.split("/")[0] if "/" in rel else ""


class Catalog:
    """The last build's picture of the content folder, kept in step one change at a time."""

    def __init__(
        self,
        files: dict[str, Document],
        folders: dict[str, dict],
        failed: dict[str, tuple[int, float]] | None = None,
        claims: Iterable[tuple[str, str, int]] | None = None,
        paths: list[StudyPath] | None = None,
        path_problems: list[Problem] | None = None,
        owners: tuple[dict[str, str], dict[str, list[str]]] | None = None,
    ):
        """files: path -> body-less Document of every entry file that parsed (losers of a
        duplicate slug too); claims: (name key, slug, rank) of every name of every winner,
        when at hand (the store's aliases), else worked out here; owners: what _owners made
        of them, when kept (a snapshot); paths: None when unknown (read at the next scan)."""
        self.files = files
        self.failed = dict(failed or {})  # path -> (size, mtime) of files that did not parse
        self.folders = folders
        self.slug_paths: dict[str, list[str]] = {}  # slug -> paths having it, sorted; the first wins
        for rel in sorted(files):
            self.slug_paths.setdefault(files[rel].slug, []).append(rel)
        self.docs = {slug: files[paths_[0]] for slug, paths_ in self.slug_paths.items()}  # slug -> winner
        winners = sorted(self.docs.values(), key=lambda d: d.path)
        if owners is None:
            if claims is None:
                claims = [(key, d.slug, rank) for d in winners for key, rank in ranked_names(d).items()]
            owners = self._owners(claims)
        keys, self.contested = owners
        self.resolver = Resolver(keys, {d.slug: d.title for d in winners})
        self.clashes = {k: self._clash_problems(k) for k in self.contested}
        self.duplicates = {s: self.duplicate_problems(s) for s, ps in self.slug_paths.items() if len(ps) > 1}
        self.members: dict[str, dict[str, str]] = {}  # category slug -> {path: category name} of winners
        for d in winners:
            self.members.setdefault(d.category_slug, {})[d.path] = d.category
        self.categories = {c: m[max(m)] for c, m in self.members.items()}  # the last path names it
        self.descriptions = category_descriptions(folders)
        self.paths = paths
        self.path_problems = list(path_problems or [])

    # -- a snapshot, for the next start -------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """The catalog as plain values (marshal writes them fast): reading 50,000 entries and
        150,000 names back from the store takes a second longer at the next start."""
        return {
            "version": SNAPSHOT_VERSION,
            "files": [
                (
                    d.path,
                    d.content_hash,
                    d.updated.isoformat(),
                    d.file_size,
                    d.file_mtime,
                    d.slug,
                    d.title,
                    d.category,
                    d.category_slug,
                    list(d.aliases),
                )
                for d in self.files.values()
            ],
            "failed": dict(self.failed),
            "folders": self.folders,
            "owners": (self.resolver.keys, self.contested),
        }

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> Catalog:
        """The catalog snapshot() made; ValueError if it is of another version."""
        if data.get("version") != SNAPSHOT_VERSION:
            raise ValueError("a catalog snapshot of another version")
        files = {row[0]: known_file(*row) for row in data["files"]}
        failed = {path: tuple(stat) for path, stat in data["failed"].items()}
        keys, contested = data["owners"]
        return cls(files, data["folders"], failed=failed, owners=(keys, contested))

    def _owners(self, claims: Iterable[tuple[str, str, int]]) -> tuple[dict[str, str], dict[str, list[str]]]:
        """(name key -> owning slug, name key -> claiming slugs when more than one), by
        build_resolver's rule: the claim of lowest rank (slug, title, alias) wins, and among
        equals the first path."""
        best: dict[str, tuple[int, str, str]] = {}  # key -> (rank, path, slug)
        contested: dict[str, list[str]] = {}  # name key -> slugs claiming it, when more than one
        for key, slug, rank in claims:
            doc = self.docs.get(slug)
            if doc is None:
                continue
            claim = (rank, doc.path, slug)
            held = best.setdefault(key, claim)
            if held is not claim:
                contested.setdefault(key, [held[2]]).append(slug)
                if claim < held:
                    best[key] = claim
        return {k: c[2] for k, c in best.items()}, contested

    # -- problems across files ------------------------------------------------------------
    def site_problems(self) -> list[Problem]:
        """Duplicate slugs, names claimed twice and study path problems, as a full build orders them."""
        dups = sorted((p for ps in self.duplicates.values() for p in ps), key=lambda p: p.path)
        clashes = [p for _, p in sorted(c for cs in self.clashes.values() for c in cs)]
        return [*dups, *clashes, *self.path_problems]

    def duplicate_problems(self, slug: str) -> list[Problem]:
        paths = self.slug_paths.get(slug, [])
        return [duplicate_slug(rel, slug, paths[0]) for rel in paths[1:]]

    def _clash_problems(self, key: str) -> list[tuple[tuple[int, str, int], Problem]]:
        """What build_resolver reports about a key several entries claim: one problem per claim
        of an entry that does not own it, with the position build_resolver makes it in."""
        owner = self.docs[self.resolver.keys[key]]
        found = []
        for slug in self.contested.get(key, ()):
            doc = self.docs[slug]
            if slug == owner.slug:
                continue
            for i, (rank, what, name) in enumerate(_claims(doc)):
                if name_key(name) == key:
                    message = f"{what} {name!r} is already used by {owner.path}; links to it go there"
                    found.append(((rank, doc.path, i), Problem(doc.path, 2, message, kind="site")))
        return found

    # -- names ------------------------------------------------------------------------------
    def claim(self, key: str, slug: str) -> None:
        claimants = self.contested.get(key)
        if claimants is not None:
            if slug not in claimants:
                claimants.append(slug)
            return
        holder = self.resolver.keys.setdefault(key, slug)
        if holder != slug:
            self.contested[key] = [holder, slug]

    def unclaim(self, key: str, slug: str) -> None:
        claimants = self.contested.get(key)
        if claimants is not None:
            if slug in claimants:
                claimants.remove(slug)
            if len(claimants) == 1:
                del self.contested[key]
                self.resolver.keys[key] = claimants[0]
            return
        if self.resolver.keys.get(key) == slug:
            del self.resolver.keys[key]

    def settle_owner(self, key: str) -> None:
        """Slugs claim before titles, titles before aliases; among equals the first path wins."""
        claimants = self.contested.get(key)
        if claimants is not None:
            self.resolver.keys[key] = min(claimants, key=lambda s: (_rank(self.docs[s], key), self.docs[s].path))
            self.clashes[key] = self._clash_problems(key)
        else:
            self.clashes.pop(key, None)

    # -- an update ----------------------------------------------------------------------------
    def update(
        self,
        content_dir: Path,
        changed: Iterable[str] | None,
        links_to: Callable[[set[str]], Iterable[str]],
        progress: Callable[[int, int], None] | None = None,
        found: Callable[[], dict[str, tuple[int, float]]] | None = None,
    ) -> Changes:
        """Bring the catalog up to date with content_dir and say what changed.

        changed: relative paths that may have changed (entries, `_category.yml` files, study
        paths, or folders added or removed); None looks at every file (a scan). links_to(keys):
        slugs of stored entries with a link by one of these name keys. found: for a scan, what
        discover() finds, if it is being found already.
        """
        from app.content.pipeline.catalog_update import CatalogUpdate  # it works on a Catalog

        update = CatalogUpdate(self, content_dir, links_to)
        update.found = found
        return update.run(None if changed is None else set(changed), progress)
