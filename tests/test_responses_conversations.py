"""One conversation, one item (ARCHITECTURE.md, "The rules the code keeps"): a customer's follow-up
to their own owed comment joins its item and is answered with it; a reply after the team's
answer is owed again with its own clock; "Answered by" sits under the comment answered."""

from datetime import timedelta

import pytest

from blogapp.comments import moderation
from blogapp.comments.services import post_comment
from blogapp.models import Role
from blogapp.models.base import utcnow
from blogapp.responses import metrics, services
from blogapp.responses.state import response_state


@pytest.fixture
def people(make_user):
    return {
        "rita": make_user(Role.READER, name="Rita Reader", email="rita@example.com"),
        "bob": make_user(Role.READER, name="Bob Other"),
        "jane": make_user(Role.STAFF, name="Jane Doe", email="jane@example.com"),
        "mod": make_user(Role.MODERATOR, name="Mona Moderator"),
    }


def own_block(page: str, comment_id: int) -> str:
    """A comment's own part of the page: up to its replies or its end."""
    start = page.index(f'id="c{comment_id}"')
    ends = [
        i for i in (page.find('<ol class="replies">', start), page.find("</li>", start)) if i != -1
    ]
    return page[start : min(ends)]


def test_a_follow_up_joins_the_owed_item_and_one_reply_answers_both(
    client, auth, runner, people, make_post
):
    post = make_post(author=people["jane"], slug="exports")
    asked = utcnow() - timedelta(hours=3)
    question = post_comment(post, "How do I export?", author=people["rita"], now=asked)
    follow_up = post_comment(post, "Also: as CSV?", author=people["rita"], parent_id=question.id)
    assert services.owed_ids() == {question.id}
    assert follow_up.joins_id == question.id
    # The item keeps the first message's clock.
    state = response_state([question.id, follow_up.id])
    assert state[question.id].owed and not state[follow_up.id].owed
    assert state[question.id].due_at == asked + timedelta(hours=24)

    auth.login("jane@example.com")
    queue = client.get("/responses").text
    assert queue.count('class="rq-item') == 1
    assert "2 messages from Rita Reader" in queue and "Also: as CSV?" in queue

    answer = post_comment(post, "Yes, CSV too.", author=people["jane"], parent_id=follow_up.id)
    assert services.owed_ids() == set()
    ack = services.standing_acknowledgement(question)
    assert ack.reply_id == answer.id and ack.employee_id == people["jane"].id
    state = response_state([question.id, follow_up.id])
    assert state[follow_up.id].kind == "reply"  # the follow-up shares its item's answer
    page = client.get("/posts/exports").text
    assert "Answered by" in own_block(page, follow_up.id)
    assert "Answered by" not in own_block(page, question.id)
    # The follow-up's answer is indexed with it: the search index has no drift.
    check = runner.invoke(args=["search", "check"])
    assert check.exit_code == 0, check.output


def test_a_reply_after_the_answer_is_owed_again_with_its_own_clock(people, make_post):
    post = make_post(author=people["jane"])
    question = post_comment(post, "How?", author=people["rita"])
    post_comment(post, "Like this.", author=people["jane"], parent_id=question.id)
    later = utcnow() + timedelta(minutes=5)
    again = post_comment(
        post, "Thanks, and...?", author=people["rita"], parent_id=question.id, now=later
    )
    assert again.joins_id is None and services.owed_ids() == {again.id}
    assert response_state([again.id])[again.id].due_at == later + timedelta(hours=24)


def test_someone_elses_reply_is_its_own_item_and_answered_under_itself(client, people, make_post):
    post = make_post(author=people["jane"], slug="two-readers")
    question = post_comment(post, "Question from Rita", author=people["rita"])
    added = post_comment(post, "Bob adds something", author=people["bob"], parent_id=question.id)
    assert services.owed_ids() == {question.id, added.id}
    post_comment(post, "Jane answers Bob", author=people["jane"], parent_id=added.id)
    assert services.owed_ids() == {question.id}
    page = client.get("/posts/two-readers").text
    assert "Answered by" in own_block(page, added.id)
    assert "Answered by" not in own_block(page, question.id)


def test_acknowledging_or_closing_a_follow_up_acts_on_its_item(people, make_post):
    post = make_post(author=people["jane"])
    question = post_comment(post, "Question", author=people["rita"])
    follow_up = post_comment(post, "Q, more", author=people["rita"], parent_id=question.id)
    services.acknowledge(follow_up, people["jane"], "On it")
    assert services.standing_acknowledgement(question).public_note == "On it"
    services.undo(follow_up, people["mod"])
    assert services.owed_ids() == {question.id}
    services.close_without_response(follow_up, people["mod"], "thanks-only")
    assert services.owed_ids() == set()


def test_removing_an_owed_item_hands_the_conversation_to_its_follow_up(people, make_post):
    post = make_post(author=people["jane"])
    question = post_comment(post, "Question", author=people["rita"])
    first = post_comment(post, "First follow-up", author=people["rita"], parent_id=question.id)
    second = post_comment(post, "Second follow-up", author=people["rita"], parent_id=first.id)
    assert second.joins_id == question.id and services.owed_ids() == {question.id}
    moderation.remove_comment(question, people["mod"], "Off topic")
    assert services.owed_ids() == {first.id}
    assert second.joins_id == first.id


def test_metrics_count_a_conversation_once(app, people, make_post):
    post = make_post(author=people["jane"])
    question = post_comment(post, "Question", author=people["rita"])
    post_comment(post, "Q again", author=people["rita"], parent_id=question.id)
    (week,) = metrics.weekly(1)
    assert week.asked == 1


def test_demo_follow_ups_fold(runner, app):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    import sqlalchemy as sa

    from blogapp.extensions import db
    from blogapp.models import Comment

    owed = services.owed_ids()
    joined = db.session.scalars(sa.select(Comment).where(Comment.joins_id.is_not(None))).all()
    assert joined, "the demo has customers following up on their own questions"
    assert all(c.joins_id in owed or services.standing_acknowledgement(c.joins) for c in joined)
    assert not owed & {c.id for c in joined}
