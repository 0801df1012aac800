"""Issue 17, point 5, through the pages: the switches on the studio profile, the People
page and the editor; a reply from the queue or the post page that waits; the queue's
"waiting for <author>'s review"; the review page's approve, edit and send back."""

import re

import pytest

from blogapp.extensions import db
from blogapp.models import ProposedReply, ReviewState
from tests.comment_helpers import comments_of, submit
from tests.conftest import Auth, csrf_from
from tests.review_helpers import audit, build_scene


@pytest.fixture
def scene(make_user, make_post, make_comment):
    return build_scene(make_user, make_post, make_comment)


def as_user(client, user):
    auth = Auth(client)
    if "Log out" in client.get("/").text:
        auth.logout()
    assert auth.login(user.email).status_code == 302


def token(client, page="/responses") -> str:
    return csrf_from(client.get(page).text)


def test_the_author_turns_it_on_from_their_profile(client, scene, make_user):
    as_user(client, scene.staff)
    page = client.get("/studio/profile/")
    assert "on all your posts wait for your approval: <strong>off</strong>" in page.text
    url = f"/responses/reviews/authors/{scene.staff.id}"
    sent = client.post(
        url, data={"csrf_token": csrf_from(page.text), "on": "1", "next": "/studio/profile/"}
    )
    assert sent.status_code == 303 and sent.headers["Location"] == "/studio/profile/"
    db.session.refresh(scene.staff)
    assert scene.staff.replies_need_review
    assert "<strong>on</strong>" in client.get("/studio/profile/").text
    # Nobody else's: another employee may not turn it off for them.
    as_user(client, scene.executive)
    other = client.post(url, data={"csrf_token": token(client), "on": "0"})
    assert other.status_code == 403
    db.session.refresh(scene.staff)
    assert scene.staff.replies_need_review


def test_an_admin_turns_it_on_for_an_author_on_the_people_page(client, scene):
    as_user(client, scene.admin)
    page = client.get(f"/admin/people/{scene.staff.id}")
    assert "on Priya Shah&#39;s posts wait for their approval" in page.text
    sent = client.post(
        f"/responses/reviews/authors/{scene.staff.id}",
        data={"csrf_token": csrf_from(page.text), "on": "1", "next": "https://evil.example/"},
    )
    assert sent.headers["Location"] == "/studio/profile/"  # never an open redirect
    db.session.refresh(scene.staff)
    assert scene.staff.replies_need_review
    [event] = audit("review_setting_changed")
    assert (event.actor_id, event.subject_id) == (scene.admin.id, scene.staff.id)
    assert "review setting changed" in client.get(f"/admin/people/{scene.staff.id}").text


def test_the_post_author_switches_one_post_in_the_editor(client, scene, make_post):
    post = make_post(author=scene.executive)
    as_user(client, scene.executive)
    editor = client.get(f"/studio/posts/{post.id}/edit")
    assert "on this post wait for your approval: <strong>off</strong>" in editor.text
    sent = client.post(
        f"/responses/reviews/posts/{post.id}",
        data={"csrf_token": csrf_from(editor.text), "on": "1"},
    )
    assert sent.headers["Location"] == f"/studio/posts/{post.id}/edit"
    db.session.refresh(post)
    assert post.replies_need_review
    as_user(client, scene.staff)
    refused = client.post(
        f"/responses/reviews/posts/{post.id}", data={"csrf_token": token(client), "on": "0"}
    )
    assert refused.status_code == 403


def test_a_reply_from_the_queue_waits_and_the_queue_says_so(client, scene):
    as_user(client, scene.staff)
    sent = client.post(
        f"/responses/{scene.comment.id}/reply",
        data={"csrf_token": token(client), "next": "/responses", "body": "It is in Billing."},
        follow_redirects=True,
    )
    assert "Sent for review: Erin Exec approves answers on this post" in sent.text
    assert "Priya Shah&#39;s reply is waiting for Erin Exec&#39;s review" in sent.text
    assert f'id="owed-{scene.comment.id}"' in sent.text  # still owed, still in the queue
    assert [c.id for c in comments_of(scene.post)] == [scene.comment.id]
    nav = client.get("/responses/reviews")
    assert "Waiting for Erin Exec's review." in nav.text and "It is in Billing." in nav.text


