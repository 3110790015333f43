"""The state store as the app sees it: opened and migrated at start, or unavailable with a
reason, never set aside or emptied."""

from __future__ import annotations

import fcntl
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DatabaseError, DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.pool import Pool
from sqlmodel import Session, select

from app.state import migrate
from app.state.engine import WRITE, make_state_engine, sqlite_path
from app.state.models import StateMeta

log = logging.getLogger(__name__)
RETRY_SECONDS = 5.0  # how often an unavailable store is tried again


class StateUnavailable(RuntimeError):
    """The state store cannot be used now; the message says why, for a 503."""


@dataclass(frozen=True)
class StateHealth:
    available: bool
    backend: str
    location: str
    revision: str | None = None
    store_id: str | None = None
    problem: str | None = None


def in_use_lock_path(url: str) -> str | None:
    path = sqlite_path(url)
    return str(path.with_name(path.name + ".in-use.lock")) if path is not None else None


class StateStore:
    """One state database. `open()` checks and migrates it; on failure the store is
    unavailable (features that need it answer 503) and is tried again now and then, so a
    database server that comes back is used without a restart."""

    def __init__(self, url: str, *, hold: bool = False, monotonic: Callable[[], float] = time.monotonic):
        self.url = url
        self.hold = hold  # a server holds the store: `glossa restore` then refuses
        self._monotonic = monotonic
        self._engine: Engine | None = None
        self._write_engine: Engine | None = None
        self._lock = threading.Lock()
        self._retry_at = 0.0
        self._in_use: IO[str] | None = None
        self.problem: str | None = "not opened yet"
        parsed = make_url(url)
        self.backend = parsed.get_backend_name()
        self.location = str(sqlite_path(url) or parsed.render_as_string(hide_password=True))

    # -- opening -------------------------------------------------------------------
    def open(self) -> bool:
        with self._lock:
            return self._open()

    def _open(self) -> bool:
        if self._engine is not None:
            return True
        self._retry_at = self._monotonic() + RETRY_SECONDS
        engine = None
        try:
            engine = make_state_engine(self.url)
            self._check(engine)
            migrate.upgrade(engine)
        except migrate.SchemaTooNew as err:
            return self._fail(engine, str(err))
        except OperationalError as err:
            return self._fail(engine, f"cannot reach the state store at {self.location}: {err.orig}")
        except (DatabaseError, _Damaged) as err:
            reason = getattr(err, "orig", None) or err
            return self._fail(
                engine,
                f"the state store at {self.location} is damaged ({reason}). "
                "Glossa has not changed it. Keep a copy of it, then stop Glossa and "
                "run `glossa restore BACKUP` with your latest backup",
            )
        except (SQLAlchemyError, OSError) as err:
            return self._fail(engine, f"cannot open the state store at {self.location}: {err}")
        self._engine = engine
        self._write_engine = engine.execution_options(**WRITE) if self.backend == "sqlite" else engine
        self.problem = None
        self._hold()
        return True

    @staticmethod
    def _check(engine: Engine) -> None:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                verdict = conn.exec_driver_sql("PRAGMA quick_check").scalar()
                if verdict != "ok":
                    raise _Damaged(str(verdict))

    def _fail(self, engine: Engine | None, problem: str) -> bool:
        if engine is not None:
            engine.dispose()
        if problem != self.problem:
            log.error(
                "%s. Reading the glossary keeps working; learners' features answer 503 "
                "until the state store is available.",
                problem,
            )
        self.problem = problem
        return False

    def _hold(self) -> None:
        lock_path = in_use_lock_path(self.url)
        if self.hold and lock_path and self._in_use is None:
            self._in_use = open(lock_path, "a+")  # noqa: SIM115 - held until close()
            fcntl.flock(self._in_use, fcntl.LOCK_SH)

    def close(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
            self._engine = self._write_engine = None
            self.problem = "closed"
            if self._in_use is not None:
                self._in_use.close()
                self._in_use = None

    # -- using ---------------------------------------------------------------------
    @property
    def available(self) -> bool:
        return self._engine is not None

    def pool(self) -> Pool | None:
        """The open engine's connection pool (for metrics); None while unavailable. Unlike
        engine(), never tries to open the store."""
        engine = self._engine
        return engine.pool if engine is not None else None

    def engine(self, write: bool = False) -> Engine:
        if self._engine is None:
            with self._lock:
                if self._engine is None and self._monotonic() >= self._retry_at:
                    self._open()
        engine = self._write_engine if write else self._engine
        if engine is None:
            raise StateUnavailable(f"learners' data is unavailable right now: {self.problem}")
        return engine

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._reachable(), Session(self.engine(), expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose transaction holds the write lock from its start (SQLite)."""
        with self._reachable(), Session(self.engine(write=True), expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def _reachable(self) -> Iterator[None]:
        """A database server lost after opening (restarted, unreachable, out of connections)
        makes the store unavailable for this request (a 503), not a crash. Nothing is reset:
        the pool tests each connection before use (pre-ping), so the next request reconnects
        as soon as the server is back. A write cut off at its commit may or may not have
        landed; clients retry with their review key, which counts once."""
        try:
            yield
        except (DBAPIError, PoolTimeout) as err:
            if not self._lost(err):
                raise
            problem = f"lost the state store at {self.location}: {getattr(err, 'orig', None) or err}".strip()
            if self.problem is None:
                log.error("%s. Learners' features answer 503 until it answers again.", problem)
            self.problem = problem
            raise StateUnavailable(f"learners' data is unavailable right now: {problem}") from err
        if self.problem is not None and self._engine is not None:
            log.info("the state store at %s answers again", self.location)
            self.problem = None

    def _lost(self, err: Exception) -> bool:
        if isinstance(err, PoolTimeout):
            return True  # every connection busy for the pool's timeout: the store cannot keep up
        if self.backend == "sqlite":
            return False  # a file, not a server: its errors are not a lost connection
        return isinstance(err, (OperationalError, InterfaceError)) or (
            isinstance(err, DBAPIError) and err.connection_invalidated
        )

    def health(self) -> StateHealth:
        try:
            engine = self.engine()
            with engine.connect() as conn:
                revision = migrate.current_revision(conn)
                store_id = conn.execute(select(StateMeta.value).where(StateMeta.key == "store_id")).scalar()
        except StateUnavailable:
            return StateHealth(False, self.backend, self.location, problem=self.problem)
        except SQLAlchemyError as err:
            return StateHealth(False, self.backend, self.location, problem=f"state store error: {err}")
        return StateHealth(True, self.backend, self.location, revision, store_id)


class _Damaged(Exception):
    pass
