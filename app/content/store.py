"""The content store: what the pipeline wrote, in SQL. Derived and disposable.

Every row here is rebuilt from the content folder: a full build empties these tables, and
a damaged SQLite file is set aside and started afresh. Nothing durable may live here (see
app/state for that); these tables have their own metadata so that nothing done to them can
reach another store.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, event, func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import registry
from sqlmodel import Field, Session, SQLModel, col, create_engine, select

from app.content.pipeline.model import Problem

log = logging.getLogger(__name__)


class ContentTable(SQLModel, registry=registry()):
    """Base of the content store's tables, with a metadata of their own."""


class Entry(ContentTable, table=True):
    slug: str = Field(primary_key=True, max_length=200)
    title: str = Field(index=True)
    category: str  # display name
    category_slug: str = Field(index=True, foreign_key="category.slug")
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    aliases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    summary: str = Field(default="", sa_column=Column(Text, nullable=False))
    markdown: str = Field(default="", sa_column=Column(Text, nullable=False))
    html: str = Field(default="", sa_column=Column(Text, nullable=False))
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    toc: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    source_path: str = Field(index=True, unique=True)
    content_hash: str
    file_size: int = 0
    file_mtime: float = 0.0
    updated: datetime
    deck_hash: str = ""  # of what study decks take from the entry: unchanged, decks are kept


class Meta(ContentTable, table=True):
    key: str = Field(primary_key=True)
    value: str = ""


class Category(ContentTable, table=True):
    slug: str = Field(primary_key=True, max_length=200)
    name: str
    description: str = ""


class EntryTag(ContentTable, table=True):
    entry_slug: str = Field(primary_key=True, foreign_key="entry.slug", ondelete="CASCADE")
    tag: str = Field(primary_key=True, index=True)


class Alias(ContentTable, table=True):
    """Every name that reaches an entry, by its name key, for redirects.

    rank orders claims on one key as the resolver does: slug 0, title 1, alias 2.
    """

    key: str = Field(primary_key=True)
    entry_slug: str = Field(primary_key=True, foreign_key="entry.slug", ondelete="CASCADE")
    rank: int = 2

    # The primary key leads with `key`; deleting an entry looks aliases up by entry_slug,
    # which without this index scans the table (0.2 s per edit at 50,000 entries).
    __table_args__ = (Index("ix_alias_entry_slug", "entry_slug"),)


class Link(ContentTable, table=True):
    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(foreign_key="entry.slug", ondelete="CASCADE")
    target: str | None = Field(default=None)  # None when unresolved
    target_text: str
    target_key: str  # name key of target_text, to find links whose resolution may change
    anchor: str = ""
    line: int = 0

    __table_args__ = (
        Index("ix_link_source", "source"),
        Index("ix_link_target", "target"),
        Index("ix_link_target_key", "target_key"),
    )


class StudyCard(ContentTable, table=True):
    """A card of an entry's deck (pipeline/deck.py); learners' schedules refer to it by
    (entry slug, key) from the state store."""

    __tablename__ = "card"

    entry_slug: str = Field(primary_key=True, foreign_key="entry.slug", ondelete="CASCADE")
    key: str = Field(primary_key=True, max_length=40)
    kind: str = Field(max_length=10)
    position: int = 0
    front_md: str = Field(default="", sa_column=Column(Text, nullable=False))
    back_md: str = Field(default="", sa_column=Column(Text, nullable=False))
    front_html: str = Field(default="", sa_column=Column(Text, nullable=False))
    back_html: str = Field(default="", sa_column=Column(Text, nullable=False))
    answers: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    line: int = 0


class StudyPathRow(ContentTable, table=True):
    """A study path (content/_paths/*.yml): sections of entry slugs, in the order to learn them.
    Paths are few and read whole, so each is one row, written afresh by every build."""

    __tablename__ = "study_path"

    slug: str = Field(primary_key=True, max_length=200)
    title: str
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    position: int = 0
    sections: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class BuildProblem(ContentTable, table=True):
    """Problems from the latest build, so the site can show what `glossa check` would."""

    __tablename__ = "problem"

    id: int | None = Field(default=None, primary_key=True)
    path: str
    line: int
    message: str
    severity: str = "error"
    kind: str = "file"  # "file": found parsing that file; "site": found across files


# Bump when the tables or what the pipeline puts in them change: a store of another version is
# rebuilt from content in full at the next build. 5: a link's target_key is the key it resolves
# by (without `.md`); Meta holds the folders' category names and an order-free deck fingerprint.
SCHEMA = "5"
BIND_CHUNK = 500  # stays under every database's bound-parameter limit


def chunks(items: Iterable[Any], size: int = BIND_CHUNK) -> Iterator[list[Any]]:
    """Slices of items small enough for one `IN (...)`."""
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i : i + size]


@dataclass(frozen=True)
class Counts:
    entries: int
    categories: int
    links: int  # resolved
    unresolved: int


