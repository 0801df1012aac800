"""What the review pages and marks show: the answers waiting for a post author, an
employee's own waiting or sent-back answers, the count in the navigation, and the "waiting
for <author>'s review" mark on queue items."""

import sqlalchemy as sa
from flask import g
from sqlalchemy.orm import aliased, joinedload

from blogapp.extensions import db
from blogapp.models import Comment, Post, ProposedReply, ReviewState, User


def _proposals():
    return (
        sa.select(ProposedReply)
        .join(Comment, Comment.id == ProposedReply.comment_id)
        .join(Post, Post.id == Comment.post_id)
        .options(
            joinedload(ProposedReply.author),
            joinedload(ProposedReply.reviewer),
            joinedload(ProposedReply.comment).joinedload(Comment.post),
            joinedload(ProposedReply.comment).joinedload(Comment.author),
        )
        .order_by(ProposedReply.submitted_at, ProposedReply.id)
    )


def to_review(user: User, limit: int = 200) -> list[ProposedReply]:
    """Answers on ``user``'s posts waiting for their review, oldest first."""
    query = _proposals().where(
        Post.author_id == user.id, ProposedReply.state == ReviewState.WAITING.value
    )
    return list(db.session.scalars(query.limit(limit)).unique())


def written_by(user: User, limit: int = 200) -> list[ProposedReply]:
    """``user``'s own answers still waiting or sent back to them."""
    query = _proposals().where(
        ProposedReply.author_id == user.id, ProposedReply.state.in_(ReviewState.open())
    )
    return list(db.session.scalars(query.limit(limit)).unique())


def nav_count(user: User) -> int:
    """For the navigation: answers waiting for ``user``'s review plus their own answers
    sent back to them. One statement, once a request, only for employees."""
    kept = g.get("review_count")
    if kept is None or kept[0] != user.id:
        waiting_for_me = sa.and_(
            ProposedReply.state == ReviewState.WAITING.value, Post.author_id == user.id
        )
        returned_to_me = sa.and_(
            ProposedReply.state == ReviewState.RETURNED.value, ProposedReply.author_id == user.id
        )
        g.review_count = kept = (
            user.id,
            db.session.scalar(
                sa.select(sa.func.count(ProposedReply.id))
                .join(Comment, Comment.id == ProposedReply.comment_id)
                .join(Post, Post.id == Comment.post_id)
                .where(sa.or_(waiting_for_me, returned_to_me))
            ),
        )
    return kept[1]


def waiting_marks(items) -> dict[int, list[str]]:
    """{queue item's comment id: ["Priya Shah's reply is waiting for Jane Doe's review", …]}
    for the items of a queue page (an answer to a follow-up counts for its item)."""
    ids = {item.comment.id for item in items}
    ids |= {f.id for item in items for f in item.follow_ups}
    if not ids:
        return {}
    writer, owner = aliased(User), aliased(User)
    rows = db.session.execute(
        sa.select(
            Comment.id, Comment.joins_id, ProposedReply.kind, writer.display_name,
            owner.display_name,
        )
        .join(ProposedReply, ProposedReply.comment_id == Comment.id)
        .join(writer, writer.id == ProposedReply.author_id)
        .join(Post, Post.id == Comment.post_id)
        .join(owner, owner.id == Post.author_id)
        .where(Comment.id.in_(ids), ProposedReply.state == ReviewState.WAITING.value)
        .order_by(ProposedReply.id)
    )  # fmt: skip
    marks: dict[int, list[str]] = {}
    for comment_id, joins_id, kind, writer_name, owner_name in rows:
        what = "public note" if kind == "note" else "reply"
        marks.setdefault(joins_id or comment_id, []).append(
            f"{writer_name}'s {what} is waiting for {owner_name}'s review"
        )
    return marks
