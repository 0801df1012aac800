"""Closing stops customers, never employees (ARCHITECTURE.md, "The rules the code
keeps"): on a closed post staff still reply to, acknowledge and close owed comments,
and closing by age waits until the post owes no answers."""

from datetime import timedelta

import pytest

from blogapp.comments.rules import CommentsClosed
from blogapp.comments.services import post_comment
from blogapp.models import Role
from blogapp.models.base import utcnow
from blogapp.responses import services
from tests.conftest import csrf_from


@pytest.fixture
def team(make_user):
    return {
        "jane": make_user(Role.STAFF, name="Jane Doe", email="jane@example.com"),
        "mod": make_user(Role.MODERATOR, name="Mona Moderator", email="mod@example.com"),
        "rita": make_user(Role.READER, name="Rita Reader", email="rita@example.com"),
    }


def queue_action(client, comment_id, action, **data):
    token = csrf_from(client.get("/responses").text)
    return client.post(
        f"/responses/{comment_id}/{action}",
        data={"csrf_token": token, "next": "/responses", **data},
    )


def test_staff_answer_owed_comments_on_a_post_closed_by_hand(
    client, auth, team, make_post, make_comment
):
    post = make_post(author=team["jane"], comments_open=False, slug="closed-by-hand")
    replied, seen, thanks = (make_comment(post, body=b) for b in ("How?", "When?", "Thanks!"))
    owed_before = services.owed_ids()
    assert owed_before == {replied.id, seen.id, thanks.id}  # closing took nothing away
    auth.login("jane@example.com")
    page = client.get("/posts/closed-by-hand").text
    assert "Comments are closed to customers" in page and 'name="body"' in page
    assert queue_action(client, replied.id, "reply", body="Like this.").status_code == 302
    assert queue_action(client, seen.id, "acknowledge", note="Passed on").status_code == 302
    auth.logout()
    auth.login("mod@example.com")
    assert queue_action(client, thanks.id, "close", reason="thanks-only").status_code == 302
    assert services.owed_ids() == set()
    # Customers are still stopped.
    with pytest.raises(CommentsClosed):
        post_comment(post, "Me too", author=team["rita"])
    auth.logout()
    page = client.get("/posts/closed-by-hand").text
    assert "Comments are closed." in page and 'name="body"' not in page


def test_closing_by_age_waits_until_nothing_is_owed(app, client, auth, team, make_post):
    app.config["COMMENTS_CLOSE_AFTER_DAYS"] = 30
    post = make_post(author=team["jane"], published_at=utcnow() - timedelta(days=31))
    question = post_comment(
        post, "Still there?", author=team["rita"], now=utcnow() - timedelta(days=20)
    )
    page = client.get(f"/posts/{post.slug}").text
    assert "this post stays open until every question on it has been answered" in page
    assert 'name="body"' in page and "Comments are closed." not in page
    follow_up = post_comment(post, "Hello again?", author=team["rita"])
    assert services.owed_ids() == {question.id, follow_up.id}
    for owed in (question, follow_up):
        post_comment(post, f"Answering {owed.id}.", author=team["jane"], parent_id=owed.id)
    assert services.owed_ids() == set()
    page = client.get(f"/posts/{post.slug}").text
    assert "Comments are closed." in page and 'name="body"' not in page
    with pytest.raises(CommentsClosed):
        post_comment(post, "One more", author=team["rita"])
    # An employee may still write on it.
    post_comment(post, "A note from the team.", author=team["jane"])


def test_the_queue_is_the_owed_set_across_closing_and_reopening(
    client, auth, team, make_post, make_comment
):
    post = make_post(author=team["jane"])
    asked = {make_comment(post, body=f"Question {n}").id for n in range(3)}
    assert services.owed_ids() == asked
    auth.login("mod@example.com")
    for is_open in ("0", "1", "0"):
        token = csrf_from(client.get(f"/posts/{post.slug}").text)
        response = client.post(
            f"/moderation/posts/{post.id}/comments-open",
            data={"csrf_token": token, "open": is_open},
        )
        assert response.status_code in (302, 303)
        assert services.owed_ids() == asked
        listed = client.get("/responses").text
        assert all(f'id="owed-{cid}"' in listed for cid in asked)
