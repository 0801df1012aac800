"""Who answers an owed comment: the employees it can go to, and giving it to one of them
(a moderator assigns, an employee claims; the new assignee is mailed unless they claimed).

The answering actions (acknowledge, close, undo) stay in services.py; assigning takes its
checks from there (the permission, the row lock, whether the comment is still owed), so a
claim and an answer at the same moment take turns on the same lock.
"""

import sqlalchemy as sa
from flask import render_template, url_for

from blogapp.extensions import db
from blogapp.inbound.addresses import reply_address
from blogapp.mail.outbox import queue_mail
from blogapp.models import Assignment, Comment, User
from blogapp.models.base import utcnow
from blogapp.responses.audit import Action, record
from blogapp.responses.services import (
    ResponseError,
    can_moderate,
    conversation_item,
    is_owed,
    lock_comment,
)


def employees() -> list[User]:
    """Everyone an owed comment can be assigned to, by name."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.employee_clause(), User.disabled_at.is_(None))
            .order_by(User.display_name)
        )
    )


def assign(comment: Comment, assignee: User, by: User, now=None) -> Assignment:
    """Give an owed comment to ``assignee``: moderators assign anyone, employees claim."""
    comment = conversation_item(comment)  # a follow-up is answered with its item
    if not getattr(by, "is_employee", False):
        raise ResponseError("Only employees can take on comments.")
    if assignee is None or not assignee.is_employee or not assignee.is_active:
        raise ResponseError("Comments can be assigned only to employees who can log in.")
    if assignee.id != by.id and not can_moderate(by):
        raise ResponseError("Only moderators can assign a comment to someone else.")
    lock_comment(comment)
    if not is_owed(comment):
        raise ResponseError("This comment is no longer waiting for an answer.")
    now = now or utcnow()
    db.session.execute(
        sa.update(Assignment)
        .where(Assignment.current_comment_id == comment.id)
        .values(current_comment_id=None)
    )
    assignment = Assignment(
        comment_id=comment.id,
        current_comment_id=comment.id,
        assignee_id=assignee.id,
        assigned_by_id=by.id,
        created_at=now,
    )
    db.session.add(assignment)
    claimed = assignee.id == by.id
    record(Action.CLAIMED if claimed else Action.ASSIGNED, by, comment, subject=assignee, at=now)
    if not claimed:
        _mail_assignee(comment, assignee, by)
    db.session.commit()
    return assignment


def _mail_assignee(comment: Comment, assignee: User, by: User) -> None:
    body = render_template(
        "responses/mail_assigned.txt",
        comment=comment,
        assignee=assignee,
        by=by,
        link=url_for("comments.permalink", comment_id=comment.id, _external=True),
        queue=url_for("responses.queue", view="mine", _external=True),
        by_mail=(reply_to := reply_address("comment", comment.id, assignee.id)),
    )
    subject = (
        f"{by.display_name} asked you to answer {comment.author_name} on “{comment.post.title}”"
    )
    queue_mail("response_assigned", assignee.email, subject, body, reply_to=reply_to)
