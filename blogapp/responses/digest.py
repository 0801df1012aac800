"""`flask responses digest`: each moderator hears of every overdue comment, each employee
of the owed comments assigned to them. Written to the mail outbox; sent after commit."""

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from flask import render_template, url_for

from blogapp.extensions import db
from blogapp.inbound.addresses import reply_address
from blogapp.mail.outbox import queue_mail
from blogapp.models import User
from blogapp.models.base import utcnow
from blogapp.responses.queue import QueueFilters, QueueItem, queue_page

DIGEST_LIMIT = 10_000


def employees_query():
    return sa.select(User).where(User.employee_clause())


def send_digests(now: datetime | None = None, people: list[User] | None = None) -> int:
    """Queue one digest per person (``people``, or every employee) with something waiting;
    returns how many."""
    now = now or utcnow()
    everyone = people if people is not None else db.session.scalars(employees_query()).all()
    if not everyone:
        return 0
    items = queue_page(QueueFilters(), everyone[0], 1, DIGEST_LIMIT, now).items
    overdue = [i for i in items if i.overdue]
    mine: dict[int, list[QueueItem]] = defaultdict(list)
    for item in items:
        mine[item.assignee.id].append(item)
    sent = 0
    for person in everyone:
        moderator = person.is_moderator
        own = mine.get(person.id, [])
        late = overdue if moderator else []
        if not own and not late:
            continue
        body = render_template(
            "responses/mail_digest.txt",
            person=person,
            own=own,
            overdue=late,
            queue=url_for("responses.queue", _external=True),
            link=lambda c: url_for("comments.permalink", comment_id=c.id, _external=True),
            by_mail=lambda c, person=person: reply_address("comment", c.id, person.id),
        )
        subject = f"Responses: {len(own)} waiting for you"
        if late:
            subject += f", {len(late)} overdue on the site"
        if queue_mail("response_digest", person.email, subject, body) is not None:
            sent += 1
    db.session.commit()
    return sent
