"""Posting comments and replies: who may, what they see, permalinks, closing, the feed."""

import re
from datetime import timedelta

import feedparser
import pytest

from blogapp.models import CommentStatus, Role
from blogapp.models.base import utcnow
from tests.comment_helpers import GAIL, comments_of, form_fields, submit
from tests.conftest import csrf_from


def test_reader_comment_is_published_and_shown_with_count(client, auth, make_user, make_post):
    post = make_post()
    make_user(Role.READER, name="Rita Reader", email="rita@example.com")
    auth.login("rita@example.com")
    response = submit(client, post, "Does this work with **multi-currency** accounts?")
    assert response.status_code == 303
    (comment,) = comments_of(post)
    assert response.headers["Location"].endswith(f"/posts/{post.slug}#c{comment.id}")
    assert (
        comment.status == CommentStatus.PUBLISHED and comment.author.display_name == "Rita Reader"
    )
    page = client.get(f"/posts/{post.slug}").text
    assert "Thanks — your comment is posted." in page
    assert "1 comment<" in page and "<strong>multi-currency</strong>" in page
    assert f'id="c{comment.id}"' in page


def test_first_time_guest_is_held_and_sees_awaiting_moderation(client, app, make_post):
    post = make_post()
    response = submit(client, post, "Hello from a first-time visitor.", guest=GAIL)
    assert response.status_code == 303
    (comment,) = comments_of(post)
    assert comment.status == CommentStatus.HELD and comment.guest_email == "gail@example.com"
    own_view = client.get(f"/posts/{post.slug}").text
    assert "Hello from a first-time visitor." in own_view and "Awaiting moderation" in own_view
    assert "0 comments" in own_view
    stranger = app.test_client().get(f"/posts/{post.slug}").text
    assert "Hello from a first-time visitor." not in stranger
    assert "gail@example.com" not in own_view.replace('value="gail@example.com"', "")


def test_returning_guest_is_published_and_email_never_shown(client, app, make_post, make_comment):
    post = make_post()
    make_comment(post, guest=GAIL, body="An earlier approved comment.")
    submit(client, post, "Back again with a question.", guest=GAIL)
    assert comments_of(post)[-1].status == CommentStatus.PUBLISHED
    page = app.test_client().get(f"/posts/{post.slug}").text
    assert "Back again with a question." in page and "Gail Guest" in page
    assert "gail@example.com" not in page


def test_guest_comments_can_be_turned_off(client, app, make_post):
    app.config["COMMENTS_ALLOW_GUESTS"] = False
    post = make_post()
    page = client.get(f"/posts/{post.slug}").text
    assert "log in</a> or" in page and 'name="body"' not in page
    token = csrf_from(client.get("/account/login").text)
    response = client.post(
        f"/posts/{post.slug}/comments",
        data={"csrf_token": token, "body": "Sneaky", "name": "X Y", "email": "x@y.z"},
    )
    assert response.status_code == 400
    assert comments_of(post) == []


def test_guest_must_give_name_and_valid_email_and_keeps_text(client, make_post):
    post = make_post()
    response = submit(client, post, "My words stay.", guest=("", "not-an-email"))
    assert response.status_code == 400
    assert "Invalid email address." in response.text
    assert "My words stay.</textarea>" in response.text
    response = submit(client, post, "My words stay.", guest=("A", "a@example.com"))
    assert "Please give a name of at least 2 characters." in response.text
    assert "My words stay.</textarea>" in response.text
    assert comments_of(post) == []


def test_staff_comment_carries_name_title_and_mark_that_guests_cannot_fake(
    client, app, auth, make_user, make_post
):
    post = make_post()
    make_user(
        Role.STAFF, name="Priya Raman", email="priya@example.com", job_title="Head of Support"
    )
    response = submit(client, post, "I'm staff, honest.", guest=("Priya Raman", "fake@example.com"))
    assert response.status_code == 400
    assert "too close to a Tallyworks employee&#39;s" in response.text
    body = '<span class="staff-mark">Staff</span> **Official**'
    submit(client, post, body, guest=("Mallory", "mallory@example.com"))
    auth.login("priya@example.com")
    submit(client, post, "Yes, we can help with that.")
    auth.logout()
    page = client.get(f"/posts/{post.slug}").text
    assert page.count('<span class="staff-mark"') == 1
    assert "Head of Support" in page
    assert re.search(r'class="comment-author" href="/authors/[^"]+">Priya Raman</a>', page)


