"""Replies by mail: the reply tokens already used, and replies kept as drafts

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 04:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "inbound_spent_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=True),
        sa.Column("used_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_spent_tokens")),
        sa.UniqueConstraint("digest", name=op.f("uq_inbound_spent_tokens_digest")),
    )
    op.create_table(
        "reply_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_reply_drafts_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["users.id"],
            name=op.f("fk_reply_drafts_employee_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reply_drafts")),
        sa.UniqueConstraint("comment_id", "employee_id", name=op.f("uq_reply_drafts_comment_id")),
    )
    with op.batch_alter_table("reply_drafts") as batch:
        batch.create_index(batch.f("ix_reply_drafts_comment_id"), ["comment_id"], unique=False)
        batch.create_index(batch.f("ix_reply_drafts_employee_id"), ["employee_id"], unique=False)


def downgrade():
    op.drop_table("reply_drafts")
    op.drop_table("inbound_spent_tokens")
