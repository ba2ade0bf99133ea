"""worker heartbeats and scheduler locks

Revision ID: 0003_worker
Revises: 0002_messages
Create Date: 2026-11-25 19:09:35.061705
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import duespark.models.base

revision: str = "0003_worker"
down_revision: str | Sequence[str] | None = "0002_messages"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "scheduler_locks",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("holder", sa.String(length=100), nullable=False),
        sa.Column("expires_at", duespark.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_locks")),
    )
    op.create_table(
        "worker_heartbeats",
        sa.Column("worker_id", sa.String(length=100), nullable=False),
        sa.Column("hostname", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", duespark.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_beat_at", duespark.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("worker_id", name=op.f("pk_worker_heartbeats")),
    )


def downgrade() -> None:

    op.drop_table("worker_heartbeats")
    op.drop_table("scheduler_locks")
