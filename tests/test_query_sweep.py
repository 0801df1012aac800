"""Odd but harmless query strings never crash a page: every GET route x hostile values.

The routes come from the app's own url_map, so a page added later is swept too; the
path parts are filled from a small seeded site so each request reaches its view.
"""

import io
from urllib.parse import urlencode

import pytest

from blogapp.extensions import db
from blogapp.importing import jobs
from blogapp.models import Revision, Role
from blogapp.private.services import take_private
from blogapp.responses import saved
from blogapp.webhooks.services import add_endpoint
from tests.studio_helpers import edit_post, write_post

# Every name a view reads from the query string (grep request.args), and a few it doesn't.
ARG_NAMES = [
    "page", "per_page", "cpage", "order", "weeks", "since", "until", "action", "actor",
    "comment", "view", "post", "author", "status", "from_revision", "next", "slug", "panel",
    "q", "kind", "authors", "held", "response", "by", "assignee", "parent_id",
    "reply", "ids",
]  # fmt: skip

HUGE = "99999999999999999999"
HOSTILE_VALUES = [
    HUGE,
    "-" + HUGE,
    "9223372036854775808",  # one past a signed 64-bit column
    "2147483648",  # one past PostgreSQL's integer, the id columns' type
    "4611686018427387904",  # fits a column, but not once multiplied by a page size
    "-1",
    "0",
    "abc",
    "1\x00",
    "\x00",
    "9999-12-31",
    "0001-01-01",
    "9999-12-31T23:59:59+14:00",
    "1e400",
    "NaN",
    "²",  # a digit to str.isdigit(), not to int()
    "١٢",  # Arabic-Indic digits: int() reads them
    "x" * 3000,
    "Ωμέγα 💥",
    " 1 ",
]
# A few requests beyond one value for every name.
EXTRA_QUERIES = [
    "_method=POST",
    "_method=DELETE&page=2",
    "page=1&page=" + HUGE,
    "q=test&page=" + HUGE,
    "q=%00",
    "q=test&by=" + HUGE + "&assignee=-1&kind=comments&held=y",
    "view=mine&post=" + HUGE,
    "since=9999-12-31&until=9999-12-31",
    "since=0001-01-01&until=0001-01-01",
    "order=newest&cpage=" + HUGE,
    "%ff=%ff",
    "q=date:9999-12-31",
    "q=date:>9999-12",
    "q=date:0001-01-01..9999-12-31",
    "q=author:%00",
]


@pytest.fixture
def site(client, auth, make_user, make_comment):
    """A small site: an admin's post (renamed once, so an old slug redirects), a tag, a
    revision, a comment with a reply; returns the admin and the values for path parts."""
    admin = make_user(Role.ADMIN, name="Ada Admin")
    auth.login(admin.email)
    write_post(client, title="Swept post", body="Words.", action="publish", tags="news")
    from blogapp.models import Post

    post = db.session.scalars(db.select(Post)).one()
    edit_post(client, post.id, action="publish", slug="swept-renamed")
    db.session.expire_all()
    auth.logout()
    comment = make_comment(post, body="A question?")
    make_comment(post, parent=comment, body="A follow-up.")
    revision = db.session.scalars(db.select(Revision)).first()
    endpoint = add_endpoint("http://127.0.0.1:9/hook", ["owed"], admin)
    job = jobs.start_dry_run(io.BytesIO(b"<rss/>"), "swept.xml", "wordpress", None, False, admin)
    private_question = make_comment(post, body="A private matter?")
    conversation = take_private(private_question, admin, "Let us talk privately.")
    return admin, {
        "slug": post.slug,
        "post_id": post.id,
        "comment_id": comment.id,
        "revision_id": revision.id,
        "name": "missing.png",
        "token": "not-a-token",
        "choice": "no",
        "filename": "css/site.css",
        "action": "similar",
        "user_id": admin.id,
        "endpoint_id": endpoint.id,
        "job_id": job.id,
        "conversation_id": conversation.id,
        "saved_id": saved.create(admin, "Swept", "Hi {name}", shared=True).id,
    }


def _tag_and_author_slugs(values: dict, admin) -> dict:
    return {"blog.tag": "news", "blog.author": admin.slug, "blog.post": values["slug"]}


