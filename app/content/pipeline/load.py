"""Find content files and read them as bytes with a content hash."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Source:
    path: str  # relative, POSIX
    raw: bytes
    content_hash: str
    updated: datetime
    file_size: int = 0
    file_mtime: float = 0.0


CATEGORY_FILE = "_category.yml"
PATHS_FOLDER = "_paths"


def is_entry(rel: str) -> bool:
    """Whether a relative path names an entry file: `*.md`, no part hidden or starting with `_`."""
    return rel.endswith(".md") and not any(part.startswith((".", "_")) for part in rel.split("/"))


def is_category_file(rel: str) -> bool:
    parts = rel.split("/")
    return len(parts) == 2 and parts[1] == CATEGORY_FILE and not parts[0].startswith((".", "_"))


def is_path_file(rel: str) -> bool:
    parts = rel.split("/")
    return len(parts) == 2 and parts[0] == PATHS_FOLDER and parts[1].endswith(".yml")


def discover(content_dir: Path, under: str = "") -> dict[str, tuple[int, float]]:
    """Markdown files below content_dir (or its subfolder `under`) with (size, mtime),
    skipping hidden and `_` names.

    One scandir walk: its entries carry what stat() says, so a rebuild of 10,000 unchanged
    files costs a directory listing, not 10,000 path objects.
    """
    found: dict[str, tuple[int, float]] = {}
    if under and any(part.startswith((".", "_")) for part in under.split("/")):
        return found
    start = content_dir / under if under else content_dir
    if not start.is_dir():
        return found
    stack = [(str(start), f"{under}/" if under else "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith((".", "_")):
                continue
            try:
                if entry.is_dir():
                    stack.append((entry.path, f"{prefix}{entry.name}/"))
                elif entry.name.endswith(".md") and entry.is_file():
                    st = entry.stat()
                    found[prefix + entry.name] = (st.st_size, st.st_mtime)
            except OSError:
                continue  # vanished while we looked: an editor saving
    return dict(sorted(found.items()))


def ignored_files(content_dir: Path) -> list[str]:
    """Files under content_dir that no build reads: nothing but content belongs there. Read are
    entries (`*.md`, not hidden, no part starting with `_`), `<folder>/_category.yml` and
    `_paths/*.yml`; hidden files (an editor's, git's) are nobody's business."""
    ignored = []
    for folder, dirs, files in os.walk(content_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        rel_folder = Path(folder).relative_to(content_dir)
        for name in sorted(files):
            if name.startswith("."):
                continue
            rel = (rel_folder / name).as_posix()
            parts = rel.split("/")
            entry = name.endswith(".md") and not any(p.startswith("_") for p in parts)
            category = len(parts) == 2 and name == "_category.yml"
            path = len(parts) == 2 and parts[0] == "_paths" and name.endswith(".yml")
            if not (entry or category or path):
                ignored.append(rel)
    return sorted(ignored)


def read_source(content_dir: Path, rel: str) -> Source | None:
    """None when the file vanished between discovery and reading (an editor saving)."""
    path = content_dir / rel
    try:
        raw = path.read_bytes()
        st = path.stat()
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        return None
    return Source(
        path=rel,
        raw=raw,
        content_hash=hashlib.sha256(raw).hexdigest(),
        updated=datetime.fromtimestamp(st.st_mtime, tz=UTC),
        file_size=st.st_size,
        file_mtime=st.st_mtime,
    )


def read_category_meta(content_dir: Path) -> dict[str, dict]:
    """Optional `<folder>/_category.yml` files giving a category's name and description."""
    meta: dict[str, dict] = {}
    if not content_dir.is_dir():
        return meta
    for path in sorted(content_dir.glob(f"*/{CATEGORY_FILE}")):
        if not is_category_file(f"{path.parent.name}/{CATEGORY_FILE}"):
            continue  # a hidden or `_` folder holds no entries
        found = read_folder_meta(content_dir, path.parent.name)
        if found is not None:
            meta[path.parent.name] = found
    return meta


def read_folder_meta(content_dir: Path, folder: str) -> dict | None:
    """One folder's `_category.yml` as {name, description}; None when missing or unreadable."""
    try:
        data = yaml.safe_load((content_dir / folder / CATEGORY_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    if not isinstance(data, dict):
        return None
    return {
        "name": str(data.get("name") or "").strip(),
        "description": str(data.get("description") or "").strip(),
    }
