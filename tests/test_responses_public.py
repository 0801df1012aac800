"""Accountability in public: "Answered by …" on the post page, a post's answer rate,
an employee's answer count, and the typical response time shown to a reader who posts."""

from datetime import timedelta

import pytest

from blogapp.comments.services import post_comment
from blogapp.models import Role
from blogapp.models.base import utcnow
from blogapp.responses import services


@pytest.fixture
def jane(make_user):
    return make_user(Role.STAFF, name="Jane Doe", job_title="Head of Support")


@pytest.fixture
def mod(make_user):
    return make_user(Role.MODERATOR, name="Mona Moderator")


def test_anonymous_reader_sees_answered_by_right_after_a_staff_reply(
    client, jane, make_post, make_comment
):
    post = make_post(author=jane, slug="pricing")
    question = make_comment(post, body="Is there a discount for charities?")
    question.created_at = utcnow() - timedelta(hours=2, minutes=5)
    first = client.get("/posts/pricing")
    again = client.get("/posts/pricing")  # now served from the page cache
    assert "Answered by" not in again.text and first.text.count("Answered by") == 0
    assert "0 of 1 question answered" in again.text
    post_comment(post, "Yes: 30% off.", author=jane, parent_id=question.id)
    page = client.get("/posts/pricing").text
    assert "Answered by" in page
    assert '<a href="/authors/jane-doe">Jane Doe</a>, Head of Support · 2 h later' in page
    assert "1 of 1 question answered, median first response 2 h" in page


def test_seen_by_shows_the_public_note_and_closing_shows_nothing(
    client, jane, mod, make_post, make_comment
):
    post = make_post(author=jane, slug="roadmap")
    seen = make_comment(post, body="Please add dark mode")
    closed = make_comment(post, body="Thanks!")
    client.get("/posts/roadmap")
    services.acknowledge(seen, jane, "Thanks — passed to the product team")
    services.close_without_response(closed, mod, "thanks-only", "only a thank-you, nothing to say")
    page = client.get("/posts/roadmap").text
    assert "Seen by" in page and "Thanks — passed to the product team" in page
    assert "only a thank-you" not in page and "Mona Moderator" not in page
    # The closed comment is not counted as an unanswered question.
    assert "1 of 1 question answered" in page


def test_undo_takes_answered_by_off_the_cached_page(client, jane, mod, make_post, make_comment):
    post = make_post(author=jane, slug="undo")
    comment = make_comment(post, body="When is the next release?")
    services.acknowledge(comment, jane)
    assert "Seen by" in client.get("/posts/undo").text
    client.get("/posts/undo")
    services.undo(comment, mod)
    page = client.get("/posts/undo").text
    assert "Seen by" not in page and "0 of 1 question answered" in page


def test_employee_profile_counts_the_comments_they_answered(client, jane, make_post, make_comment):
    post = make_post(author=jane)
    for n in range(3):
        question = make_comment(post, body=f"Question {n}")
        post_comment(post, f"Answer {n}", author=jane, parent_id=question.id)
    assert "Has answered 3 customer comments." in client.get("/authors/jane-doe").text


def test_reader_who_posts_sees_the_typical_response_time(client, jane, make_post, make_comment):
    post = make_post(author=jane, slug="typical")
    assert (
        "A member of our team answers every comment, within 24 h."
        in client.get("/posts/typical").text
    )
    question = make_comment(post, created_at=utcnow() - timedelta(hours=3))
    post_comment(post, "Answer", author=jane, parent_id=question.id)
    assert "half are answered within 3 h" in client.get("/posts/typical").text


def test_studio_home_shows_each_posts_owed_answers(client, auth, jane, make_post, make_comment):
    asked = make_post(author=jane, title="Asked")
    make_post(author=jane, title="Quiet")
    for n in range(2):
        make_comment(asked, body=f"Question {n}")
    answered = make_comment(asked, body="Answered one")
    services.acknowledge(answered, jane)
    auth.login(jane.email)
    page = client.get("/studio/").text
    assert "<th>Owed answers</th>" in page
    assert f'<a href="/responses?post={asked.id}">2 owed</a>' in page
    assert page.count('class="owed-count">0</td>') == 1
