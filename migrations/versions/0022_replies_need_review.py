"""Replies that wait for the post author's review: the author's and the post's switch,
and the proposed replies (issue 17, point 5)

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-30 04:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    for table in ("users", "posts"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column(
                    "replies_need_review", sa.Boolean(), server_default=sa.false(), nullable=False
                )
            )
    op.create_table(
        "proposed_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("body_source", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("review_note", sa.String(length=1000), nullable=True),
        sa.Column("reply_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "state IN ('waiting', 'returned', 'published', 'withdrawn')",
            name=op.f("ck_proposed_replies_state_valid"),
        ),
        sa.CheckConstraint(
            "kind IN ('reply', 'note')", name=op.f("ck_proposed_replies_kind_valid")
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_proposed_replies_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_proposed_replies_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["users.id"], name=op.f("fk_proposed_replies_reviewer_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["reply_id"],
            ["comments.id"],
            name=op.f("fk_proposed_replies_reply_id_comments"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposed_replies")),
    )
    with op.batch_alter_table("proposed_replies") as batch:
        for column in ("comment_id", "author_id", "state"):
            batch.create_index(batch.f(f"ix_proposed_replies_{column}"), [column], unique=False)


def downgrade():
    with op.batch_alter_table("proposed_replies") as batch:
        for column in ("comment_id", "author_id", "state"):
            batch.drop_index(batch.f(f"ix_proposed_replies_{column}"))
    op.drop_table("proposed_replies")
    for table in ("posts", "users"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("replies_need_review")
