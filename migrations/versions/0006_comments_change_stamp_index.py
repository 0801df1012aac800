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


INDEX, COLUMNS = "ix_comments_post_id_changed_at", ["post_id", "changed_at"]


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        # Built without locking out new comments on a large table.
        with op.get_context().autocommit_block():
            op.create_index(INDEX, "comments", COLUMNS, postgresql_concurrently=True)
    else:
        op.create_index(INDEX, "comments", COLUMNS)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            op.drop_index(INDEX, table_name="comments", postgresql_concurrently=True)
    else:
        op.drop_index(INDEX, table_name="comments")
