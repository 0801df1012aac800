"""One outbox: a claim column on the mail and webhook outboxes, retries and a dead
letter on the search outbox

Every outbox is drained by blogapp/ops/outbox.py: a row is claimed by a conditional
UPDATE of claimed_until and claimed_by (SQLite has no row locks), and a row that keeps failing waits
longer each time and ends as status 'failed' with its last error.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 22:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    for table in ("mail_outbox", "webhook_outbox"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("claimed_until", sa.DateTime(), nullable=True))
            batch.add_column(sa.Column("claimed_by", sa.String(255), nullable=True))
    with op.batch_alter_table("search_outbox") as batch:
        batch.add_column(
            sa.Column("status", sa.String(16), nullable=False, server_default="pending")
        )
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("last_error", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column(
                "next_attempt_at",
                sa.DateTime(),
                nullable=False,
                server_default=sa.text("CURRENT_TIMESTAMP"),
            )
        )
        batch.create_check_constraint(
            batch.f("ck_search_outbox_status_valid"), "status IN ('pending', 'failed')"
        )


def downgrade():
    with op.batch_alter_table("search_outbox") as batch:
        batch.drop_constraint(batch.f("ck_search_outbox_status_valid"), type_="check")
        batch.drop_column("next_attempt_at")
        batch.drop_column("last_error")
        batch.drop_column("attempts")
        batch.drop_column("status")
    for table in ("webhook_outbox", "mail_outbox"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("claimed_by")
            batch.drop_column("claimed_until")
