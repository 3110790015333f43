"""State rows name content entries by slug; these find the rows whose entry is gone.

Such rows are kept (a learner's history is never deleted because content changed) and
counted, so that an operator sees them in /api/status and `glossa check`.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Column, MetaData, func, select
from sqlmodel import Session

from app.state.models import ENTRY_REF, StateTable

TABLES: MetaData = StateTable.metadata  # where to look (tests look at tables of their own)


def entry_ref_columns() -> list[Column]:  # type: ignore[type-arg]
    return [
        column
        for table in TABLES.sorted_tables
        for column in table.columns
        if column.info.get("refers_to") == ENTRY_REF
    ]


def orphaned_cards(session: Session, resolve: Callable[[str], str | None], cards: set[str]) -> dict[str, int]:
    """Study rows whose entry still exists but whose card does not (its question changed):
    a new card now, and the old one's history kept. cards: today's "slug:key" ids."""
    found: dict[str, int] = {}
    for table in ("card_state", "review"):
        if table not in TABLES.tables:
            continue
        t = TABLES.tables[table]
        rows = session.execute(
            select(t.c.entry_slug, t.c.card_key, func.count()).group_by(t.c.entry_slug, t.c.card_key)
        ).all()
        lost = 0
        for slug, key, n in rows:
            entry = resolve(slug)
            if entry is not None and f"{entry}:{key}" not in cards:
                lost += n
        if lost:
            found[f"{table}.card_key"] = lost
    return found


def orphaned_rows(session: Session, resolve: Callable[[str], str | None]) -> dict[str, int]:
    """{"table.column": rows naming an entry that resolve() cannot find}; resolve maps a
    stored slug to today's entry (following a renamed entry's old slug kept as an alias)."""
    found: dict[str, int] = {}
    for column in entry_ref_columns():
        rows = session.execute(select(column, func.count()).group_by(column)).all()
        lost = sum(n for slug, n in rows if slug is not None and resolve(slug) is None)
        if lost:
            found[f"{column.table.name}.{column.name}"] = lost
    return found
