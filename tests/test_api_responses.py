"""The response tracker through the API: the queue, each action as the queue's own
(its rules and messages), attributed to the token's person in the audit log; metrics."""

import pytest
import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.models import AuditEvent, CommentStatus, Role
from blogapp.responses.services import owed_ids
from tests.api_helpers import assert_problem, bearer, token_for


@pytest.fixture
def owed(make_post, make_comment):
    post = make_post()
    return make_comment(post, body="Where is my invoice?")


def _audit(action: str) -> AuditEvent:
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).one()


def test_the_queue_lists_owed_comments_with_filters(client, make_user, owed):
    staff = make_user(Role.STAFF)
    token = token_for(staff, "read")
    body = client.get("/api/v1/responses", headers=bearer(token)).get_json()
    assert [i["comment_id"] for i in body["items"]] == [owed.id]
    item = body["items"][0]
    assert item["assignee"]["id"] == owed.post.author_id and item["assigned"] is False
    assert item["due_at"].endswith("Z") and item["url"].endswith(f"/c/{owed.id}")
    mine = client.get("/api/v1/responses?view=mine", headers=bearer(token)).get_json()
    assert mine["items"] == []
    assert_problem(client.get("/api/v1/responses?view=nope", headers=bearer(token)), 422)


def test_reply_answers_the_comment_as_the_token_person(client, make_user, owed):
    staff = make_user(Role.STAFF, name="Rae Reply")
    token = token_for(staff, "respond")
    done = client.post(
        f"/api/v1/responses/{owed.id}/reply", json={"body": "Here it is."}, headers=bearer(token)
    )
    assert done.status_code == 200, done.data
    assert done.get_json()["message"] == "Replied: the comment is answered."
    assert owed.id not in owed_ids()
    assert _audit("replied").actor_id == staff.id
    again = client.post(f"/api/v1/responses/{owed.id}/acknowledge", json={}, headers=bearer(token))
    assert assert_problem(again, 409)["detail"] == "Someone has already answered this comment."


def test_an_empty_reply_gets_the_queues_message(client, make_user, owed):
    token = token_for(make_user(Role.STAFF), "respond")
    empty = client.post(
        f"/api/v1/responses/{owed.id}/reply", json={"body": " "}, headers=bearer(token)
    )
    assert assert_problem(empty, 409)["detail"] == "Please write your reply before sending it."
    long = client.post(
        f"/api/v1/responses/{owed.id}/reply", json={"body": "x" * 5001}, headers=bearer(token)
    )
    assert assert_problem(long, 422)["errors"][0]["field"] == "body"


def test_acknowledge_with_a_note_is_audited_to_the_token_person(client, make_user, owed):
    staff = make_user(Role.STAFF)
    token = token_for(staff, "respond")
    response = client.post(
        f"/api/v1/responses/{owed.id}/acknowledge",
        json={"note": "Looking into it"},
        headers=bearer(token),
    )
    assert response.status_code == 200
    event = _audit("acknowledged")
    assert event.actor_id == staff.id and event.detail == "Looking into it"


def test_claim_and_assign(client, make_user, owed):
    staff, other, moderator = (
        make_user(Role.STAFF),
        make_user(Role.STAFF),
        make_user(Role.MODERATOR),
    )
    staff_token = token_for(staff, "respond")
    claimed = client.post(f"/api/v1/responses/{owed.id}/claim", headers=bearer(staff_token))
    assert claimed.status_code == 200 and _audit("claimed").actor_id == staff.id
    refused = client.post(
        f"/api/v1/responses/{owed.id}/assign",
        json={"assignee_id": other.id},
        headers=bearer(staff_token),
    )
    assert "Only moderators" in assert_problem(refused, 409)["detail"]
    given = client.post(
        f"/api/v1/responses/{owed.id}/assign",
        json={"assignee_id": other.id},
        headers=bearer(token_for(moderator, "respond")),
    )
    assert given.get_json()["message"] == f"Assigned to {other.display_name}."
    event = _audit("assigned")
    assert event.actor_id == moderator.id and event.subject_id == other.id


def test_close_needs_a_moderator_and_a_known_reason(client, make_user, owed):
    staff, moderator = make_user(Role.STAFF), make_user(Role.MODERATOR)
    url = f"/api/v1/responses/{owed.id}/close"
    assert_problem(
        client.post(url, json={"reason": "duplicate"}, headers=bearer(token_for(staff))), 403
    )
    token = token_for(moderator, "respond")
    assert_problem(client.post(url, json={"reason": "imported"}, headers=bearer(token)), 422)
    closed = client.post(
        url, json={"reason": "thanks-only", "note": "Just thanks"}, headers=bearer(token)
    )
    assert closed.status_code == 200 and owed.id not in owed_ids()
    assert _audit("closed_no_response").actor_id == moderator.id


def test_moderators_approve_and_reject_held_comments(client, make_user, make_post, make_comment):
    post = make_post()
    held, spam = (make_comment(post, body=b, status=CommentStatus.HELD) for b in ("Fine", "Spam"))
    moderator = make_user(Role.MODERATOR)
    token = token_for(moderator, "moderate")
    assert (
        client.post(f"/api/v1/comments/{held.id}/approve", headers=bearer(token)).status_code == 200
    )
    assert (
        client.post(f"/api/v1/comments/{spam.id}/reject", headers=bearer(token)).status_code == 200
    )
    db.session.refresh(held)
    db.session.refresh(spam)
    assert (held.status, spam.status) == ("published", "removed")
    assert _audit("approved").actor_id == moderator.id
    again = client.post(f"/api/v1/comments/{held.id}/reject", headers=bearer(token))
    assert "awaiting moderation" in assert_problem(again, 409)["detail"]
    staff_token = token_for(make_user(Role.STAFF), "read")  # staff cannot have moderate
    assert_problem(
        client.post(f"/api/v1/comments/{spam.id}/approve", headers=bearer(staff_token)), 403
    )


def test_metrics_as_json(client, make_user, owed):
    token = token_for(make_user(Role.STAFF), "read")
    body = client.get("/api/v1/responses/metrics?weeks=2", headers=bearer(token)).get_json()
    assert len(body["weeks"]) == 2 and body["weeks"][-1]["asked"] == 1
    assert_problem(client.get("/api/v1/responses/metrics?weeks=500", headers=bearer(token)), 422)


def test_readers_never_see_the_queue(client, make_user):
    token = token_for(make_user(Role.READER))
    body = assert_problem(client.get("/api/v1/responses", headers=bearer(token)), 403)
    assert "employee" in body["detail"]
