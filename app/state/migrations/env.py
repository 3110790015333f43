"""Alembic's entry point for the state store. Glossa runs it on a connection it opened
(app/state/migrate.py), so no alembic.ini or URL is read here."""

from __future__ import annotations

from alembic import context

import app.accounts.models
import app.study.models  # noqa: F401
from app.state.models import StateTable

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=StateTable.metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
