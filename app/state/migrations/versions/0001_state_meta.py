"""The state store begins: its own id and creation time.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    meta = op.create_table(
        "state_meta",
        sa.Column("key", sa.String(length=100), primary_key=True),
        sa.Column("value", sa.String(length=500), nullable=False),
    )
    op.bulk_insert(
        meta,
        [
            {"key": "store_id", "value": uuid.uuid4().hex},
            {"key": "created", "value": datetime.now(UTC).isoformat(timespec="seconds")},
        ],
    )


def downgrade() -> None:
    op.drop_table("state_meta")
