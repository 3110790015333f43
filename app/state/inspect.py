"""Looking into the state store without changing it (for `glossa check`)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from app.state.engine import sqlite_path
from app.state.refs import orphaned_cards, orphaned_rows

log = logging.getLogger(__name__)


def _read_only_engine(url: str) -> Engine | None:
    path = sqlite_path(url)
    if path is None:
        return create_engine(url)
    if not path.exists():
        return None  # no learner has studied yet
    return create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")


def orphans_in_state(url: str, resolve: Callable[[str], str | None], cards: set[str] | None = None) -> dict[str, int]:
    """Rows of the state store that name an entry resolve() cannot find; empty when there is
    no state store yet, and a logged warning when it cannot be read."""
    try:
        engine = _read_only_engine(url)
        if engine is None:
            return {}
        try:
            with Session(engine) as session:
                found = orphaned_rows(session, resolve)
                if cards is not None:
                    found.update(orphaned_cards(session, resolve, cards))
                return found
        finally:
            engine.dispose()
    except SQLAlchemyError as err:
        log.warning("could not look into the state store for orphaned rows: %s", err)
        return {}
