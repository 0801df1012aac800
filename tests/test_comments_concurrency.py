"""Fifty people post to one thread at once against a real threaded server on 127.0.0.1:
every accepted comment is stored once and shown once; nothing is lost or duplicated."""

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from blogapp.extensions import db
from blogapp.markup import render_comment, render_post
from blogapp.models import Comment, CommentStatus, Post, PostStatus, Role, User
from blogapp.models.base import utcnow
from tests.comment_helpers import form_fields

pytestmark = pytest.mark.slow  # concurrency: fifty posters on a threaded server

POSTERS = 50
TIMEOUT = 30


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def server(make_app):
    """The app, one post with one root comment, served threaded on 127.0.0.1."""
    app = make_app(SERVER_NAME=None, COMMENTS_HOLD_FIRST_GUESTS=False)
    with app.app_context():
        author = User(
            email="a@example.com",
            password_hash="x",
            role=Role.STAFF.value,
            display_name="Ann Author",
            slug="ann-author",
        )
        post = Post(
            slug="busy",
            title="Busy thread",
            body_source="b",
            body_html=render_post("b"),
            status=PostStatus.PUBLISHED.value,
            published_at=utcnow(),
            author=author,
        )
        root = Comment(
            post=post,
            author=author,
            body_source="Ask away",
            body_html=render_comment("Ask away"),
            status=CommentStatus.PUBLISHED.value,
        )
        db.session.add_all([author, post, root])
        db.session.commit()
        root_id = root.id
        db.session.remove()
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{httpd.server_port}", root_id
    httpd.shutdown()
    thread.join(timeout=5)


def post_one(base: str, n: int, root_id: int, start: threading.Barrier, results: dict) -> None:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    page = opener.open(f"{base}/posts/busy", timeout=TIMEOUT).read().decode()
    data = form_fields(page) | {
        "name": f"Poster {n}",
        "email": f"poster{n}@example.com",
        "body": f"Concurrent comment number {n}",
        "parent_id": str(root_id) if n % 2 else "",
    }
    start.wait(timeout=TIMEOUT)
    try:
        opener.open(
            f"{base}/posts/busy/comments", urllib.parse.urlencode(data).encode(), timeout=TIMEOUT
        )
        results[n] = ("not redirected", None)
    except urllib.error.HTTPError as answer:
        results[n] = (answer.code, answer.headers.get("Location"))


def test_fifty_concurrent_posters_lose_and_duplicate_nothing(server):
    app, base, root_id = server
    start = threading.Barrier(POSTERS)
    results: dict[int, tuple] = {}
    workers = [
        threading.Thread(target=post_one, args=(base, n, root_id, start, results))
        for n in range(POSTERS)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=2 * TIMEOUT)
    assert not any(w.is_alive() for w in workers)

    accepted = {n: loc for n, (code, loc) in results.items() if code == 303}
    assert len(results) == POSTERS
    assert len(accepted) == POSTERS, (
        f"refused: { {n: r for n, r in results.items() if r[0] != 303} }"
    )
    ids = {n: int(re.search(r"#c(\d+)$", loc).group(1)) for n, loc in accepted.items()}
    assert len(set(ids.values())) == POSTERS

    with app.app_context():
        stored = db.session.execute(
            sa.select(Comment.id, Comment.body_source, Comment.parent_id).where(
                Comment.id != root_id
            )
        ).all()
        db.session.remove()
    body_of = {row.id: row.body_source for row in stored}
    assert sorted(body_of) == sorted(ids.values())
    assert sorted(body_of.values()) == sorted(
        f"Concurrent comment number {n}" for n in range(POSTERS)
    )
    assert sum(1 for row in stored if row.parent_id == root_id) == POSTERS // 2
    wrong = {
        n: body_of[i] for n, i in ids.items() if body_of[i] != f"Concurrent comment number {n}"
    }
    assert not wrong, f"posters sent to someone else's comment: {wrong}"

    page = urllib.request.urlopen(f"{base}/posts/busy", timeout=TIMEOUT).read().decode()
    assert f"{POSTERS + 1} comments" in page
    for comment_id, body in body_of.items():
        drawn = re.findall(
            rf'id="c{comment_id}".*?<div class="comment-body">(.*?)</div>', page, re.S
        )
        assert drawn == [f"<p>{body}</p>"], f"comment {comment_id} ({body!r}) drawn as {drawn}"
        assert page.count(f"{body}<") == 1
