"""Posts through the API: drafts written and updated through the editor's service, the
version guarding against a lost update, scheduling and publishing."""

from datetime import UTC, datetime, timedelta

from blogapp.extensions import db
from blogapp.models import Post, Role
from tests.api_helpers import assert_problem, bearer, token_for


def _create(client, token, **fields):
    return client.post("/api/v1/studio/posts", json=fields, headers=bearer(token))


def test_write_a_draft_then_publish_it(client, make_user):
    staff = make_user(Role.STAFF)
    token = token_for(staff, "publish")
    created = _create(client, token, title="Release 2.0", body="It is **out**.", tags=["Releases"])
    assert created.status_code == 201, created.data
    draft = created.get_json()
    assert draft["status"] == "draft" and draft["version"] == 1 and draft["slug"] == "release-2-0"
    assert draft["tags"] == ["Releases"]
    assert_problem(client.get(f"/api/v1/posts/{draft['slug']}"), 404)
    published = client.post(
        f"/api/v1/studio/posts/{draft['id']}/publish", json={"version": 1}, headers=bearer(token)
    ).get_json()
    assert published["status"] == "published" and published["version"] == 2
    public = client.get(f"/api/v1/posts/{draft['slug']}").get_json()
    assert public["author"]["name"] == staff.display_name


def test_the_editors_rules_and_messages(client, make_user):
    token = token_for(make_user(Role.STAFF), "publish")
    no_title = assert_problem(_create(client, token, body="Text"), 422)
    assert no_title["errors"] == [{"field": "title", "message": "A post needs a title."}]
    long_title = assert_problem(_create(client, token, title="x" * 201), 422)
    assert long_title["errors"][0]["field"] == "title"
    draft = _create(client, token, title="Empty").get_json()
    empty = client.post(
        f"/api/v1/studio/posts/{draft['id']}/publish", json={"version": 1}, headers=bearer(token)
    )
    assert (
        assert_problem(empty, 422)["errors"][0]["message"] == "Write something before publishing."
    )


def test_a_stale_version_is_a_409_with_the_current_post(client, make_user):
    token = token_for(make_user(Role.STAFF), "publish")
    draft = _create(client, token, title="First", body="One").get_json()
    url = f"/api/v1/studio/posts/{draft['id']}"
    assert (
        client.patch(url, json={"version": 1, "body": "Two"}, headers=bearer(token)).status_code
        == 200
    )
    stale = assert_problem(
        client.patch(url, json={"version": 1, "title": "Mine"}, headers=bearer(token)), 409
    )
    assert stale["current"]["version"] == 2 and stale["current"]["body"] == "Two"
    assert db.session.get(Post, draft["id"]).title == "First"


def test_schedule_needs_a_future_time(client, make_user):
    token = token_for(make_user(Role.STAFF), "publish")
    draft = _create(client, token, title="Later", body="Soon").get_json()
    url = f"/api/v1/studio/posts/{draft['id']}/schedule"
    past = datetime.now(UTC) - timedelta(hours=1)
    refused = client.post(
        url, json={"version": 1, "publish_at": past.isoformat()}, headers=bearer(token)
    )
    assert assert_problem(refused, 422)["errors"][0]["field"] == "publish_at"
    naive = client.post(
        url, json={"version": 1, "publish_at": "2099-01-01T10:00:00"}, headers=bearer(token)
    )
    assert_problem(naive, 422)
    when = "2099-01-01T10:00:00+02:00"
    scheduled = client.post(
        url, json={"version": 1, "publish_at": when}, headers=bearer(token)
    ).get_json()
    assert (
        scheduled["status"] == "scheduled" and scheduled["published_at"] == "2099-01-01T08:00:00Z"
    )


def test_only_the_author_or_an_admin_edits(client, make_user):
    author, other, admin = make_user(Role.STAFF), make_user(Role.STAFF), make_user(Role.ADMIN)
    draft = _create(client, token_for(author, "publish"), title="Mine").get_json()
    url = f"/api/v1/studio/posts/{draft['id']}"
    assert_problem(client.get(url, headers=bearer(token_for(other, "publish"))), 403)
    edited = client.patch(
        url, json={"version": 1, "title": "Fixed"}, headers=bearer(token_for(admin, "publish"))
    )
    assert edited.status_code == 200 and edited.get_json()["title"] == "Fixed"
    assert_problem(
        client.get("/api/v1/studio/posts/999", headers=bearer(token_for(admin, "publish"))), 404
    )
