"""Study paths: ordered lists of entries in `content/_paths/*.yml`, each step needing only the
ones before it. Entries are named by slug (or any name of the entry), checked like links."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from app.content.pipeline.model import Problem

FOLDER = "_paths"


@dataclass
class PathSection:
    title: str
    summary: str = ""
    entries: list[str] = field(default_factory=list)  # slugs, in order


@dataclass
class StudyPath:
    slug: str  # the file name without .yml
    title: str
    summary: str = ""
    sections: list[PathSection] = field(default_factory=list)

    @property
    def entries(self) -> list[str]:
        return [slug for section in self.sections for slug in section.entries]


def _value(node: yaml.Node | None) -> str:
    return str(node.value).strip() if isinstance(node, yaml.ScalarNode) else ""


def _mapping(node: yaml.Node) -> dict[str, yaml.Node]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): v for k, v in node.value if isinstance(k, yaml.ScalarNode)}


def _described(fields: dict[str, yaml.Node]) -> str:
    """`description`, or `summary` as the first paths were written."""
    return _value(fields.get("description")) or _value(fields.get("summary"))


def _read(file: Path, rel: str, resolve: Callable[[str], str | None]) -> tuple[StudyPath | None, list[Problem]]:
    problems: list[Problem] = []
    try:
        root = yaml.compose(file.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError) as err:
        return None, [Problem(rel, 1, f"study path cannot be read: {err}", kind="site")]
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        reason = getattr(err, "problem", None) or str(err).splitlines()[0]
        return None, [Problem(rel, mark.line + 1 if mark else 1, f"malformed study path: {reason}", kind="site")]
    top = _mapping(root) if root is not None else {}
    title = _value(top.get("title"))
    if not title:
        return None, [Problem(rel, 1, "study path has no title", kind="site")]
    path = StudyPath(file.stem, title, _described(top))
    sections = top.get("sections")
    if not isinstance(sections, yaml.SequenceNode) or not sections.value:
        return None, [Problem(rel, 1, "study path has no sections (a list of title and entries)", kind="site")]
    seen: set[str] = set()
    for node in sections.value:
        fields = _mapping(node)
        section = PathSection(_value(fields.get("title")) or "Untitled", _described(fields))
        entries = fields.get("entries")
        if not isinstance(entries, yaml.SequenceNode) or not entries.value:
            problems.append(
                Problem(rel, node.start_mark.line + 1, f"section {section.title!r} has no entries", kind="site")
            )
            continue
        for item in entries.value:
            name, line = _value(item), item.start_mark.line + 1
            slug = resolve(name) if name else None
            if slug is None:
                problems.append(Problem(rel, line, f"study path names no entry {name!r}", kind="site"))
            elif slug in seen:
                problems.append(Problem(rel, line, f"{name!r} is already in this path", "warning", "site"))
            else:
                seen.add(slug)
                section.entries.append(slug)
        path.sections.append(section)
    return path, problems


def load_paths(content_dir: Path, resolve: Callable[[str], str | None]) -> tuple[list[StudyPath], list[Problem]]:
    """Every study path in the content folder, and what is wrong with them."""
    paths: list[StudyPath] = []
    problems: list[Problem] = []
    for file in sorted((content_dir / FOLDER).glob("*.yml")):
        path, found = _read(file, f"{FOLDER}/{file.name}", resolve)
        problems.extend(found)
        if path is not None:
            paths.append(path)
    return paths, problems
