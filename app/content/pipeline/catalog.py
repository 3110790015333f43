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

import logging
import time
from bisect import insort
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from app.content.pipeline.compile import (
    category_descriptions,
    duplicate_slug,
    folder_names,
    without_body,
)
from app.content.pipeline.links import Resolver
from app.content.pipeline.load import (
    CATEGORY_FILE,
    PATHS_FOLDER,
    discover,
    is_category_file,
    is_entry,
    is_path_file,
    read_category_meta,
    read_folder_meta,
    read_source,
)
from app.content.pipeline.model import Document, Problem
from app.content.pipeline.parse import parse
from app.content.pipeline.paths import StudyPath, load_paths
from app.content.pipeline.render import make_markdown, render
from app.names import name_key

log = logging.getLogger(__name__)

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


def _names(doc: Document) -> set[str]:
    return {k for k in (name_key(n) for n in [doc.slug, doc.title, *doc.aliases]) if k}


def _ranked_names(doc: Document) -> dict[str, int]:
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


def _folder(rel: str) -> str:
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
                claims = [(key, d.slug, rank) for d in winners for key, rank in _ranked_names(d).items()]
            owners = self._owners(claims)
        keys, self.contested = owners
        self.resolver = Resolver(keys, {d.slug: d.title for d in winners})
        self.clashes = {k: self._clash_problems(k) for k in self.contested}
        self.duplicates = {s: self._duplicate_problems(s) for s, ps in self.slug_paths.items() if len(ps) > 1}
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
        files = {}
        for path, content_hash, updated, size, mtime, slug, title, category, category_slug, aliases in data["files"]:
            files[path] = Document(
                path=path,
                content_hash=content_hash,
                updated=datetime.fromisoformat(updated),
                file_size=size,
                file_mtime=mtime,
                slug=slug,
                title=title,
                category=category,
                category_slug=category_slug,
                aliases=aliases,
            )
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

    def _duplicate_problems(self, slug: str) -> list[Problem]:
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
    def _claim(self, key: str, slug: str) -> None:
        claimants = self.contested.get(key)
        if claimants is not None:
            if slug not in claimants:
                claimants.append(slug)
            return
        holder = self.resolver.keys.setdefault(key, slug)
        if holder != slug:
            self.contested[key] = [holder, slug]

    def _unclaim(self, key: str, slug: str) -> None:
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

    def _settle_owner(self, key: str) -> None:
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
        update = _Update(self, content_dir, links_to)
        update.found = found
        return update.run(None if changed is None else set(changed), progress)


