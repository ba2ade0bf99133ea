"""The final notice's minimum distance from the previous reminder, per reminder policy

Revision ID: 0019_final_notice_gap
Revises: 0018_notices
Create Date: 2026-12-03 16:30:00

A final notice goes only after an earlier reminder and at least this many days after it
(reminders/tone.py). Existing policies get the default of 7 days.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_final_notice_gap"
down_revision: str | Sequence[str] | None = "0018_notices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reminder_policies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("final_notice_min_days", sa.Integer(), nullable=False, server_default="7"))


def downgrade() -> None:
    with op.batch_alter_table("reminder_policies", schema=None) as batch_op:
        batch_op.drop_column("final_notice_min_days")
