"""Absolute links come from SITE_URL, never from a forged Host or X-Forwarded-Host, and a
host outside TRUSTED_HOSTS is refused (issue 12, finding 3)."""

import re
import secrets
from datetime import timedelta

import pytest
import sqlalchemy as sa

from blogapp import ConfigError, create_app, register_proxy_fix
from blogapp.extensions import db
from blogapp.models import MailMessage, Role, SlugRedirect
from blogapp.models.base import utcnow
from config import DevelopmentConfig, ProductionConfig
from tests.comment_helpers import submit

SITE = "https://blog.example.com"
FORGED = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
URL_RE = re.compile(r"https?://[^\s\"'<>]+")


@pytest.fixture
def site(app):
    """The app behind one proxy (PROXY_COUNT=1), with SITE_URL set."""
    app.config.update(SITE_URL=SITE, PROXY_COUNT=1)
    register_proxy_fix(app)
    return app


@pytest.fixture
def forged(site):
    """A client whose every request names evil.example, directly and through the proxy."""
    client = site.test_client()
    original = client.open

    def open_forged(*args, **kwargs):
        kwargs["headers"] = {**FORGED, **dict(kwargs.get("headers") or {})}
        return original(*args, **kwargs)

    client.open = open_forged
    return client


def all_urls(text: str) -> list[str]:
    urls = URL_RE.findall(text)
    assert urls, "the text has absolute links to check"
    return urls


def assert_on_site(text: str) -> None:
    assert "evil.example" not in text
    for url in all_urls(text):
        if "w3.org" not in url and "sitemaps.org" not in url:  # XML namespaces
            assert url.startswith(SITE + "/"), url


def test_the_forged_client_really_forges(forged, site):
    """Without SITE_URL the forged host would be believed: the test can fail."""
    site.config.update(SITE_URL="", SERVER_NAME=None)
    assert "http://evil.example/" in forged.get("/robots.txt").text
    site.config["SITE_URL"] = SITE
    assert f"Sitemap: {SITE}/sitemap.xml" in forged.get("/robots.txt").text


def test_notification_mail_and_its_unsubscribe_link_use_site_url(
    forged, site, smtp, make_user, make_post
):
    site.config["COMMENTS_HOLD_FIRST_GUESTS"] = False
    post = make_post(author=make_user(Role.STAFF, email="tom@tallyworks.example"))
    submit(forged, post, "A question from a forged host", guest=("Gail", "gail@example.com"))
    (received,) = smtp.received
    text = received.raw.decode()
    assert_on_site(text)
    message = received.message
    body = message.get_body(("plain",)).get_content()
    assert f"{SITE}/c/" in body and f"{SITE}/mail/unsubscribe/" in body
    assert message["List-Unsubscribe"].startswith(f"<{SITE}/mail/unsubscribe/")
    (row,) = db.session.scalars(sa.select(MailMessage))
    assert row.unsubscribe_url.startswith(f"{SITE}/mail/unsubscribe/")
    page = forged.get(row.unsubscribe_url.removeprefix(SITE))
    assert page.status_code == 200 and "evil.example" not in page.text


def test_feeds_sitemap_and_robots_use_site_url(forged, make_post, make_comment):
    post = make_post(slug="pricing")
    make_comment(post, body="A comment")
    for path in ("/feed.atom", "/p/pricing/comments.atom", "/sitemap.xml", "/robots.txt"):
        response = forged.get(path)
        assert response.status_code == 200, path
        assert_on_site(response.text)
    assert f"<loc>{SITE}/posts/pricing</loc>" in forged.get("/sitemap.xml").text


def test_redirects_never_name_the_forged_host(forged, make_post):
    post = make_post(slug="new-name")
    db.session.add(SlugRedirect(old_slug="old-name", post_id=post.id))
    db.session.commit()
    moved = forged.get("/posts/old-name?sort=newest")
    assert moved.status_code == 301
    assert moved.headers["Location"] in (
        "/posts/new-name?sort=newest",
        f"{SITE}/posts/new-name?sort=newest",
    )
    # The router's own redirect (a missing trailing slash) is absolute: on SITE_URL.
    slash = forged.get("/studio")
    assert slash.status_code == 308 and slash.headers["Location"] == f"{SITE}/studio/"


def test_digest_from_the_cli_builds_links_from_site_url(
    site, runner, make_user, make_post, make_comment
):
    """No request, no SERVER_NAME: `flask responses digest` used to fail asking for one."""
    site.config.update(SERVER_NAME=None, MAIL_SEND_AFTER_COMMIT=False)
    author = make_user(Role.STAFF, email="tom@tallyworks.example")
    post = make_post(author=author)
    make_comment(post, body="Still waiting", created_at=utcnow() - timedelta(days=3))
    with site.app_context():  # a new context builds its URL adapter from the config now
        result = runner.invoke(args=["responses", "digest"])
    assert result.exit_code == 0, result.output
    assert "Queued 1 digest message." in result.output
    (row,) = db.session.scalars(sa.select(MailMessage))
    assert f"{SITE}/responses" in row.body_text and f"{SITE}/c/" in row.body_text
    assert_on_site(row.body_text)


def test_digest_without_site_url_says_what_to_set(app, runner):
    app.config.update(SITE_URL="", SERVER_NAME=None)
    result = runner.invoke(args=["responses", "digest"])
    assert result.exit_code == 1 and "set SITE_URL" in result.output


def test_without_site_url_development_keeps_the_request_host(client, app):
    assert not app.config["SITE_URL"]
    assert "Sitemap: http://parley.test/sitemap.xml" in client.get("/robots.txt").text


@pytest.mark.parametrize("through_proxy", [False, True])
def test_untrusted_host_is_refused_with_400(site, make_post, through_proxy):
    site.config["TRUSTED_HOSTS"] = ["blog.example.com", "parley.test"]
    make_post(slug="pricing")
    client = site.test_client()
    assert client.get("/posts/pricing").status_code == 200
    assert client.get("/posts/pricing").status_code == 200, "now from the page store"
    header = "X-Forwarded-Host" if through_proxy else "Host"
    for path in ("/posts/pricing", "/", "/robots.txt"):
        assert client.get(path, headers={header: "evil.example"}).status_code == 400, path
    assert client.get("/", headers={header: "blog.example.com"}).status_code == 200


def test_stored_pages_fall_through_to_flask_for_an_untrusted_host(site, make_post):
    """The page store answers before Flask: it must not serve a host Flask would refuse."""
    make_post(slug="pricing")
    client = site.test_client()
    client.get("/posts/pricing")
    site.config["TRUSTED_HOSTS"] = ["parley.test"]
    refused = client.get("/posts/pricing", headers={"Host": "evil.example"})
    assert refused.status_code == 400
    assert client.get("/posts/pricing").status_code == 200


def test_production_refuses_to_start_without_site_url(tmp_path):
    with pytest.raises(ConfigError, match="set SITE_URL"):
        create_app(
            ProductionConfig,
            SECRET_KEY=secrets.token_hex(32),
            SITE_URL="",
            INSTANCE_DIR=str(tmp_path),
        )


@pytest.mark.parametrize(
    "bad",
    ["blog.example.com", "ftp://blog.example.com", "https://blog.example.com/blog", "https://"],
)
def test_site_url_must_be_an_origin(bad, tmp_path):
    with pytest.raises(ConfigError, match="SITE_URL"):
        create_app(DevelopmentConfig, SITE_URL=bad, INSTANCE_DIR=str(tmp_path))
