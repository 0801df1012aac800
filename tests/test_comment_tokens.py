"""The guest comment form carries nothing personal (comments/forms.py): no token, since the
browser's own word (Sec-Fetch-Site, Origin) says whether it was sent from this site, and
no clock, which starts when the form is first used. So the anonymous post page is the same
for every visitor and a shared cache may keep it; a signed-in reader's form keeps its
session token and clock."""

import pytest

from blogapp.comments import forms
from blogapp.models import Role
from tests.comment_helpers import GAIL, SHOWN_RE, comments_of, form_fields
from tests.conftest import csrf_from

TEXT = "Can the **invoice reminders** go out in Spanish?"
VISITORS = (
    {"REMOTE_ADDR": "198.51.100.1"},
    {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": "192.0.2.77"},
    {"REMOTE_ADDR": "198.51.100.200", "HTTP_X_FORWARDED_FOR": "192.0.2.78"},
)


def guest_form(app, post, **environ) -> dict:
    """The comment form's fields as a browser with no cookies at all is given them."""
    page = app.test_client().get(f"/posts/{post.slug}", environ_base=environ)
    assert page.status_code == 200 and "Set-Cookie" not in page.headers
    return form_fields(page.text) | {"body": TEXT, "name": GAIL[0], "email": GAIL[1]}


def test_anonymous_pages_are_byte_identical_for_every_visitor_and_each_can_post(app, make_post):
    post = make_post()
    pages = [
        app.test_client().get(f"/posts/{post.slug}", environ_base=visitor)
        for visitor in VISITORS  # the first draws and stores the page, the others get it
    ]
    assert pages[0].data == pages[1].data == pages[2].data
    assert 'name="csrf_token"' not in pages[0].text and not SHOWN_RE.search(pages[0].text)
    for n, visitor in enumerate(VISITORS[:2]):
        data = form_fields(pages[n].text) | {"body": f"{TEXT} ({n})", "name": GAIL[0]}
        browser = app.test_client()
        sent = browser.post(
            f"/posts/{post.slug}/comments",
            data=data | {"email": GAIL[1]},
            environ_base=visitor,
            headers={"Sec-Fetch-Site": "same-origin", "Origin": "http://parley.test"},
        )
        assert sent.status_code == 303, sent.text
    assert len(comments_of(post)) == 2


CROSS_SITE = [
    {"Origin": "https://evil.example"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
    {"Sec-Fetch-Site": "cross-site", "Origin": "http://parley.test"},
    {"Origin": "null"},
]


@pytest.mark.parametrize("headers", CROSS_SITE)
def test_a_cross_site_guest_post_is_refused_with_the_text_kept(app, make_post, headers):
    post = make_post()
    data = guest_form(app, post)
    response = app.test_client().post(f"/posts/{post.slug}/comments", data=data, headers=headers)
    assert response.status_code == 400
    assert "sent from a page on another site" in response.text
    assert "invoice reminders" in response.text and comments_of(post) == []


@pytest.mark.parametrize(
    "headers, accepted",
    [
        ({"Origin": "https://blog.example.com"}, True),
        ({"Sec-Fetch-Site": "same-origin"}, True),
        ({}, True),  # not a browser, so not a forgery in a visitor's name
        ({"Origin": "http://blog.example.com"}, False),
        ({"Origin": "http://parley.test"}, False),  # the request's host, not SITE_URL's
    ],
)
def test_a_guests_origin_is_checked_against_site_url(app, make_post, headers, accepted):
    app.config["SITE_URL"] = "https://blog.example.com"
    post = make_post()
    data = guest_form(app, post)
    response = app.test_client().post(f"/posts/{post.slug}/comments", data=data, headers=headers)
    assert response.status_code == (303 if accepted else 400)
    assert len(comments_of(post)) == (1 if accepted else 0)


def test_a_signed_in_reader_must_send_their_session_token(app, client, auth, make_user, make_post):
    post = make_post()
    make_user(Role.READER, name="Rita Reader", email="rita@example.com")
    auth.login("rita@example.com")
    own = client.get(f"/posts/{post.slug}")
    assert own.headers["Cache-Control"] == "private" and "ETag" not in own.headers
    data = form_fields(own.text) | {"body": TEXT, "csrf_token": ""}
    response = client.post(f"/posts/{post.slug}/comments", data=data)
    assert response.status_code == 400 and "security token" in response.text
    assert "invoice reminders" in response.text and comments_of(post) == []
    data["csrf_token"] = csrf_from(own.text)
    assert client.post(f"/posts/{post.slug}/comments", data=data).status_code == 303
    (comment,) = comments_of(post)
    assert comment.author.display_name == "Rita Reader"


def test_the_guest_form_clock_starts_when_the_form_is_first_used(app, make_post, monkeypatch):
    seconds = iter(range(1_800_000_000, 1_900_000_000, 10))  # ten seconds a tick
    monkeypatch.setattr(forms, "time", type("Clock", (), {"time": lambda: next(seconds)}))
    app.config["COMMENT_MIN_FILL_SECONDS"] = 5
    post = make_post()
    browser = app.test_client()
    page = browser.get(f"/posts/{post.slug}").text
    clock_url = f"/posts/{post.slug}/comments/clock"
    assert f'src="{clock_url}"' in page and 'loading="lazy"' in page
    image = browser.get(clock_url)
    assert image.mimetype == "image/gif" and image.headers["Cache-Control"] == "no-store"
    cookie = image.headers["Set-Cookie"]
    assert f"Path=/posts/{post.slug}/comments;" in cookie and "SameSite=Strict" in cookie
    assert "Set-Cookie" not in browser.get(f"/posts/{post.slug}").headers
    data = form_fields(page) | {"body": TEXT, "name": GAIL[0], "email": GAIL[1]}
    assert browser.post(f"/posts/{post.slug}/comments", data=data).status_code == 303


def test_a_guest_form_sent_without_a_clock_comes_back_with_one(app, make_post, monkeypatch):
    seconds = iter(range(1_800_000_000, 1_900_000_000, 10))
    monkeypatch.setattr(forms, "time", type("Clock", (), {"time": lambda: next(seconds)}))
    app.config["COMMENT_MIN_FILL_SECONDS"] = 5
    post = make_post()
    data = guest_form(app, post)
    first = app.test_client().post(f"/posts/{post.slug}/comments", data=data)
    assert first.status_code == 400 and "send it again" in first.text
    assert "invoice reminders" in first.text and comments_of(post) == []
    again = form_fields(first.text) | {"body": TEXT, "name": GAIL[0], "email": GAIL[1]}
    assert again["shown"], "the form came back with its clock started"
    assert app.test_client().post(f"/posts/{post.slug}/comments", data=again).status_code == 303


def test_the_preview_takes_a_guest_form_from_this_site_only(app, make_post):
    post = make_post()
    data = guest_form(app, post)
    url, asking = f"/posts/{post.slug}/comments/preview", {"X-Requested-With": "parley-preview"}
    response = app.test_client().post(url, data=data, headers=asking)
    assert response.status_code == 200
    assert "<strong>invoice reminders</strong>" in response.json["html"]
    forged = app.test_client().post(
        url, data=data, headers=asking | {"Sec-Fetch-Site": "cross-site"}
    )
    assert forged.status_code == 400 and "another site" in forged.json["error"]