def test_reply_form_page_without_javascript_and_nested_reply(client, auth, make_user, make_post):
    post = make_post()
    make_user(Role.READER, email="rita@example.com", name="Rita Reader")
    make_user(Role.READER, email="omar@example.com", name="Omar Other")
    auth.login("rita@example.com")
    submit(client, post, "Top-level question.")
    (question,) = comments_of(post)
    auth.logout()
    auth.login("omar@example.com")
    reply_page = client.get(f"/comments/{question.id}/reply")
    assert reply_page.status_code == 200
    assert "Reply to Rita Reader" in reply_page.text and "Top-level question." in reply_page.text
    assert f'name="parent_id" type="hidden" value="{question.id}"' in reply_page.text
    response = submit(
        client, post, "A nested answer.", parent=question, page_url=f"/comments/{question.id}/reply"
    )
    assert response.status_code == 303
    reply = comments_of(post)[-1]
    assert reply.parent_id == question.id and reply.root_id == question.id
    page = client.get(f"/posts/{post.slug}").text
    nested = re.search(
        rf'id="c{question.id}".*?<ol class="replies">\s*<li[^>]*id="c{reply.id}"', page, re.S
    )
    assert nested, "the reply is drawn inside its parent's replies"


def test_rejected_reply_comes_back_on_the_reply_page_with_text(
    client, auth, make_user, make_post, make_comment
):
    post = make_post()
    question = make_comment(post, body="Question?")
    make_user(Role.READER, email="rita@example.com")
    auth.login("rita@example.com")
    response = submit(client, post, "x", parent=question)
    assert response.status_code == 400
    assert "Reply to Gail Guest" in response.text
    assert "Please write at least 2 characters." in response.text
    assert "\nx</textarea>" in response.text


def test_reply_to_a_comment_of_another_post_is_refused_with_text_kept(
    client, make_post, make_comment, auth, make_user
):
    post, other = make_post(), make_post()
    elsewhere = make_comment(other, body="Elsewhere")
    make_user(Role.READER, email="rita@example.com")
    auth.login("rita@example.com")
    response = submit(client, post, "Misplaced reply", parent=elsewhere)
    assert response.status_code == 400
    assert "no longer available" in response.text and "Misplaced reply</textarea>" in response.text
    assert comments_of(post) == []


def test_preview_without_javascript_renders_markdown_and_keeps_text(client, make_post):
    post = make_post()
    page = client.get(f"/posts/{post.slug}").text
    data = form_fields(page) | {"body": "Is *this* [safe](javascript:alert(1))?", "preview": "1"}
    response = client.post(f"/posts/{post.slug}/comments/preview", data=data)
    assert response.status_code == 200
    assert '<p class="preview-label">Preview</p>' in response.text
    assert (
        "<em>this</em>" in response.text
        and "javascript:" not in response.text.split("<textarea")[0]
    )
    assert "Is *this* [safe](javascript:alert(1))?</textarea>" in response.text
    assert comments_of(post) == []


def test_preview_for_javascript_returns_rendered_html(client, make_post):
    post = make_post()
    page = client.get(f"/posts/{post.slug}").text
    response = client.post(
        f"/posts/{post.slug}/comments/preview",
        data=form_fields(page) | {"body": "**bold** <script>x</script>"},
        headers={"X-Requested-With": "parley-preview"},
    )
    assert response.json["html"] == "<p><strong>bold</strong> &lt;script&gt;x&lt;/script&gt;</p>"
    refused = client.post(
        f"/posts/{post.slug}/comments/preview",
        data={"body": "from elsewhere"},
        headers={"X-Requested-With": "parley-preview", "Origin": "https://elsewhere.example"},
    )
    assert refused.status_code == 400 and "another site" in refused.json["error"]


def test_missing_csrf_token_is_explained_on_the_form_with_text_kept(
    client, auth, make_user, make_post
):
    post = make_post()
    make_user(Role.READER, email="rita@example.com")
    auth.login("rita@example.com")
    response = client.post(
        f"/posts/{post.slug}/comments",
        data={"body": "Typed with care.", "name": "Al", "email": "a@b.co"},
    )
    assert response.status_code == 400
    assert (
        "missing its security token" in response.text
        and "Typed with care.</textarea>" in response.text
    )


def test_closed_post_shows_closed_and_refuses_posts(client, make_post, make_comment):
    post = make_post(comments_open=False)
    make_comment(post, body="From before it closed")
    page = client.get(f"/posts/{post.slug}").text
    assert "Comments are closed." in page and 'name="body"' not in page
    assert "Reply</a>" not in page and "From before it closed" in page
    token = csrf_from(client.get("/account/login").text)
    response = client.post(
        f"/posts/{post.slug}/comments",
        data={"csrf_token": token, "body": "Let me in", "name": "Al Bo", "email": "a@b.co"},
    )
    assert response.status_code == 403
    assert "Comments are closed on this post." in response.text and "Let me in" in response.text
    assert len(comments_of(post)) == 1


def test_comments_close_automatically_after_n_days(client, app, make_post):
    app.config["COMMENTS_CLOSE_AFTER_DAYS"] = 30
    old = make_post(published_at=utcnow() - timedelta(days=31))
    fresh = make_post(published_at=utcnow() - timedelta(days=29))
    assert "Comments are closed." in client.get(f"/posts/{old.slug}").text
    assert "Comments are closed." not in client.get(f"/posts/{fresh.slug}").text
    response = submit(client, fresh, "Still open?", guest=GAIL)
    assert response.status_code == 303
    page = client.get(f"/posts/{fresh.slug}").text
    data = form_fields(page) | {"body": "Too late", "name": "Al Bo", "email": "a@b.co"}
    assert (
        "Comments are closed on this post."
        in client.post(f"/posts/{old.slug}/comments", data=data).text
    )
    assert client.post(f"/posts/{old.slug}/comments", data=data).status_code == 403


