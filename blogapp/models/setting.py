"""Site settings an admin changed in the browser (/admin/settings), over the environment's.

A setting without a row here has the environment's value (config.py). Every change moves
the one version row, in the same transaction: each process compares that number with the
one it last read (blogapp/sitesettings/store.py) and reloads the rows when it moved.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from blogapp.extensions import db
from blogapp.models.base import utcnow


class SiteSetting(db.Model):
    """One setting set here: its config name and its value as JSON."""

    __tablename__ = "site_settings"

    name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[str] = mapped_column(sa.Text)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    def __repr__(self) -> str:
        return f"<SiteSetting {self.name}={self.value}>"


class SiteSettingsVersion(db.Model):
    """The settings' version: one row (id 1), one more on every change. No row: version 0."""

    __tablename__ = "site_settings_version"
    __table_args__ = (sa.CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(default=0)
