"""The API's public reads, and how every answer under /api/ behaves: problem+json errors,
ETags, CORS, rate limits, body limits."""

import pytest

from blogapp.extensions import db
from blogapp.models import CommentStatus, PostStatus, Role, Tag
from tests.api_helpers import assert_problem, bearer, token_for


def test_posts_are_listed_newest_first_a_page_at_a_time(client, make_post):
    made = [make_post() for _ in range(5)]  # each a day older than the one before
    make_post(status=PostStatus.DRAFT, published_at=None)
    seen, cursor = [], None
    while True:
        query = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = client.get("/api/v1/posts", query_string=query).get_json()
        seen += [item["slug"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [p.slug for p in made]


def test_a_damaged_cursor_names_the_field(client):
    body = assert_problem(client.get("/api/v1/posts?cursor=%%%"), 422)
    assert body["errors"][0]["field"] == "cursor"
    assert "damaged" in body["errors"][0]["message"]


def test_a_post_has_its_tags_author_and_answer_rate(client, make_post, make_user):
    staff = make_user(Role.STAFF, name="Sam Staff", job_title="Support lead")
    post = make_post(author=staff, title="Release notes")
    post.tags.append(Tag(name="Releases", slug="releases"))
    db.session.commit()
    body = client.get(f"/api/v1/posts/{post.slug}").get_json()
    assert body["title"] == "Release notes"
    assert body["tags"] == [{"name": "Releases", "slug": "releases"}]
    assert body["author"]["name"] == "Sam Staff" and body["author"]["job_title"] == "Support lead"
    assert body["author"]["url"].endswith(f"/authors/{staff.slug}")
    assert "<strong>two</strong>" in body["body_html"]
    assert body["published_at"].endswith("Z")


def test_drafts_and_future_posts_are_404(client, make_post):
    draft = make_post(status=PostStatus.DRAFT, published_at=None)
    assert_problem(client.get(f"/api/v1/posts/{draft.slug}"), 404)
    assert_problem(client.get(f"/api/v1/posts/{draft.slug}/comments"), 404)


def test_the_thread_shows_answered_by_as_the_page_does(client, make_post, make_comment, make_user):
    staff = make_user(Role.STAFF, name="Ada Answer")
    post = make_post()
    question = make_comment(post, body="How do I export?")
    reply = make_comment(post, author=staff, parent=question, body="Use the export button.")
    held = make_comment(post, body="Held one", status=CommentStatus.HELD)
    body = client.get(f"/api/v1/posts/{post.slug}/comments").get_json()
    ids = [c["id"] for c in body["comments"]]
    assert ids == [question.id, reply.id] and held.id not in ids
    first = body["comments"][0]
    assert first["answer"]["label"] == "Answered by"
    assert first["answer"]["name"] == "Ada Answer" and first["answer"]["reply_id"] == reply.id
    assert body["comments"][1]["depth"] == 1 and body["comments"][1]["parent_id"] == question.id
    assert first["author"] == {
        "name": "Gail Guest",
        "job_title": None,
        "url": None,
        "is_employee": False,
    }
    page = client.get(f"/posts/{post.slug}").text
    assert "Answered by" in page and "Ada Answer" in page


def test_a_removed_comment_keeps_its_place_not_its_words(client, make_post, make_comment):
    post = make_post()
    gone = make_comment(post, body="Secret words", status=CommentStatus.REMOVED)
    make_comment(post, parent=gone, body="A reply")
    body = client.get(f"/api/v1/posts/{post.slug}/comments").get_json()
    placeholder = body["comments"][0]
    assert placeholder["status"] == "removed" and placeholder["body_html"] is None
    assert "Secret words" not in str(body)


def test_a_comment_permalink_shows_held_ones_only_to_their_author(client, make_post, make_user):
    from blogapp.comments.services import post_comment
    from blogapp.sitesettings.store import site_settings

    reader = make_user(Role.READER)
    post = make_post()
    comment = post_comment(post, "Mine", author=reader)
    comment.status = CommentStatus.HELD.value
    db.session.commit()
    assert site_settings()  # settings are read before the calls below count nothing
    assert_problem(client.get(f"/api/v1/comments/{comment.id}"), 404)
    other = make_user(Role.READER)
    assert_problem(
        client.get(f"/api/v1/comments/{comment.id}", headers=bearer(token_for(other))), 404
    )
    mine = client.get(f"/api/v1/comments/{comment.id}", headers=bearer(token_for(reader, "read")))
    assert mine.status_code == 200 and mine.get_json()["status"] == "held"


def test_search_uses_the_sites_rules(client, make_post, search_backend):
    post = make_post(title="Invoices in euros", body="Send **invoices** in any currency.")
    make_post(title="Secret draft about invoices", status=PostStatus.DRAFT, published_at=None)
    body = client.get("/api/v1/search", query_string={"q": "invoices"}).get_json()
    assert [g["post"] for g in body["groups"]] == [post.slug]
    assert body["groups"][0]["hits"][0]["url"].endswith(f"/posts/{post.slug}")
    assert_problem(client.get("/api/v1/search"), 422)


def test_public_figures(client):
    assert client.get("/api/v1/figures").get_json() == {"typical_response_time": None}


def test_reads_carry_an_etag_and_answer_304(client, make_post):
    post = make_post()
    first = client.get(f"/api/v1/posts/{post.slug}")
    etag = first.headers["ETag"]
    again = client.get(f"/api/v1/posts/{post.slug}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    post.title = "Changed"
    db.session.commit()
    changed = client.get(f"/api/v1/posts/{post.slug}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


@pytest.mark.parametrize(
    "method, path, status",
    [
        ("GET", "/api/v1/no-such-thing", 404),
        ("GET", "/api", 404),
        ("DELETE", "/api/v1/posts", 405),
        ("GET", "/api/v1/comments/99999999999999999999999", 404),
        ("GET", "/api/v1/posts?limit=abc", 422),
    ],
)
def test_errors_are_problem_json_never_html(client, method, path, status):
    assert_problem(client.open(path, method=method), status)


def test_malformed_json_and_wrong_type_and_too_large(client, make_user, make_post):
    post = make_post()
    token = token_for(make_user(Role.READER))
    url = f"/api/v1/posts/{post.slug}/comments"
    body = assert_problem(
        client.post(url, data="{nope", content_type="application/json", headers=bearer(token)), 400
    )
    assert body["type"].endswith("malformed-json")
    assert_problem(client.post(url, data="body=x", headers=bearer(token)), 415)
    huge = '{"body": "' + "x" * (1024 * 1024) + '"}'
    assert_problem(
        client.post(url, data=huge, content_type="application/json", headers=bearer(token)), 413
    )
    wrong = assert_problem(client.post(url, json={"body": 5}, headers=bearer(token)), 422)
    assert wrong["errors"][0]["field"] == "body"


def test_a_crash_is_a_500_problem(make_app, monkeypatch):
    from blogapp.api import public_ops

    app = make_app(PROPAGATE_EXCEPTIONS=False)

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(public_ops, "typical_response_time", broken)
    body = assert_problem(app.test_client().get("/api/v1/figures"), 500)
    assert "boom" not in str(body)


def test_rate_limit_per_token_with_ratelimit_headers(make_app, make_user):
    app = make_app(API_RATE_LIMIT="3 per minute")
    client = app.test_client()
    with app.app_context():
        token = token_for(make_user(Role.READER), "read")
    first = client.get("/api/v1/figures", headers=bearer(token))
    assert first.headers["RateLimit-Policy"] == '"default";q=3;w=60'
    assert first.headers["RateLimit"].startswith('"default";r=2;t=')
    client.get("/api/v1/figures", headers=bearer(token))
    client.get("/api/v1/figures", headers=bearer(token))
    over = assert_problem(client.get("/api/v1/figures", headers=bearer(token)), 429)
    assert "3 per 1 minute" in over["detail"]
    # Another token (or no token) has its own count.
    assert client.get("/api/v1/figures").status_code == 200


def test_cors_is_off_unless_an_origin_is_named(make_app, make_post):
    closed = make_app().test_client()
    origin = {"Origin": "https://docs.example.com"}
    assert (
        "Access-Control-Allow-Origin" not in closed.get("/api/v1/figures", headers=origin).headers
    )
    app = make_app(API_CORS_ORIGINS=("https://docs.example.com",))
    client = app.test_client()
    allowed = client.get("/api/v1/figures", headers=origin)
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://docs.example.com"
    assert "Access-Control-Allow-Credentials" not in allowed.headers
    other = client.get("/api/v1/figures", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    preflight = client.options("/api/v1/posts", headers=origin)
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET"
    # The thread is public; posting to it is not allowed from another origin.
    posting = client.options("/api/v1/posts/x/comments", headers=origin)
    assert posting.headers["Access-Control-Allow-Methods"] == "GET"
    assert "Authorization" not in posting.headers["Access-Control-Allow-Headers"]


def test_the_openapi_document_and_its_reference_page(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"] == "3.1.0"
    assert doc["paths"]["/posts/{slug}/comments"]["post"]["security"] == [{"token": ["comment"]}]
    assert "CommentIn" in doc["components"]["schemas"]
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and "<script" not in page.text.split("<main", 1)[-1]
    assert "POST /posts/{slug}/comments" in page.text


def test_an_id_past_any_column_is_404_for_every_method(client, make_user):
    token = token_for(make_user(Role.READER))
    huge = "/api/v1/comments/99999999999999999999999"
    assert_problem(client.patch(huge, json={"body": "x"}, headers=bearer(token)), 404)
    assert_problem(client.delete(huge, headers=bearer(token)), 404)
    # Past PostgreSQL's integer ids (comments.id is 32-bit there): 404, not an overflow.
    assert_problem(client.get("/api/v1/comments/6469693229", headers=bearer(token)), 404)
    assert_problem(
        client.patch("/api/v1/comments/6469693229", json={"body": "x"}, headers=bearer(token)), 404
    )
    assert_problem(client.delete("/api/v1/posts", headers=bearer(token)), 405)


def test_the_kept_thread_follows_every_change(client, make_post, make_comment, make_user):
    from blogapp.responses.services import acknowledge

    post = make_post()
    question = make_comment(post, body="First question")
    url = f"/api/v1/posts/{post.slug}/comments"
    first = client.get(url)
    assert [c["id"] for c in first.get_json()["comments"]] == [question.id]
    later = make_comment(post, body="Second question")
    assert [c["id"] for c in client.get(url).get_json()["comments"]] == [question.id, later.id]
    acknowledge(question, make_user(Role.STAFF, name="Sid Seen"), "On it")
    answered = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert answered.status_code == 200
    assert answered.get_json()["comments"][0]["answer"]["label"] == "Seen by"


def test_a_private_hand_off_shows_as_the_page_does_and_nothing_private(
    client, make_post, make_comment, make_user
):
    from blogapp.private.services import resolve, take_private

    jane = make_user(Role.MODERATOR, name="Jane Doe", job_title="Head of Support")
    post = make_post()
    question = make_comment(post, body="My invoice shows the wrong VAT number.")
    conversation = take_private(question, jane, "Secret account detail 4242")
    db.session.commit()
    answer = client.get(f"/api/v1/posts/{post.slug}/comments").get_json()["comments"][0]["answer"]
    assert answer["label"] == "Taken to private support by" and answer["name"] == "Jane Doe"
    assert answer["later"] is None and answer["resolved"] is None
    resolve(conversation, jane)
    db.session.commit()
    thread = client.get(f"/api/v1/posts/{post.slug}/comments")
    assert thread.get_json()["comments"][0]["answer"]["resolved"].startswith("Resolved privately")
    assert "4242" not in thread.text
    assert "4242" not in client.get(f"/api/v1/comments/{question.id}").text


def test_an_empty_cursor_is_refused_as_the_document_says(client):
    # Schemathesis sent ?cursor= as data the document forbids; it must be refused.
    body = assert_problem(client.get("/api/v1/posts?cursor="), 422)
    assert body["errors"][0]["field"] == "cursor"
    document = client.get("/api/v1/openapi.json").get_json()
    parameters = document["paths"]["/posts"]["get"]["parameters"]
    (cursor,) = [p for p in parameters if p["name"] == "cursor"]
    assert "minLength" in str(cursor["schema"])
