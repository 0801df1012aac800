"""Did this answer your question? answer_feedback, and comments.reopened_at

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30 04:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("comments") as batch:
        batch.add_column(sa.Column("reopened_at", sa.DateTime(), nullable=True))
    op.create_table(
        "answer_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("acknowledgement_id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("helped", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("reopened_at", sa.DateTime(), nullable=True),
        sa.Column("round_started_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["acknowledgement_id"], ["acknowledgements.id"],
            name=op.f("fk_answer_feedback_acknowledgement_id_acknowledgements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"],
            name=op.f("fk_answer_feedback_comment_id_comments"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_feedback")),
        sa.UniqueConstraint(
            "acknowledgement_id", name=op.f("uq_answer_feedback_acknowledgement_id")
        ),
    )
    op.create_index(
        op.f("ix_answer_feedback_comment_id"), "answer_feedback", ["comment_id"], unique=False
    )
    op.create_index(
        op.f("ix_answer_feedback_changed_at"), "answer_feedback", ["changed_at"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_answer_feedback_changed_at"), table_name="answer_feedback")
    op.drop_index(op.f("ix_answer_feedback_comment_id"), table_name="answer_feedback")
    op.drop_table("answer_feedback")
    with op.batch_alter_table("comments") as batch:
        batch.drop_column("reopened_at")
