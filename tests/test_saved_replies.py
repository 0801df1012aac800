"""Saved replies: named snippets, personal or shared, kept on /responses/saved and inserted
into a reply box with the customer's name and the post's title filled in (by the page's
script, or without JavaScript by the "Insert" button)."""

import html

import pytest
import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.models import Role, SavedReply
from blogapp.responses import saved
from tests.conftest import csrf_from
from tests.replying_helpers import browser, opened_from


@pytest.fixture
def team(make_user, separate_browsers):
    return {
        "priya": make_user(Role.STAFF, name="Priya Patel", email="priya@example.com"),
        "sam": make_user(Role.STAFF, name="Sam Stone", email="sam@example.com"),
        "mod": make_user(Role.MODERATOR, name="Mona Moderator", email="mod@example.com"),
        "rita": make_user(Role.READER, name="Rita Reader", email="rita@example.com"),
    }


def add(client, title, body, shared=False):
    page = client.get("/responses/saved").text
    data = {"csrf_token": csrf_from(page), "title": title, "body": body}
    if shared:
        data["shared"] = "y"
    return client.post("/responses/saved", data=data)


def all_saved() -> list[SavedReply]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(SavedReply).order_by(SavedReply.id)))


def test_add_change_and_delete_a_saved_reply(app, team):
    priya = browser(app, "priya@example.com")
    assert "Saved replies" in priya.get("/responses").text  # linked from the queue
    response = add(priya, "Export", "Hi {name}, use Export on {post}.")
    assert response.status_code == 303
    (one,) = all_saved()
    assert (one.title, one.owner_id, one.shared) == ("Export", team["priya"].id, False)
    assert "Hi {name}, use Export on {post}." in priya.get("/responses/saved").text

    form = priya.get(f"/responses/saved/{one.id}").text
    assert 'value="Export"' in form
    changed = priya.post(
        f"/responses/saved/{one.id}",
        data={
            "csrf_token": csrf_from(form),
            "title": "Export (CSV)",
            "body": "Use CSV.",
            "shared": "y",
        },
    )
    assert changed.status_code == 303
    (one,) = all_saved()
    assert (one.title, one.body, one.shared) == ("Export (CSV)", "Use CSV.", True)

    page = priya.get("/responses/saved").text  # deleting asks first: it is everyone's
    assert "Delete “Export (CSV)” for every employee? This cannot be undone." in page
    deleted = priya.post(f"/responses/saved/{one.id}/delete", data={"csrf_token": csrf_from(form)})
    assert deleted.status_code == 303 and all_saved() == []


@pytest.mark.parametrize(
    "title, body, message",
    [
        ("", "Text", "Please give the saved reply a name."),
        ("Name", "   ", "Please write the text of the saved reply."),
        ("x" * 81, "Text", "At most 80 characters."),
        ("Name", "y" * 5001, "A saved reply has at most 5000 characters."),
    ],
)
def test_a_bad_saved_reply_says_why_and_keeps_the_text(app, team, title, body, message):
    priya = browser(app, "priya@example.com")
    response = add(priya, title, body)
    assert response.status_code == 400
    assert message in response.text
    if body.strip():
        assert html.escape(body) in response.text
    assert all_saved() == []


def test_two_of_ones_own_saved_replies_cannot_share_a_name(app, team):
    priya = browser(app, "priya@example.com")
    add(priya, "Export", "One")
    response = add(priya, "export", "Two")
    assert response.status_code == 400 and "You already have a saved reply called" in response.text
    assert "Two</textarea>" in response.text
    # Another person may use the name.
    assert add(browser(app, "sam@example.com"), "Export", "Sam's").status_code == 303


def test_personal_ones_are_private_shared_ones_seen_by_all_and_changed_by_moderators(app, team):
    priya = browser(app, "priya@example.com")
    add(priya, "Mine only", "Private text")
    add(priya, "For the team", "Shared text", shared=True)
    mine, shared = all_saved()

    sam = browser(app, "sam@example.com")
    page = sam.get("/responses/saved").text
    assert "Private text" not in page and "Mine only" not in page
    assert "Shared text" in page and "shared by Priya Patel" in page
    assert sam.get(f"/responses/saved/{mine.id}").status_code == 404
    assert sam.post(f"/responses/saved/{mine.id}/delete", data={}).status_code == 404
    assert sam.get(f"/responses/saved/{shared.id}").status_code == 403  # seen, not changed
    assert f"/responses/saved/{shared.id}/delete" not in page
    assert "Private text" not in sam.get("/responses").text  # nor in the reply box's menu

    mod = browser(app, "mod@example.com")
    form = mod.get(f"/responses/saved/{shared.id}").text
    assert "Share with every employee" not in form  # only the owner decides that
    mod.post(
        f"/responses/saved/{shared.id}",
        data={"csrf_token": csrf_from(form), "title": "For the team", "body": "Fixed by Mona"},
    )
    assert all_saved()[1].body == "Fixed by Mona" and all_saved()[1].shared
    assert mod.get(f"/responses/saved/{mine.id}").status_code == 404


