"""Where the index lives: a symlink `index` naming the folder `index.<id>` in use.

A full rebuild is written into a new folder beside the live one and swapped in whole by
renaming the link, so readers never see a half-built index, a crash leaves the previous
one in place, and other processes notice the swap by reading the link.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from pathlib import Path

from whoosh import index as whoosh_index

from app.search.schema import SCHEMA_VERSION, make_schema

log = logging.getLogger(__name__)


def open_or_create(path: Path):
    """(index, rebuilt): the index at path, or a new empty one when it is missing,
    damaged or of another schema version (rebuilt is then True)."""
    version = path / "GLOSSA_SCHEMA"
    current = version.exists() and version.read_text().strip() == SCHEMA_VERSION
    if not current and whoosh_index.exists_in(str(path)):
        log.warning("search index at %s has an older schema; rebuilding it", path)
    elif whoosh_index.exists_in(str(path)):
        try:
            ix = whoosh_index.open_dir(str(path))
            with ix.searcher() as s:  # a truncated segment fails here, not at open
                s.doc_count()
            return ix, False
        except Exception as err:  # noqa: BLE001 - any damage means: rebuild from content
            log.warning("search index at %s is unreadable (%s); rebuilding it", path, err)
    elif path.exists():
        log.warning("search index at %s is missing its files; rebuilding it", path)
    target, _ = new_folder(path)
    point_at(path, target)
    return whoosh_index.open_dir(str(path)), True


def new_folder(path: Path):
    """(folder, empty index in it), beside the live one."""
    target = path.parent / f"{path.name}.{uuid.uuid4().hex[:8]}"
    target.mkdir(parents=True)
    ix = whoosh_index.create_in(str(target), make_schema())
    (target / "GLOSSA_SCHEMA").write_text(SCHEMA_VERSION)
    return target, ix


def point_at(path: Path, target: Path) -> None:
    """Make path (a symlink) name target in one atomic rename, then remove other folders."""
    if path.exists() and not path.is_symlink():
        shutil.rmtree(path)  # an index from before this layout
    swap = path.parent / f".{path.name}.swap"
    swap.unlink(missing_ok=True)
    swap.symlink_to(target.name)
    os.replace(swap, path)
    for stale in path.parent.glob(f"{path.name}.*"):
        if stale.is_dir() and stale.resolve() != target.resolve():
            shutil.rmtree(stale, ignore_errors=True)  # open files stay readable (POSIX)


def folder_of(path: Path) -> str | None:
    """Which folder the link names now (None without a link)."""
    try:
        return os.readlink(path)
    except OSError:
        return None
