"""Taking one's data and leaving: the export zip, deleting an account, and a guest's
request to remove the comments written with their address."""

import io
import json
import secrets
import zipfile

import sqlalchemy as sa
from flask import render_template, url_for
from sqlalchemy.orm import joinedload

from blogapp.accounts import profile, sessions, throttle, tokens
from blogapp.accounts.services import AccountError, normalize_email
from blogapp.extensions import db
from blogapp.mail.outbox import queue_mail
from blogapp.models import (
    AckKind,
    Acknowledgement,
    CloseReason,
    Comment,
    CommentStatus,
    Follow,
    Post,
    User,
)
from blogapp.models.base import utcnow
from blogapp.responses import webhooks
from blogapp.responses.audit import Action, record
from blogapp.responses.services import current_assignee, lock_comment, owed_clause
from blogapp.sitesettings.store import site_settings

DELETED_NAME = "A deleted reader"
# Stored as the closing acknowledgement's reason; moderators never choose it.
AUTHOR_DELETED = CloseReason.AUTHOR_DELETED.value
AUTHOR_DELETED_TEXT = "author deleted their account"
REMOVAL_REASON = "Its author deleted their account"
GUEST_REMOVAL_REASON = "Removed at the guest's request"
EXPORT_FORMAT = 1


def comments_of(user: User) -> list[Comment]:
    """Every comment ``user`` wrote, oldest first, with its post."""
    return list(
        db.session.scalars(
            sa.select(Comment)
            .options(joinedload(Comment.post))
            .where(Comment.author_id == user.id)
            .order_by(Comment.created_at, Comment.id)
        )
    )


def _iso(moment) -> str | None:
    return moment.isoformat() + "Z" if moment is not None else None


def _comment_record(comment: Comment) -> dict:
    return {
        "id": comment.id,
        "post": comment.post.title,
        "url": url_for("comments.permalink", comment_id=comment.id, _external=True),
        "in_reply_to": comment.parent_id,
        "status": comment.status,
        "created_at": _iso(comment.created_at),
        "edited_at": _iso(comment.edited_at),
        "markdown": comment.body_source,
    }


def export_zip(user: User) -> bytes:
    """A zip of ``user``'s profile and comments, as JSON and as Markdown."""
    account = {
        "format": EXPORT_FORMAT,
        "site": site_settings()["SITE_NAME"],
        "exported_at": _iso(utcnow()),
        "email": user.email,
        "email_verified_at": _iso(user.email_verified_at),
        "display_name": user.display_name,
        "role": user.role,
        "created_at": _iso(user.created_at),
        "notifications": {
            choice: getattr(user, column) for choice, column in tokens.NOTIFICATION_COLUMNS.items()
        },
        "follow_on_comment": user.follow_on_comment,
        "following": [
            url_for("blog.post", slug=slug, _external=True)
            for slug in db.session.scalars(
                sa.select(Post.slug)
                .join(Follow, Follow.post_id == Post.id)
                .where(Follow.user_id == user.id)
                .order_by(Follow.id)
            )
        ],
    }
    comments = [_comment_record(c) for c in comments_of(user)]
    markdown = render_template("accounts/export.md", account=account, comments=comments)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("profile.json", json.dumps(account, indent=2, ensure_ascii=False))
        archive.writestr("comments.json", json.dumps(comments, indent=2, ensure_ascii=False))
        archive.writestr("comments.md", markdown)
    return buffer.getvalue()


def _close_owed_items(user: User, now) -> int:
    """Close every owed item ``user`` wrote, "author deleted their account"; how many.

    The acknowledgement names the item's assignee (the column needs an employee, and the
    item was theirs); the audit event names the reader whose deletion closed it.
    """
    items = db.session.scalars(
        sa.select(Comment).where(Comment.author_id == user.id, owed_clause())
    ).all()
    for item in items:
        lock_comment(item)
        employee = current_assignee(item)
        db.session.add(
            Acknowledgement(
                comment=item,
                standing_comment_id=item.id,
                kind=AckKind.NO_RESPONSE_NEEDED.value,
                employee_id=employee.id,
                created_at=now,
                reason=AUTHOR_DELETED,
                internal_note=f"Closed automatically: the {AUTHOR_DELETED_TEXT}.",
            )
        )
        item.changed_at = now
        webhooks.queue_event(
            "acknowledged", item, employee=employee, kind=AckKind.NO_RESPONSE_NEEDED.value, at=now
        )
        record(Action.CLOSED, user, item, reason=AUTHOR_DELETED, detail=AUTHOR_DELETED_TEXT, at=now)
    return len(items)


