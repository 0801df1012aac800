"""Threads readers follow, their notification choices, and who takes a disabled
employee's new comments

Revision ID: 0015
Revises: 0012
Create Date: 2026-11-30 01:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "follows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("told_through_id", sa.Integer(), server_default="0", nullable=False),
        sa.Column("told_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_follows_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_follows_post_id_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follows")),
        sa.UniqueConstraint("user_id", "post_id", name=op.f("uq_follows_user_id")),
    )
    with op.batch_alter_table("follows") as batch:
        batch.create_index(batch.f("ix_follows_post_id"), ["post_id"], unique=False)
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("notify_follows", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch.add_column(
            sa.Column("follow_on_comment", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch.add_column(sa.Column("handover_to_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_users_handover_to_id_users"), "users", ["handover_to_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(batch.f("fk_users_handover_to_id_users"), type_="foreignkey")
        batch.drop_column("handover_to_id")
        batch.drop_column("follow_on_comment")
        batch.drop_column("notify_follows")
    with op.batch_alter_table("follows") as batch:
        batch.drop_index(batch.f("ix_follows_post_id"))
    op.drop_table("follows")
