"""The post page's one trick, named slots (comments/slots.py), and the PAGE_CACHE switch
that turns every post-page cache off: the pages must be the same either way."""

import re

import pytest

from blogapp.comments.slots import Drawing, SlotError, keep, slot
from blogapp.models import Role
from tests.conftest import Auth


def test_each_slot_is_filled_exactly_once():
    opened, closed = keep("own-7")
    drawing = Drawing.of(f"<p>{slot('a')}</p><p>{opened}Report{closed}</p><i>{slot('b')}</i>")
    assert drawing.fill({"a": "1", "b": b"2"}) == b"<p>1</p><p>Report</p><i>2</i>"
    assert drawing.fill([("a", "1"), ("b", "2"), ("own-7", "Edit")]).count(b"Edit") == 1
    with pytest.raises(SlotError, match="'b' is left unfilled"):
        drawing.fill({"a": "1"})
    with pytest.raises(SlotError, match="'a' is filled twice"):
        drawing.fill([("a", "1"), ("a", "2"), ("b", "3")])
    with pytest.raises(SlotError, match="no slot called 'c'"):
        drawing.fill({"a": "1", "b": "2", "c": "3"})


def test_a_slot_drawn_twice_or_left_open_is_an_error():
    with pytest.raises(SlotError, match="drawn twice"):
        Drawing.of(f"{slot('thread')} and again {slot('thread')}")
    opened, _ = keep("own-1")
    with pytest.raises(SlotError, match="not closed"):
        Drawing.of(f"{opened}Report")


def test_text_that_looks_like_a_mark_is_only_text():
    typed = "slot.0123456789abcdef.open.thread."
    assert Drawing.of(f"<p>{typed}</p>").fill({}) == f"<p>{typed}</p>".encode()


def _tokens_out(html: str) -> str:
    """A page with its per-request values (a signed-in reader's tokens) taken out."""
    html = re.sub(r'name="(csrf_token|shown|opened)"([^>]*) value="[^"]*"', r'name="\1"\2', html)
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', html)


@pytest.fixture
def scene(app, make_user, make_post, make_comment):
    post = make_post()
    rita = make_user(Role.READER, name="Rita Reader", email="rita@example.com")
    make_user(Role.READER, name="Otto Other", email="otto@example.com")
    make_user(Role.STAFF, name="Sam Staff", email="sam@example.com")
    make_user(Role.MODERATOR, name="Mo Moderator", email="mo@example.com")
    first = make_comment(post, body="A guest's question")
    make_comment(post, author=rita, parent=first, body="Rita's own reply")
    make_comment(post, author=rita, body="Rita's second thought")
    return post


@pytest.mark.parametrize(
    "viewer", [None, "rita@example.com", "otto@example.com", "sam@example.com", "mo@example.com"]
)
@pytest.mark.parametrize("query", ["", "?order=newest"])
def test_page_cache_off_serves_the_same_pages(app, scene, viewer, query):
    url = f"/posts/{scene.slug}{query}"

    def page(cached: bool) -> str:
        app.config["PAGE_CACHE"] = cached
        browser = app.test_client()
        # A fresh app context: nothing in `g` (user, CSRF token) leaks between browsers.
        with app.app_context():
            if viewer:
                Auth(browser).login(viewer)
            views = [browser.get(url) for _ in range(2)]  # the second from the caches
        assert {v.status_code for v in views} == {200}
        return _tokens_out(views[-1].text)

    cached, uncached = page(True), page(False)
    assert "own reply" in cached and "second thought" in cached
    assert cached == uncached
    if viewer == "rita@example.com":
        assert cached.count(">Edit</a>") == 2 and cached.count(">Report</a>") == 1


def test_a_reader_with_comments_on_other_pages_of_threads_gets_each_page(
    app, client, auth, make_user, make_post, make_comment
):
    app.config["COMMENT_THREADS_PER_PAGE"] = 2
    post = make_post()
    rita = make_user(Role.READER, name="Rita Reader", email="rita@example.com")
    for n in range(3):
        make_comment(post, body=f"Guest thread {n}")
    make_comment(post, author=rita, body="Rita on the second page")
    auth.login("rita@example.com")
    first, second = (client.get(f"/posts/{post.slug}{q}") for q in ("", "?cpage=2"))
    assert (first.status_code, second.status_code) == (200, 200)
    assert "Rita on the second page" not in first.text and ">Edit</a>" not in first.text
    assert "Rita on the second page" in second.text and ">Edit</a>" in second.text
