"""A post whose author reviews employees' answers, with a customer's comment on it."""

from dataclasses import dataclass

import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.models import AuditEvent, MailMessage, Role


@dataclass
class Scene:
    executive: object
    staff: object
    admin: object
    reader: object
    post: object
    comment: object


def build_scene(make_user, make_post, make_comment) -> Scene:
    executive = make_user(Role.STAFF, name="Erin Exec", job_title="CEO")
    staff = make_user(Role.STAFF, name="Priya Shah", job_title="Support")
    admin = make_user(Role.ADMIN, name="Ada Admin")
    reader = make_user(Role.READER, name="Rita Reader")
    post = make_post(author=executive, replies_need_review=True)
    comment = make_comment(post, author=reader, body="Where is the invoice?")
    return Scene(executive, staff, admin, reader, post, comment)


def audit(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


def mails(kind: str) -> list[MailMessage]:
    return list(db.session.scalars(sa.select(MailMessage).where(MailMessage.kind == kind)))
