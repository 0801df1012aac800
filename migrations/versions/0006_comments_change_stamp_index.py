"""Comments: an index on (post_id, changed_at) for the post page's change stamp

The anonymous post page is served from the page cache after one statement that
counts the post's comments and takes their newest changed_at; with this index
SQLite and PostgreSQL answer it from the index alone, without reading the rows.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 07:10:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_comments_post_id_changed_at", ["post_id", "changed_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index("ix_comments_post_id_changed_at")