def _get_routes(app, values: dict, admin) -> list[str]:
    special = _tag_and_author_slugs(values, admin)
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        params = {name: values[name] for name in rule.arguments}
        if "slug" in params:
            params["slug"] = special[rule.endpoint] if rule.endpoint in special else values["slug"]
        urls.append(rule.build(params, append_unknown=False)[1])
    urls.append("/posts/swept-post")  # the old slug: a redirect that keeps the query
    return sorted(set(urls))


def _status(client, url: str) -> int:
    """The status of ``url``, its whole body read (a streamed download, like the WXR
    export, runs its generator only then) and the response closed."""
    response = client.get(url)
    try:
        response.get_data()
    finally:
        response.close()
    return response.status_code


def _crashed(client, url: str, status: int, plain: dict) -> bool:
    """A 5xx, unless the page answers the same without any query (/readyz says 503 while
    no worker runs in the tests)."""
    if status < 500:
        return False
    if url not in plain:
        plain[url] = _status(client, url)
    return status == 500 or plain[url] != status


def _queries() -> list[str]:
    return [urlencode({n: v for n in ARG_NAMES}) for v in HOSTILE_VALUES] + EXTRA_QUERIES


@pytest.mark.parametrize("role", ["anonymous", "admin"])
def test_no_query_string_crashes_a_page(app, client, auth, site, role):
    admin, values = site
    if role == "admin":
        auth.login(admin.email)
    crashes, plain = [], {}
    routes = _get_routes(app, values, admin)
    for url in routes:
        for query in _queries():
            status = _status(client, f"{url}?{query}")
            if _crashed(client, url, status, plain):
                crashes.append(f"{status} {url}?{query[:120]}")
    assert not crashes, "\n".join(crashes)
    assert len(routes) >= 25


@pytest.mark.parametrize("role", ["anonymous", "admin"])
def test_each_name_alone_with_a_huge_or_odd_value(app, client, auth, site, role):
    """One name at a time, so a view that answers 404 to the first bad name still meets
    every other name on its own."""
    admin, values = site
    if role == "admin":
        auth.login(admin.email)
    crashes, plain = [], {}
    for url in _get_routes(app, values, admin):
        for name in ARG_NAMES:
            for value in (HUGE, "9999-12-31"):
                status = _status(client, f"{url}?{urlencode({name: value})}")
                if _crashed(client, url, status, plain):
                    crashes.append(f"{status} {url}?{name}={value!r}")
    assert not crashes, "\n".join(crashes)


@pytest.mark.parametrize("number", [HUGE, "²", "-1", "1\x00"], ids=ascii)
def test_odd_numbers_in_forms_hidden_fields_are_no_crash(client, auth, site, number):
    """parent_id, version and the queue's selected ids come back from a page we drew;
    anything else in them is refused or ignored, never a 500."""
    from blogapp.models import Post
    from tests.comment_helpers import submit
    from tests.conftest import csrf_from

    admin, values = site
    post = db.session.get(Post, values["post_id"])
    reply = submit(
        client, post, "A reply.", guest=("Gail Guest", "g@example.com"), parent_id=number
    )
    assert reply.status_code == (303 if number == "1\x00" else 400)  # the NUL is dropped
    auth.login(admin.email)
    token = csrf_from(client.get("/studio/").text)
    edited = edit_post(client, post.id, version=number)
    assert edited.status_code < 500
    restore = f"/studio/posts/{post.id}/revisions/{values['revision_id']}/restore"
    assert client.post(restore, data={"csrf_token": token, "version": number}).status_code < 500
    bulk = {
        "csrf_token": token,
        "action": "acknowledge",
        "ids": [number, str(values["comment_id"])],
    }
    assert client.post("/responses/bulk", data=bulk).status_code < 500


def test_the_sweep_reaches_the_views_it_means_to(app, client, auth, site):
    """The path parts filled in are real: the pages answer, not 404."""
    admin, values = site
    auth.login(admin.email)
    routes = _get_routes(app, values, admin)
    for url in [
        f"/posts/{values['slug']}",
        "/tags/news",
        f"/authors/{admin.slug}",
        f"/studio/posts/{values['post_id']}/revisions/{values['revision_id']}",
        f"/responses/{values['comment_id']}/similar",
        "/responses/audit",
    ]:
        assert url in routes
        assert client.get(url).status_code == 200, url
    assert client.get("/posts/swept-post").status_code == 301
