"""Indexes for the response tracker's change stamp: comments.changed_at and
acknowledgements.undone_at

The queue, the staff navigation's counts and the metrics keep their figures under a
stamp of the tracker's data (blogapp/responses/tracker_cache.py), read on every employee
page; with these indexes its newest changed_at and newest undone_at come from the end of
an index instead of a read of every row.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 20:10:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


INDEXES = (
    ("ix_comments_changed_at", "comments", ["changed_at"]),
    ("ix_acknowledgements_undone_at", "acknowledgements", ["undone_at"]),
)


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        # Built without locking out new comments and answers on large tables.
        with op.get_context().autocommit_block():
            for name, table, columns in INDEXES:
                op.create_index(name, table, columns, postgresql_concurrently=True)
    else:
        for name, table, columns in INDEXES:
            op.create_index(name, table, columns)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            for name, table, _ in INDEXES:
                op.drop_index(name, table_name=table, postgresql_concurrently=True)
    else:
        for name, table, _ in INDEXES:
            op.drop_index(name, table_name=table)
