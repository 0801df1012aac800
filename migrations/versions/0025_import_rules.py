"""An import job's Disqus rules (old paths to slugs), uploaded beside the export

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-30 08:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("import_jobs") as batch:
        batch.add_column(sa.Column("rules_text", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("import_jobs") as batch:
        batch.drop_column("rules_text")
