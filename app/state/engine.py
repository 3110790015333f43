"""Engines for the state store: SQLite in WAL mode with durable commits, or PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import create_engine

WRITE = {"sqlite_begin": "IMMEDIATE"}
MMAP_BYTES = 1 << 30  # address space only: pages are shared with the OS cache, not copied
CACHE_KIB = 32 * 1024  # per connection


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL; None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


# A server that vanishes without closing its connections (a network partition, a host gone)
# would otherwise hold a request for the operating system's TCP timeout, many minutes, while
# the thread pool fills up: libpq gives up after seconds instead. A URL's own values win.
POSTGRES_TIMEOUTS = {
    "connect_timeout": 5,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 15_000,
}


def make_state_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        given = parsed.query
        timeouts = {k: v for k, v in POSTGRES_TIMEOUTS.items() if k not in given}
        args = timeouts if parsed.get_backend_name() == "postgresql" else {}
        # A server can restart under us: test each pooled connection before use.
        return create_engine(url, pool_pre_ping=True, connect_args=args)
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        # The driver's own transaction handling begins transactions lazily and never for
        # DDL; hand it to SQLAlchemy so that every transaction, migrations included, is
        # one BEGIN ... COMMIT.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")  # readers never wait for a writer
        cur.execute("PRAGMA synchronous=FULL")  # a commit survives a power cut
        cur.execute("PRAGMA foreign_keys=ON")
        # Reads through a memory map and a larger page cache: a learner's queue reads thousands
        # of rows, and copying each page in through read() was most of its cost on a big store.
        cur.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        cur.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # Writers take the write lock at BEGIN and queue for it (busy timeout); a deferred
        # transaction that reads first and writes later fails at once when another wrote.
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine
