"""Schema changes of the state store: Alembic migrations shipped in the package, applied at
start-up and by `glossa migrate`, one process at a time."""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from app.state.engine import sqlite_path

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
PG_LOCK_ID = 7_301_947  # any constant: the advisory lock that serialises migrations


class SchemaTooNew(RuntimeError):
    """The store was migrated by a newer Glossa than this one."""


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None, "no migrations shipped"
    return head


def known_revisions() -> set[str]:
    return {s.revision for s in ScriptDirectory.from_config(_config()).walk_revisions()}


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


@contextmanager
def _one_migrator(engine: Engine, connection: Connection) -> Iterator[None]:
    """Workers starting together must not apply one migration twice."""
    path = sqlite_path(str(engine.url))
    if path is not None:
        with open(path.with_name(path.name + ".migrate.lock"), "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    elif engine.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": PG_LOCK_ID})
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": PG_LOCK_ID})
            connection.commit()
    else:
        yield


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Bring the schema to revision; returns (revision before, revision after)."""
    with engine.connect() as connection, _one_migrator(engine, connection):
        before = current_revision(connection)
        connection.commit()
        if before is not None and before not in known_revisions():
            raise SchemaTooNew(
                f"the state store is at schema revision {before}, which this version of Glossa "
                "does not know: it was migrated by a newer Glossa. Run that version, or restore "
                "a backup made by this one."
            )
        command.upgrade(_config(connection), revision)
        connection.commit()
        after = current_revision(connection)
        connection.commit()
    if before != after:
        log.info("state store schema migrated from %s to %s", before or "empty", after)
    return before, after
