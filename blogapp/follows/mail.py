"""Mail to a thread's followers about its new comments, through the mail outbox.

Nothing is written on the comment's path: the follows are this outbox's rows. A follow
waits while its thread has published comments after ``told_through_id``; draining it
writes one mail listing them (each mail's unsubscribe link turns off the "threads I
follow" choice) and moves the mark, in one transaction. The mark moves with a
conditional UPDATE (``WHERE told_through_id = <as read>``), which is the claim: of two
drainers only the first tells anyone.

Batched: at most one mail a thread a follower every ``EVERY``. The first comment after
a quiet spell is mailed as soon as it is committed (the listener below wakes the drain
for its post); the ones that follow within the hour wait and go together in the next
mail, sent by `flask worker` (or the next commit's drain) once the hour is over.

Not told: the follower's own comments, and the ones they hear of by a mail of their
own (a reply to them, a new comment on their post: comments/notify.told_directly).
Told of nothing: a follower whose account is disabled or deleted, or who turned the
choice off; their mark still moves, so turning it back on does not bring a flood.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, current_app, render_template, url_for
from sqlalchemy import event
from sqlalchemy.orm import Session, joinedload

from blogapp.accounts import profile, tokens
from blogapp.comments.notify import excerpt, told_directly
from blogapp.extensions import db
from blogapp.mail.outbox import queue_mail
from blogapp.models import Comment, CommentStatus, Follow, Post
from blogapp.models.base import utcnow
from blogapp.ops.drainer import mark_written
from blogapp.ops.outbox import DrainReport, Outbox, register_outbox
from blogapp.sitesettings.store import site_settings

EVERY = timedelta(hours=1)
# A mail lists this many comments, then links to the thread for the rest.
LISTED = 10
# Comments read for one follow at a time; a longer backlog moves on in the next mail.
READ = 200


@dataclass(frozen=True)
class Told:
    comment: Comment
    excerpt: str
    link: str


def _newer_comments():
    return sa.exists().where(
        Comment.post_id == Follow.post_id,
        Comment.id > Follow.told_through_id,
        Comment.status == CommentStatus.PUBLISHED.value,
    )


def waiting_follows(now: datetime, post_ids=None) -> sa.Select:
    """The follows with something to tell whose turn has come, oldest first."""
    query = (
        sa.select(Follow)
        .join(Post, Post.id == Follow.post_id)
        .where(
            _newer_comments(),
            Post.visible_clause(now),
            sa.or_(Follow.told_at.is_(None), Follow.told_at <= now - EVERY),
        )
        .order_by(Follow.id)
    )
    if post_ids is not None:
        query = query.where(Follow.post_id.in_(post_ids))
    return query


def _mail(session: Session, follow: Follow, news: list[Comment]) -> None:
    user, post = follow.user, follow.post
    unsubscribe = url_for(
        "accounts.me.unsubscribe",
        token=tokens.unsubscribe_token(user, "follows"),
        _external=True,
    )
    told = [
        Told(
            c,
            excerpt(c, limit=300),
            url_for("comments.permalink", comment_id=c.id, _external=True),
        )
        for c in news[:LISTED]
    ]
    body = render_template(
        "follows/mail_new_comments.txt",
        user=user,
        post=post,
        told=told,
        more=len(news) - len(told),
        thread=url_for("blog.post", slug=post.slug, _external=True) + "#comments",
        account=url_for("accounts.me.home", _external=True) + "#following",
        unsubscribe_url=unsubscribe,
        site_name=site_settings()["SITE_NAME"],
    )
    what = "A new comment" if len(news) == 1 else f"{len(news)} new comments"
    subject = f"{what} on “{post.title}”"
    queue_mail("thread_followed", user.email, subject, body, unsubscribe, session=session)


def tell(session: Session, follow: Follow, now: datetime) -> bool:
    """Tell one follower what is new in their thread; True if a mail was written.
    Commits, or rolls back when another drainer told them first."""
    comments = session.scalars(
        sa.select(Comment)
        .where(
            Comment.post_id == follow.post_id,
            Comment.id > follow.told_through_id,
            Comment.status == CommentStatus.PUBLISHED.value,
        )
        .options(joinedload(Comment.author), joinedload(Comment.parent))
        .order_by(Comment.id)
        .limit(READ)
    ).all()
    if not comments:
        return False
    user = follow.user
    news = [c for c in comments if not told_directly(c, user)]
    mailing = bool(news) and user.is_active and profile.wants(user, "follows")
    claimed = session.execute(
        sa.update(Follow)
        .where(Follow.id == follow.id, Follow.told_through_id == follow.told_through_id)
        .values(told_through_id=comments[-1].id, told_at=now if mailing else Follow.told_at)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        session.rollback()
        return False
    if mailing:
        _mail(session, follow, news)
    session.commit()
    return mailing


class FollowOutbox(Outbox):
    """The follows as an outbox (see the module's docstring): drained by `flask worker`,
    and after each commit that published a comment, for that comment's post."""

    name = "follows"
    model = Follow
    max_attempts_setting = "MAIL_MAX_ATTEMPTS"
    after_commit_setting = "MAIL_SEND_AFTER_COMMIT"

    def drain_after_commit(self, ids) -> DrainReport:
        return self.drain(ids=ids)  # the ids are posts' (the listener below)

    def drain(self, limit=1000, *, ids=None, include_not_due=False, now=None) -> DrainReport:
        """Tell up to ``limit`` waiting followers (of the posts ``ids``, or of any)."""
        now = now or utcnow()
        report = DrainReport()
        # A session of the app's own class, so the mail it writes reaches the drainer.
        with db.session.session_factory() as session:
            follows = session.scalars(waiting_follows(now, ids).limit(limit)).all()
            for follow in follows:
                try:
                    report.delivered += tell(session, follow, now)
                except Exception:  # noqa: BLE001 - the follow waits for the next drain
                    session.rollback()
                    report.failed += 1
                    current_app.logger.exception("Telling follow #%s failed", follow.id)
        return report

    def backlog(self) -> tuple[int, int]:
        """Followers with something to tell (none are ever given up on)."""
        waiting = db.session.scalar(sa.select(sa.func.count(Follow.id)).where(_newer_comments()))
        return waiting or 0, 0

    def dead_letters(self, limit: int = 50) -> list:
        return []

    def retry_dead(self) -> int:
        return 0


def _collect(session: Session, flush_context) -> None:
    """Note the posts that got a published comment in this flush (no SQL)."""
    posts = set()
    for obj in session.new:
        if isinstance(obj, Comment) and obj.status == CommentStatus.PUBLISHED:
            posts.add(obj.post_id)
    for obj in session.dirty:
        if isinstance(obj, Comment) and obj.status == CommentStatus.PUBLISHED:
            history = sa.inspect(obj).attrs.status.history
            if history.added and history.deleted and history.deleted[0] != history.added[0]:
                posts.add(obj.post_id)
    if posts:
        mark_written(session, "follows", posts)


def register(app: Flask) -> None:
    """The follows outbox in the app's registry; the listener, once per process."""
    register_outbox(app, FollowOutbox())
    target = db.session.session_factory.class_
    if not event.contains(target, "after_flush", _collect):
        event.listen(target, "after_flush", _collect)
