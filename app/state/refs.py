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
