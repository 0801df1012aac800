"""Never answering twice: "Priya is replying…" on a queue item and on the post page (with
and without JavaScript), seen by other employees only and gone after two minutes without
a heartbeat; and a reply to a comment someone else answered since the box was opened is
held back for a confirmation, with the text kept."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.models import Comment, ReplyPresence, Role
from blogapp.models.base import utcnow
from blogapp.responses import replying, services
from tests.conftest import csrf_from
from tests.replying_helpers import browser, opened_from, queue_reply


@pytest.fixture
def team(make_user, separate_browsers):
    return {
        "priya": make_user(Role.STAFF, name="Priya Patel", email="priya@example.com"),
        "sam": make_user(Role.STAFF, name="Sam Stone", email="sam@example.com"),
        "rita": make_user(Role.READER, name="Rita Reader", email="rita@example.com"),
    }


@pytest.fixture
def question(team, make_post, make_comment):
    post = make_post(author=team["sam"], title="Export guide")
    return make_comment(post, body="How do I export my data?", guest=("Alex Asker", "a@x.org"))


def heartbeat(client, comment_id: int):
    token = csrf_from(client.get("/responses").text)
    return client.post(f"/responses/replying/{comment_id}", headers={"X-CSRFToken": token})


def test_an_open_reply_box_is_seen_by_another_employee_not_by_readers(app, team, question):
    priya, sam = browser(app, "priya@example.com"), browser(app, "sam@example.com")
    assert heartbeat(priya, question.id).json == {"ok": True}

    polled = sam.get(f"/responses/replying?ids={question.id},999").json
    assert polled == {"replying": {str(question.id): "Priya Patel is replying…"}}
    assert "Priya Patel is replying…" in sam.get("/responses").text
    # Not to herself, and her own poll says nobody else.
    assert priya.get(f"/responses/replying?ids={question.id}").json == {"replying": {}}
    assert "Priya Patel is replying…" not in priya.get("/responses").text
    # The post page, for employees only.
    post_url = f"/posts/{question.post.slug}"
    assert "Priya Patel is replying…" in sam.get(post_url).text
    assert sam.get(f"/responses/replying?post={question.post_id}").json["replying"] == {
        str(question.id): "Priya Patel is replying…"
    }
    rita = browser(app, "rita@example.com")
    assert "is replying" not in rita.get(post_url).text
    assert "is replying" not in app.test_client().get(post_url).text
    assert rita.get(f"/responses/replying?ids={question.id}").status_code == 403
    anonymous = app.test_client().get(f"/responses/replying?ids={question.id}")
    assert anonymous.status_code == 302


def test_presence_expires_after_two_minutes_without_a_heartbeat(app, team, question):
    replying.note_replying(question, team["priya"], now=utcnow() - timedelta(seconds=119))
    assert replying.replying_on([question.id], team["sam"]) == {question.id: ["Priya Patel"]}
    db.session.execute(sa.update(ReplyPresence).values(seen_at=utcnow() - timedelta(seconds=121)))
    db.session.commit()
    assert replying.replying_on([question.id], team["sam"]) == {}
    # A heartbeat brings it back, keeping one row a person and comment.
    priya = browser(app, "priya@example.com")
    heartbeat(priya, question.id)
    heartbeat(priya, question.id)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReplyPresence)) == 1
    assert replying.replying_on([question.id], team["sam"]) == {question.id: ["Priya Patel"]}


def test_closing_the_box_or_sending_the_reply_ends_the_marker(app, team, question):
    priya = browser(app, "priya@example.com")
    heartbeat(priya, question.id)
    token = csrf_from(priya.get("/responses").text)
    priya.post(f"/responses/replying/{question.id}/stop", headers={"X-CSRFToken": token})
    assert replying.replying_on([question.id], team["sam"]) == {}
    heartbeat(priya, question.id)
    assert queue_reply(priya, question.id, "Use Export.").status_code == 302
    assert replying.replying_on([question.id], team["sam"]) == {}


def test_a_heartbeat_needs_the_csrf_token(app, team, question):
    priya = browser(app, "priya@example.com")
    assert priya.post(f"/responses/replying/{question.id}").status_code == 400
    assert replying.replying_on([question.id], team["sam"]) == {}


def test_without_javascript_opening_the_box_is_a_page_that_tells_the_team(app, team, question):
    priya, sam = browser(app, "priya@example.com"), browser(app, "sam@example.com")
    page = priya.get(f"/responses?reply={question.id}").text
    assert f'href="?reply={question.id}#owed-{question.id}"' in page
    assert '<details class="rq-action rq-reply" open>' in page
    assert "Priya Patel is replying…" in sam.get("/responses").text
    # The queue's "own page" for a reply box counts too, and so does the post page's.
    other = browser(app, "sam@example.com")
    db.session.execute(sa.delete(ReplyPresence))
    db.session.commit()
    assert other.get(f"/responses/{question.id}/similar").status_code == 200
    assert "Sam Stone is replying…" in priya.get("/responses").text
    db.session.execute(sa.delete(ReplyPresence))
    db.session.commit()
    assert priya.get(f"/comments/{question.id}/reply").status_code == 200
    assert "Priya Patel is replying…" in sam.get(f"/posts/{question.post.slug}").text


def test_a_reader_opening_a_reply_page_is_not_recorded(app, team, question):
    rita = browser(app, "rita@example.com")
    assert rita.get(f"/comments/{question.id}/reply").status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReplyPresence)) == 0


def test_a_poll_is_bounded_and_ignores_junk(app, team, question):
    sam = browser(app, "sam@example.com")
    junk = ",".join(["x", "-1", "0", "99999999999999999999999"] + ["7"] * 3000)
    response = sam.get(f"/responses/replying?ids={junk}")
    assert response.status_code == 200 and response.json == {"replying": {}}
    # Ids no Integer column holds (PostgreSQL would refuse them as parameters) name nothing.
    big = 2**62
    assert sam.get(f"/responses/replying?post={big}").json == {"replying": {}}
    assert sam.get(f"/responses/replying?ids={big},{question.id}").json == {"replying": {}}
    assert sam.get(f"/responses?reply={big}").status_code == 200
    assert sam.get(f"/responses/saved.json?comment={big}").status_code == 404


# --- answered since the box was opened ---------------------------------------------------


def _replies(comment) -> list[Comment]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Comment).where(Comment.parent_id == comment.id)))


def test_a_reply_after_someone_else_answered_asks_to_confirm_in_the_queue(app, team, question):
    priya, sam = browser(app, "priya@example.com"), browser(app, "sam@example.com")
    priya_page = priya.get("/responses").text  # Priya opens the box
    assert queue_reply(sam, question.id, "Sam's **answer**: use Export.").status_code == 302

    refused = queue_reply(priya, question.id, "My own <answer> text", page=priya_page)
    assert refused.status_code == 409
    assert "Sam Stone answered just now:" in refused.text
    assert "<strong>answer</strong>" in refused.text  # theirs, as published
    assert "My own &lt;answer&gt; text</textarea>" in refused.text  # mine, kept
    assert "Send mine anyway" in refused.text
    assert [c.author_id for c in _replies(question)] == [team["sam"].id]

    confirmed = priya.post(
        f"/responses/{question.id}/reply",
        data={
            "csrf_token": csrf_from(refused.text),
            "next": "/responses",
            "opened": opened_from(refused.text),
            "confirm": "yes",
            "body": "My own <answer> text",
        },
    )
    assert confirmed.status_code == 302
    assert [c.author_id for c in _replies(question)] == [team["sam"].id, team["priya"].id]
    # A second answer changes nothing the tracker keeps: Sam's answer still stands, the
    # comment is still off the queue (so the queue invariant test gains no move for it).
    ack = services.standing_acknowledgement(question)
    assert (ack.employee_id, ack.reply_id) == (team["sam"].id, _replies(question)[0].id)
    assert question.id not in services.owed_ids()


def test_an_acknowledgement_since_counts_as_an_answer(app, team, question):
    priya = browser(app, "priya@example.com")
    page = priya.get("/responses").text
    services.acknowledge(question, team["sam"], "Passed to the product team")
    refused = queue_reply(priya, question.id, "Hello", page=page)
    assert refused.status_code == 409
    assert "Sam Stone marked it as seen" in refused.text
    assert "Passed to the product team" in refused.text


def test_no_confirmation_when_nobody_answered_or_only_i_did(app, team, question):
    priya = browser(app, "priya@example.com")
    page = priya.get("/responses").text
    assert queue_reply(priya, question.id, "First", page=page).status_code == 302
    # My own answer since is not "someone else".
    assert queue_reply(priya, question.id, "And a second thought", page=page).status_code == 302
    # An answer from before the box was opened is no surprise either.
    sam = browser(app, "sam@example.com")
    later = sam.get(f"/responses/{question.id}/similar").text
    assert queue_reply(sam, question.id, "Later", page=later).status_code == 302
    assert len(_replies(question)) == 3


def test_the_post_page_reply_asks_to_confirm_and_keeps_the_text(app, team, question):
    priya, sam = browser(app, "priya@example.com"), browser(app, "sam@example.com")
    slug = question.post.slug
    page = priya.get(f"/comments/{question.id}/reply").text
    assert queue_reply(sam, question.id, "Sam was first.").status_code == 302
    data = {
        "csrf_token": csrf_from(page),
        "shown": __import__("re").search(r'name="shown" type="hidden" value="([^"]*)"', page)[1],
        "website": "",
        "parent_id": str(question.id),
        "opened": opened_from(page),
        "body": "Priya's <b>answer</b>",
    }
    refused = priya.post(f"/posts/{slug}/comments", data=data)
    assert refused.status_code == 409
    assert "Sam Stone answered" in refused.text and "Sam was first." in refused.text
    assert "Priya&#39;s &lt;b&gt;answer&lt;/b&gt;</textarea>" in refused.text
    assert "Send mine anyway" in refused.text
    assert len(_replies(question)) == 1

    again = {**data, "csrf_token": csrf_from(refused.text), "confirm": "yes"}
    assert priya.post(f"/posts/{slug}/comments", data=again).status_code == 303
    assert len(_replies(question)) == 2
