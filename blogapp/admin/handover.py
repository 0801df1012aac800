"""Handing over a leaving employee's owed comments, so that every owed comment still has
an employee who can answer it (ARCHITECTURE.md's response tracker).

A person's owed comments are the owed items assigned to them, and the unassigned ones on
their posts (an item belongs to its post's author by default). Each goes to its post's
author, when that author is an employee who can log in and is not the one leaving;
otherwise to the person the admin picked. With ``everything``, all go to the picked
person. With nobody picked where someone is needed, nothing changes and the error says
how many comments need a person.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from blogapp.accounts.services import AccountError
from blogapp.admin import invites
from blogapp.extensions import db
from blogapp.models import Assignment, Comment, Post, User
from blogapp.models.base import utcnow
from blogapp.responses.absent import by_person, can_answer, mail_assignments
from blogapp.responses.audit import Action, record
from blogapp.responses.services import lock_comment, owed_clause


@dataclass(frozen=True)
class Move:
    comment: Comment
    to: User


def comments(n: int) -> str:
    """ "1 owed comment", "2 owed comments"."""
    return f"{n} owed comment{'' if n == 1 else 's'}"


def can_take_items(person: User | None) -> bool:
    """Whether owed comments may be handed to ``person``: an employee who can log in
    (an invitation not yet accepted cannot)."""
    return can_answer(person) and not invites.is_pending(person)


def _current_assignee():
    return (
        sa.select(Assignment.assignee_id)
        .where(Assignment.current_comment_id == Comment.id)
        .scalar_subquery()
    )


def owed_items_of(person: User) -> list[Comment]:
    """The owed items ``person`` answers for, oldest first."""
    assignee = _current_assignee()
    return list(
        db.session.scalars(
            sa.select(Comment)
            .join(Post, Post.id == Comment.post_id)
            .where(
                owed_clause(),
                sa.or_(
                    assignee == person.id,
                    sa.and_(assignee.is_(None), Post.author_id == person.id),
                ),
            )
            .order_by(Comment.created_at, Comment.id)
        )
    )


def author_ids(person: User) -> set[int]:
    """The authors of the posts ``person``'s owed comments are on."""
    return {comment.post.author_id for comment in owed_items_of(person)}


def owed_count(person: User) -> int:
    return len(owed_items_of(person))


def plan(leaving: User, picked: User | None, everything: bool = False) -> list[Move]:
    """Where each of ``leaving``'s owed comments goes; AccountError (naming the field
    ``reassign_to``) when a comment has nowhere to go or the picked person cannot take it."""
    if picked is not None and (picked.id == leaving.id or not can_take_items(picked)):
        raise AccountError(
            "Owed comments can go only to another employee who can log in.", "reassign_to"
        )
    if everything and picked is None:
        raise AccountError("Choose who takes all of their owed comments.", "reassign_to")
    moves, own, orphaned = [], 0, 0
    for comment in owed_items_of(leaving):
        lock_comment(comment)
        author = comment.post.author
        if not everything and author.id != leaving.id and can_take_items(author):
            moves.append(Move(comment, author))
        elif picked is not None:
            moves.append(Move(comment, picked))
        elif author.id == leaving.id:
            own += 1
        else:
            orphaned += 1
    if own or orphaned:
        where = []
        if own:
            where.append(f"{comments(own)} on {leaving.display_name}'s own posts")
        if orphaned:
            where.append(f"{comments(orphaned)} on posts whose author can no longer answer")
        raise AccountError(
            f"Choose who takes them: {' and '.join(where)}.",
            "reassign_to",
        )
    return moves


def carry_out(moves: list[Move], leaving: User, by: User | None) -> None:
    """Assign each comment to its new person, audited as an assignment (not committed)."""
    now = utcnow()
    for move in moves:
        db.session.execute(
            sa.update(Assignment)
            .where(Assignment.current_comment_id == move.comment.id)
            .values(current_comment_id=None)
        )
        db.session.add(
            Assignment(
                comment_id=move.comment.id,
                current_comment_id=move.comment.id,
                assignee_id=move.to.id,
                assigned_by_id=by.id if by is not None else None,
                created_at=now,
            )
        )
        record(
            Action.ASSIGNED,
            by,
            move.comment,
            subject=move.to,
            reason="handover",
            detail=f"from {leaving.display_name}, whose account was disabled",
            at=now,
        )
    mail_assignments(
        by_person((move.comment, move.to) for move in moves),
        f"{leaving.display_name}'s account was disabled, and these owed comments are now yours",
    )


def check_takers(moves: list[Move]) -> None:
    """After the handover is written (flushed here): every taker can still answer, read
    afresh. Someone disabled at the same moment fails this on SQLite, where the write
    waited for theirs; the error undoes the whole change."""
    db.session.flush()
    ids = {move.to.id for move in moves}
    if not ids:
        return
    takers = db.session.scalars(
        sa.select(User).where(User.id.in_(ids)).execution_options(populate_existing=True)
    )
    gone = [person.display_name for person in takers if not can_take_items(person)]
    if gone:
        db.session.rollback()
        raise AccountError(
            f"{', '.join(sorted(gone))} can no longer take comments (disabled a moment "
            "ago); please choose again.",
            "reassign_to",
        )