class _Update:
    """One update of a catalog: the bookkeeping of a single call to Catalog.update."""

    def __init__(self, catalog: Catalog, content_dir: Path, links_to: Callable[[set[str]], Iterable[str]]):
        self.c = catalog
        self.content_dir = content_dir
        self.links_to = links_to
        self.out = Changes()
        self.names: dict[str, str] = {}  # folder -> category name
        self.queue: list[tuple[str, bool]] = []  # (path, read even if unchanged)
        self.checked: set[str] = set()  # found unchanged
        self.fresh: dict[str, Document] = {}  # path -> parsed now, with its body
        self.gone: set[str] = set()
        self.problems: dict[str, list[Problem]] = {}  # path -> file problems of paths read now
        self.dirty_slugs: set[str] = set()
        self.before: dict[str, Document | None] = {}  # slug -> its winner before this update
        self.dirty_categories: set[str] = set()
        self.site_dirty = False
        self.found: Callable[[], dict[str, tuple[int, float]]] | None = None

    def run(self, changed: set[str] | None, progress: Callable[[int, int], None] | None) -> Changes:
        started = time.perf_counter()
        c, out = self.c, self.out
        scan = changed is None
        folders = read_category_meta(self.content_dir) if scan else self._folders(changed or set())
        renamed = {
            f
            for f in set(folders) | set(c.folders)
            if (folders.get(f) or {}).get("name", "") != (c.folders.get(f) or {}).get("name", "")
        }
        if folders != c.folders:
            c.folders = folders
            out.folders = folders
        self.names = folder_names(folders)
        self._candidates(changed, renamed)
        reread_paths = scan or any(rel.split("/")[0] == PATHS_FOLDER for rel in changed or ())

        moved: set[str] = set()
        while self.queue:
            work, self.queue = self.queue, []
            for rel, forced in work:
                self._read(rel, forced)
            keys_before: dict[str, str | None] = {}
            touched: set[str] = set()
            for slug in sorted(self.dirty_slugs):
                self._settle(slug, keys_before, touched)
            self.dirty_slugs.clear()
            for key in touched:
                clashes = c.clashes.get(key)
                c._settle_owner(key)
                self.site_dirty |= c.clashes.get(key) != clashes
            round_moved = {k for k in touched if c.resolver.keys.get(k) != keys_before[k]}
            if round_moved:
                moved |= round_moved
                for slug in sorted(set(self.links_to(round_moved))):
                    doc = c.docs.get(slug)
                    if doc is not None and doc.path not in self.fresh:
                        self.queue.append((doc.path, True))
        out.moved_keys = moved
        t_read = time.perf_counter()

        self._categories(folders)
        if reread_paths or moved or c.paths is None:
            paths, path_problems = load_paths(self.content_dir, c.resolver.resolve)
            if paths != c.paths or path_problems != c.path_problems:
                c.paths, c.path_problems = paths, path_problems
                out.paths = paths
                self.site_dirty = True
        if self.site_dirty:
            out.site_problems = c.site_problems()
        self._render(progress)
        out.removed = {s for s, old in self.before.items() if old is not None and s not in c.docs}
        out.stats = {"read_s": t_read - started, "render_s": time.perf_counter() - t_read}
        return out

    # -- which files to look at -------------------------------------------------------------
    def _folders(self, changed: set[str]) -> dict[str, dict]:
        folders = dict(self.c.folders)
        for rel in changed:
            folder = rel.split("/")[0]
            # The file, or a whole folder added or removed.
            if (is_category_file(rel) or "/" not in rel) and is_category_file(f"{folder}/{CATEGORY_FILE}"):
                meta = read_folder_meta(self.content_dir, folder)
                if meta is None:
                    folders.pop(folder, None)
                else:
                    folders[folder] = meta
        return dict(sorted(folders.items()))

    def _candidates(self, changed: set[str] | None, renamed: set[str]) -> None:
        c = self.c
        if changed is None:
            found = self.found() if self.found else discover(self.content_dir)
            self._if_changed(found)
            self.queue += [(rel, False) for rel in [*c.files, *c.failed] if rel not in found]
        else:
            for rel in sorted(changed):
                if is_entry(rel):
                    self.queue.append((rel, False))
                elif not (is_category_file(rel) or is_path_file(rel) or rel.endswith((".md", ".yml"))):
                    self._folder_changed(rel)
        if renamed:  # the entries of a folder whose category name changed
            self.queue += [(rel, True) for rel in sorted(c.files) if _folder(rel) in renamed]

    def _folder_changed(self, rel: str) -> None:
        """A folder appeared, moved or went (its files may never be named one by one)."""
        if any(part.startswith((".", "_")) for part in rel.split("/")):
            return
        where = self.content_dir / rel
        found = {}
        if where.is_dir():
            found = discover(self.content_dir, rel)
            self._if_changed(found)
        elif where.exists():
            return  # a file of some other kind: not content
        prefix = f"{rel}/"
        self.queue += [(r, False) for r in [*self.c.files, *self.c.failed] if r.startswith(prefix) and r not in found]

    def _if_changed(self, found: dict[str, tuple[int, float]]) -> None:
        """Queue the files found whose size or time is not what the catalog knows."""
        c = self.c
        for rel, stat in found.items():
            prior = c.files.get(rel)
            known = (prior.file_size, prior.file_mtime) if prior is not None else c.failed.get(rel)
            if known != stat:
                self.queue.append((rel, False))

    # -- reading one file ---------------------------------------------------------------------
    def _read(self, rel: str, forced: bool) -> None:
        if rel in self.fresh or rel in self.gone or (rel in self.checked and not forced):
            return
        c = self.c
        prior = c.files.get(rel)
        source = read_source(self.content_dir, rel) if is_entry(rel) else None
        if source is None:
            self.gone.add(rel)
            if prior is None and rel not in c.failed:
                return  # nothing known, nothing there
            c.failed.pop(rel, None)
            self._reread(rel, [])
            if prior is not None:
                self._drop(rel, prior)
            return
        if prior is not None and not forced and source.content_hash == prior.content_hash:
            self.checked.add(rel)
            if (prior.file_size, prior.file_mtime) != (source.file_size, source.file_mtime):
                prior.file_size, prior.file_mtime, prior.updated = source.file_size, source.file_mtime, source.updated
                if c.docs.get(prior.slug) is prior:  # its row says when it was updated
                    self.out.restat.append((prior.slug, source.file_size, source.file_mtime, source.updated))
            return
        doc, found = parse(source, self.names)
        self._reread(rel, found)
        c.failed.pop(rel, None)
        if prior is not None:
            self._drop(rel, prior)
        if doc is None:
            c.failed[rel] = (source.file_size, source.file_mtime)
            return
        c.files[rel] = self.fresh[rel] = doc
        insort(c.slug_paths.setdefault(doc.slug, []), rel)
        self.dirty_slugs.add(doc.slug)

    def _reread(self, rel: str, problems: list[Problem]) -> None:
        self.out.reread.add(rel)
        self.problems[rel] = list(problems)

    def _drop(self, rel: str, prior: Document) -> None:
        c = self.c
        del c.files[rel]
        paths = c.slug_paths[prior.slug]
        paths.remove(rel)
        if not paths:
            del c.slug_paths[prior.slug]
        self.dirty_slugs.add(prior.slug)

    # -- a slug's winner, and the names it claims ------------------------------------------------
    def _settle(self, slug: str, keys_before: dict[str, str | None], touched: set[str]) -> None:
        c = self.c
        paths = c.slug_paths.get(slug, [])
        duplicates = c._duplicate_problems(slug)
        if duplicates != c.duplicates.get(slug, []):
            self.site_dirty = True
            if duplicates:
                c.duplicates[slug] = duplicates
            else:
                c.duplicates.pop(slug, None)
        new = c.files[paths[0]] if paths else None
        old = c.docs.get(slug)
        if new is old:
            return
        self.before.setdefault(slug, old)
        if new is None:
            del c.docs[slug]
            c.resolver.titles.pop(slug, None)
        else:
            c.docs[slug] = new
            c.resolver.titles[slug] = new.title
            if new.path not in self.fresh:
                self.queue.append((new.path, True))  # a file that lost its slug until now: render it
        if old is not None:
            self.dirty_categories.add(old.category_slug)
            c.members.get(old.category_slug, {}).pop(old.path, None)
        if new is not None:
            self.dirty_categories.add(new.category_slug)
            c.members.setdefault(new.category_slug, {})[new.path] = new.category
        old_keys = _names(old) if old is not None else set()
        new_keys = _names(new) if new is not None else set()
        for key in old_keys | new_keys:
            keys_before.setdefault(key, c.resolver.keys.get(key))
        for key in old_keys - new_keys:
            c._unclaim(key, slug)
        for key in new_keys - old_keys:
            c._claim(key, slug)
        touched |= old_keys | new_keys

    # -- what else follows --------------------------------------------------------------------------
    def _categories(self, folders: dict[str, dict]) -> None:
        c = self.c
        categories = dict(c.categories)
        for slug in self.dirty_categories:
            members = c.members.get(slug)
            if members:
                categories[slug] = members[max(members)]
            else:
                categories.pop(slug, None)
                c.members.pop(slug, None)
        descriptions = category_descriptions(folders)
        if categories != c.categories or descriptions != c.descriptions or self.out.folders is not None:
            c.categories, c.descriptions = categories, descriptions
            self.out.categories, self.out.descriptions = dict(categories), dict(descriptions)

    def _render(self, progress: Callable[[int, int], None] | None) -> None:
        c, out = self.c, self.out
        winners = [d for d in self.fresh.values() if c.docs.get(d.slug) is d]
        md = make_markdown()
        for n, doc in enumerate(sorted(winners, key=lambda d: d.slug), 1):
            self.problems[doc.path] += render(doc, md, c.resolver)
            if progress:
                progress(n, len(winners))
        out.docs = winners
        out.file_problems = [p for rel in sorted(self.problems) for p in self.problems[rel]]
        # Remember front matter only: bodies are in the store.
        for rel, doc in self.fresh.items():
            light = c.files[rel] = without_body(doc)
            if c.docs.get(doc.slug) is doc:
                c.docs[doc.slug] = light
