"""Clearing the queue fast: owed and overdue counts in the staff navigation, every comment
on a page closed in one submit, the reason a comment is held, the keyboard shortcuts'
help, and the audit log in the order things happened."""

import re
from datetime import timedelta

import pytest

from blogapp.comments.services import post_comment
from blogapp.extensions import db
from blogapp.models import Role
from blogapp.models.base import utcnow
from blogapp.responses import services
from blogapp.responses.audit import Action, record
from tests.conftest import csrf_from


@pytest.fixture
def team(make_user):
    return {
        "jane": make_user(Role.STAFF, name="Jane Doe", email="jane@example.com"),
        "mod": make_user(Role.MODERATOR, name="Mona Moderator", email="mod@example.com"),
        "admin": make_user(Role.ADMIN, name="Ada Admin", email="admin@example.com"),
    }


def test_staff_navigation_counts_owed_and_overdue(client, auth, team, make_post, make_comment):
    post = make_post(author=team["jane"])
    make_comment(post, body="Old question", created_at=utcnow() - timedelta(hours=30))
    make_comment(post, body="New question")
    auth.login("jane@example.com")
    page = client.get("/").text
    assert re.search(r'Responses <span class="nav-count"[^>]*>2<', page)
    assert "1 overdue</span>" in page
    auth.logout()
    assert "nav-count" not in client.get("/").text  # readers and guests see no counts


def test_ten_owed_comments_cleared_in_one_submit(client, auth, team, make_post, make_comment):
    post = make_post(author=team["jane"])
    ten = {make_comment(post, body=f"Thanks a lot {n}!").id for n in range(10)}
    assert services.owed_ids() == ten
    auth.login("mod@example.com")
    page = client.get("/responses").text
    assert "Apply to all 10 on this page" in page and "Select all on this page" in page
    response = client.post(
        "/responses/bulk",
        data={
            "csrf_token": csrf_from(page),
            "action": "close",
            "reason": "thanks-only",
            "scope": "page",
            "page_ids": sorted(ten),
        },
    )
    assert response.status_code == 302
    assert services.owed_ids() == set()
    assert "Done for 10 comments." in client.get("/responses").text


def test_held_comments_say_why_and_the_shortcuts_are_listed(client, auth, team, make_post):
    post = make_post(author=team["jane"])
    post_comment(post, "First time here", guest_name="Gil Guest", guest_email="gil@example.com")
    auth.login("mod@example.com")
    page = client.get("/responses").text
    assert "Held: a guest&#39;s first comment" in page or "Held: a guest's first comment" in page
    assert "Keyboard shortcuts" in page and "<kbd>j</kbd>" in page and "<kbd>x</kbd>" in page


def test_audit_log_is_in_the_order_things_happened(client, auth, team, make_post, make_comment):
    post = make_post(author=team["jane"])
    comment = make_comment(post, body="Question")
    now = utcnow()
    # Written in this order, but the second happened first (recorded with its own time).
    record(Action.ACKNOWLEDGED, team["jane"], comment, detail="later event", at=now)
    record(
        Action.ASSIGNED, team["mod"], comment, detail="earlier event", at=now - timedelta(hours=2)
    )
    db.session.commit()
    auth.login("admin@example.com")
    page = client.get("/responses/audit").text
    assert page.index("later event") < page.index("earlier event")
