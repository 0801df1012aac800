"""Imports from WordPress and Disqus: the other system's ids, old addresses, admin-page
jobs, and "imported" among the reasons an item closes

Revision ID: 0016
Revises: 0012
Create Date: 2026-11-30 01:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


# acknowledgements.reason's CHECK (0010, widened by 0012), widened by the reason an import
# sets on old history nobody answered; written out, as a migration is a picture of its time.
REASON_CHECK = "ck_acknowledgements_reason_valid"
REASONS_BEFORE = ("thanks-only", "duplicate", "off-topic", "moved-to-support", "author-deleted")
REASONS_AFTER = REASONS_BEFORE + ("imported",)


def _reason_check(reasons: tuple[str, ...]) -> None:
    listed = ", ".join(f"'{r}'" for r in reasons)
    with op.batch_alter_table("acknowledgements") as batch:
        batch.drop_constraint(op.f(REASON_CHECK), type_="check")
        batch.create_check_constraint(op.f(REASON_CHECK), f"reason IN ({listed})")


def upgrade():
    _reason_check(REASONS_AFTER)
    op.create_table(
        "import_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.String(length=200), nullable=False),
        sa.Column("local_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_sources")),
        sa.UniqueConstraint("source", "kind", "source_id", name=op.f("uq_import_sources_source")),
    )
    op.create_table(
        "legacy_paths",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
            name=op.f("fk_legacy_paths_post_id_posts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legacy_paths")),
        sa.UniqueConstraint("path", name=op.f("uq_legacy_paths_path")),
    )
    with op.batch_alter_table("legacy_paths") as batch:
        batch.create_index(batch.f("ix_legacy_paths_post_id"), ["post_id"], unique=False)
    op.create_table(
        "import_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("stored_path", sa.String(length=500), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("records_read", sa.Integer(), nullable=False),
        sa.Column("report_json", sa.Text(), nullable=True),
        sa.Column("error", sa.String(length=1000), nullable=True),
        sa.Column("started_by_id", sa.Integer(), nullable=False),
        sa.Column("cutoff", sa.DateTime(), nullable=True),
        sa.Column("with_pingbacks", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["started_by_id"], ["users.id"], name=op.f("fk_import_jobs_started_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_jobs")),
    )


def downgrade():
    op.drop_table("import_jobs")
    with op.batch_alter_table("legacy_paths") as batch:
        batch.drop_index(batch.f("ix_legacy_paths_post_id"))
    op.drop_table("legacy_paths")
    op.drop_table("import_sources")
    _reason_check(REASONS_BEFORE)
