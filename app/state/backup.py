"""`glossa backup` and `glossa restore` for a SQLite state store (PostgreSQL: pg_dump)."""

from __future__ import annotations

import fcntl
import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.state import migrate
from app.state.db import in_use_lock_path
from app.state.engine import make_state_engine, sqlite_path

PG_HINT = (
    "the state store is on {backend}: back it up with the database's own tools, for PostgreSQL "
    "`pg_dump --format=custom --file=state.dump DBNAME` and `pg_restore --clean --dbname=DBNAME "
    "state.dump` (see the README)"
)


class BackupError(RuntimeError):
    """Why a backup or restore did not happen; nothing was changed."""


@dataclass(frozen=True)
class Copied:
    path: Path
    size: int
    revision: str | None


def _database(url: str) -> Path:
    path = sqlite_path(url)
    if path is None:
        backend = url.split(":", 1)[0].split("+", 1)[0]
        raise BackupError(PG_HINT.format(backend=backend))
    return path


def _copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy even while others write to source."""
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)  # one step: the whole copy is one read transaction
        finally:
            dst.close()
    finally:
        src.close()


def _inspect(path: Path) -> str | None:
    """The schema revision of a state database file; BackupError if it is not a sound one."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as err:
        raise BackupError(f"{path}: cannot open it as SQLite ({err})") from err
    try:
        verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise BackupError(f"{path}: damaged ({verdict})")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "alembic_version" not in tables:
            raise BackupError(f"{path}: not a Glossa state store (no schema revision)")
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    except sqlite3.DatabaseError as err:
        raise BackupError(f"{path}: not a SQLite database ({err})") from err
    finally:
        conn.close()


def _keep_aside_copy(target: Path) -> Path:
    """A copy of the store a restore replaces: restoring must not lose it either."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kept = target.with_name(f"{target.name}.before-restore-{stamp}")
    try:
        _copy(target, kept)
    except sqlite3.DatabaseError:  # damaged: keep its files byte for byte, for recovery
        kept.unlink(missing_ok=True)
        for suffix in ("", "-wal", "-shm"):
            part = Path(f"{target}{suffix}")
            if part.exists():
                shutil.copy2(part, Path(f"{kept}{suffix}"))
    return kept


def _replace_damaged(source: Path, target: Path) -> None:
    """A damaged file cannot be written through SQLite: put a fresh copy in its place."""
    fresh = target.with_name(target.name + ".restoring")
    fresh.unlink(missing_ok=True)
    _copy(source, fresh)
    with open(fresh, "rb") as handle:
        os.fsync(handle.fileno())
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(fresh, target)


def backup(url: str, target: Path) -> Copied:
    """Write a consistent copy of the state store to target (safe while a server writes)."""
    source = _database(url)
    if not source.exists():
        raise BackupError(f"there is no state store at {source} yet: nothing to back up")
    if target.is_dir():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = target / f"glossa-state-{stamp}.db"
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    _copy(source, partial)
    revision = _inspect(partial)
    with open(partial, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, target)
    return Copied(target, target.stat().st_size, revision)


def restore(url: str, source: Path, force: bool = False) -> Copied:
    """Put a backup back as the state store, keeping the store it replaces beside it.

    Refused while a server holds the store, unless force; the restored store is then
    migrated to this version's schema.
    """
    target = _database(url)
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    revision = _inspect(source)
    if revision is not None and revision not in migrate.known_revisions():
        raise BackupError(f"{source} was made by a newer Glossa (schema {revision}); restore it with that version")
    target.parent.mkdir(parents=True, exist_ok=True)
    lock_path = in_use_lock_path(url)
    assert lock_path is not None
    with open(lock_path, "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not force:
                raise BackupError(
                    f"a running Glossa holds the state store {target}: stop it first, or restore "
                    "with --force (its learners then see the restored data at once)"
                ) from None
        if target.exists():
            _keep_aside_copy(target)
        try:
            _copy(source, target)  # in place: a server that holds it sees the restored data
        except sqlite3.DatabaseError:
            _replace_damaged(source, target)
    engine = make_state_engine(url)
    try:
        _, after = migrate.upgrade(engine)
    finally:
        engine.dispose()
    return Copied(target, target.stat().st_size, after)
