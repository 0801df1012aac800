"""Private messages never reach a public place (issue 17, point 4): not the search index
(public or staff), the feeds, the post page, webhooks' payloads, the WordPress export or a
reader's own data export. Each test writes a word only private messages hold, then looks."""

import io
import json
import zipfile

import pytest
import sqlalchemy as sa

from blogapp.accounts.leaving import export_zip
from blogapp.extensions import db
from blogapp.models import AckKind, Guest, PrivateVia, SearchOutbox, WebhookMessage
from blogapp.private import services as private
from blogapp.search.services import SearchOptions, search_site
from blogapp.webhooks.delivery import deliver_webhooks
from tests.private_helpers import DOMAIN, people

SECRET_WORD = "zanzibarquokka"


@pytest.fixture(autouse=True)
def inbound(app):
    app.config["INBOUND_MAIL_DOMAIN"] = DOMAIN


@pytest.fixture
def conversation(make_user, make_post, make_comment):
    """A comment taken private, with a private message each way and resolved."""
    jane, author, reader, post = people(make_user, make_post)
    question = make_comment(post, author=reader, body="A public question about billing.")
    conversation = private.take_private(question, jane, f"First {SECRET_WORD} words")
    private.add_customer_message(conversation, f"My {SECRET_WORD} account", PrivateVia.MAIL)
    db.session.commit()
    private.answer(conversation, author, f"Your {SECRET_WORD} is fixed")
    private.resolve(conversation, author)
    return conversation


def found(text: str, viewer) -> list[str]:
    results = search_site(text, viewer, SearchOptions())
    return [hit.key for group in results.groups for hit in group.hits]


def test_search_never_finds_private_messages(search_backend, conversation, make_user):
    from blogapp.models import Role

    employee = make_user(Role.ADMIN)
    assert found("billing", Guest())  # the public comment is indexed
    assert found(SECRET_WORD, Guest()) == []
    assert found(SECRET_WORD, employee) == []
    pending = db.session.scalars(sa.select(SearchOutbox)).all()
    assert all(row.kind in ("post", "comment", "thread", "author") for row in pending)


def test_feeds_and_the_post_page_never_show_private_messages(app, client, conversation):
    post = conversation.comment.post
    for path in ("/feed.atom", f"/p/{post.slug}/comments.atom", f"/posts/{post.slug}", "/"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert SECRET_WORD not in page.text, path
    assert "A public question about billing." in client.get(f"/posts/{post.slug}").text


def test_webhook_payloads_carry_the_hand_off_but_no_private_words(
    app, receiver, make_user, make_post, make_comment
):
    jane, author, reader, post = people(make_user, make_post)
    question = make_comment(post, author=reader, body="A public question.")
    conversation = private.take_private(question, jane, f"First {SECRET_WORD} words")
    private.answer(conversation, author, f"Your {SECRET_WORD} is fixed")
    private.resolve(conversation, author)
    stored = db.session.scalars(sa.select(WebhookMessage.payload)).all()
    assert stored and all(SECRET_WORD not in payload for payload in stored)
    deliver_webhooks()
    bodies = [json.loads(body) for body, _ in receiver.received]
    assert any(b["event"] == "acknowledged" and b["kind"] == AckKind.PRIVATE for b in bodies)
    assert all(SECRET_WORD not in json.dumps(b) for b in bodies)


def test_the_wordpress_export_leaves_private_messages_out(runner, tmp_path, conversation):
    path = tmp_path / "site.xml"
    result = runner.invoke(args=["export", "wordpress", str(path)])
    assert result.exit_code == 0, result.output
    text = path.read_text(encoding="utf-8")
    assert "A public question about billing." in text
    assert SECRET_WORD not in text


def test_a_readers_own_data_export_leaves_private_messages_out(conversation):
    archive = zipfile.ZipFile(io.BytesIO(export_zip(conversation.comment.author)))
    everything = "".join(archive.read(name).decode() for name in archive.namelist())
    assert "A public question about billing." in everything
    assert SECRET_WORD not in everything
