"""A webhook endpoint's format: the event as JSON, or a chat line (issue 18, point 6)

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-30 05:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

FORMAT_CHECK = "ck_webhook_endpoints_format_valid"


def upgrade():
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.add_column(
            sa.Column("format", sa.String(length=8), server_default="json", nullable=False)
        )
        batch.create_check_constraint(op.f(FORMAT_CHECK), "format IN ('json', 'chat')")


def downgrade():
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.drop_constraint(op.f(FORMAT_CHECK), type_="check")
        batch.drop_column("format")
