"""Inbound mail's records: the reply tokens already used, and replies kept as drafts."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blogapp.extensions import db
from blogapp.models.base import utcnow
from blogapp.models.comment import Comment


class SpentReplyToken(db.Model):
    """A reply token that has been used once (its digest, blogapp/inbound/addresses.py):
    a second message to the same address is refused. Unique, so two deliveries of one
    message at the same moment cannot both publish."""

    __tablename__ = "inbound_spent_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    purpose: Mapped[str] = mapped_column(sa.String(20))
    # The message that used it, for the log and the refusal of a resend.
    message_id: Mapped[str | None] = mapped_column(sa.String(255))
    used_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReplyDraft(db.Model):
    """A reply an employee wrote that could not be published (a comment answered by someone
    else while their mail was on its way): kept for them, prefilled in the reply box."""

    __tablename__ = "reply_drafts"
    __table_args__ = (sa.UniqueConstraint("comment_id", "employee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    employee_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(sa.Text)
    # Where it came from: "mail" (the only writer so far).
    source: Mapped[str] = mapped_column(sa.String(20), default="mail")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    comment: Mapped[Comment] = relationship()
