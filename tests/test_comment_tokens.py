"""The comment form's tokens. A guest's need no session, so the post page served to an
anonymous reader (from the page cache) sets no cookie; they are signed for the guest's
address, and a signed-in reader must still send the token tied to their session."""

import pytest

from blogapp.models import Role
from tests.comment_helpers import GAIL, comments_of, form_fields
from tests.conftest import csrf_from

TEXT = "Can the **invoice reminders** go out in Spanish?"
ELSEWHERE = {"REMOTE_ADDR": "203.0.113.9"}


def guest_form(app, post, **environ) -> dict:
    """The comment form's fields as a browser with no cookies at all is given them."""
    browser = app.test_client()
    page = browser.get(f"/posts/{post.slug}", environ_base=environ)
    assert page.status_code == 200
    assert "Set-Cookie" not in page.headers, "an anonymous post page sets no cookie"
    return form_fields(page.text) | {"body": TEXT, "name": GAIL[0], "email": GAIL[1]}


def test_anonymous_pages_set_no_cookie_and_their_form_posts(app, make_post):
    post = make_post()
    drawn = guest_form(app, post)  # the first view draws the page and stores it
    cached = guest_form(app, post)  # the second comes from the page cache
    assert drawn["csrf_token"] and cached["csrf_token"]
    response = app.test_client().post(f"/posts/{post.slug}/comments", data=cached)
    assert response.status_code == 303
    (comment,) = comments_of(post)
    assert comment.guest_name == GAIL[0] and comment.author_id is None


def test_a_guest_token_from_another_address_is_refused_and_the_text_kept(app, make_post):
    post = make_post()
    data = guest_form(app, post)
    browser = app.test_client()
    response = browser.post(f"/posts/{post.slug}/comments", data=data, environ_base=ELSEWHERE)
    assert response.status_code == 400
    assert "security token" in response.text and "invoice reminders" in response.text
    assert comments_of(post) == []
    # The form it gives back carries a token for the new address, and that one posts.
    again = form_fields(response.text) | {"body": TEXT, "name": GAIL[0], "email": GAIL[1]}
    retry = browser.post(f"/posts/{post.slug}/comments", data=again, environ_base=ELSEWHERE)
    assert retry.status_code == 303 and len(comments_of(post)) == 1


@pytest.mark.parametrize("token", ["", "garbage", "guest.AAAAAA.forged-signature"])
def test_a_missing_or_forged_guest_token_is_refused(app, make_post, token):
    post = make_post()
    data = guest_form(app, post) | {"csrf_token": token}
    response = app.test_client().post(f"/posts/{post.slug}/comments", data=data)
    assert response.status_code == 400 and "security token" in response.text
    assert "invoice reminders" in response.text and comments_of(post) == []


def test_a_signed_in_reader_cannot_post_with_a_guest_token(app, client, auth, make_user, make_post):
    post = make_post()
    make_user(Role.READER, name="Rita Reader", email="rita@example.com")
    guest_token = guest_form(app, post)["csrf_token"]
    auth.login("rita@example.com")
    own = client.get(f"/posts/{post.slug}").text
    assert csrf_from(own) != guest_token
    data = form_fields(own) | {"body": TEXT, "csrf_token": guest_token}
    response = client.post(f"/posts/{post.slug}/comments", data=data)
    assert response.status_code == 400 and "security token" in response.text
    assert "invoice reminders" in response.text and comments_of(post) == []
    data["csrf_token"] = csrf_from(own)
    assert client.post(f"/posts/{post.slug}/comments", data=data).status_code == 303
    (comment,) = comments_of(post)
    assert comment.author.display_name == "Rita Reader"


def test_the_preview_takes_a_guest_token(app, make_post):
    post = make_post()
    data = guest_form(app, post)
    response = app.test_client().post(
        f"/posts/{post.slug}/comments/preview",
        data=data,
        headers={"X-Requested-With": "parley-preview"},
    )
    assert response.status_code == 200
    assert "<strong>invoice reminders</strong>" in response.json["html"]
    forged = app.test_client().post(
        f"/posts/{post.slug}/comments/preview",
        data=data,
        headers={"X-Requested-With": "parley-preview"},
        environ_base=ELSEWHERE,
    )
    assert forged.status_code == 400 and "error" in forged.json


def test_the_shared_form_clock_still_keeps_its_minimum_fill_time(app, make_post):
    post = make_post()
    app.config["COMMENT_MIN_FILL_SECONDS"] = 30
    data = guest_form(app, post)
    response = app.test_client().post(f"/posts/{post.slug}/comments", data=data)
    assert response.status_code == 400 and "very quick" in response.text
    assert "invoice reminders" in response.text and comments_of(post) == []


@pytest.mark.parametrize(
    "headers, accepted",
    [
        ({"Origin": "https://evil.example"}, False),
        ({"Sec-Fetch-Site": "cross-site"}, False),
        ({"Sec-Fetch-Site": "same-site"}, False),
        ({"Origin": "null"}, False),
        ({"Sec-Fetch-Site": "same-origin", "Origin": "http://parley.test"}, True),
        ({"Origin": "http://parley.test"}, True),
    ],
)
def test_a_guest_form_must_come_from_this_site(app, make_post, headers, accepted):
    """Everyone behind one address can read a guest's token: the browser's own word on
    where the form was sent from keeps another site from posting in a visitor's name."""
    post = make_post()
    data = guest_form(app, post)
    response = app.test_client().post(f"/posts/{post.slug}/comments", data=data, headers=headers)
    if accepted:
        assert response.status_code == 303 and len(comments_of(post)) == 1
    else:
        assert response.status_code == 400 and "security token" in response.text
        assert "invoice reminders" in response.text and comments_of(post) == []
