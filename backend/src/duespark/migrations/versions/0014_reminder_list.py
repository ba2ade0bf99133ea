"""An index for the account-wide reminder list

Revision ID: 0014_reminder_list
Revises: 0012_search_index
Create Date: 2026-11-25 22:12:37

`GET /api/reminders?state=pending` pages an account's reminders by time; without this index
every page sorted all of the account's rows (500,000 for 100,000 open invoices).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014_reminder_list"
down_revision: str | Sequence[str] | None = "0012_search_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reminders_account_state_scheduled", ["account_id", "state", "scheduled_for"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_index("ix_reminders_account_state_scheduled")
