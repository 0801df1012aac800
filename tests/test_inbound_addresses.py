"""Reply addresses: short enough for a mailbox name, any case, refused when altered."""

from datetime import timedelta

from blogapp.inbound.addresses import make_token, read_address, read_token, reply_address
from blogapp.models.base import utcnow


def test_no_domain_no_reply_address(app):
    assert reply_address("comment", 1, 2) is None


def test_a_reply_address_reads_back_in_any_case(make_app):
    app = make_app(INBOUND_MAIL_DOMAIN="in.example.com")
    with app.app_context():
        address = reply_address("comment", 123456, 42)
        local = address.partition("@")[0]
        assert len(local) <= 64
        for spelling in (address, address.upper(), f"<{address}>"):
            token = read_address(spelling)
            assert (token.purpose, token.subject_id, token.person_id) == ("comment", 123456, 42)
            assert not token.is_expired()
        assert read_address(address.replace("in.example.com", "other.example")) is None


def test_an_altered_or_foreign_token_is_refused(make_app):
    app = make_app(INBOUND_MAIL_DOMAIN="in.example.com")
    with app.app_context():
        token = make_token("private", 7, 8)
        flipped = token[:5] + ("a" if token[5] != "a" else "b") + token[6:]
        for bad in (flipped, token[:-1], "", "x" * 200, "not-base32!", token + "aa"):
            assert read_token(bad) is None, bad
        assert read_token(token).digest == read_token(token.upper()).digest
    other = make_app(INBOUND_MAIL_DOMAIN="in.example.com", SECRET_KEY="another-secret")
    with other.app_context():
        assert read_token(token) is None


def test_an_old_token_is_expired(make_app):
    app = make_app(INBOUND_MAIL_DOMAIN="in.example.com", INBOUND_TOKEN_MAX_AGE_DAYS=30)
    with app.app_context():
        old = read_token(make_token("comment", 1, 2, now=utcnow() - timedelta(days=31)))
        assert old.is_expired()
        assert not read_token(make_token("comment", 1, 2)).is_expired()


def test_mail_that_can_be_answered_carries_the_reply_to(make_app):
    from blogapp.extensions import db
    from blogapp.mail.delivery import build_email
    from blogapp.mail.outbox import queue_mail

    app = make_app(INBOUND_MAIL_DOMAIN="in.example.com")
    with app.app_context():
        address = reply_address("comment", 5, 6)
        message = queue_mail("test", "a@example.com", "Hi", "Body", reply_to=address)
        plain = queue_mail("test", "b@example.com", "Hi", "Body")
        db.session.commit()
        assert build_email(message)["Reply-To"] == address
        assert build_email(plain)["Reply-To"] is None