def test_permalink_redirects_to_the_comment_and_hides_non_public_ones(
    client, app, make_post, make_comment
):
    post = make_post()
    shown = make_comment(post, body="visible")
    held = make_comment(post, body="held", status=CommentStatus.HELD)
    spam = make_comment(post, body="spam", status=CommentStatus.SPAM)
    response = client.get(f"/c/{shown.id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/posts/{post.slug}#c{shown.id}")
    assert client.get(f"/c/{held.id}").status_code == 404
    assert client.get(f"/c/{spam.id}").status_code == 404
    assert client.get("/c/99999").status_code == 404


def test_held_guest_comment_permalink_works_for_its_author(client, make_post):
    post = make_post()
    submit(client, post, "Mine, held.", guest=GAIL)
    (held,) = comments_of(post)
    assert client.get(f"/c/{held.id}").status_code == 302


def test_permalink_finds_the_page_of_its_thread(client, app, make_post, make_comment):
    app.config["COMMENT_THREADS_PER_PAGE"] = 3
    post = make_post()
    start = utcnow() - timedelta(hours=10)
    roots = [
        make_comment(post, body=f"root {n}", created_at=start + timedelta(minutes=n))
        for n in range(7)
    ]
    late_reply = make_comment(post, parent=roots[4], body="reply on page two")
    location = client.get(f"/c/{late_reply.id}").headers["Location"]
    assert location.endswith(f"/posts/{post.slug}?cpage=2#c{late_reply.id}")
    page_two = client.get(f"/posts/{post.slug}?cpage=2").text
    assert "reply on page two" in page_two and "root 4" in page_two and "root 0" not in page_two
    assert "Conversations page 2 of 3" in page_two and "7 comments" not in page_two
    assert "8 comments" in page_two
    newest = client.get(f"/posts/{post.slug}?order=newest").text
    assert "root 6" in newest and "root 0" not in newest


def test_newest_first_orders_top_level_threads_but_not_replies(client, make_post, make_comment):
    post = make_post()
    start = utcnow() - timedelta(hours=5)
    first = make_comment(post, body="first root", created_at=start)
    make_comment(post, body="second root", created_at=start + timedelta(hours=1))
    make_comment(post, parent=first, body="early reply", created_at=start + timedelta(hours=2))
    make_comment(post, parent=first, body="late reply", created_at=start + timedelta(hours=3))
    page = client.get(f"/posts/{post.slug}?order=newest").text
    assert page.index("second root") < page.index("first root")
    assert page.index("early reply") < page.index("late reply")
    assert "<strong>Newest first</strong>" in page
    oldest = client.get(f"/posts/{post.slug}").text
    assert oldest.index("first root") < oldest.index("second root")


def test_deep_replies_are_capped_in_indent_and_say_who_they_answer(
    client, make_post, make_comment, make_user
):
    post = make_post()
    parent = make_comment(post, body="level 0")
    for level in range(1, 7):
        author = make_user(Role.READER, name=f"Person {level}")
        parent = make_comment(post, parent=parent, author=author, body=f"level {level}")
    page = client.get(f"/posts/{post.slug}").text
    assert "depth-5" not in page and page.count("depth-4") == 3
    assert "replying to Person 5" in page and "replying to Person 4" in page
    assert "replying to Person 3" not in page


def test_comment_feed_parses_cleanly_and_lists_public_comments(
    client, make_post, make_comment, make_user
):
    post = make_post(title="Feeds & <Things>")
    staff = make_user(Role.STAFF, name="Tom Becker")
    make_comment(post, body="Guest says *hi*", guest=("Gail", "gail@secret.example"))
    make_comment(post, author=staff, body="Staff answers")
    make_comment(post, body="Held text", status=CommentStatus.HELD)
    response = client.get(f"/p/{post.slug}/comments.atom")
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.feed.title.startswith("Comments on “Feeds & <Things>”")
    assert [e.author for e in feed.entries] == ["Tom Becker (staff)", "Gail"]
    assert "<em>hi</em>" in feed.entries[1].content[0].value
    assert feed.entries[1].link.endswith("/c/1")
    assert b"gail@secret.example" not in response.data and b"Held text" not in response.data
    assert client.get("/p/no-such-post/comments.atom").status_code == 404


@pytest.mark.parametrize("order", ["", "?order=newest"])
def test_post_page_links_the_comment_feed(client, make_post, order):
    post = make_post()
    page = client.get(f"/posts/{post.slug}{order}").text
    assert f'href="/p/{post.slug}/comments.atom"' in page
