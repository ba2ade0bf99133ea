"""client_adaptations.promise_note: why a client who broke promises keeps the reminder before the due date

Revision ID: 0029_promises17
Revises: 0028_audit_two_factor
Create Date: 2026-12-04 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029_promises17"
down_revision: str | Sequence[str] | None = "0028_audit_two_factor"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE ADD COLUMN on both databases (a nullable column needs no batch copy).
def upgrade() -> None:
    op.add_column("client_adaptations", sa.Column("promise_note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("client_adaptations", schema=None) as batch_op:
        batch_op.drop_column("promise_note")
