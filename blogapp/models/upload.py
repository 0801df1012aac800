"""Images uploaded by employees, stored on disk under generated names."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blogapp.extensions import db
from blogapp.models.base import utcnow
from blogapp.models.user import User


class Upload(db.Model):
    __tablename__ = "uploads"
    __table_args__ = (
        sa.CheckConstraint(
            "image_format IN ('PNG', 'JPEG', 'GIF', 'WEBP')", name="image_format_valid"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random, with the extension of the decoded format: never the uploader's file name.
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # What the uploader called it, cleaned; only used as alt text and download name.
    original_name: Mapped[str] = mapped_column(sa.String(120))
    image_format: Mapped[str] = mapped_column(sa.String(8))
    width: Mapped[int]
    height: Mapped[int]
    byte_size: Mapped[int]
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    uploaded_by: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Upload {self.stored_name} {self.image_format} {self.width}x{self.height}>"
