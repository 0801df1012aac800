"""No control character survives text input: the feeds stay valid XML."""

import xml.etree.ElementTree as ET

import feedparser
import pytest

from blogapp.contentio.services import import_post
from blogapp.extensions import db
from blogapp.models import Post, Role
from blogapp.text import clean_text
from tests.comment_helpers import comments_of, submit
from tests.studio_helpers import write_post

ATOM = "{http://www.w3.org/2005/Atom}"
# NUL, other C0, DEL, C1 (NEL, CSI) and the noncharacter XML forbids; tab and \n stay.
CONTROLS = "\x00\x01\x07\x08\x0b\x0c\x1b\x1f\x7f\x85\x9b\ufffe"


def atom(response):
    """The feed parsed by a strict XML parser (it raises on any forbidden character)."""
    assert response.status_code == 200
    root = ET.fromstring(response.data)
    assert not feedparser.parse(response.data).bozo
    return root


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("a\x00b", "ab"),
        ("line\r\nnext\rlast", "line\nnext\nlast"),
        ("tab\tstays\n", "tab\tstays\n"),
        (f"x{CONTROLS}y", "xy"),
        ("émoji 💥 and ümlaut", "émoji 💥 and ümlaut"),
        (None, None),
    ],
)
def test_clean_text(raw, clean):
    assert clean_text(raw) == clean


def test_a_studio_post_with_controls_keeps_the_feed_valid(client, auth, make_user):
    auth.login(make_user(Role.STAFF).email)
    title = f"Launch{CONTROLS} day"
    body = f"First\x00 line\r\nSecond{CONTROLS} line\n\n\tindented"
    response = write_post(client, title=title, body=body, action="publish", tags="ne\x00ws")
    assert response.status_code == 302
    post = db.session.scalars(db.select(Post)).one()
    assert post.title == "Launch day"
    assert post.body_source.startswith("First line\nSecond line\n\n\tindented")
    assert [t.name for t in post.tags] == ["news"]
    entry = atom(client.get("/feed.atom")).find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "Launch day"
    assert "Second line" in entry.find(f"{ATOM}content").text


def test_the_studio_preview_and_autosave_take_no_controls(client, auth, make_user):
    from tests.conftest import csrf_from

    auth.login(make_user(Role.STAFF).email)
    token = csrf_from(client.get("/studio/posts/new").text)
    preview = client.post("/studio/preview", data={"csrf_token": token, "body": "a\x00b\x1bc"})
    assert preview.status_code == 200 and "abc" in preview.text and "\x00" not in preview.text
    saved = client.post(
        "/studio/posts/autosave",
        data={"csrf_token": token, "title": "Draft\x00 one", "body": "x\x07y", "version": ""},
    )
    assert saved.status_code == 200, saved.text
    post = db.session.scalars(db.select(Post)).one()
    assert (post.title, post.body_source) == ("Draft one", "xy")


def test_a_comment_and_guest_name_with_controls_keep_the_comment_feed_valid(client, make_post):
    post = make_post()
    submit(
        client,
        post,
        f"Hello{CONTROLS} there\r\nfriend",
        guest=("Gail\x00 Guest\x1b", "g@example.com"),
    )
    (comment,) = comments_of(post)
    assert comment.body_source == "Hello there\nfriend"
    assert comment.guest_name == "Gail Guest"
    comment.status = "published"
    db.session.commit()
    entry = atom(client.get(f"/p/{post.slug}/comments.atom")).find(f"{ATOM}entry")
    assert "Gail Guest" in ET.tostring(entry, encoding="unicode")


def test_imported_posts_lose_their_controls(app, make_user):
    author = make_user(Role.STAFF, email="writer@example.com")
    text = (
        '---\ntitle: "Imported\\x00 title"\nauthor: writer@example.com\n'
        "published: 2026-10-06 09:30\n---\nBody\x00 text\x1b here\r\n"
    )
    outcome, post = import_post(text, "imported.md")
    db.session.commit()
    assert outcome == "created" and post.author_id == author.id
    assert post.title == "Imported title"
    assert post.body_source == "Body text here\n"
