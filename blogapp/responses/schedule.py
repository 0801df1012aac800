"""What `flask worker` does on the clock: each employee's digest once a day at DIGEST_TIME
in the site's time zone, and a warning to an owed item's assignee DUE_SOON_HOURS before
the item falls due (by mail, and a "due_soon" webhook event).

Safe with several workers: people and items are claimed with row locks (FOR UPDATE SKIP
LOCKED on PostgreSQL; SQLite runs one worker at a time) and what was sent is remembered
in the database (the digest in the mail outbox, the warning in comments.due_warned_at),
so nobody hears twice."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app, render_template, url_for

from blogapp.extensions import db
from blogapp.inbound.addresses import reply_address
from blogapp.mail.outbox import queue_mail
from blogapp.models import Comment, MailMessage, owed_clause
from blogapp.models.base import utcnow
from blogapp.responses import webhooks
from blogapp.responses.digest import employees_query, send_digests
from blogapp.responses.services import clock, current_assignee
from blogapp.responses.sla import describe
from blogapp.sitesettings.store import site_settings

WARN_BATCH = 500


def digest_due_since(now: datetime) -> datetime | None:
    """When today's digest fell due (naive UTC), or None: not yet today, or turned off."""
    text = site_settings().get("DIGEST_TIME") or ""
    if not text.strip():
        return None
    zone = ZoneInfo(site_settings()["SITE_TIMEZONE"])
    local_day = now.replace(tzinfo=UTC).astimezone(zone).date()
    due = datetime.combine(local_day, time.fromisoformat(text.strip()), zone)
    due = due.astimezone(UTC).replace(tzinfo=None)
    return due if now >= due else None


def send_daily_digests(now: datetime | None = None) -> int:
    """Each employee who has not had today's digest gets it; returns how many were queued."""
    now = now or utcnow()
    due = digest_due_since(now)
    if due is None:
        return 0
    # Lock first, then look: a second worker that waited for these rows sees what the
    # first one queued.
    people = db.session.scalars(employees_query().with_for_update(skip_locked=True)).all()
    had = set(
        db.session.scalars(
            sa.select(MailMessage.to_address).where(
                MailMessage.kind == "response_digest", MailMessage.created_at >= due
            )
        )
    )
    waiting = [p for p in people if p.email not in had]
    sent = send_digests(now, waiting) if waiting else 0
    db.session.commit()
    return sent


def warn_due_soon(now: datetime | None = None) -> int:
    """Warn the assignee of each owed item that falls due within DUE_SOON_HOURS; how many."""
    hours = float(current_app.config.get("DUE_SOON_HOURS") or 0)
    if hours <= 0:
        return 0
    now = now or utcnow()
    sla = clock()
    # Due by now + hours, not yet due: created after the overdue cutoff of now, at or
    # before that of now + hours (due times grow with creation times).
    comments = db.session.scalars(
        sa.select(Comment)
        .where(
            owed_clause(),
            Comment.due_warned_at.is_(None),
            Comment.owed_since > sla.overdue_cutoff(now),
            Comment.owed_since <= sla.overdue_cutoff(now + timedelta(hours=hours)),
        )
        .order_by(Comment.owed_since)
        .limit(WARN_BATCH)
        .with_for_update(skip_locked=True)
    ).all()
    for comment in comments:
        assignee = current_assignee(comment)
        due = sla.due_at(comment.owed_since)
        reply_to = reply_address("comment", comment.id, assignee.id)
        body = render_template(
            "responses/mail_due_soon.txt",
            comment=comment,
            assignee=assignee,
            left=describe(due - now),
            link=url_for("comments.permalink", comment_id=comment.id, _external=True),
            queue=url_for("responses.queue", view="mine", _external=True),
            by_mail=reply_to,
        )
        subject = f"Due in {describe(due - now)}: {comment.author_name} on “{comment.post.title}”"
        queue_mail("response_due_soon", assignee.email, subject, body, reply_to=reply_to)
        webhooks.queue_event("due_soon", comment, employee=assignee, at=now)
        comment.due_warned_at = now
    db.session.commit()
    return len(comments)


def run_schedule(now: datetime | None = None) -> int:
    """One visit of the clock's work: warnings, then digests. How many messages."""
    now = now or utcnow()
    return warn_due_soon(now) + send_daily_digests(now)