def _remove(comments, by: User | None, reason: str, now) -> int:
    removed = 0
    for comment in comments:
        if comment.status in (CommentStatus.PUBLISHED, CommentStatus.HELD):
            comment.status = CommentStatus.REMOVED.value
            comment.removed_at = now
            comment.removed_by = by
            comment.removal_reason = reason
            comment.changed_at = now
            removed += 1
    return removed


def delete_account(user: User, keep_comments: bool, password: str, address: str | None):
    """Delete a reader's own account; commits.

    Owed items of theirs close with the reason "author deleted their account". Their
    comments stay, signed "A deleted reader", or are removed (replies keep their place
    under the usual placeholder). Nothing personal stays in the row; it is kept for the
    comments and the audit log that point at it.
    """
    if user.is_employee:
        raise AccountError("Employees' accounts are closed by an administrator.")
    profile.check_password(user, password, address, "password")
    now = utcnow()
    closed = _close_owed_items(user, now)
    removed = 0 if keep_comments else _remove(comments_of(user), user, REMOVAL_REASON, now)
    record(
        Action.ACCOUNT_DELETED,
        user,
        subject=user,
        detail=(
            f"comments {'kept' if keep_comments else 'removed'}: {removed} removed, "
            f"{closed} owed closed"
        ),
        at=now,
    )
    user.display_name = DELETED_NAME
    user.email = f"deleted-{user.id}@deleted.invalid"
    user.slug = f"deleted-reader-{user.id}"
    user.password_hash = "!" + secrets.token_hex(16)  # no password matches it
    user.job_title = user.bio = user.avatar = None
    user.notify_replies = user.notify_acknowledged = False
    user.deleted_at = now
    profile.touch_comments_of(user)
    sessions.end_sessions(user)
    db.session.execute(sa.delete(Follow).where(Follow.user_id == user.id))
    db.session.commit()


def request_guest_removal(email: str) -> None:
    """Mail ``email`` a link that removes the guest comments written with it; commits.

    The same work and the same answer whether or not it wrote any, and a few mails an
    hour at most to one address.
    """
    email = normalize_email(email)
    if not throttle.may_mail(throttle.GUEST_REMOVAL_MAIL, email):
        return
    count = db.session.scalar(_guest_comments(email).with_only_columns(sa.func.count()))
    link = url_for(
        "accounts.guests.confirm_removal", token=tokens.guest_removal_token(email), _external=True
    )
    body = render_template("accounts/mail_guest_removal.txt", email=email, link=link, count=count)
    site = site_settings()["SITE_NAME"]
    queue_mail("guest_removal", email, f"Remove your comments on {site}", body, account=True)
    db.session.commit()


def _guest_comments(email: str):
    return sa.select(Comment).where(
        Comment.author_id.is_(None),
        sa.func.lower(Comment.guest_email) == email,
        Comment.status.in_([CommentStatus.PUBLISHED.value, CommentStatus.HELD.value]),
    )


def guest_comments(email: str) -> list[Comment]:
    """The guest comments still shown or waiting that were written with ``email``."""
    query = _guest_comments(normalize_email(email)).options(joinedload(Comment.post))
    return list(db.session.scalars(query.order_by(Comment.created_at, Comment.id)))


def remove_guest_comments(email: str) -> int:
    """Remove the guest comments written with ``email`` (proved by a mailed link);
    audited; how many. Commits."""
    now = utcnow()
    comments = guest_comments(email)
    removed = _remove(comments, None, GUEST_REMOVAL_REASON, now)
    for comment in comments:
        record(Action.REMOVED, None, comment, reason="guest-request", at=now)
    db.session.commit()
    return removed
