"""Revisions, history, restore, and two people editing one post."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.models import Post, Revision, Role
from blogapp.studio.revisions import diff_texts
from tests.conftest import csrf_from
from tests.studio_helpers import edit_post, editor_data, write_post


@pytest.fixture
def staff(client, auth, make_user):
    user = make_user(Role.STAFF, name="Priya Raman")
    auth.login(user.email)
    return user


def only_post() -> Post:
    return db.session.scalars(sa.select(Post)).one()


def revisions() -> list[Revision]:
    return list(db.session.scalars(sa.select(Revision).order_by(Revision.id)))


def test_every_save_that_changes_the_text_keeps_a_revision(client, staff):
    write_post(client, title="Plan", body="First line.")
    post = only_post()
    edit_post(client, post.id, body="First line.\nSecond line.")
    edit_post(client, post.id, tags="Roadmap")  # no text change: no revision
    edit_post(client, post.id, title="The plan")
    saved = revisions()
    assert [(r.title, r.body_source, r.kind) for r in saved] == [
        ("Plan", "First line.", "saved"),
        ("Plan", "First line.\nSecond line.", "saved"),
        ("The plan", "First line.\nSecond line.", "saved"),
    ]
    assert {r.author_id for r in saved} == {staff.id}
    db.session.refresh(post)
    assert post.version == 4 and saved[-1].version == 4


def test_history_lists_revisions_with_author_and_time(client, staff):
    write_post(client, title="Plan", body="One.")
    post = only_post()
    edit_post(client, post.id, body="Two.")
    page = client.get(f"/studio/posts/{post.id}/history").text
    assert page.count("Priya Raman") >= 2 and page.count(">Compare</a>") == 2
    assert re.search(r"\w+ \d+, \d{4} at \d\d:\d\d", page)


def test_revision_page_shows_a_safe_diff_against_the_current_text(client, staff):
    write_post(client, title="Plan", body="Keep this.\n<script>alert(1)</script>\nOld ending.")
    post = only_post()
    edit_post(
        client, post.id, title="New plan", body="Keep this.\n<script>alert(1)</script>\nNew ending."
    )
    first = revisions()[0]
    page = client.get(f"/studio/posts/{post.id}/revisions/{first.id}").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert re.search(r'diff-del".*?Old ending\.', page, re.S)
    assert re.search(r'diff-add".*?New ending\.', page, re.S)
    assert "Plan</span> → <span" in page  # the title change
    assert "Restore this revision" in page


def test_diff_texts_groups_changes_with_context():
    old = "\n".join(f"line {n}" for n in range(1, 21))
    new = old.replace("line 3", "line three").replace("line 18", "")
    diff = diff_texts("T", old, "T", new)
    assert (diff.added, diff.removed, len(diff.hunks)) == (2, 2, 2)
    assert [(d.op, d.text) for d in diff.hunks[0] if d.op != " "] == [
        ("-", "line 3"),
        ("+", "line three"),
    ]
    assert diff_texts("T", "same", "T", "same").same


def test_restoring_a_revision_makes_a_new_revision(client, staff):
    write_post(client, title="Plan", body="Original words.", action="publish")
    post = only_post()
    edit_post(client, post.id, title="Worse plan", body="Regrettable words.")
    first = revisions()[0]
    page = client.get(f"/studio/posts/{post.id}/revisions/{first.id}").text
    response = client.post(
        f"/studio/posts/{post.id}/revisions/{first.id}/restore",
        data={"csrf_token": csrf_from(page), "version": str(post.version)},
    )
    assert response.status_code == 302
    db.session.refresh(post)
    assert (post.title, post.body_source) == ("Plan", "Original words.")
    assert "Original words." in client.get(f"/posts/{post.slug}").text
    kinds = [(r.kind, r.restored_from_id) for r in revisions()]
    assert kinds == [("saved", None), ("saved", None), ("restored", first.id)]
    assert "Restored" in client.get(f"/studio/posts/{post.id}/history").text


def test_restore_based_on_an_old_version_is_refused(client, staff):
    write_post(client, title="Plan", body="One.")
    post = only_post()
    edit_post(client, post.id, body="Two.")
    page = client.get(f"/studio/posts/{post.id}/revisions/{revisions()[0].id}").text
    edit_post(client, post.id, body="Three.")  # someone saves meanwhile
    response = client.post(
        f"/studio/posts/{post.id}/revisions/{revisions()[0].id}/restore",
        data={
            "csrf_token": csrf_from(page),
            "version": re.search(r'name="version"[^>]*value="(\d+)"', page).group(1),
        },
        follow_redirects=True,
    )
    assert "compare again" in response.text
    db.session.refresh(post)
    assert post.body_source == "Three."


def test_another_posts_revision_is_404(client, staff):
    write_post(client, title="One", body="a")
    write_post(client, title="Two", body="b")
    one, two = db.session.scalars(sa.select(Post).order_by(Post.id)).all()
    other_revision = revisions()[-1]
    assert client.get(f"/studio/posts/{one.id}/revisions/{other_revision.id}").status_code == 404
    assert client.get(f"/studio/posts/{two.id}/revisions/{other_revision.id}").status_code == 200


def test_a_save_against_a_newer_version_shows_both_texts_and_loses_nothing(
    client, auth, staff, make_user
):
    write_post(client, title="Shared post", body="Common start.")
    post = only_post()
    priya_page = client.get(f"/studio/posts/{post.id}/edit").text  # Priya opens it
    admin = make_user(Role.ADMIN, name="Maya Okafor")
    auth.logout()
    auth.login(admin.email)  # Maya edits and saves meanwhile
    maya_page = client.get(f"/studio/posts/{post.id}/edit").text
    client.post(
        f"/studio/posts/{post.id}/edit",
        data=editor_data(
            maya_page, title="Shared post", body="Maya's careful edit.", action="save"
        ),
    )
    auth.logout()
    auth.login(staff.email)
    # Priya saves on top of the version she opened.
    response = client.post(
        f"/studio/posts/{post.id}/edit",
        data=editor_data(priya_page, title="Shared post", body="Priya's own words.", action="save"),
    )
    assert response.status_code == 409
    page = response.text
    assert "Maya&#39;s careful edit." in page and "Priya&#39;s own words." in page
    assert "Maya Okafor saved it" in page
    db.session.refresh(post)
    assert post.body_source == "Maya's careful edit."  # the saved text stays
    # Priya merges both in the form she was given, which carries the new version.
    merged = editor_data(page, title="Shared post", body="Maya's careful edit.\nPriya's own words.")
    response = client.post(f"/studio/posts/{post.id}/edit", data={**merged, "action": "save"})
    assert response.status_code == 302
    db.session.refresh(post)
    assert post.body_source == "Maya's careful edit.\nPriya's own words."
    assert [r.author.display_name for r in revisions()] == [
        "Priya Raman",
        "Maya Okafor",
        "Priya Raman",
    ]


def autosave(client, url: str, page_html: str, **fields):
    return client.post(
        url, data=editor_data(page_html, **fields), headers={"Accept": "application/json"}
    )


def test_autosave_creates_a_draft_then_keeps_saving_it(client, staff):
    page = client.get("/studio/posts/new").text
    response = autosave(
        client, "/studio/posts/autosave", page, title="Work in progress", body="Half a"
    )
    assert response.status_code == 200
    result = response.json
    post = only_post()
    assert result["post_id"] == post.id and result["version"] == 1
    assert re.fullmatch(r"\d\d:\d\d", result["saved_at"])
    assert post.status == "draft" and post.body_source == "Half a"
    edit_page = client.get(result["edit_url"]).text
    response = autosave(
        client, result["autosave_url"], edit_page, title="Work in progress", body="Half a thought"
    )
    assert response.json["version"] == 2
    db.session.refresh(post)
    assert post.body_source == "Half a thought"
    # One sitting of autosaves is one revision, not one per keystroke pause.
    assert [(r.kind, r.body_source) for r in revisions()] == [("autosaved", "Half a thought")]


def test_autosave_merge_window_ends(client, staff):
    page = client.get("/studio/posts/new").text
    autosave(client, "/studio/posts/autosave", page, title="Draft", body="One")
    first = revisions()[0]
    first.created_at -= timedelta(minutes=30)
    db.session.commit()
    post = only_post()
    autosave(
        client,
        f"/studio/posts/{post.id}/autosave",
        client.get(f"/studio/posts/{post.id}/edit").text,
        body="Two",
        title="Draft",
    )
    assert [r.body_source for r in revisions()] == ["One", "Two"]


def test_autosave_of_a_live_post_is_kept_aside_until_saved(client, staff):
    write_post(client, title="Live", body="Public words.", action="publish")
    post = only_post()
    page = client.get(f"/studio/posts/{post.id}/edit").text
    response = autosave(
        client,
        f"/studio/posts/{post.id}/autosave",
        page,
        title="Live",
        body="Public words, half-edi",
    )
    assert response.json["kept_aside"] is True
    db.session.refresh(post)
    assert post.body_source == "Public words." and "half-edi" not in client.get("/posts/live").text
    editor = client.get(f"/studio/posts/{post.id}/edit").text
    assert "not live yet" in editor
    pending = revisions()[-1]
    continued = client.get(f"/studio/posts/{post.id}/edit?from_revision={pending.id}").text
    assert "Public words, half-edi" in continued
    client.post(
        f"/studio/posts/{post.id}/edit",
        data=editor_data(continued, title="Live", body="Public words, edited.", action="save"),
    )
    db.session.refresh(post)
    assert post.body_source == "Public words, edited."
    assert [r.kind for r in revisions()] == ["saved", "saved"]  # the aside copy is superseded


def test_autosave_against_a_newer_version_says_so(client, staff):
    write_post(client, title="Draft", body="One")
    post = only_post()
    page = client.get(f"/studio/posts/{post.id}/edit").text
    edit_post(client, post.id, body="Two")
    response = autosave(
        client, f"/studio/posts/{post.id}/autosave", page, title="Draft", body="Mine"
    )
    assert response.status_code == 409 and "press Save to compare" in response.json["error"]
    db.session.refresh(post)
    assert post.body_source == "Two"


def test_autosave_without_a_token_or_with_bad_input_is_a_json_error(client, staff):
    response = client.post("/studio/posts/autosave", data={"title": "x", "body": "y"})
    assert response.status_code == 400 and "security token" in response.json["error"]
    page = client.get("/studio/posts/new").text
    response = autosave(client, "/studio/posts/autosave", page, title="", body="words")
    assert response.status_code == 400 and response.json["error"] == "A post needs a title."
    assert db.session.scalars(sa.select(Post)).all() == []
