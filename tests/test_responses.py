"""The response tracker's rules: owed comments, acknowledgements, undo, assignment, audit."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from blogapp.comments.moderation import approve_comment, mark_spam, remove_comment
from blogapp.comments.services import post_comment
from blogapp.extensions import db
from blogapp.models import (
    AckKind,
    Acknowledgement,
    AuditEvent,
    CommentStatus,
    MailMessage,
    Role,
)
from blogapp.models.audit import AuditLogIsAppendOnly
from blogapp.models.base import utcnow
from blogapp.responses import assigning, services
from blogapp.responses.services import ResponseError
from blogapp.responses.state import response_state


@pytest.fixture
def people(make_user):
    return {
        "reader": make_user(Role.READER, name="Rita Reader"),
        "staff": make_user(Role.STAFF, name="Jane Doe", job_title="Head of Support"),
        "other": make_user(Role.STAFF, name="Omar Other"),
        "mod": make_user(Role.MODERATOR, name="Mona Moderator"),
    }


def actions(comment_id=None):
    query = sa.select(AuditEvent.action).order_by(AuditEvent.id)
    if comment_id is not None:
        query = query.where(AuditEvent.comment_id == comment_id)
    return list(db.session.scalars(query))


def test_customer_comments_are_owed_and_employee_comments_are_not(people, make_post, make_comment):
    post = make_post(author=people["staff"])
    by_reader = make_comment(post, author=people["reader"])
    by_guest = make_comment(post)
    by_staff = make_comment(post, author=people["other"])
    held = make_comment(post, status=CommentStatus.HELD)
    assert services.owed_ids() == {by_reader.id, by_guest.id}
    assert by_staff.id not in services.owed_ids() and held.id not in services.owed_ids()


def test_staff_reply_acknowledges_its_parent_in_the_same_transaction(people, make_post):
    post = make_post(author=people["staff"])
    question = post_comment(post, "How do I export?", author=people["reader"])
    reply = post_comment(post, "Use Export.", author=people["other"], parent_id=question.id)
    ack = services.standing_acknowledgement(question)
    assert ack.kind == AckKind.REPLY and ack.employee_id == people["other"].id
    assert ack.reply_id == reply.id and ack.created_at == reply.created_at
    assert question.id not in services.owed_ids()
    assert actions(question.id) == ["replied"]


def test_a_reader_reply_does_not_acknowledge(people, make_post, make_comment):
    post = make_post(author=people["staff"])
    question = make_comment(post)
    post_comment(post, "Me too!", author=people["reader"], parent_id=question.id)
    assert question.id in services.owed_ids()


def test_acknowledge_with_a_note_then_undo_by_a_moderator(people, make_post, make_comment):
    post = make_post(author=people["staff"])
    comment = make_comment(post, author=people["reader"])
    services.acknowledge(comment, people["staff"], "  Passed to the product team  ")
    ack = services.standing_acknowledgement(comment)
    assert ack.public_note == "Passed to the product team"
    assert comment.id not in services.owed_ids()
    with pytest.raises(ResponseError, match="already answered"):
        services.acknowledge(comment, people["other"])
    with pytest.raises(ResponseError, match="Only moderators"):
        services.undo(comment, people["staff"])
    services.undo(comment, people["mod"])
    assert comment.id in services.owed_ids()
    assert ack.undone_by_id == people["mod"].id and ack.undone_at is not None
    services.acknowledge(comment, people["other"])
    assert actions(comment.id) == ["acknowledged", "undone", "acknowledged"]


def test_readers_cannot_acknowledge_and_employee_comments_cannot_be(
    people, make_post, make_comment
):
    post = make_post(author=people["staff"])
    comment = make_comment(post)
    with pytest.raises(ResponseError, match="Only employees"):
        services.acknowledge(comment, people["reader"])
    staff_comment = make_comment(post, author=people["other"])
    with pytest.raises(ResponseError, match="never owed"):
        services.acknowledge(staff_comment, people["staff"])


def test_no_response_needed_is_for_moderators_with_a_reason(people, make_post, make_comment):
    post = make_post(author=people["staff"])
    comment = make_comment(post, body="Thanks!")
    with pytest.raises(ResponseError, match="Only moderators"):
        services.close_without_response(comment, people["staff"], "thanks-only")
    with pytest.raises(ResponseError, match="choose why"):
        services.close_without_response(comment, people["mod"], "bored")
    services.close_without_response(comment, people["mod"], "thanks-only", "just a thank-you")
    ack = services.standing_acknowledgement(comment)
    assert (ack.kind, ack.reason, ack.internal_note) == (
        "no_response_needed",
        "thanks-only",
        "just a thank-you",
    )
    event = db.session.scalars(sa.select(AuditEvent)).one()
    assert (event.action, event.reason, event.actor_id) == (
        "closed_no_response",
        "thanks-only",
        people["mod"].id,
    )


def test_assignment_defaults_to_the_post_author_and_can_be_claimed_or_reassigned(
    people, make_post, make_comment
):
    post = make_post(author=people["staff"])
    comment = make_comment(post)
    assert services.current_assignee(comment) == people["staff"]
    assigning.assign(comment, people["other"], people["other"])  # a claim
    assert services.current_assignee(comment) == people["other"]
    with pytest.raises(ResponseError, match="Only moderators can assign"):
        assigning.assign(comment, people["staff"], people["other"])
    with pytest.raises(ResponseError, match="only to employees"):
        assigning.assign(comment, people["reader"], people["mod"])
    assigning.assign(comment, people["staff"], people["mod"])
    assert services.current_assignee(comment) == people["staff"]
    assert actions(comment.id) == ["claimed", "assigned"]
    mail = db.session.scalars(
        sa.select(MailMessage).where(MailMessage.kind == "response_assigned")
    ).one()
    assert mail.to_address == people["staff"].email
    assert "Mona Moderator asked you" in mail.subject
    state = response_state([comment.id])[comment.id]
    assert state.assignee_name == "Jane Doe" and state.owed


def test_removal_spam_and_approval_are_audited_and_leave_or_join_the_queue(
    people, make_post, make_comment
):
    post = make_post(author=people["staff"])
    spam, removed = make_comment(post), make_comment(post, body="rude")
    held = make_comment(post, body="first time", status=CommentStatus.HELD)
    mark_spam(spam, people["mod"])
    remove_comment(removed, people["mod"], "Abusive")
    assert services.owed_ids() == set()
    approve_comment(held, people["mod"])
    assert services.owed_ids() == {held.id}
    assert actions() == ["marked_spam", "removed", "approved"]
    events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
    assert events[1].detail == "Abusive" and events[1].actor_id == people["mod"].id


def test_audit_events_cannot_be_changed_or_deleted(people, make_post, make_comment):
    comment = make_comment(make_post(author=people["staff"]))
    services.acknowledge(comment, people["staff"])
    event = db.session.scalars(sa.select(AuditEvent)).one()
    event.detail = "rewritten"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.scalars(sa.select(AuditEvent)).one())
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()


def test_response_state_reports_owed_overdue_and_who_answered(people, make_post, make_comment):
    post = make_post(author=people["staff"])
    old = make_comment(post, created_at=utcnow() - timedelta(hours=30))
    fresh = make_comment(post)
    answered = make_comment(post)
    services.acknowledge(answered, people["other"])
    state = response_state([old.id, fresh.id, answered.id])
    assert state[old.id].owed and state[old.id].overdue
    assert state[fresh.id].owed and not state[fresh.id].overdue
    assert state[fresh.id].due_at == fresh.created_at + timedelta(hours=24)
    assert not state[answered.id].owed
    assert (state[answered.id].kind, state[answered.id].by_name) == ("acknowledged", "Omar Other")


def test_one_standing_acknowledgement_per_comment_is_enforced_by_the_database(
    people, make_post, make_comment
):
    comment = make_comment(make_post(author=people["staff"]))
    services.acknowledge(comment, people["staff"])
    db.session.add(
        Acknowledgement(
            comment_id=comment.id,
            standing_comment_id=comment.id,
            kind="acknowledged",
            employee_id=people["other"].id,
        )
    )
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
