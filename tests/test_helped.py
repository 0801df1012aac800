"""Did this answer your question? (issue 17, point 3): the signed Yes/No links in the
answer's mail, the reader's buttons on the post page, a "No" reopening the item with a
clock of its own, and the figures."""

import re
import time
from datetime import timedelta
from unittest import mock

import pytest
import sqlalchemy as sa
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from blogapp.comments.services import post_comment
from blogapp.extensions import db
from blogapp.models import (
    Acknowledgement,
    AnswerFeedback,
    AuditEvent,
    Comment,
    MailMessage,
    Role,
)
from blogapp.models.base import utcnow
from blogapp.responses import assigning, services
from blogapp.responses.helped import FeedbackError, feedback_of, rate_answer
from blogapp.responses.helped_links import AnswerRef, helped_token, read_token
from blogapp.responses.state import response_state
from tests.conftest import csrf_from

LINK_RE = re.compile(r"(Yes|No): +http://[^/]+(/answers/helped/\S+)")


@pytest.fixture
def site(app, make_user, make_post, make_comment):
    """A post by Sam (staff); Rita (a reader) asked three days ago; Sam answered."""
    sam = make_user(Role.STAFF, name="Sam Staff", email="sam@example.com")
    rita = make_user(Role.READER, name="Rita Reader", email="rita@example.com")
    post = make_post(author=sam, title="Pricing")
    question = make_comment(
        post, author=rita, body="How much is it?", created_at=utcnow() - timedelta(days=3)
    )
    answer = post_comment(post, "It is free.", author=sam, parent_id=question.id)
    return post, sam, rita, question, answer


def _links(to: str) -> dict[str, str]:
    """The Yes/No links of the newest mail to ``to`` (paths on the site)."""
    mail = db.session.scalars(
        sa.select(MailMessage).where(MailMessage.to_address == to).order_by(MailMessage.id.desc())
    ).first()
    return {word.lower(): path for word, path in LINK_RE.findall(mail.body_text)}


def _answer(question: Comment) -> Acknowledgement:
    return db.session.scalar(
        sa.select(Acknowledgement)
        .where(Acknowledgement.comment_id == question.id)
        .order_by(Acknowledgement.id.desc())
    )


def _send(client, path: str, choice: str, note: str = "", **extra):
    """Follow a mailed link, then send its form as a browser does."""
    page = client.get(path)
    token = path.split("/")[3]
    data = {"csrf_token": csrf_from(page.text), "choice": choice, "note": note} | extra
    return client.post(f"/answers/helped/{token}", data=data)


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def test_the_answer_mail_asks_with_two_signed_links(app, site):
    post, sam, rita, question, answer = site
    links = _links("rita@example.com")
    assert set(links) == {"yes", "no"}
    assert links["yes"].endswith("/yes") and links["no"].endswith("/no")
    token = links["yes"].split("/")[3]
    assert token == links["no"].split("/")[3]  # one token, the choice in the path
    assert read_token(token) == AnswerRef(question.id, reply_id=answer.id)


def test_a_reply_to_an_answered_comment_asks_nothing(app, site):
    post, sam, rita, question, answer = site
    db.session.execute(sa.delete(MailMessage))
    post_comment(post, "And it stays free.", author=sam, parent_id=question.id)
    assert _links("rita@example.com") == {}


def test_following_a_link_changes_nothing(client, site):
    post, sam, rita, question, answer = site
    for choice, path in _links("rita@example.com").items():
        page = client.get(path)
        assert page.status_code == 200
        assert "Did this answer your question?" in page.text
        assert re.search(rf'<input checked[^>]*value="{choice}"', page.text)
    assert db.session.scalar(sa.select(sa.func.count(AnswerFeedback.id))) == 0
    assert question.id not in services.owed_ids()
    assert _events("answer_rated") == []


def test_tampered_foreign_expired_and_overlong_links_are_refused(app, client, site):
    post, sam, rita, question, answer = site
    path = _links("rita@example.com")["no"]
    token = path.split("/")[3]
    tampered = token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")
    foreign = URLSafeTimedSerializer("another site's key", salt="answer-helped").dumps(
        [question.id, answer.id, None]
    )
    with app.app_context():
        odd = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="answer-helped").dumps("x")
    for bad in (tampered, foreign, odd, "x" * 400):
        response = client.get(f"/answers/helped/{bad}/no")
        assert response.status_code == 404
        assert "This link is not one of ours" in response.text
        assert client.post(f"/answers/helped/{bad}", data={"choice": "no"}).status_code == 404
    assert client.get(f"/answers/helped/{token}/maybe").status_code == 404
    three_days_ago = int(time.time()) - 3 * 24 * 3600
    with (
        app.test_request_context(),
        mock.patch.object(TimestampSigner, "get_timestamp", return_value=three_days_ago),
    ):
        old = helped_token(AnswerRef(question.id, reply_id=answer.id))
    app.config["HELPED_LINK_MAX_AGE_DAYS"] = 2
    response = client.get(f"/answers/helped/{old}/no")
    assert response.status_code == 410 and "more than 2 days old" in response.text
    assert question.id not in services.owed_ids()
    assert db.session.scalar(sa.select(sa.func.count(AnswerFeedback.id))) == 0