def counts(s: Session) -> Counts:
    """What the store holds: the one place these are counted."""

    def count(stmt: Any) -> int:
        return int(s.execute(stmt).scalar_one())

    return Counts(
        entries=count(select(func.count()).select_from(Entry)),
        categories=count(select(func.count()).select_from(Category)),
        links=count(select(func.count()).select_from(Link).where(col(Link.target).is_not(None))),
        unresolved=count(select(func.count()).select_from(Link).where(col(Link.target).is_(None))),
    )


UNRESOLVED = "unresolved link "  # how every unresolved-link problem begins, to find them again


def unresolved_problem(path: str, line: int, target: str) -> Problem:
    return Problem(path, line, f"{UNRESOLVED}[[{target}]]", "warning", "site")


def unresolved_problems(s: Session) -> list[Problem]:
    """A warning for every link that reaches no entry, at the line it was written."""
    rows = s.execute(
        select(Entry.source_path, Link.line, Link.target_text)
        .join(Entry, col(Entry.slug) == Link.source)
        .where(col(Link.target).is_(None))
    )
    return [unresolved_problem(r[0], r[1], r[2]) for r in rows]


def stored_problems(s: Session) -> list[Problem]:
    rows = s.execute(select(BuildProblem).order_by(col(BuildProblem.path), col(BuildProblem.line))).scalars()
    return [Problem(p.path, p.line, p.message, p.severity, p.kind) for p in rows]


def signal_generation(signal: Path, generation: str) -> None:
    """Tell readers in every process that the store changed: a new file replaces the old one,
    so its inode and time change (cheaper to look at than the database, per request)."""
    fresh = signal.with_name(signal.name + ".new")
    fresh.write_text(generation)
    os.replace(fresh, signal)


def signal_stamp(signal: Path | None) -> tuple[int, int] | None:
    if signal is None:
        return None
    try:
        st = signal.stat()
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns


def make_engine(url: str) -> Engine:
    kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        # Routes run in a thread pool; builds run in another thread.
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")  # readers never wait for a build
            cur.execute("PRAGMA foreign_keys=ON")
            # Losing the last commits to a power cut costs a rebuild, nothing more.
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

    return engine


def create_tables(engine: Engine) -> None:
    ContentTable.metadata.create_all(engine)
    # create_all adds indexes only with their tables; a store from an older version
    # gains later ones here.
    for table in ContentTable.metadata.sorted_tables:
        for index in table.indexes:
            index.create(engine, checkfirst=True)


def _check(engine: Engine) -> None:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            verdict = conn.exec_driver_sql("PRAGMA quick_check").scalar()
            if verdict != "ok":
                raise DatabaseError("PRAGMA quick_check", None, Exception(verdict))


def close_content_store(engine: Engine) -> None:
    """Dispose of the engine, and remember the files as they are now: a store unchanged since a
    clean close is not checked again when next opened (PRAGMA quick_check reads every page,
    half a second or more at 50,000 entries). Any change to the files, a crash before closing,
    or another process still writing means the check is made."""
    engine.dispose()
    mark = _checked_mark(engine)
    if mark is not None:
        with contextlib.suppress(OSError):
            mark.write_text(_file_stamp(engine))


def _checked_mark(engine: Engine) -> Path | None:
    path = engine.url.database
    if engine.dialect.name != "sqlite" or not path or path == ":memory:":
        return None
    return Path(path + ".closed")


def _file_stamp(engine: Engine) -> str:
    stamps = []
    for suffix in ("", "-wal"):
        try:
            st = Path(f"{engine.url.database}{suffix}").stat()
            stamps.append(f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            stamps.append("-")
    return " ".join(stamps)


def _unchanged_since_closed(engine: Engine, mark: Path) -> bool:
    try:
        return mark.read_text() == _file_stamp(engine)
    except OSError:
        return False


def open_content_store(url: str) -> Engine:
    """Engine with tables, ready to use.

    A damaged SQLite file is set aside (`*.damaged`) and started afresh: everything in it
    comes back with the next build (checked unless unchanged since close_content_store closed
    it). A database that is merely busy or unreachable
    (OperationalError: a lock timeout, a server down) is an error, never a reason to start
    afresh.
    """
    engine = make_engine(url)
    try:
        mark = _checked_mark(engine)
        if mark is None or not _unchanged_since_closed(engine, mark):
            _check(engine)
        if mark is not None:
            mark.unlink(missing_ok=True)  # from now on this process may change the files
        create_tables(engine)
        return engine
    except OperationalError:
        engine.dispose()
        raise
    except DatabaseError as err:
        path = engine.url.database
        engine.dispose()
        if engine.dialect.name != "sqlite" or not path or path == ":memory:":
            raise
        log.warning(
            "content store %s is damaged (%s); setting it aside and rebuilding from content", path, err.orig or err
        )
        for suffix in ("", "-wal", "-shm"):
            damaged = Path(path + suffix)
            if damaged.exists():
                os.replace(damaged, Path(path + suffix + ".damaged"))
        engine = make_engine(url)
        create_tables(engine)
        return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session
