"""users.token_version: a password change or reset signs out every access token

Revision ID: 0020_token_version
Revises: 0019_final_notice_gap
Create Date: 2026-12-03 17:00:00

Access tokens carry the version they were issued under; a password change or reset raises it, so a
token from before the change is refused at once instead of working until it expires.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_token_version"
down_revision: str | Sequence[str] | None = "0019_final_notice_gap"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE on both databases: a batch (copy-and-move) on SQLite would have to recreate the
# functional index on lower(email), which it cannot reflect.
def upgrade() -> None:
    op.add_column("users", sa.Column("token_version", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    op.drop_column("users", "token_version")
