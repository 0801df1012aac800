"""Comments: joins_id, the owed item a customer's follow-up joined; due_warned_at

One conversation, one item: a customer's reply to their own comment while that
comment is owed joins its queue item instead of becoming a second one. The worker
warns an item's assignee once before it falls due, and remembers it in due_warned_at.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 19:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("joins_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("due_warned_at", sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_comments_joins_id"), ["joins_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_comments_joins_id_comments"),
            "comments",
            ["joins_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_comments_joins_id_comments"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_comments_joins_id"))
        batch_op.drop_column("due_warned_at")
        batch_op.drop_column("joins_id")
