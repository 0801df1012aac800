"""The post page's caches never outlive a change to the conversation.

Every view below is made twice before the change, so the second comes from the
caches (the rendered thread, the whole anonymous page, the tracker's figures);
the view after the change must show it, whoever is looking.
"""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from blogapp.comments.moderation import approve_comment, remove_comment
from blogapp.comments.services import delete_own_comment, edit_comment, post_comment
from blogapp.extensions import db
from blogapp.models import Comment, CommentStatus, Role
from blogapp.models.base import utcnow
from blogapp.responses import services
from tests.conftest import Auth

# anonymous: the cached page; reader: the shared signed-in rendering; commenter: the
# shared rendering with their own Edit link put in; moderator: a drawing of their own.
VIEWERS = ("anonymous", "reader", "commenter", "moderator")


class Scene:
    """A post with a guest's question (3 h old), Cora's comment and a held guest comment."""

    def __init__(self, app, make_user, make_post, make_comment):
        self.app = app
        self.jane = make_user(Role.STAFF, name="Jane Doe", job_title="Head of Support")
        self.mod = make_user(Role.MODERATOR, email="mod@example.com")
        make_user(Role.READER, email="rita@example.com")
        self.cora = make_user(Role.READER, name="Cora Commenter", email="cora@example.com")
        self.post = make_post(author=self.jane, slug="cached")
        self.question = make_comment(
            self.post, body="Original question words", created_at=utcnow() - timedelta(hours=3)
        )
        self.coras = make_comment(self.post, author=self.cora, body="Cora’s own words")
        self.held = make_comment(
            self.post,
            body="Held guest words",
            status=CommentStatus.HELD,
            guest=("Hal Held", "hal@example.com"),
        )

    def client_for(self, viewer: str):
        client = self.app.test_client()
        email = {"reader": "rita@example.com", "commenter": "cora@example.com"}.get(viewer)
        if viewer == "moderator":
            email = "mod@example.com"
        if email:
            with self.app.app_context():
                Auth(client).login(email)
        return client

    def page(self, client) -> str:
        # A fresh app context, as a new request in a server would have.
        with self.app.app_context():
            response = client.get(f"/posts/{self.post.slug}")
        assert response.status_code == 200
        return response.text


@pytest.fixture
def scene(app, make_user, make_post, make_comment):
    return Scene(app, make_user, make_post, make_comment)


def _new_comment(s):
    post_comment(s.post, "Brand new words", author=s.cora)


def _new_staff_reply(s):
    post_comment(s.post, "Staff answer words", author=s.jane, parent_id=s.question.id)


def _edited(s):
    edit_comment(s.question, "Edited question words", may_edit=True)


def _removed_by_moderator(s):
    remove_comment(s.question, s.mod, "Off topic")


def _deleted_by_author(s):
    delete_own_comment(s.coras, s.cora, may_delete=True)


def _approved(s):
    approve_comment(s.held, s.mod)


def _acknowledged(s):
    services.acknowledge(s.question, s.jane, "Passed to the product team")


def _closed_without_response(s):
    services.close_without_response(s.question, s.mod, "thanks-only")


# cause, change, (seen before, not after), (seen after, not before)
CAUSES = {
    "new comment": (_new_comment, [], ["Brand new words", "0 of 3 questions answered"]),
    "staff reply": (
        _new_staff_reply,
        ["0 of 2 questions answered"],
        [
            "Staff answer words",
            "Answered by",
            "1 of 2 questions answered",
            "half are answered within 3 h",
        ],
    ),
    "edited": (_edited, ["Original question words"], ["Edited question words", "edited</span>"]),
    "removed by a moderator": (
        _removed_by_moderator,
        ["Original question words", "0 of 2 questions answered"],
        ["0 of 1 question answered"],
    ),
    "deleted by its author": (
        _deleted_by_author,
        ["Cora’s own words", "0 of 2 questions answered"],
        ["0 of 1 question answered"],
    ),
    "approved": (_approved, ["0 of 2 questions answered"], ["0 of 3 questions answered"]),
    "acknowledged": (
        _acknowledged,
        ["0 of 2 questions answered"],
        [
            "Seen by",
            "Passed to the product team",
            "1 of 2 questions answered, median first response 3 h",
            "half are answered within 3 h",
        ],
    ),
    "closed without a response": (
        _closed_without_response,
        ["0 of 2 questions answered"],
        ["0 of 1 question answered"],
    ),
}


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("cause", CAUSES)
def test_a_change_shows_on_the_next_view(scene, viewer, cause):
    change, gone, new = CAUSES[cause]
    if viewer == "moderator":  # employees are not told how fast employees answer
        new = [text for text in new if not text.startswith("half are answered")]
    client = scene.client_for(viewer)
    before = [scene.page(client) for _ in range(2)]
    for page in before:
        for text in gone:
            assert text in page
        for text in new:
            assert text not in page
    change(scene)
    db.session.expire_all()
    after = scene.page(client)
    for text in gone:
        assert text not in after, f"{text!r} still shown after: {cause}"
    for text in new:
        assert text in after, f"{text!r} missing after: {cause}"


