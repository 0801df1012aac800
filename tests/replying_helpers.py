"""Two employees in two browsers, for the "never answer twice" tests."""

import re

from tests.conftest import Auth, csrf_from

OPENED_RE = re.compile(r'name="opened" value="([0-9]+)"')


def browser(app, email: str):
    """A test client of its own, logged in as ``email`` (use with ``separate_browsers``)."""
    client = app.test_client()
    Auth(client).login(email)
    return client


def opened_from(html: str) -> str:
    match = OPENED_RE.search(html)
    assert match, "the reply form carries no 'opened' stamp"
    return match.group(1)


def queue_reply(client, comment_id: int, body: str, *, page: str | None = None, **extra):
    """Send the queue's reply form as drawn on ``page`` (the queue, fetched now if None)."""
    page = page or client.get("/responses").text
    data = {
        "csrf_token": csrf_from(page),
        "next": "/responses",
        "opened": opened_from(page),
        "body": body,
    }
    return client.post(f"/responses/{comment_id}/reply", data=data | extra)
