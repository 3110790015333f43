"""Fixtures for several nodes: a PostgreSQL database for a whole module, and a state URL that
passes through a TCP proxy the test can cut."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.deploy.tcp_proxy import TcpProxy
from tests.support.postgres import admin_url, create_database, drop_database


@pytest.fixture(scope="module")
def module_postgres() -> Iterator[str]:
    """A new, empty PostgreSQL database shared by a module's tests (nodes take seconds to
    start, so a module starts them once); dropped after it. Skipped without a server."""
    url, why = admin_url()
    if url is None:
        pytest.skip(why)
    made = create_database(url)
    try:
        yield made
    finally:
        drop_database(url, made)


def through(proxy: TcpProxy, url: str) -> str:
    """url, reached through proxy instead of directly."""
    return make_url(url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)


def target_of(url: str) -> tuple[str, int]:
    parsed = make_url(url)
    return parsed.host or "127.0.0.1", parsed.port or 5432


def reviews_with_key(url: str, key: str) -> int:
    """How many reviews the state store holds under one client key (1 = kept once)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM review WHERE client_key = :k"), {"k": key}).scalar_one()
    finally:
        engine.dispose()
