"""Private support (issue 17, point 4): taking a comment private, the customer's mail with
its Reply-To, answers, the mail handler, resolving, undoing, and what the tracker counts."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.inbound.addresses import make_token, read_token
from blogapp.inbound.handlers import InboundReply
from blogapp.models import (
    AckKind,
    AuditEvent,
    PrivateMessage,
    PrivateStatus,
    Role,
)
from blogapp.models.base import utcnow
from blogapp.private import services as private
from blogapp.private.services import PrivateError
from blogapp.responses import metrics, services
from blogapp.responses.audit import Action
from blogapp.responses.metrics_csv import employees_csv
from blogapp.responses.public import public_answers
from tests.private_helpers import DOMAIN, deliver, mail_reply, mails, people


@pytest.fixture(autouse=True)
def inbound(app):
    app.config["INBOUND_MAIL_DOMAIN"] = DOMAIN


@pytest.fixture
def cast(make_user, make_post):
    return people(make_user, make_post)


def audit_actions(comment) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.comment_id == comment.id)
            .order_by(AuditEvent.id)
        )
    )


def test_taking_private_acknowledges_and_mails_the_reader_with_a_reply_to(cast, make_comment):
    jane, _, reader, post = cast
    question = make_comment(post, author=reader, body="Why was my card charged twice?")
    assert question.id in services.owed_ids()

    conversation = private.take_private(question, jane)

    assert question.id not in services.owed_ids()  # a standing acknowledgement
    ack = services.standing_acknowledgement(question)
    assert (ack.kind, ack.employee_id) == (AckKind.PRIVATE, jane.id)
    assert conversation.status == PrivateStatus.OPEN and conversation.taken_by_id == jane.id
    [mail] = mails("private_taken")
    assert mail.to_address == "rita@example.com"
    assert mail.subject == "Jane Doe will continue with you privately"
    assert "Jane Doe, Head of Support will continue with you privately" in mail.body_text
    token = read_token(mail.reply_to.split("+", 1)[1].split("@")[0])
    assert mail.reply_to.endswith("@" + DOMAIN)
    assert (token.purpose, token.subject_id, token.person_id) == (
        "private",
        conversation.id,
        reader.id,
    )
    assert f"/private/{conversation.id}" in mail.body_text  # a reader may also use the page
    assert audit_actions(question)[-1] == Action.TAKEN_PRIVATE


def test_a_guest_is_mailed_at_the_guest_email_with_person_zero(cast, make_comment):
    jane, _, _, post = cast
    question = make_comment(post, guest=("Gail", "Gail@Example.com"), body="My invoice?")
    conversation = private.take_private(question, jane, "Hello Gail, which invoice number?")

    [mail] = mails("private_taken")
    assert mail.to_address == "Gail@Example.com"
    token = read_token(mail.reply_to.split("+", 1)[1].split("@")[0])
    assert (token.subject_id, token.person_id) == (conversation.id, 0)
    assert "Hello Gail, which invoice number?" in mail.body_text
    assert "/private/" not in mail.body_text  # a guest has no page: mail only
    [first] = private.messages(conversation)
    assert first.by_staff and first.author_id == jane.id
    assert audit_actions(question)[-2:] == [Action.TAKEN_PRIVATE, Action.PRIVATE_ANSWERED]


def test_without_an_inbound_domain_the_mail_has_no_reply_to(app, cast, make_comment):
    app.config["INBOUND_MAIL_DOMAIN"] = ""
    jane, _, reader, post = cast
    private.take_private(make_comment(post, author=reader), jane)
    [mail] = mails("private_taken")
    assert mail.reply_to is None
    assert "replying to this email" not in mail.body_text


@pytest.mark.parametrize("role", [Role.READER, Role.STAFF])
def test_only_moderators_take_comments_private(cast, make_comment, make_user, role):
    _, _, reader, post = cast
    question = make_comment(post, author=reader)
    with pytest.raises(PrivateError, match="Only moderators"):
        private.take_private(question, make_user(role))
    db.session.rollback()
    assert question.id in services.owed_ids() and mails("private_taken") == []


def test_an_answered_or_staff_comment_cannot_be_taken_private(cast, make_comment):
    jane, author, reader, post = cast
    question = make_comment(post, author=reader)
    services.acknowledge(question, author)
    with pytest.raises(PrivateError, match="already answered"):
        private.take_private(question, jane)
    db.session.rollback()
    staff_comment = make_comment(post, author=author)
    with pytest.raises(PrivateError, match="never owed"):
        private.take_private(staff_comment, jane)


def test_a_staff_answer_is_kept_and_mailed_with_the_reply_to_again(cast, make_comment):
    jane, author, reader, post = cast
    conversation = private.take_private(make_comment(post, author=reader), jane)
    message = private.answer(conversation, author, "Please send the **last four digits**.")

    assert message.by_staff and "<strong>last four digits</strong>" in message.body_html
    [mail] = mails("private_answer")
    assert mail.to_address == "rita@example.com"
    assert mail.subject == "Sam Staff answered you privately"
    assert "Please send the **last four digits**." in mail.body_text
    assert read_token(mail.reply_to.split("+", 1)[1].split("@")[0]).subject_id == conversation.id
    assert audit_actions(conversation.comment)[-1] == Action.PRIVATE_ANSWERED


def test_bad_answers_are_refused_with_a_message(app, cast, make_comment):
    jane, _, reader, post = cast
    conversation = private.take_private(make_comment(post, author=reader), jane)
    with pytest.raises(PrivateError, match="write your message"):
        private.answer(conversation, jane, "   ")
    with pytest.raises(PrivateError, match="at most"):
        private.answer(conversation, jane, "x" * (app.config["COMMENT_MAX_LENGTH"] + 1))
    with pytest.raises(PrivateError, match="Only employees"):
        private.answer(conversation, reader, "I am staff, honest")
    db.session.rollback()
    assert private.messages(conversation) == []


def test_the_readers_mailed_reply_is_accepted(cast, make_comment):
    jane, _, reader, post = cast
    conversation = private.take_private(make_comment(post, author=reader), jane)
    [mail] = mails("private_taken")

    outcome = deliver(mail_reply(mail.reply_to, "Rita@Example.com", "It ends in 4242."))

    assert outcome.accepted, outcome.message
    [message] = private.messages(conversation)
    assert (message.by_staff, message.author_id, message.via) == (False, reader.id, "mail")
    assert message.body_html == "<p>It ends in 4242.</p>"
    [told] = mails("private_customer_wrote")
    assert told.to_address == jane.email and "It ends in 4242." in told.body_text


def test_a_guests_mailed_reply_must_come_from_the_guest_email(cast, make_comment):
    jane, _, _, post = cast
    question = make_comment(post, guest=("Gail", "gail@example.com"))
    conversation = private.take_private(question, jane)
    address = mails("private_taken")[0].reply_to

    refused = deliver(mail_reply(address, "mallory@example.com", "Give me the account"))
    assert not refused.accepted and "another address" in refused.message
    accepted = deliver(mail_reply(address, "GAIL@example.com", "Invoice 1234."))
    assert accepted.accepted
    [message] = private.messages(conversation)
    assert message.author_id is None and not message.by_staff


def test_the_handler_refuses_what_does_not_fit(cast, make_comment, make_user):
    jane, author, reader, post = cast
    conversation = private.take_private(make_comment(post, author=reader), jane)
    other = make_user(Role.READER, email="other@example.com")

    def reply(subject_id, person_id, sender="rita@example.com", text="Hello"):
        token = read_token(make_token("private", subject_id, person_id))
        return InboundReply(token, sender, text, "Re:", "<x@example.net>")

    # someone else's token for this conversation
    assert "someone else" in deliver(reply(conversation.id, other.id, "other@example.com")).message
    # a guest's token (0) for a reader's conversation
    assert not deliver(reply(conversation.id, 0)).accepted
    # no such conversation
    assert "no longer exists" in deliver(reply(conversation.id + 99, reader.id)).message
    # an empty reply
    assert "write your message" in deliver(reply(conversation.id, reader.id, text=" ")).message
    # a resolved conversation
    private.resolve(conversation, author)
    refused = deliver(reply(conversation.id, reader.id))
    assert not refused.accepted and "resolved" in refused.message
    assert private.messages(conversation) == []


def test_resolving_shows_resolved_privately_with_the_time_it_took(cast, make_comment):
    jane, author, reader, post = cast
    question = make_comment(post, author=reader)
    taken_at = utcnow() - timedelta(hours=2)
    conversation = private.take_private(question, jane, now=taken_at)

    shown = public_answers([question.id])[question.id]
    assert shown.label == "Taken to private support by"
    assert (shown.name, shown.job_title, shown.resolved) == ("Jane Doe", "Head of Support", None)

    private.resolve(conversation, author, now=taken_at + timedelta(hours=2))
    assert public_answers([question.id])[question.id].resolved == "Resolved privately · 2 h later"
    assert conversation.resolved_by_id == author.id
    assert audit_actions(question)[-1] == Action.PRIVATE_RESOLVED
    with pytest.raises(PrivateError, match="resolved"):
        private.answer(conversation, author, "One more thing")


def test_undo_puts_the_comment_back_in_the_queue_and_closes_the_conversation(cast, make_comment):
    jane, _, reader, post = cast
    question = make_comment(post, author=reader)
    conversation = private.take_private(question, jane)
    services.undo(question, jane)

    assert question.id in services.owed_ids()
    db.session.refresh(conversation)
    assert conversation.status == PrivateStatus.RETURNED
    assert question.id not in public_answers([question.id])
    address = mails("private_taken")[0].reply_to
    refused = deliver(mail_reply(address, "rita@example.com", "Still there?"))
    assert not refused.accepted and "public thread" in refused.message

    again = private.take_private(question, jane)  # the same conversation, open again
    assert again.id == conversation.id and again.status == PrivateStatus.OPEN


def test_metrics_time_a_private_hand_off_by_the_first_private_staff_answer(app, cast, make_comment):
    app.config["RESPONSES_CACHE"] = False
    jane, author, reader, post = cast
    now = utcnow()
    posted = now - timedelta(hours=30)
    question = make_comment(post, author=reader, created_at=posted)
    conversation = private.take_private(question, jane, now=posted + timedelta(hours=1))

    [week] = [w for w in metrics.weekly(2, now=now) if w.asked]
    # Moved within the hour, but nobody has answered: still waiting, and past its due time.
    assert (week.met, week.missed, week.answered) == (0, 1, 0)

    private.add_customer_message(conversation, "Hello?", via=private.PrivateVia.WEB)
    db.session.commit()
    private.answer(conversation, author, "Sorted.", now=posted + timedelta(hours=27))
    [week] = [w for w in metrics.weekly(2, now=now) if w.asked]
    assert (week.met, week.missed, week.answered) == (0, 1, 1)
    assert week.median_hours == 27.0  # from the comment to the private answer, not the move
    # Per employee, the hand-off is the moderator's, in a column of its own.
    [row] = [p for p in metrics.per_employee(2, now=now) if p.name == jane.display_name]
    assert (row.replies, row.acknowledged, row.closed, row.taken_private) == (0, 0, 0, 1)
    csv_lines = employees_csv(metrics.per_employee(2, now=now)).splitlines()
    assert csv_lines[0].endswith(",taken_private")
    assert f"{jane.display_name},0,0,0,1" in csv_lines


def test_metrics_count_an_answer_within_the_sla_as_met(app, cast, make_comment):
    app.config["RESPONSES_CACHE"] = False
    jane, author, reader, post = cast
    now = utcnow()
    posted = now - timedelta(hours=5)
    conversation = private.take_private(
        make_comment(post, author=reader, created_at=posted), jane, now=posted
    )
    private.answer(conversation, author, "Here you go.", now=posted + timedelta(hours=3))
    [week] = [w for w in metrics.weekly(2, now=now) if w.asked]
    assert (week.met, week.missed, week.median_hours) == (1, 0, 3.0)


def test_private_messages_are_their_own_rows_never_comments(cast, make_comment):
    jane, _, reader, post = cast
    question = make_comment(post, author=reader)
    conversation = private.take_private(question, jane, "Private words")
    assert db.session.scalar(sa.select(sa.func.count(PrivateMessage.id))) == 1
    assert {c.id for c in post_comments(post)} == {question.id}
    assert conversation.comment_id == question.id


def post_comments(post):
    from blogapp.models import Comment

    return db.session.scalars(sa.select(Comment).where(Comment.post_id == post.id)).all()
