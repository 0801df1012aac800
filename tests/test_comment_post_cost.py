"""What posting one comment costs the site: one trip to the renderer, a bounded number of
queries. Counted, never timed (bench/post_comment.py times it)."""

import sqlalchemy as sa
from sqlalchemy import event

from blogapp import renderers
from blogapp.extensions import db
from blogapp.models import Comment, Follow, MailMessage, Role
from tests.comment_helpers import GAIL, form_fields

# The request's own statements with the outboxes left to the worker: the sign-in, the
# post, the duplicate check, the comment, its search and mail outbox rows, the mail
# opt-out check and the page the redirect names. Ten before the new comment's values
# were kept past the commit (the redirect reloaded the comment and the post).
POST_STATEMENTS = 8
# A signed-in customer's POST also follows the thread: one INSERT … ON CONFLICT DO NOTHING
# (blogapp/follows/services.py), so the page the redirect shows says "You follow". A
# guest's POST, or a reader's who turned "follow a thread when I comment" off, costs none.
FOLLOW_STATEMENTS = 1


def send_comment(
    app, client, post, body: str, monkeypatch=None, statements=None, guest=None
):
    """GET the page, then POST the form; renderer calls and SQL counted for the POST only."""
    with app.app_context():
        data = form_fields(client.get(f"/posts/{post.slug}").text) | {"body": body}
    if guest:
        data |= {"name": guest[0], "email": guest[1]}
    calls = []
    if monkeypatch is not None:
        real = renderers.render

        def counted(kind, source, timeout, workers):
            calls.append(kind)
            return real(kind, source, timeout, workers)

        monkeypatch.setattr(renderers, "render", counted)

    def record(conn, cursor, statement, *args):
        if statements is not None:
            statements.append(" ".join(statement.split())[:80])

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            response = client.post(f"/posts/{post.slug}/comments", data=data)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
    return response, calls


def test_posting_a_comment_renders_it_once_for_the_page_the_rules_and_the_mail(
    app, client, auth, make_user, make_post, monkeypatch
):
    app.config["COMMENT_BLOCKED_WORDS"] = ["ledger fraud"]
    post = make_post()
    reader = make_user(Role.READER)
    auth.login(reader.email)

    response, calls = send_comment(
        app, client, post, "About the **tariff** _export_, see `x`.", monkeypatch
    )

    assert response.status_code == 303
    assert calls == ["comment+text"]
    comment = db.session.scalar(sa.select(Comment))
    assert "<strong>tariff</strong>" in comment.body_html
    mail = db.session.scalar(sa.select(MailMessage).where(MailMessage.kind == "new_comment"))
    # The excerpt is the plain text of that one render: no Markdown marks left.
    assert "About the tariff export, see x." in mail.body_text

    # The word rule reads the same text: markup cannot hide a blocked phrase.
    refused, calls = send_comment(app, client, post, "Pure **ledger** fraud here.", monkeypatch)
    assert refused.status_code == 400 and calls == ["comment+text"]
    assert "ledger fraud" in refused.text


def test_posting_a_comment_asks_a_bounded_number_of_queries(
    app, client, auth, make_user, make_post
):
    app.config.update(SEARCH_DRAIN_AFTER_COMMIT=False, MAIL_SEND_AFTER_COMMIT=False)
    post = make_post()
    reader = make_user(Role.READER)
    auth.login(reader.email)
    statements: list[str] = []

    response, _ = send_comment(app, client, post, "A question about invoices?", None, statements)

    assert response.status_code == 303
    assert len(statements) <= POST_STATEMENTS + FOLLOW_STATEMENTS, statements
    comment = db.session.scalar(sa.select(Comment))
    assert response.headers["Location"].endswith(f"/posts/{post.slug}#c{comment.id}")
    assert sum(s.startswith("INSERT INTO comments") for s in statements) == 1
    assert sum(s.startswith("INSERT INTO follows") for s in statements) == 1


def test_following_costs_nothing_for_a_guest_or_a_reader_who_turned_it_off(
    app, client, auth, make_user, make_post
):
    app.config.update(
        SEARCH_DRAIN_AFTER_COMMIT=False,
        MAIL_SEND_AFTER_COMMIT=False,
        COMMENTS_HOLD_FIRST_GUESTS=False,
    )
    post = make_post()
    guest_statements: list[str] = []
    response, _ = send_comment(
        app, client, post, "A guest's question?", None, guest_statements, guest=GAIL
    )
    assert response.status_code == 303
    assert len(guest_statements) <= POST_STATEMENTS, guest_statements
    assert not any("follows" in s for s in guest_statements)

    reader = make_user(Role.READER)
    reader.follow_on_comment = False
    db.session.commit()
    auth.login(reader.email)
    statements: list[str] = []
    response, _ = send_comment(app, client, post, "A reader's question?", None, statements)
    assert response.status_code == 303
    assert len(statements) <= POST_STATEMENTS, statements
    assert db.session.scalar(sa.select(sa.func.count(Follow.id))) == 0
