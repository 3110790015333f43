"""SQLModel tables, the engine and sessions: the only module that defines storage."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import JSON, Column, Index, Text, event
from sqlalchemy.exc import DatabaseError
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, create_engine

log = logging.getLogger(__name__)


class Entry(SQLModel, table=True):
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
    toc: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    source_path: str = Field(index=True, unique=True)
    content_hash: str
    file_size: int = 0
    file_mtime: float = 0.0
    updated: datetime


class Meta(SQLModel, table=True):
    key: str = Field(primary_key=True)
    value: str = ""


class Category(SQLModel, table=True):
    slug: str = Field(primary_key=True, max_length=200)
    name: str
    description: str = ""


class EntryTag(SQLModel, table=True):
    entry_slug: str = Field(primary_key=True, foreign_key="entry.slug", ondelete="CASCADE")
    tag: str = Field(primary_key=True, index=True)


class Alias(SQLModel, table=True):
    """Every name that reaches an entry, by its link key, for redirects.

    rank orders claims on one key as the resolver does: slug 0, title 1, alias 2.
    """

    key: str = Field(primary_key=True)
    entry_slug: str = Field(primary_key=True, foreign_key="entry.slug", ondelete="CASCADE")
    rank: int = 2

    # The primary key leads with `key`; deleting an entry looks aliases up by entry_slug,
    # which without this index scans the table (0.2 s per edit at 50,000 entries).
    __table_args__ = (Index("ix_alias_entry_slug", "entry_slug"),)


class Link(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(foreign_key="entry.slug", ondelete="CASCADE")
    target: str | None = Field(default=None)  # None when unresolved
    target_text: str
    target_key: str  # link key of target_text, to find links whose resolution may change
    anchor: str = ""
    line: int = 0

    __table_args__ = (
        Index("ix_link_source", "source"),
        Index("ix_link_target", "target"),
        Index("ix_link_target_key", "target_key"),
    )


class Problem(SQLModel, table=True):
    """Problems from the latest build, so the site can show what `glossa check` would."""

    id: int | None = Field(default=None, primary_key=True)
    path: str
    line: int
    message: str
    severity: str = "error"
    kind: str = "file"  # "file": found parsing that file; "site": found across files


BIND_CHUNK = 500  # stays under every database's bound-parameter limit


def chunks(items: Iterable, size: int = BIND_CHUNK) -> Iterator[list]:
    """Slices of items small enough for one `IN (...)`."""
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i : i + size]


def make_engine(url: str) -> Engine:
    kwargs: dict = {}
    if url.startswith("sqlite"):
        # FastAPI runs sync routes in a thread pool; builds run in another thread.
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # pragma: no cover - exercised by every test
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")  # readers never wait for a build
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

    return engine


def create_tables(engine: Engine) -> None:
    SQLModel.metadata.create_all(engine)
    # create_all adds indexes only with their tables; a store from an older version
    # gains later ones here.
    for table in SQLModel.metadata.sorted_tables:
        for index in table.indexes:
            index.create(engine, checkfirst=True)


def open_store(url: str) -> Engine:
    """Engine with tables, ready to use. A damaged SQLite file is set aside and started
    afresh: the store is derived from content, which the next build brings back."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                verdict = conn.exec_driver_sql("PRAGMA quick_check").scalar()
                if verdict != "ok":
                    raise DatabaseError("PRAGMA quick_check", None, Exception(verdict))
        create_tables(engine)
        return engine
    except DatabaseError as err:
        path = engine.url.database
        engine.dispose()
        if engine.dialect.name != "sqlite" or not path or path == ":memory:":
            raise
        log.warning("database %s is damaged (%s); setting it aside and rebuilding from content",
                    path, err.orig or err)
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
