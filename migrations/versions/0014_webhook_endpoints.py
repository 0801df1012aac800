"""Webhook endpoints an admin manages in the browser, and the webhook outbox as their
delivery log: which endpoint a row is for (none: RESPONSE_WEBHOOK_URL), the post it is
about, and the last answer's status code and body excerpt

Revision ID: 0014
Revises: 0012 (re-chained onto 0013 when merged)
Create Date: 2026-11-30 01:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("events", sa.String(length=200), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("secret_rotated_at", sa.DateTime(), nullable=False),
        sa.Column("paused_at", sa.DateTime(), nullable=True),
        sa.Column("paused_reason", sa.String(length=300), nullable=True),
        sa.Column("failing_since", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_webhook_endpoints_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoints")),
    )
    with op.batch_alter_table("webhook_outbox") as batch:
        batch.add_column(sa.Column("endpoint_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("post_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("response_status", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("response_excerpt", sa.String(length=500), nullable=True))
        batch.add_column(sa.Column("last_attempt_at", sa.DateTime(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_webhook_outbox_endpoint_id_webhook_endpoints"),
            "webhook_endpoints",
            ["endpoint_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index("ix_webhook_outbox_endpoint_id_id", ["endpoint_id", "id"])
        batch.create_index(batch.f("ix_webhook_outbox_post_id"), ["post_id"])
        batch.create_index(batch.f("ix_webhook_outbox_created_at"), ["created_at"])


def downgrade():
    with op.batch_alter_table("webhook_outbox") as batch:
        batch.drop_index(batch.f("ix_webhook_outbox_created_at"))
        batch.drop_index(batch.f("ix_webhook_outbox_post_id"))
        batch.drop_index("ix_webhook_outbox_endpoint_id_id")
        batch.drop_constraint(
            batch.f("fk_webhook_outbox_endpoint_id_webhook_endpoints"), type_="foreignkey"
        )
        batch.drop_column("last_attempt_at")
        batch.drop_column("response_excerpt")
        batch.drop_column("response_status")
        batch.drop_column("post_id")
        batch.drop_column("endpoint_id")
    op.drop_table("webhook_endpoints")
