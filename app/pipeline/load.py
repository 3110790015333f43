"""Find content files and read them as bytes with a content hash."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Source:
    path: str  # relative, POSIX
    raw: bytes
    content_hash: str
    updated: datetime


def discover(content_dir: Path) -> list[str]:
    """Markdown files below content_dir, skipping hidden and underscore-prefixed names."""
    if not content_dir.is_dir():
        return []
    found = []
    for path in content_dir.rglob("*.md"):
        rel = path.relative_to(content_dir)
        if any(part.startswith((".", "_")) for part in rel.parts):
            continue
        if path.is_file():
            found.append(rel.as_posix())
    return sorted(found)


def read_source(content_dir: Path, rel: str) -> Source | None:
    """None when the file vanished between discovery and reading (an editor saving)."""
    path = content_dir / rel
    try:
        raw = path.read_bytes()
        mtime = path.stat().st_mtime
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        return None
    return Source(
        path=rel,
        raw=raw,
        content_hash=hashlib.sha256(raw).hexdigest(),
        updated=datetime.fromtimestamp(mtime, tz=timezone.utc),
    )


def read_category_meta(content_dir: Path) -> dict[str, dict]:
    """Optional `<folder>/_category.yml` files giving a category's name and description."""
    meta: dict[str, dict] = {}
    if not content_dir.is_dir():
        return meta
    for path in sorted(content_dir.glob("*/_category.yml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if isinstance(data, dict):
            meta[path.parent.name] = {
                "name": str(data.get("name") or "").strip(),
                "description": str(data.get("description") or "").strip(),
            }
    return meta
