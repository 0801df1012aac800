"""Threads: a tree built in memory from a fixed number of queries."""

import pytest

from blogapp.comments.threads import MAX_INDENT, load_thread
from blogapp.extensions import db
from blogapp.models import CommentStatus, Role
from tests.thread_helpers import build_thread, count_queries


@pytest.mark.parametrize("size", [10, 500])
def test_post_page_query_count_does_not_grow_with_the_thread(
    app, client, make_post, make_user, size
):
    users = [make_user(Role.READER), make_user(Role.STAFF), make_user(Role.READER)]
    small, big = make_post(slug="small"), make_post(slug="big")
    build_thread(small, users, 10)
    build_thread(big, users, size)
    db.session.expire_all()
    assert count_queries(app, "/posts/small", client) == count_queries(app, "/posts/big", client)
    assert client.get("/posts/big").text.count('class="comment depth-') == size


def test_tree_nests_replies_and_caps_indent(make_post, make_comment, make_user):
    post = make_post()
    root = make_comment(post, body="root")
    chain = root
    for n in range(MAX_INDENT + 2):
        chain = make_comment(post, parent=chain, body=f"reply {n}")
    other = make_comment(post, body="second root")
    thread = load_thread(post)
    assert [n.comment.id for n in thread.roots] == [root.id, other.id]
    nodes = list(thread.walk())
    assert [n.depth for n in nodes][: MAX_INDENT + 3] == list(range(MAX_INDENT + 3))
    assert max(n.indent for n in nodes) == MAX_INDENT
    assert thread.count == MAX_INDENT + 4
    assert [n.comment.id for n in load_thread(post, newest_first=True).roots] == [other.id, root.id]


def test_hidden_comments_stay_out_and_removed_ones_keep_their_replies(make_post, make_comment):
    post = make_post()
    removed = make_comment(post, body="gone", status=CommentStatus.REMOVED)
    make_comment(post, parent=removed, body="reply survives")
    make_comment(post, body="lonely removed", status=CommentStatus.REMOVED)
    make_comment(post, body="held one", status=CommentStatus.HELD)
    make_comment(post, body="spam one", status=CommentStatus.SPAM)
    thread = load_thread(post)
    bodies = [n.comment.body_source for n in thread.walk()]
    assert bodies == ["gone", "reply survives"]
    assert thread.count == 1


def test_post_page_shows_placeholder_staff_mark_and_permalinks(
    client, make_post, make_comment, make_user
):
    post = make_post()
    staff = make_user(Role.STAFF, name="Priya Raman", job_title="Staff Engineer")
    question = make_comment(
        post, body="Is there an API?", guest=("Gail Guest", "gail@secret.example")
    )
    answer = make_comment(post, parent=question, author=staff, body="Yes, **there is**.")
    removed = make_comment(post, body="rude", status=CommentStatus.REMOVED)
    make_comment(post, parent=removed, body="still here")
    page = client.get(f"/posts/{post.slug}").text
    assert f'id="c{question.id}"' in page and f'href="#c{answer.id}"' in page
    assert "Priya Raman" in page and "Staff Engineer" in page and 'class="staff-mark"' in page
    assert "gail@secret.example" not in page
    assert "Comment removed." in page and "rude" not in page and "still here" in page
    assert page.count('class="staff-mark"') == 1
