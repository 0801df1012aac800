"""The response queue at /responses: who may see it, what it lists and in what order,
its filters, its inline and bulk actions, and its fixed number of queries."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.models import AuditEvent, Comment, CommentStatus, Flag, Role
from blogapp.models.base import utcnow
from blogapp.responses import assigning, services
from tests.conftest import csrf_from
from tests.thread_helpers import count_queries


@pytest.fixture
def team(make_user):
    return {
        "reader": make_user(Role.READER, name="Rita Reader", email="rita@example.com"),
        "jane": make_user(Role.STAFF, name="Jane Doe", email="jane@example.com"),
        "omar": make_user(Role.STAFF, name="Omar Other", email="omar@example.com"),
        "mod": make_user(Role.MODERATOR, name="Mona Moderator", email="mod@example.com"),
        "admin": make_user(Role.ADMIN, name="Ada Admin", email="admin@example.com"),
    }


def post_action(client, comment_id, action, **data):
    token = csrf_from(client.get("/responses").text)
    return client.post(
        f"/responses/{comment_id}/{action}",
        data={"csrf_token": token, "next": "/responses", **data},
    )


@pytest.mark.parametrize(
    "url", ["/responses", "/responses/metrics", "/responses/metrics.csv", "/responses/audit"]
)
@pytest.mark.parametrize(
    "who, allowed",
    [
        (None, False),
        ("rita@example.com", False),
        ("jane@example.com", True),
        ("mod@example.com", True),
        ("admin@example.com", True),
    ],
)
def test_who_may_open_each_response_page(client, auth, team, url, who, allowed):
    if who:
        auth.login(who)
    response = client.get(url)
    if url == "/responses/audit" and who != "admin@example.com":
        allowed = False
    if allowed:
        assert response.status_code == 200
    else:
        assert response.status_code == (302 if who is None else 403)


def test_queue_lists_owed_comments_overdue_first_with_context(
    client, auth, team, make_post, make_comment
):
    post = make_post(author=team["jane"], title="Invoices in euros")
    question = make_comment(post, body="Old question", created_at=utcnow() - timedelta(hours=30))
    follow_up = make_comment(
        post, parent=question, author=team["reader"], body="Still waiting", created_at=utcnow()
    )
    make_comment(post, author=team["omar"], body="Staff musing")
    auth.login("jane@example.com")
    page = client.get("/responses").text
    assert "2 comments waiting for an answer" in page
    assert page.index("Old question") < page.index("Still waiting")
    assert f'class="rq-item is-overdue" id="owed-{question.id}"' in page
    assert "6 h overdue" in page and "23 h left" in page
    assert f'class="rq-item" id="owed-{follow_up.id}"' in page
    assert "In reply to Gail Guest:" in page  # the comment in context
    assert "Invoices in euros" in page and "Jane Doe (post author)" in page
    assert "Staff musing" not in page
    assert 'data-similar-for="' in page  # where search's similar answers will go


def test_filters_mine_unassigned_overdue_post_and_author(
    client, auth, team, make_post, make_comment
):
    janes = make_post(author=team["jane"], title="Jane's post")
    omars = make_post(author=team["omar"], title="Omar's post")
    a = make_comment(janes, body="On Jane's post", created_at=utcnow() - timedelta(hours=40))
    b = make_comment(omars, body="On Omar's post")
    c = make_comment(omars, body="Claimed by Jane")
    assigning.assign(c, team["jane"], team["jane"])
    auth.login("jane@example.com")

    def listed(query):
        page = client.get(f"/responses?{query}").text
        return {x.id for x in (a, b, c) if f'id="owed-{x.id}"' in page}

    assert listed("") == {a.id, b.id, c.id}
    assert listed("view=mine") == {a.id, c.id}
    assert listed("view=unassigned") == {a.id, b.id}
    assert listed("view=overdue") == {a.id}
    assert listed(f"post={omars.id}") == {b.id, c.id}
    assert listed(f"author={team['jane'].id}") == {a.id}


def test_reply_inline_answers_the_comment_and_it_leaves_the_queue(
    client, auth, team, make_post, make_comment
):
    post = make_post(author=team["jane"], slug="exports")
    question = make_comment(post, body="How do I export to CSV?")
    auth.login("omar@example.com")
    response = post_action(client, question.id, "reply", body="Use *Export* on the list page.")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert "Replied: the comment is answered." in page and f'id="owed-{question.id}"' not in page
    assert (
        'Answered by <a href="/authors/omar-other">Omar Other</a>'
        in client.get("/posts/exports").text
    )


def test_a_refused_reply_says_why_and_keeps_the_text(client, auth, team, make_post, make_comment):
    question = make_comment(make_post(author=team["jane"]), body="Question")
    auth.login("jane@example.com")
    long_text = "Too long. " * 600
    response = post_action(client, question.id, "reply", body=long_text)
    assert response.status_code == 400
    assert 'role="alert"' in response.text and long_text.strip()[:200] in response.text
    empty = post_action(client, question.id, "reply", body="  ")
    assert empty.status_code == 400 and "Please write your reply" in empty.text
    assert question.id in services.owed_ids()


def test_acknowledge_with_a_note_assign_and_claim_inline(
    client, auth, team, make_post, make_comment
):
    post = make_post(author=team["jane"])
    first, second = make_comment(post, body="One"), make_comment(post, body="Two")
    auth.login("omar@example.com")
    assert post_action(client, first.id, "acknowledge", note="Passed on").status_code == 302
    assert services.standing_acknowledgement(first).public_note == "Passed on"
    assert post_action(client, second.id, "assign", assignee="me").status_code == 302
    assert services.current_assignee(second) == team["omar"]
    refused = post_action(client, second.id, "assign", assignee=str(team["jane"].id))
    assert refused.status_code == 400 and "Only moderators can assign" in refused.text
    auth.logout()
    auth.login("mod@example.com")
    assert (
        post_action(client, second.id, "assign", assignee=str(team["jane"].id)).status_code == 302
    )
    assert services.current_assignee(second) == team["jane"]


def test_moderator_only_actions(client, auth, team, make_post, make_comment):
    post = make_post(author=team["jane"])
    thanks, spam, rude = (make_comment(post, body=b) for b in ("Thanks!", "Buy now", "Rude"))
    auth.login("jane@example.com")
    assert post_action(client, thanks.id, "close", reason="thanks-only").status_code == 403
    assert post_action(client, spam.id, "spam").status_code == 403
    auth.logout()
    auth.login("mod@example.com")
    missing = post_action(client, thanks.id, "close", reason="")
    assert missing.status_code == 400 and "choose why" in missing.text
    assert (
        post_action(client, thanks.id, "close", reason="thanks-only", note="ok").status_code == 302
    )
    assert post_action(client, spam.id, "spam").status_code == 302
    assert post_action(client, rude.id, "remove", note="Abusive").status_code == 302
    assert services.owed_ids() == set()
    assert db.session.get(Comment, spam.id).status == "spam"
    assert db.session.get(Comment, rude.id).removal_reason == "Abusive"
    assert post_action(client, thanks.id, "undo").status_code == 302
    assert services.owed_ids() == {thanks.id}


def test_held_and_flagged_comments_share_the_moderators_queue(
    client, auth, team, make_post, make_comment
):
    post = make_post(author=team["jane"])
    held = make_comment(post, body="First-time guest", status=CommentStatus.HELD)
    junk = make_comment(post, body="Held junk", status=CommentStatus.HELD)
    flagged = make_comment(post, author=team["reader"], body="Reported one")
    db.session.add(Flag(comment=flagged, reporter=team["reader"], reason="abuse", note=""))
    db.session.commit()
    auth.login("jane@example.com")
    assert "Waiting for a moderator" not in client.get("/responses").text
    auth.logout()
    auth.login("mod@example.com")
    page = client.get("/responses").text
    assert f'id="held-{held.id}"' in page and f'id="flagged-{flagged.id}"' in page
    assert post_action(client, held.id, "approve").status_code == 302
    assert post_action(client, junk.id, "reject").status_code == 302
    assert db.session.get(Comment, held.id).status == "published"
    assert db.session.get(Comment, junk.id).status == "removed"
    assert held.id in services.owed_ids()
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["approved", "removed"]


def test_bulk_actions_are_for_moderators(client, auth, team, make_post, make_comment):
    post = make_post(author=team["jane"])
    comments = [make_comment(post, body=f"Thanks {n}") for n in range(3)]
    ids = [str(c.id) for c in comments]
    auth.login("mod@example.com")
    token = csrf_from(client.get("/responses").text)
    response = client.post(
        "/responses/bulk",
        data={"csrf_token": token, "action": "close", "reason": "thanks-only", "ids": ids[:2]},
    )
    assert response.status_code == 302
    assert services.owed_ids() == {comments[2].id}
    client.post(
        "/responses/bulk",
        data={"csrf_token": token, "action": "assign", "assignee": team["omar"].id, "ids": ids},
    )
    assert services.current_assignee(comments[2]) == team["omar"]
    page = client.get("/responses").text
    assert "Done for 1 comment." in page and "Not done" in page  # two were closed already
    auth.logout()
    auth.login("jane@example.com")
    token = csrf_from(client.get("/responses").text)
    refused = client.post(
        "/responses/bulk", data={"csrf_token": token, "action": "spam", "ids": ids}
    )
    assert refused.status_code == 403


def test_queue_is_paginated(app, client, auth, team, make_post):
    post = make_post(author=team["jane"])
    _seed(post, 30)
    auth.login("jane@example.com")
    first = client.get("/responses").text
    assert "Page 1 of 2" in first and first.count('class="rq-item') == 25
    assert client.get("/responses?page=2").text.count('class="rq-item') == 5


def _seed(post, n: int, older_by: timedelta = timedelta()) -> None:
    now = utcnow() - older_by
    db.session.execute(
        sa.insert(Comment),
        [
            {
                "post_id": post.id,
                "guest_name": f"Guest {i}",
                "guest_email": f"g{i}@example.com",
                "body_source": f"Question {i}",
                "body_html": f"<p>Question {i}</p>",
                "status": "published",
                "created_at": now - timedelta(minutes=i * 7),
                "changed_at": now,
            }
            for i in range(n)
        ],
    )
    db.session.commit()


@pytest.mark.parametrize("view", ["", "view=overdue&page=2", "view=mine", "post={post}"])
def test_queue_page_runs_a_fixed_number_of_queries_at_10_and_1000_items(
    app, client, auth, team, make_post, view
):
    post = make_post(author=team["mod"])
    older_by = timedelta(days=3)  # all overdue, so every view has a second page
    _seed(post, 10, older_by)
    auth.login("mod@example.com")
    url = "/responses?" + view.format(post=post.id)

    def queries() -> tuple[int, int]:
        # The first view after a change works the owed comments out, the next reuses them.
        return count_queries(app, url, client), count_queries(app, url, client)

    at_10 = queries()
    _seed(post, 990, older_by)
    at_1000 = queries()
    assert at_10 == at_1000
    assert "1000 comments waiting for an answer" in client.get("/responses").text