def test_a_reply_from_the_post_page_waits(client, scene):
    as_user(client, scene.staff)
    sent = submit(client, scene.post, "Answered on the page.", parent=scene.comment)
    assert sent.status_code == 303
    assert sent.headers["Location"].endswith(f"#c{scene.comment.id}")
    page = client.get(f"/posts/{scene.post.slug}")
    assert "Answered on the page." not in page.text
    assert "Sent for review" in page.text
    [proposal] = db.session.scalars(db.select(ProposedReply)).all()
    assert proposal.body_source == "Answered on the page."


def _propose(client, scene, body="Draft answer.") -> ProposedReply:
    as_user(client, scene.staff)
    client.post(
        f"/responses/{scene.comment.id}/reply",
        data={"csrf_token": token(client), "next": "/responses", "body": body},
    )
    return db.session.scalars(db.select(ProposedReply)).one()


def test_the_author_edits_and_approves_from_the_review_page(client, scene):
    proposal = _propose(client, scene)
    as_user(client, scene.executive)
    page = client.get("/responses")
    assert '<a href="/responses/reviews">Reviews <span class="nav-count"' in page.text
    review = client.get("/responses/reviews")
    assert "For your review (1)" in review.text and "Draft answer." in review.text
    done = client.post(
        f"/responses/reviews/{proposal.id}/approve",
        data={"csrf_token": csrf_from(review.text), "body": "Edited answer."},
        follow_redirects=True,
    )
    assert "Approved: the answer is published under Priya Shah" in done.text
    [_, reply] = comments_of(scene.post)
    assert (reply.author_id, reply.body_source) == (scene.staff.id, "Edited answer.")
    public = client.get(f"/posts/{scene.post.slug}").text
    assert "Edited answer." in public
    assert re.search(r'class="answered-by">[^<]+<a href="[^"]+">Priya Shah</a>, Support', public)


def test_send_back_and_the_writer_sees_the_note(client, scene):
    proposal = _propose(client, scene)
    as_user(client, scene.executive)
    review = client.get("/responses/reviews")
    empty = client.post(
        f"/responses/reviews/{proposal.id}/send-back",
        data={"csrf_token": csrf_from(review.text), "note": ""},
    )
    assert empty.status_code == 400 and "Please say what should change" in empty.text
    client.post(
        f"/responses/reviews/{proposal.id}/send-back",
        data={"csrf_token": csrf_from(review.text), "note": "Name the billing page."},
    )
    db.session.refresh(proposal)
    assert proposal.state == ReviewState.RETURNED
    as_user(client, scene.staff)
    mine = client.get("/responses/reviews")
    assert "Sent back by Erin Exec: “Name the billing page.”" in mine.text
    assert "Draft answer." in mine.text  # their text is kept
    client.post(
        f"/responses/reviews/{proposal.id}/send-again",
        data={"csrf_token": csrf_from(mine.text), "body": "See the Billing page."},
    )
    db.session.refresh(proposal)
    assert proposal.state == ReviewState.WAITING
    assert proposal.body_source == "See the Billing page."


def test_only_the_author_reviews_and_only_the_writer_withdraws(client, scene):
    proposal = _propose(client, scene)
    as_user(client, scene.admin)
    refused = client.post(
        f"/responses/reviews/{proposal.id}/approve",
        data={"csrf_token": token(client, "/responses/reviews"), "body": "Sneaky."},
    )
    assert refused.status_code == 403
    as_user(client, scene.executive)
    cannot = client.post(
        f"/responses/reviews/{proposal.id}/withdraw",
        data={"csrf_token": token(client, "/responses/reviews")},
    )
    assert cannot.status_code == 403  # only its writer withdraws it
    db.session.refresh(proposal)
    assert proposal.state == ReviewState.WAITING
    assert client.post(f"/responses/reviews/{proposal.id}/publish").status_code == 404
    assert client.post("/responses/reviews/999/approve").status_code in (400, 404)


def test_the_review_page_is_for_employees(client, scene):
    as_user(client, scene.reader)
    assert client.get("/responses/reviews").status_code == 403