def test_yes_records_and_a_changed_mind_replaces_it(app, client, site):
    post, sam, rita, question, answer = site
    links = _links("rita@example.com")
    response = _send(client, links["yes"], "yes")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/c/{question.id}")
    feedback = db.session.scalars(sa.select(AnswerFeedback)).one()
    assert feedback.helped is True and feedback.reopened_at is None
    assert question.id not in services.owed_ids()
    # Following the link again shows what they said; "No" replaces it, with a note.
    assert "You said “Yes”" in client.get(links["no"]).text
    _send(client, links["no"], "no", note="What about teams?")
    db.session.expire_all()
    feedback = db.session.scalars(sa.select(AnswerFeedback)).one()
    assert feedback.helped is False and feedback.note == "What about teams?"
    assert question.id in services.owed_ids()
    assert [e.reason for e in _events("answer_rated")] == ["yes", "no"]
    reopened = _events("reopened_didnt_help")
    assert len(reopened) == 1 and reopened[0].actor_id == rita.id
    assert reopened[0].subject_id == sam.id
    # "Yes" again while nobody answered since: the answer stands again, as it was.
    _send(client, links["yes"], "yes")
    db.session.expire_all()
    assert question.id not in services.owed_ids()
    assert db.session.get(Comment, question.id).reopened_at is None
    assert _answer(question).undone_at is None
    assert len(_events("reopen_withdrawn")) == 1
    assert db.session.scalar(sa.select(sa.func.count(AnswerFeedback.id))) == 1


def test_no_reopens_with_its_own_clock_for_the_same_assignee_who_is_told(
    app, client, site, make_user
):
    post, sam, rita, question, answer = site
    mona = make_user(Role.MODERATOR, name="Mona Moderator", email="mona@example.com")
    # Asked three days ago and answered; now assigned to Mona (the answer was Sam's).
    with app.test_request_context():
        services.undo(question, mona)
        assigning.assign(db.session.get(Comment, question.id), mona, mona)
        second = post_comment(post, "Free for now.", author=sam, parent_id=question.id)
    db.session.execute(sa.delete(MailMessage))
    db.session.commit()
    before = utcnow()
    no = f"/answers/helped/{helped_token_for(app, question, second)}/no"
    _send(client, no, "no", note="Free for how long?")
    after = utcnow()
    comment = db.session.get(Comment, question.id)
    assert before <= comment.reopened_at <= after
    state = response_state([question.id])[question.id]
    assert state.owed and not state.overdue  # three days old, but its clock is new
    assert state.assignee_id == mona.id
    assert before + timedelta(hours=24) <= state.due_at <= after + timedelta(hours=24)
    mails = {m.to_address: m for m in db.session.scalars(sa.select(MailMessage))}
    assert set(mails) == {"mona@example.com", "sam@example.com"}
    assert "Free for how long?" in mails["mona@example.com"].body_text
    assert "in your queue" in mails["mona@example.com"].body_text
    assert "Didn't help" in mails["sam@example.com"].subject


def helped_token_for(app, question, reply) -> str:
    with app.test_request_context():
        return helped_token(AnswerRef(question.id, reply_id=reply.id))


def test_a_second_answer_acknowledges_again_and_asks_again(app, client, site):
    post, sam, rita, question, answer = site
    first = _links("rita@example.com")
    _send(client, first["no"], "no")
    assert question.id in services.owed_ids()
    second = post_comment(post, "Teams are free too.", author=sam, parent_id=question.id)
    assert question.id not in services.owed_ids()
    again = _links("rita@example.com")
    assert read_token(again["yes"].split("/")[3]) == AnswerRef(question.id, reply_id=second.id)
    # A change of mind about the first answer is recorded, and changes nothing else.
    _send(client, first["yes"], "yes")
    db.session.expire_all()
    assert question.id not in services.owed_ids()
    assert _answer(question).reply_id == second.id and _answer(question).undone_at is None
    # The second answer has its own verdict.
    _send(client, again["no"], "no")
    assert question.id in services.owed_ids()
    verdicts = dict(
        db.session.execute(
            sa.select(AnswerFeedback.acknowledgement_id, AnswerFeedback.helped)
        ).all()
    )
    assert sorted(verdicts.values()) == [False, True]


