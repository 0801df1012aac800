"""`flask mail lmtp`: the LMTP listener takes a reply like the pipe does, answering each
recipient with its own status (RFC 2033)."""

import smtplib

import pytest
import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.inbound.lmtp import listener
from blogapp.models import Comment
from tests.inbound_helpers import corpus, make_scene
from tests.mail_helpers import free_port


@pytest.fixture
def scene(app, make_user, make_post, make_comment):
    return make_scene(app, make_user, make_post, make_comment)


@pytest.fixture
def lmtp(app):
    controller = listener(app, "127.0.0.1", free_port())
    controller.start()
    yield controller
    controller.stop()


def _replies(comment_id: int) -> list[str]:
    db.session.rollback()  # the listener wrote in a session of its own
    return list(
        db.session.scalars(sa.select(Comment.body_source).where(Comment.parent_id == comment_id))
    )


def test_a_reply_by_lmtp_is_published(scene, lmtp):
    with smtplib.LMTP("127.0.0.1", lmtp.port) as client:
        client.ehlo_or_helo_if_needed()
        refused = client.sendmail(
            "priya@tallyworks.example", [scene.address], corpus("signature.eml", scene.address)
        )
    assert refused == {}
    assert _replies(scene.comment.id) == [
        "Sam, here is the short version:\n\n1. Open Settings.\n2. Pick the *Full* template."
    ]


def test_lmtp_refuses_strangers_and_oversized_messages(scene, lmtp, app):
    with smtplib.LMTP("127.0.0.1", lmtp.port) as client:
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            client.sendmail("x@example.com", ["someone@inbound.tallyworks.example"], b"Hi")
    app.config["INBOUND_MAX_BYTES"] = 200
    small = listener(app, "127.0.0.1", free_port())
    small.start()
    try:
        with smtplib.LMTP("127.0.0.1", small.port) as client:
            with pytest.raises(smtplib.SMTPException):
                client.sendmail(
                    "priya@tallyworks.example", [scene.address], corpus("plain.eml", scene.address)
                )
    finally:
        small.stop()
    assert _replies(scene.comment.id) == []
