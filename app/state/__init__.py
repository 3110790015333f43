"""The state store: durable data (learners, their sessions and study) in a database of its own.

Nothing here is derived from content and nothing can be rebuilt: Glossa never deletes,
empties or sets aside this store, changes its schema only by Alembic migrations, and refers
to content only by entry slug and card key.
"""

from app.state.db import StateHealth, StateStore, StateUnavailable

__all__ = ["StateHealth", "StateStore", "StateUnavailable"]
