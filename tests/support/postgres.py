"""A fresh PostgreSQL database per test, on the server GLOSSA_TEST_POSTGRES_URL names (by
default the local one at 127.0.0.1:5432, when it answers). Without a server the tests that
need one are skipped, with a message that says why."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from functools import lru_cache

import pytest

DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@lru_cache
def admin_url() -> tuple[str | None, str]:
    """(URL of a database to administer from, or None; why not)."""
    url = os.environ.get("GLOSSA_TEST_POSTGRES_URL", DEFAULT)
    if url.lower() in ("", "0", "off", "no"):
        return None, "PostgreSQL tests are off (GLOSSA_TEST_POSTGRES_URL=off)"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return None, "psycopg is not installed (pip install -e '.[postgres]')"
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as err:
        if "GLOSSA_TEST_POSTGRES_URL" in os.environ:
            pytest.fail(f"GLOSSA_TEST_POSTGRES_URL names a server that does not answer: {err.orig}")
        return None, "no PostgreSQL server answers at 127.0.0.1:5432 (set GLOSSA_TEST_POSTGRES_URL)"
    finally:
        engine.dispose()
    return url, ""


def create_database(admin: str, prefix: str = "glossa_test") -> str:
    """A new, empty database on admin's server; returns its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return make_url(admin).set(database=name).render_as_string(hide_password=False)


def drop_database(admin: str, url: str) -> None:
    """Drop the database url names (connections to it are ended first)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    finally:
        engine.dispose()


@pytest.fixture
def new_postgres_database() -> Iterator[Callable[[], str]]:
    """Makes new, empty databases (URLs), all dropped after the test."""
    url, why = admin_url()
    if url is None:
        pytest.skip(why)
    made: list[str] = []

    def new() -> str:
        made.append(create_database(url))
        return made[-1]

    try:
        yield new
    finally:
        for made_url in made:
            drop_database(url, made_url)


@pytest.fixture
def postgres_url(new_postgres_database: Callable[[], str]) -> str:
    """URL of a new, empty database, dropped after the test."""
    return new_postgres_database()
