"""The audit log: every change of state recorded, and browsable by admins with filters."""

from datetime import timedelta

import pytest

from blogapp.comments.moderation import mark_spam
from blogapp.models import Role
from blogapp.models.base import utcnow
from blogapp.responses import assigning, services


@pytest.fixture
def logged(make_user, make_post, make_comment):
    admin = make_user(Role.ADMIN, name="Ada Admin", email="admin@example.com")
    jane = make_user(Role.STAFF, name="Jane Doe")
    mod = make_user(Role.MODERATOR, name="Mona Moderator")
    post = make_post(author=jane)
    first, second, third = (make_comment(post, body=f"Comment {n}") for n in range(3))
    services.acknowledge(first, jane, "Seen it")
    services.close_without_response(second, mod, "duplicate", "Same as #1")
    assigning.assign(third, jane, mod)
    mark_spam(third, mod)
    services.undo(first, mod)
    return {"admin": admin, "jane": jane, "mod": mod, "comments": (first, second, third)}


def rows(client, query: str = "") -> list[str]:
    page = client.get(f"/responses/audit{query}").text
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [row for row in body.split("<tr>")[1:]]


def test_admin_sees_every_event_newest_first(client, auth, logged):
    auth.login("admin@example.com")
    events = rows(client)
    whats = [
        next(
            w
            for w in ("undone", "marked spam", "assigned", "closed no response", "acknowledged")
            if f">{w}</td>" in row
        )
        for row in events
    ]
    assert whats == ["undone", "marked spam", "assigned", "closed no response", "acknowledged"]
    assert "Same as #1" in events[3] and "duplicate" in events[3]
    assert "Mona Moderator" in events[2] and "Jane Doe" in events[2]  # who, and whom


def test_filters_by_action_person_comment_and_date(client, auth, logged):
    auth.login("admin@example.com")
    first = logged["comments"][0]
    assert len(rows(client, "?action=undone")) == 1
    assert len(rows(client, f"?actor={logged['jane'].id}")) == 1
    assert len(rows(client, f"?comment={first.id}")) == 2
    today = utcnow().date()
    assert len(rows(client, f"?since={today}&until={today}")) == 5
    tomorrow = today + timedelta(days=1)
    assert "No events match." in rows(client, f"?since={tomorrow}")[0]
    assert len(rows(client, "?since=not-a-date")) == 5  # a bad date is ignored, not a 500


def test_the_calendars_edges_and_impossible_ids_are_no_filter_not_a_crash(client, auth, logged):
    auth.login("admin@example.com")
    assert len(rows(client, "?until=9999-12-31")) == 5  # its end would be past the calendar
    assert len(rows(client, "?since=0001-01-01&until=9999-12-31")) == 5
    assert len(rows(client, "?actor=99999999999999999999&comment=-1")) == 5
    assert len(rows(client, "?action=no-such-action")) == 5
    assert client.get("/responses/audit?page=99999999999999999999").status_code == 404
