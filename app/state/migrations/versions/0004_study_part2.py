"""Study, part 2: entries a learner has read, and quizzes with their questions.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
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
        "entry_read",
        _learner(primary=True),
        sa.Column("entry_slug", sa.String(200), primary_key=True),
        sa.Column("first_read", sa.DateTime(), nullable=False),
        sa.Column("last_read", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "quiz",
        sa.Column("id", sa.String(32), primary_key=True),
        _learner(),
        sa.Column("scope", sa.String(250), nullable=False),
        sa.Column("direction", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("retry_of", sa.String(32), nullable=True),
    )
    op.create_index("ix_quiz_learner_id", "quiz", ["learner_id"])
    op.create_table(
        "quiz_question",
        sa.Column("quiz_id", sa.String(32), sa.ForeignKey("quiz.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("position", sa.Integer(), primary_key=True),
        sa.Column("entry_slug", sa.String(200), nullable=False),
        sa.Column("card_key", sa.String(40), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("chosen", sa.Integer(), nullable=True),
        sa.Column("correct", sa.Boolean(), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
    )


def downgrade() -> None:
    for table in ("quiz_question", "quiz", "entry_read"):
        op.drop_table(table)