@pytest.mark.parametrize("who, status", [(None, 302), ("rita@example.com", 403)])
def test_customers_have_no_saved_replies(app, team, who, status):
    client = browser(app, who) if who else app.test_client()
    assert client.get("/responses/saved").status_code == status
    with pytest.raises(saved.SavedReplyError):
        saved.create(team["rita"], "Mine", "Text", False)


def test_insert_without_javascript_fills_the_name_escaped_and_keeps_the_text(
    app, team, make_post, make_comment
):
    post = make_post(author=team["sam"], title="Billing & <you>")
    question = make_comment(post, body="Help?", guest=("<script>alert(1)</script>", "x@x.org"))
    priya = browser(app, "priya@example.com")
    add(priya, "Thanks", "Thanks {name}, about {post}: see the FAQ.")
    (snippet,) = all_saved()

    queue = priya.get("/responses").text
    # The reply box's menu carries the raw snippet; the item its customer's name, escaped.
    assert 'data-text="Thanks {name}, about {post}: see the FAQ."' in queue
    assert 'data-name="&lt;script&gt;alert(1)&lt;/script&gt;"' in queue
    assert "<script>alert(1)" not in queue

    response = priya.post(
        f"/responses/{question.id}/insert",
        data={
            "csrf_token": csrf_from(queue),
            "next": "/responses",
            "opened": opened_from(queue),
            "body": "Hello,",
            "saved": str(snippet.id),
        },
    )
    assert response.status_code == 200
    assert (
        "Hello,\n\nThanks &lt;script&gt;alert(1)&lt;/script&gt;, about Billing &amp; &lt;you&gt;:"
        " see the FAQ.</textarea>"
    ) in response.text
    assert "<script>alert(1)" not in response.text
    assert f'name="opened" value="{opened_from(queue)}"' in response.text  # still as opened


def test_insert_refuses_a_snippet_one_may_not_see(app, team, make_post, make_comment):
    question = make_comment(make_post(author=team["sam"]), body="Help?")
    add(browser(app, "sam@example.com"), "Sam's own", "Secret")
    (secret,) = all_saved()
    priya = browser(app, "priya@example.com")
    queue = priya.get("/responses").text
    response = priya.post(
        f"/responses/{question.id}/insert",
        data={"csrf_token": csrf_from(queue), "body": "Kept text", "saved": str(secret.id)},
    )
    assert response.status_code == 400
    assert "Please choose a saved reply to insert." in response.text
    assert "Kept text</textarea>" in response.text and "Secret" not in response.text


def test_fill_replaces_only_the_known_placeholders(app, team, make_post, make_comment):
    question = make_comment(make_post(title="Roadmap"), guest=("Alex", "a@x.org"))
    text = "Hi {name} — {post} — {other} {{name}}"
    assert saved.filled(text, question) == "Hi Alex — Roadmap — {other} {Alex}"


def test_the_post_page_reply_box_gets_them_filled_in(app, team, make_post, make_comment):
    post = make_post(author=team["sam"], title="Billing")
    question = make_comment(post, body="Help?", guest=("<i>Al</i>", "al@x.org"))
    priya = browser(app, "priya@example.com")
    add(priya, "Thanks", "Thanks {name} ({post})")
    listed = priya.get(f"/responses/saved.json?comment={question.id}").json
    assert [(s["title"], s["text"]) for s in listed["saved"]] == [
        ("Thanks", "Thanks <i>Al</i> (Billing)")  # JSON, put in the box as text by comments.js
    ]
    assert "data-saved-url" in priya.get(f"/posts/{post.slug}").text
    assert "data-saved-url" not in browser(app, "rita@example.com").get(f"/posts/{post.slug}").text
    assert priya.get("/responses/saved.json?comment=999999").status_code == 404

    # Without JavaScript: the reply page's menu and its Insert button.
    page = priya.get(f"/comments/{question.id}/reply").text
    assert 'data-text="Thanks &lt;i&gt;Al&lt;/i&gt; (Billing)"' in page
    (snippet,) = all_saved()
    response = priya.post(
        f"/comments/{question.id}/reply",
        data={
            "csrf_token": csrf_from(page),
            "parent_id": str(question.id),
            "opened": opened_from(page),
            "body": "Hello,",
            "saved": str(snippet.id),
        },
    )
    assert response.status_code == 200
    assert "Hello,\n\nThanks &lt;i&gt;Al&lt;/i&gt; (Billing)</textarea>" in response.text
    assert f'name="opened" value="{opened_from(page)}"' in response.text
    # A reader has no such button, and no such route.
    rita = browser(app, "rita@example.com")
    assert "Saved reply" not in rita.get(f"/comments/{question.id}/reply").text
    assert rita.post(f"/comments/{question.id}/reply", data={}).status_code == 404
