"""Private support: conversations a moderator takes out of a public thread, their
messages, and the acknowledgement kind "private"

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30 04:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

KINDS_BEFORE = ("reply", "acknowledged", "no_response_needed")
KINDS_AFTER = (*KINDS_BEFORE, "private")
KIND_CHECK = "ck_acknowledgements_kind_valid"


def _kinds(values) -> str:
    return "kind IN ({})".format(", ".join(f"'{v}'" for v in values))


def upgrade():
    op.create_table(
        "private_conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("taken_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'resolved', 'returned')",
            name=op.f("ck_private_conversations_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_private_conversations_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["taken_by_id"], ["users.id"], name=op.f("fk_private_conversations_taken_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["users.id"],
            name=op.f("fk_private_conversations_resolved_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_private_conversations")),
        sa.UniqueConstraint("comment_id", name=op.f("uq_private_conversations_comment_id")),
    )
    with op.batch_alter_table("private_conversations") as batch:
        batch.create_index(
            batch.f("ix_private_conversations_taken_by_id"), ["taken_by_id"], unique=False
        )
    op.create_table(
        "private_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("by_staff", sa.Boolean(), nullable=False),
        sa.Column("body_source", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("via", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("via IN ('web', 'mail')", name=op.f("ck_private_messages_via_valid")),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["private_conversations.id"],
            name=op.f("fk_private_messages_conversation_id_private_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_private_messages_author_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_private_messages")),
    )
    with op.batch_alter_table("private_messages") as batch:
        batch.create_index(
            "ix_private_messages_conversation_id_created_at",
            ["conversation_id", "created_at"],
            unique=False,
        )
    with op.batch_alter_table("acknowledgements") as batch:
        batch.drop_constraint(op.f(KIND_CHECK), type_="check")
        batch.create_check_constraint(op.f(KIND_CHECK), _kinds(KINDS_AFTER))


def downgrade():
    kinds = sa.column("kind")
    private = (
        op.get_bind()
        .execute(
            sa.select(sa.func.count())
            .select_from(sa.table("acknowledgements", kinds))
            .where(kinds == "private")
        )
        .scalar_one()
    )
    if private:
        # Nothing is thrown away on the way down: the owner decides what they meant.
        raise RuntimeError(
            f"{private} acknowledgement(s) are private hand-offs; undo or close them first."
        )
    with op.batch_alter_table("acknowledgements") as batch:
        batch.drop_constraint(op.f(KIND_CHECK), type_="check")
        batch.create_check_constraint(op.f(KIND_CHECK), _kinds(KINDS_BEFORE))
    op.drop_table("private_messages")
    op.drop_table("private_conversations")