def test_a_guest_answers_from_the_mail(app, client, make_user, make_post, make_comment):
    sam = make_user(Role.STAFF, email="sam@example.com")
    post = make_post(author=sam)
    question = make_comment(post, guest=("Gail", "gail@example.com"))
    post_comment(post, "Here you go.", author=sam, parent_id=question.id)
    _send(client, _links("gail@example.com")["no"], "no")
    assert question.id in services.owed_ids()
    assert _events("reopened_didnt_help")[0].actor_id is None


def test_an_acknowledgement_with_a_note_asks_too(app, client, site, make_comment):
    post, sam, rita, question, answer = site
    other = make_comment(post, author=rita, body="And support?")
    with app.test_request_context():
        ack = services.acknowledge(other, sam, "Passed to the support team")
    links = _links("rita@example.com")
    assert read_token(links["no"].split("/")[3]) == AnswerRef(other.id, acknowledgement_id=ack.id)
    _send(client, links["no"], "no")
    assert other.id in services.owed_ids()


def test_a_bad_form_keeps_what_was_typed(client, site):
    post, sam, rita, question, answer = site
    path = _links("rita@example.com")["no"]
    response = _send(client, path, "", note="Half an answer")
    assert response.status_code == 400
    assert "Please choose Yes or No." in response.text and "Half an answer" in response.text
    response = _send(client, path, "no", note="x" * 1001)
    assert response.status_code == 400 and "under 1,000 characters" in response.text
    response = _send(client, path, "no", note="kept", csrf_token="forged")
    assert response.status_code == 400 and "security token" in response.text
    assert "kept" in response.text
    assert db.session.scalar(sa.select(sa.func.count(AnswerFeedback.id))) == 0


def test_answers_closed_or_withdrawn_cannot_be_rated(app, site, make_comment, make_user):
    post, sam, rita, question, answer = site
    mona = make_user(Role.MODERATOR)
    thanks = make_comment(post, author=rita, body="Thanks!")
    with app.test_request_context():
        services.close_without_response(thanks, mona, "thanks-only")
        with pytest.raises(FeedbackError, match="closed without an answer"):
            rate_answer(_answer(thanks), False, None, rita)
        services.undo(question, mona)
        with pytest.raises(FeedbackError, match="withdrawn by the team"):
            rate_answer(_answer(question), False, None, rita)


def test_the_post_page_asks_only_the_comments_author(app, client, auth, site, make_user):
    post, sam, rita, question, answer = site
    make_user(Role.READER, email="rob@example.com")
    assert "Did this answer your question?" not in client.get(f"/posts/{post.slug}").text
    for who in ("rob@example.com", "sam@example.com"):
        auth.login(who)
        assert "Did this answer your question?" not in client.get(f"/posts/{post.slug}").text
        auth.logout()
    auth.login("rita@example.com")
    page = client.get(f"/posts/{post.slug}").text
    assert "Did this answer your question?" in page
    ack_id = _answer(question).id
    action = f"/answers/{ack_id}/helped"
    assert f'action="{action}"' in page
    response = client.post(action, data={"csrf_token": csrf_from(page), "choice": "yes"})
    assert response.status_code == 303
    page = client.get(f"/posts/{post.slug}").text
    assert "You said this helped" in page and "Thank you — glad it helped." in page
    assert 'name="note"' in page  # "No" can say what is missing, as the mail's page can
    client.post(
        action, data={"csrf_token": csrf_from(page), "choice": "no", "note": "Still 404s."}
    )
    assert question.id in services.owed_ids()
    assert feedback_of(_answer(question)).note == "Still 404s."
    page = client.get(f"/posts/{post.slug}").text
    assert "Did this answer your question?" not in page  # owed again: no answer to rate
    auth.logout()
    # Someone else's answer is not theirs to rate, whatever they send.
    auth.login("rob@example.com")
    page = client.get(f"/posts/{post.slug}").text
    assert (
        client.post(action, data={"csrf_token": csrf_from(page), "choice": "yes"}).status_code
        == 404
    )
    auth.logout()
    assert client.post(action, data={"choice": "yes"}).status_code in (302, 400)