@pytest.mark.parametrize("viewer", VIEWERS)
def test_undoing_an_acknowledgement_shows_on_the_next_view(scene, viewer):
    services.acknowledge(scene.question, scene.jane, "Passed to the product team")
    client = scene.client_for(viewer)
    for _ in range(2):
        page = scene.page(client)
        assert "Seen by" in page and "1 of 2 questions answered" in page
    services.undo(scene.question, scene.mod)
    page = scene.page(client)
    assert "Seen by" not in page and "0 of 2 questions answered" in page


def test_one_readers_own_links_never_reach_another_through_the_cache(scene):
    cora, rita = scene.client_for("commenter"), scene.client_for("reader")
    edit_link = f'href="/comments/{scene.coras.id}/edit"'
    for _ in range(2):
        assert edit_link in scene.page(cora)
        page = scene.page(rita)
        assert edit_link not in page
        assert f'class="flag-link" href="/comments/{scene.coras.id}/flag"' in page
        assert "Held guest words" not in page


@pytest.mark.parametrize("viewer", VIEWERS)
def test_a_new_version_of_the_post_shows_on_the_next_view(scene, viewer):
    from blogapp.markup import render_post

    client = scene.client_for(viewer)
    for _ in range(2):
        assert "With <strong>two</strong> paragraphs" in scene.page(client)
    post = scene.post
    post.title, post.body_source = "A retitled post", "Rewritten body words."
    post.body_html, post.version = render_post(post.body_source), post.version + 1
    db.session.commit()
    page = scene.page(client)
    assert "A retitled post" in page and "Rewritten body words." in page
    assert "With <strong>two</strong> paragraphs" not in page


def test_each_signed_in_reader_gets_their_own_working_form(app, make_user, make_post, monkeypatch):
    from blogapp.comments import forms
    from tests.comment_helpers import SHOWN_RE, form_fields
    from tests.conftest import csrf_from

    # The form clock is signed once a second: let ten seconds pass between views, so
    # each page shows whether its clock was put in fresh or kept from the drawing.
    seconds = iter(range(1_800_000_000, 1_900_000_000, 10))
    monkeypatch.setattr(forms, "time", type("Clock", (), {"time": lambda: next(seconds)}))
    post = make_post(slug="forms")
    make_user(Role.READER, name='Bob <b>& "Co"</b>', email="bob@example.com")
    make_user(Role.READER, name="Rita Reader", email="rita@example.com")
    make_user(Role.STAFF, name="Stan Staff", email="stan@example.com")
    clients, pages = {}, {}
    for email in ("bob@example.com", "rita@example.com", "stan@example.com", "bob@example.com"):
        client = clients.setdefault(email, app.test_client())
        with app.app_context():
            if email not in pages:
                Auth(client).login(email)
            pages.setdefault(email, []).append(client.get("/posts/forms").text)
    bob, rita, stan = pages["bob@example.com"], pages["rita@example.com"], pages["stan@example.com"]
    signed = "Commenting as <strong>{}</strong>"
    assert all(signed.format("Bob &lt;b&gt;&amp; &#34;Co&#34;&lt;/b&gt;") in p for p in bob)
    assert signed.format("Rita Reader") in rita[0] and "Bob" not in rita[0]
    assert signed.format("Stan Staff") + ' <span class="staff-mark">Staff</span>' in stan[0]
    assert "A member of our team answers every comment" in rita[0]
    assert "A member of our team answers every comment" not in stan[0]
    assert csrf_from(bob[0]) != csrf_from(rita[0]), "each reader has their own CSRF token"
    assert all(p.count("\x00") == 0 for p in (*bob, *rita, *stan))
    assert len({SHOWN_RE.search(p).group(1) for p in (*bob, *rita)}) == 3
    # The form drawn for Bob and filled in for Rita posts as Rita.
    app.config["COMMENT_MIN_FILL_SECONDS"] = 0
    with app.app_context():
        data = form_fields(rita[0]) | {"body": "Rita posts from a stored form"}
        response = clients["rita@example.com"].post("/posts/forms/comments", data=data)
    assert response.status_code == 303
    (comment,) = db.session.scalars(sa.select(Comment).where(Comment.post_id == post.id))
    assert comment.author.display_name == "Rita Reader"
    assert comment.body_source == "Rita posts from a stored form"
