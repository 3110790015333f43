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


@pytest.fixture
def new_postgres_database() -> Iterator[Callable[[], str]]:
    """Makes new, empty databases (URLs), all dropped after the test."""
    url, why = admin_url()
    if url is None:
        pytest.skip(why)
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    made: list[str] = []

    def new() -> str:
        name = f"glossa_test_{uuid.uuid4().hex[:12]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return make_url(url).set(database=name).render_as_string(hide_password=False)

    try:
        yield new
    finally:
        with admin.connect() as conn:
            for name in made:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url(new_postgres_database: Callable[[], str]) -> str:
    """URL of a new, empty database, dropped after the test."""
    return new_postgres_database()
