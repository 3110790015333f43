"""Rows in a state store, to prove that nothing Glossa does to content touches them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData, create_engine

from app.state import StateStore
from app.state.models import StateMeta

Snapshot = dict[str, list[tuple[Any, ...]]]


def fill(url: str, n: int = 25) -> Snapshot:
    """Migrate the store at url and put rows in it; returns what it then holds."""
    store = StateStore(url)
    assert store.open(), store.problem
    with store.write() as s:
        for i in range(n):
            s.add(StateMeta(key=f"test-row-{i:03d}", value=f"a learner's data #{i}"))
    store.close()
    return snapshot(url)


def snapshot(url: str) -> Snapshot:
    """Every row of every table in the database, sorted, by table."""
    engine = create_engine(url)
    try:
        meta = MetaData()
        meta.reflect(engine)
        with engine.connect() as conn:
            return {
                name: sorted(tuple(row) for row in conn.execute(table.select()))
                for name, table in sorted(meta.tables.items())
            }
    finally:
        engine.dispose()


__all__ = ["Snapshot", "fill", "snapshot"]
