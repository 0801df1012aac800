"""The demo content: staff replies acknowledge what they answer, so the demo queue holds
only genuinely unanswered customer comments, with a spread of closed, seen and overdue."""

from pathlib import Path

import sqlalchemy as sa

from blogapp.contentio.demo import load_demo
from blogapp.extensions import db
from blogapp.models import AckKind, Acknowledgement, Comment
from blogapp.responses import services
from blogapp.responses.state import response_state

ROOT = Path(__file__).resolve().parent.parent


def test_demo_queue_holds_only_unanswered_customer_comments(app, client):
    load_demo(ROOT / "content")
    load_demo(ROOT / "content")  # idempotent: nothing is acknowledged twice
    owed = db.session.scalars(sa.select(Comment).where(Comment.id.in_(services.owed_ids()))).all()
    for comment in owed:
        replies = db.session.scalars(sa.select(Comment).where(Comment.parent_id == comment.id))
        assert not any(r.by_employee for r in replies), comment.body_source
    kinds = dict(
        db.session.execute(
            sa.select(Acknowledgement.kind, sa.func.count()).group_by(Acknowledgement.kind)
        ).all()
    )
    assert kinds[AckKind.REPLY] >= 10 and kinds[AckKind.NO_RESPONSE_NEEDED] == 2
    assert kinds[AckKind.ACKNOWLEDGED] == 1
    states = response_state([c.id for c in owed])
    assert any(s.overdue for s in states.values()) and any(not s.overdue for s in states.values())
    page = client.get("/posts/recurring-invoices-are-here").text
    assert 'Answered by <a href="/authors/tom-becker">Tom Becker</a>' in page
    assert "Seen by" in page and "seasonal pauses are on the roadmap" in page
