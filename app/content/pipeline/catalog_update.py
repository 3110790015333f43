"""One update of the catalog (app/content/pipeline/catalog.py): from the paths that changed,
which files to read again, who owns each name afterwards, which entries linking by a moved name
to render again, and the rows that differ (Changes)."""

from __future__ import annotations

import time
from bisect import insort
from collections.abc import Callable, Iterable
from pathlib import Path

from app.content.pipeline.catalog import Catalog, Changes, folder_of, names_of
from app.content.pipeline.compile import category_descriptions, folder_names, without_body
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
from app.content.pipeline.paths import load_paths
from app.content.pipeline.render import make_markdown, render


class CatalogUpdate:
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
                c.settle_owner(key)
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
            self.queue += [(rel, True) for rel in sorted(c.files) if folder_of(rel) in renamed]

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
        duplicates = c.duplicate_problems(slug)
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
        old_keys = names_of(old) if old is not None else set()
        new_keys = names_of(new) if new is not None else set()
        for key in old_keys | new_keys:
            keys_before.setdefault(key, c.resolver.keys.get(key))
        for key in old_keys - new_keys:
            c.unclaim(key, slug)
        for key in new_keys - old_keys:
            c.claim(key, slug)
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
