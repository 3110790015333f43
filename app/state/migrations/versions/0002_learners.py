"""Learners: guests and accounts, their sessions, API tokens and invite codes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _learner() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("learner_id", sa.String(32), sa.ForeignKey("learner.id", ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "learner",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("username", sa.String(32), nullable=True),
        sa.Column("username_key", sa.String(32), nullable=True, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=True),
        sa.Column("guest", sa.Boolean(), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "learner_session",
        sa.Column("id", sa.String(32), primary_key=True),
        _learner(),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
        sa.Column("expires", sa.DateTime(), nullable=False),
        sa.Column("user_agent", sa.String(200), nullable=False),
    )
    op.create_index("ix_learner_session_learner_id", "learner_session", ["learner_id"])
    op.create_table(
        "api_token",
        sa.Column("id", sa.String(32), primary_key=True),
        _learner(),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("last_used", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_api_token_learner_id", "api_token", ["learner_id"])
    op.create_table(
        "invite",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("expires", sa.DateTime(), nullable=False),
        sa.Column("used", sa.DateTime(), nullable=True),
    )


def downgrade() -> None:
    for table in ("invite", "api_token", "learner_session", "learner"):
        op.drop_table(table)
