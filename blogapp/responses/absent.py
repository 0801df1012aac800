"""Owed comments whose default person cannot answer: a disabled (or deleted, or no longer
employed) post author's.

An owed comment belongs by default to its post's author (ARCHITECTURE.md). When that
author can no longer answer, a new comment on their post is assigned as it becomes owed:
to the person the admin named when disabling them (``User.handover_to``), else to the
admin who disabled them; if neither can answer either, it stays the author's and the
People page's handover (run again) moves it. Every such assignment is audited, and its
new person mailed: the same assignment mail, one a person listing their items, that an
admin's handover sends (blogapp/admin/handover.py).
"""

from collections import defaultdict
from collections.abc import Iterable

import sqlalchemy as sa
from flask import render_template, url_for

from blogapp.extensions import db
from blogapp.inbound.addresses import reply_address
from blogapp.mail.outbox import queue_mail
from blogapp.models import Assignment, Comment, Post, User
from blogapp.models.base import utcnow
from blogapp.responses.audit import Action, record


def can_answer(person: User | None) -> bool:
    """Whether owed comments may go to ``person``: an employee whose account is active."""
    return person is not None and person.is_employee and person.is_active


def taker_for(post: Post) -> User | None:
    """Who takes new comments on ``post`` because its author cannot answer; None while the
    author can (or when nobody named can either)."""
    author = post.author
    if can_answer(author):
        return None
    for person in (author.handover_to, author.disabled_by):
        if can_answer(person):
            return person
    return None


def _assigned(comment: Comment) -> bool:
    # Handed over already: this can run in a later transaction than the comment's (the
    # tracker acts on what the last flush saw), after an admin's handover took it.
    query = sa.select(Assignment.id).where(Assignment.current_comment_id == comment.id)
    return db.session.scalar(query) is not None


def assign_if_author_absent(comment: Comment) -> None:
    """Assign a comment that has just become owed to taker_for(its post), if anyone;
    audited and mailed, in the caller's transaction. Free when the author can answer:
    the post's author is loaded with the post."""
    taker = taker_for(comment.post)
    if taker is None or _assigned(comment):
        return
    now = utcnow()
    db.session.add(
        Assignment(
            comment_id=comment.id,
            current_comment_id=comment.id,
            assignee_id=taker.id,
            assigned_by_id=None,
            created_at=now,
        )
    )
    author = comment.post.author.display_name
    record(
        Action.ASSIGNED,
        None,
        comment,
        subject=taker,
        reason="handover",
        detail=f"a new comment on a post of {author}, who can no longer answer",
        at=now,
    )
    mail_assignments(
        {taker: [comment]},
        f"{author} can no longer answer comments, so this new one on their post is yours",
    )


def mail_assignments(items: dict[User, list[Comment]], why: str) -> None:
    """One assignment mail to each person, listing the comments now theirs (not committed)."""
    for person, comments in items.items():
        body = render_template(
            "responses/mail_assigned_many.txt",
            assignee=person,
            why=why,
            comments=[
                (
                    c,
                    url_for("comments.permalink", comment_id=c.id, _external=True),
                    reply_address("comment", c.id, person.id),
                )
                for c in comments
            ],
            queue=url_for("responses.queue", view="mine", _external=True),
        )
        what = (
            f"answer {comments[0].author_name} on “{comments[0].post.title}”"
            if len(comments) == 1
            else f"answer {len(comments)} comments"
        )
        # One comment: answer by replying. Several: each has its own "Answer by mail"
        # link, since one Reply-To cannot tell which comment a reply is for.
        reply_to = reply_address("comment", comments[0].id, person.id)
        queue_mail(
            "response_assigned",
            person.email,
            f"You're asked to {what}",
            body,
            reply_to=reply_to if len(comments) == 1 else None,
        )


def by_person(moves: Iterable[tuple[Comment, User]]) -> dict[User, list[Comment]]:
    """The comments of ``moves`` grouped by the person each goes to, in order."""
    grouped: dict[User, list[Comment]] = defaultdict(list)
    for comment, person in moves:
        grouped[person].append(comment)
    return dict(grouped)
