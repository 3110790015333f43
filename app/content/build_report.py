"""What a build reports (counts, problems, time), read from the content store, and `glossa
check`: a build of a content folder written nowhere but memory."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine

from app.content import store
from app.content.pipeline.compile import Compiled, compile_content
from app.content.pipeline.load import ignored_files
from app.content.pipeline.model import Problem
from app.content.store_writer import write_compiled


@dataclass
class BuildReport:
    entries: int = 0
    categories: int = 0
    links: int = 0
    unresolved: int = 0
    files_with_errors: int = 0
    changed: int = 0
    removed: int = 0
    seconds: float = 0.0
    full: bool = False
    problems: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        kind = "full build" if self.full else "update"
        return (
            f"{kind}: {self.entries} entries, {self.categories} categories, {self.links} links, "
            f"{self.unresolved} unresolved links, {self.files_with_errors} files with errors "
            f"({self.changed} rendered, {self.removed} removed, {self.seconds:.2f} s)"
        )


def stored_report(
    engine: Engine, changed: int = 0, removed: int = 0, full: bool = False, counts: store.Counts | None = None
) -> BuildReport:
    """The report of what the store now holds, with the problems of its latest build; counts:
    what it holds, when known (counting 200,000 links takes a while)."""
    with store.session_scope(engine) as s:
        counts = counts or store.counts(s)
        problems = store.stored_problems(s)
    return BuildReport(
        entries=counts.entries,
        categories=counts.categories,
        links=counts.links,
        unresolved=counts.unresolved,
        files_with_errors=len({p.path for p in problems if p.severity == "error"}),
        changed=changed,
        removed=removed,
        full=full,
        problems=problems,
    )


def check_content(content_dir: Path) -> tuple[BuildReport, Compiled]:
    """What a build of content_dir would report, written nowhere but memory (`glossa check`),
    and what the pipeline made of it."""
    engine = store.make_engine("sqlite://")
    store.create_tables(engine)
    compiled = compile_content(content_dir)
    write_compiled(engine, compiled)
    report = stored_report(engine, changed=len(compiled.rendered), full=True)
    engine.dispose()
    report.problems += [
        Problem(rel, 1, "ignored: not an entry (.md), a _category.yml or a study path (_paths/*.yml)", "warning")
        for rel in ignored_files(content_dir)
    ]
    return report, compiled
