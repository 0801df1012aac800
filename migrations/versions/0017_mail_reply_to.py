"""Mail that can be answered carries a Reply-To (a reply+<token>@ address)

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 04:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("mail_outbox") as batch:
        batch.add_column(sa.Column("reply_to", sa.String(length=254), nullable=True))


def downgrade():
    with op.batch_alter_table("mail_outbox") as batch:
        batch.drop_column("reply_to")
