"""Acknowledgements: a CHECK that reason is one of CloseReason's values

Every enum-valued column now has its CHECK constraint written from the enum in the model
(blogapp.models.base.enum_check); acknowledgements.reason, the reason code of a "no
response needed" close, was the one without. The values are written out here, not
imported: a migration is a picture of the schema at its revision, and
tests/test_constraints.py compares the migrated database with the models' enums.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 22:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

CLOSE_REASONS = ("thanks-only", "duplicate", "off-topic", "moved-to-support")
NAME = "ck_acknowledgements_reason_valid"


def upgrade():
    reasons = sa.column("reason")
    bad = op.get_bind().execute(
        sa.select(sa.func.count())
        .select_from(sa.table("acknowledgements", reasons))
        .where(reasons.is_not(None), reasons.not_in(CLOSE_REASONS))
    ).scalar_one()
    if bad:
        # Nothing is changed or thrown away on the way: the owner decides what they meant.
        raise RuntimeError(
            f"{bad} acknowledgement(s) have a reason that is not one of {CLOSE_REASONS}; "
            "correct them (SELECT id, reason FROM acknowledgements) and upgrade again."
        )
    listed = ", ".join(f"'{r}'" for r in CLOSE_REASONS)
    with op.batch_alter_table("acknowledgements", schema=None) as batch_op:
        batch_op.create_check_constraint(op.f(NAME), f"reason IN ({listed})")


def downgrade():
    with op.batch_alter_table("acknowledgements", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(NAME), type_="check")
