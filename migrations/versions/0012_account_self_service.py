"""Accounts a reader looks after: verified email addresses, notification choices,
deleted accounts, and "author-deleted" among the reasons an item closes

Accounts that exist before this revision count as verified from the day they were
created: their owners were never asked, and the site should not start holding their
comments because of it.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 22:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


# acknowledgements.reason's CHECK (0010), widened by the reason Parley sets itself when a
# reader deletes their account; written out here, as a migration is a picture of its time.
REASON_CHECK = "ck_acknowledgements_reason_valid"
REASONS_BEFORE = ("thanks-only", "duplicate", "off-topic", "moved-to-support")
REASONS_AFTER = REASONS_BEFORE + ("author-deleted",)


def _reason_check(reasons: tuple[str, ...]) -> None:
    listed = ", ".join(f"'{r}'" for r in reasons)
    with op.batch_alter_table("acknowledgements") as batch:
        batch.drop_constraint(op.f(REASON_CHECK), type_="check")
        batch.create_check_constraint(op.f(REASON_CHECK), f"reason IN ({listed})")


def upgrade():
    _reason_check(REASONS_AFTER)
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("email_verified_at", sa.DateTime(), nullable=True))
        batch.add_column(
            sa.Column("notify_replies", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch.add_column(
            sa.Column(
                "notify_acknowledged", sa.Boolean(), server_default=sa.true(), nullable=False
            )
        )
        batch.add_column(sa.Column("deleted_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE users SET email_verified_at = created_at")


def downgrade():
    _reason_check(REASONS_BEFORE)
    with op.batch_alter_table("users") as batch:
        batch.drop_column("deleted_at")
        batch.drop_column("notify_acknowledged")
        batch.drop_column("notify_replies")
        batch.drop_column("email_verified_at")
