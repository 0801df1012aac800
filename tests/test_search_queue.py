"""Search from the response queue: the "similar earlier answers" panel beside a reply box."""

import html

import pytest

from blogapp.models import Role
from blogapp.search import services as search_services
from tests.conftest import csrf_from


@pytest.fixture
def asked(search_backend, make_user, make_post, make_comment):
    """An answered question, an unrelated answered one, and a new one like the first."""
    jane = make_user(Role.STAFF, name="Jane Doe", job_title="Head of Support")
    reader = make_user(Role.READER, name="Rita Reader")
    post = make_post(author=jane, title="Exports", body="All about exports.")
    earlier = make_comment(post, author=reader, body="How do I export my invoices to CSV?")
    answer = make_comment(
        post, author=jane, parent=earlier, body="Open **Reports**, then choose *Export CSV*."
    )
    other = make_comment(post, author=reader, body="Is two-factor login available?")
    make_comment(post, author=jane, parent=other, body="Yes, under Security settings.")
    new = make_comment(post, body="Can I get a CSV export of my invoices?")
    return jane, reader, earlier, answer, new


def test_the_panel_lists_staff_answers_to_similar_comments(client, auth, asked):
    jane, reader, earlier, answer, new = asked
    auth.login(jane.email)
    panel = client.get(f"/responses/{new.id}/similar?panel=1")
    assert panel.status_code == 200
    text = html.unescape(panel.text)
    assert "<html" not in text  # a fragment, for the queue to put in place
    assert "Similar earlier answers" in text
    assert "How do I export my invoices to CSV?" in text
    assert "Open <strong>Reports</strong>, then choose <em>Export CSV</em>." in text
    assert "Jane Doe</strong>, Head of Support, answered" in text
    assert f'href="/c/{earlier.id}"' in text and f'href="/c/{answer.id}"' in text
    # The answer's own Markdown, for "Start my reply from this answer".
    assert 'data-text="Open **Reports**, then choose *Export CSV*."' in text
    assert "two-factor" not in text


def test_without_javascript_the_panel_is_a_page_with_its_own_reply_box(client, auth, asked):
    jane, reader, earlier, answer, new = asked
    auth.login(jane.email)
    queue = client.get("/responses").text
    assert f'<a href="/responses/{new.id}/similar">Similar earlier answers</a>' in queue
    page = client.get(f"/responses/{new.id}/similar")
    assert page.status_code == 200
    assert "<html" in page.text and "Answering Gail Guest" in page.text
    assert "How do I export my invoices to CSV?" in html.unescape(page.text)
    sent = client.post(
        f"/responses/{new.id}/reply",
        data={"csrf_token": csrf_from(page.text), "next": "/responses", "body": "See Reports."},
    )
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/responses")
    assert "Replied" in client.get("/responses").text


def test_nothing_similar_says_so(client, auth, make_comment, asked):
    jane, reader, earlier, answer, new = asked
    lonely = make_comment(new.post, body="Zeppelins over the harbour.")
    auth.login(jane.email)
    text = client.get(f"/responses/{lonely.id}/similar?panel=1").text
    assert "No employee has answered a comment like this one yet." in text


def test_a_broken_index_leaves_the_reply_box_working(client, auth, monkeypatch, asked):
    jane, reader, earlier, answer, new = asked

    def broken(*args, **kwargs):
        raise OSError("index folder is gone")

    class Broken:
        similar = staticmethod(broken)

    monkeypatch.setattr(search_services, "get_backend", Broken)
    auth.login(jane.email)
    page = client.get(f"/responses/{new.id}/similar")
    assert page.status_code == 200
    assert "can't be looked up right now" in html.unescape(page.text)
    assert f'action="/responses/{new.id}/reply"' in page.text


def test_only_employees_see_the_panel(client, auth, asked):
    jane, reader, earlier, answer, new = asked
    assert client.get(f"/responses/{new.id}/similar").status_code == 302  # to the login page
    auth.login(reader.email)
    assert client.get(f"/responses/{new.id}/similar?panel=1").status_code == 403
    auth.logout()
    auth.login(jane.email)
    assert client.get("/responses/999999/similar").status_code == 404
    # An id no database column can hold is a 404 on every route, never an overflow.
    huge = 10**21
    assert client.get(f"/responses/{huge}/similar").status_code == 404
    assert client.get(f"/c/{huge}").status_code == 404
    assert client.post(f"/responses/{huge}/reply").status_code == 404
