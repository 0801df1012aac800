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


def test_demo_metrics_page_matches_the_queue(app, client, make_user):
    """Read by a person: every overdue item in the queue is a miss on the metrics page."""
    from blogapp.models import Role
    from blogapp.responses import metrics
    from blogapp.responses.owed_list import owed_and_overdue
    from tests.conftest import Auth

    load_demo(ROOT / "content")
    owed, overdue = owed_and_overdue()
    assert overdue >= 1
    weeks = metrics.weekly(26)  # the demo's threads go back about fourteen weeks
    assert sum(w.missed_open for w in weeks) == overdue
    assert sum(w.open_not_due for w in weeks) == owed - overdue
    make_user(Role.STAFF, email="reader.of.metrics@example.com")
    Auth(client).login("reader.of.metrics@example.com")
    page = client.get("/responses/metrics?weeks=26").text
    noun = "comment" if overdue == 1 else "comments"
    assert f"<strong>{overdue} {noun} waiting past" in page
    queue = client.get("/responses?view=overdue").text
    assert f"{overdue} comment{'' if overdue == 1 else 's'} waiting for an answer" in queue
