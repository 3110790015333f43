"""Study: each learner's settings, card schedules and the log of every review.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _learner(primary: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        "learner_id",
        sa.String(32),
        sa.ForeignKey("learner.id", ondelete="CASCADE"),
        primary_key=primary,
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "study_settings",
        _learner(primary=True),
        sa.Column("desired_retention", sa.Float(), nullable=False),
        sa.Column("new_per_day", sa.Integer(), nullable=False),
        sa.Column("max_reviews_per_day", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("day_starts_hour", sa.Integer(), nullable=False),
    )
    op.create_table(
        "card_state",
        _learner(primary=True),
        sa.Column("entry_slug", sa.String(200), primary_key=True),
        sa.Column("card_key", sa.String(40), primary_key=True),
        sa.Column("state", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("stability", sa.Float(), nullable=True),
        sa.Column("difficulty", sa.Float(), nullable=True),
        sa.Column("due", sa.DateTime(), nullable=False),
        sa.Column("last_review", sa.DateTime(), nullable=True),
        sa.Column("reps", sa.Integer(), nullable=False),
        sa.Column("lapses", sa.Integer(), nullable=False),
    )
    op.create_index("ix_card_state_learner_due", "card_state", ["learner_id", "due"])
    op.create_index("ix_card_state_card", "card_state", ["entry_slug", "card_key"])
    op.create_table(
        "review",
        sa.Column("id", sa.String(32), primary_key=True),
        _learner(),
        sa.Column("entry_slug", sa.String(200), nullable=False),
        sa.Column("card_key", sa.String(40), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("client_key", sa.String(64), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column("undone", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("learner_id", "client_key", name="uq_review_learner_client_key"),
    )
    op.create_index("ix_review_learner_id", "review", ["learner_id"])
    op.create_index("ix_review_learner_time", "review", ["learner_id", "reviewed_at"])
    op.create_index("ix_review_learner_card", "review", ["learner_id", "entry_slug", "card_key"])
    op.create_index("ix_review_card", "review", ["entry_slug", "card_key"])


def downgrade() -> None:
    for table in ("review", "card_state", "study_settings"):
        op.drop_table(table)
