"""A reply by mail on a post whose author reviews answers first waits for that review,
like one typed in the queue; its writer is told by mail, and the comment stays owed."""

import pytest
import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.inbound.addresses import reply_address
from blogapp.inbound.receive import receive
from blogapp.models import Comment, MailMessage, ProposedReply, ReviewState, Role
from blogapp.responses import reviews
from blogapp.responses.services import owed_ids
from tests.inbound_helpers import DOMAIN, PRIYA, corpus


@pytest.fixture
def scene(app, make_user, make_post, make_comment):
    app.config["INBOUND_MAIL_DOMAIN"] = DOMAIN
    priya = make_user(Role.STAFF, name="Priya Shah", email=PRIYA)
    ceo = make_user(Role.STAFF, name="Dana Chief", email="dana@tallyworks.example")
    post = make_post(author=ceo, title="Our pricing")
    post.replies_need_review = True
    comment = make_comment(post, body="Why the change?", guest=("Sam", "sam@example.com"))
    db.session.commit()
    return priya, ceo, comment, reply_address("comment", comment.id, priya.id)


def test_a_reply_by_mail_waits_for_the_authors_review(scene):
    priya, ceo, comment, address = scene
    result = receive(corpus("plain.eml", address))
    assert result.accepted
    proposal = db.session.scalar(sa.select(ProposedReply))
    assert (proposal.author_id, proposal.state) == (priya.id, ReviewState.WAITING)
    assert comment.id in owed_ids()
    assert db.session.scalars(sa.select(Comment).where(Comment.parent_id == comment.id)).all() == []
    told = db.session.scalar(sa.select(MailMessage).where(MailMessage.kind == "inbound_held"))
    assert told.to_address == PRIYA and "Dana Chief" in told.subject
    reply = reviews.approve(proposal, ceo)
    db.session.commit()
    assert reply.author_id == priya.id and comment.id not in owed_ids()
