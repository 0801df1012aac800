"""Hostile Markdown can't stop the site: every render of typed text has a hard budget.

The corpus (tests/data/pathological_markdown/) is posted as a comment, as a
comment preview and as a post body through the real views; each input is either
rendered or refused with the "too complex" message and the text kept. No timing
is asserted here: bench/render.py measures it.
"""

import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from markupsafe import escape

from blogapp.contentio.services import import_directory
from blogapp.extensions import db
from blogapp.markup import RenderRefused, render_comment, render_post
from blogapp.models import Comment, Post, Role
from blogapp.renderers import REFUSAL, RendererPool
from tests.comment_helpers import form_fields
from tests.pathological import load_corpus
from tests.studio_helpers import editor_data, write_post

CORPUS = load_corpus()
# Short, so each input over budget costs little; normal texts render in milliseconds.
TEST_BUDGET_SECONDS = 0.2
JSON_PREVIEW = {"X-Requested-With": "parley-preview"}
ROOT = Path(__file__).resolve().parent.parent


def shorten_budget(app) -> None:
    """From here on, texts over budget cost little. Called after the fixtures' own renders,
    which keep the default (seconds): a tiny text must never be refused on a busy machine."""
    app.config["RENDER_TIMEOUT_SECONDS"] = TEST_BUDGET_SECONDS


@pytest.fixture
def staff(make_user, auth):
    user = make_user(Role.STAFF)
    auth.login(user.email)
    return user


def comment_fields(client, post) -> dict:
    return form_fields(client.get(f"/posts/{post.slug}").text)


def shows(message: str, page: str) -> bool:
    return str(escape(message)) in page


def kept(text: str, page: str) -> bool:
    """Whether the person's text comes back in the form, as typed."""
    return str(escape(text)) in page


def test_the_corpus_is_big_enough_and_sized_like_attacks():
    assert len(CORPUS) >= 20
    for entry in CORPUS:
        for limit in (5_000, 100_000):
            text = entry.text(limit)
            assert limit * 0.9 <= len(text) <= limit, (entry.name, limit, len(text))


@pytest.mark.parametrize("entry", CORPUS, ids=[e.name for e in CORPUS])
def test_pathological_input_is_rendered_or_refused_on_every_surface(
    client, app, staff, make_post, entry
):
    post = make_post()
    shorten_budget(app)
    comment = entry.text(app.config["COMMENT_MAX_LENGTH"])

    sent = client.post(
        f"/posts/{post.slug}/comments", data=comment_fields(client, post) | {"body": comment}
    )
    if sent.status_code == 303:
        assert db.session.scalar(sa.select(Comment.body_source)) == comment.strip()
    else:
        assert sent.status_code == 400, entry.name
        assert shows(REFUSAL, sent.text) or "A comment may contain at most" in sent.text, entry.name
        assert kept(comment, sent.text), f"{entry.name}: the comment's text was lost"

    preview = client.post(
        f"/posts/{post.slug}/comments/preview",
        data=comment_fields(client, post) | {"body": comment},
        headers=JSON_PREVIEW,
    )
    if preview.status_code == 200:
        assert isinstance(preview.json["html"], str)
    else:
        assert (preview.status_code, preview.json) == (400, {"error": REFUSAL}), entry.name

    body = entry.text(app.config["POST_MAX_LENGTH"])
    saved = write_post(client, title=f"About {entry.name}", body=body)
    if saved.status_code == 302:
        assert db.session.scalar(sa.select(Post.body_source).where(Post.id != post.id)) == body
    else:
        assert saved.status_code == 400, entry.name
        assert shows(REFUSAL, saved.text), entry.name
        assert kept(body, saved.text), f"{entry.name}: the post's text was lost"


def test_preview_without_javascript_refuses_and_keeps_the_text(client, app, make_post):
    post = make_post()
    shorten_budget(app)
    text = "[" * 5000
    response = client.post(
        f"/posts/{post.slug}/comments/preview",
        data=comment_fields(client, post) | {"body": text, "preview": "1"},
    )
    assert response.status_code == 400
    assert shows(REFUSAL, response.text) and kept(text, response.text)
    assert '<p class="preview-label">Preview</p>' in response.text  # the form, not a blank page


def test_preview_is_held_to_the_comment_length_before_rendering(client, app, make_post):
    post = make_post()
    text = "a" * (app.config["COMMENT_MAX_LENGTH"] + 1)
    fields = comment_fields(client, post) | {"body": text}
    as_json = client.post(f"/posts/{post.slug}/comments/preview", data=fields, headers=JSON_PREVIEW)
    assert as_json.status_code == 400
    assert as_json.json["error"].startswith("Comments can be at most 5,000 characters")
    page = client.post(f"/posts/{post.slug}/comments/preview", data=fields | {"preview": "1"})
    assert page.status_code == 400
    assert "Comments can be at most 5,000 characters" in page.text and kept(text, page.text)


def test_posts_have_a_maximum_length_in_the_editor_and_its_preview(client, app, staff):
    app.config["POST_MAX_LENGTH"] = 1_000
    text = "word " * 201
    saved = write_post(client, title="Too long", body=text)
    assert saved.status_code == 400
    assert "at most 1,000 characters; this one has 1,005" in saved.text and kept(text, saved.text)
    assert db.session.scalar(sa.select(sa.func.count(Post.id))) == 0
    token = editor_data(client.get("/studio/posts/new").text)["csrf_token"]
    preview = client.post("/studio/preview", data={"body": text, "csrf_token": token})
    assert preview.status_code == 400 and "at most 1,000 characters" in preview.json["error"]


def test_studio_live_preview_refuses_as_json(client, app, staff):
    shorten_budget(app)
    token = editor_data(client.get("/studio/posts/new").text)["csrf_token"]
    preview = client.post("/studio/preview", data={"body": "[" * 20_000, "csrf_token": token})
    assert preview.status_code == 400
    assert preview.json == {"error": REFUSAL, "fields": {"body": [REFUSAL]}}


def test_a_stored_post_too_complex_to_render_still_opens_in_the_editor(
    client, app, staff, make_post
):
    post = make_post(author=staff)
    post.body_source = "[" * 20_000  # stored before budgets existed
    shorten_budget(app)
    db.session.commit()
    page = client.get(f"/studio/posts/{post.id}/edit")
    assert page.status_code == 200
    assert shows(REFUSAL, page.text) and kept(post.body_source, page.text)


def test_nesting_deeper_than_the_renderer_handles_is_refused():
    with pytest.raises(RenderRefused):
        render_comment("- " * 2_000 + "a")
    assert render_comment("- a") == "<ul>\n<li>a</li>\n</ul>"  # the pool goes on


POST_FILE = """---
title: "{title}"
slug: {slug}
author: {author}
published: 2026-10-06 09:30
---
{body}
"""


def test_import_skips_a_file_too_long_or_too_complex_and_imports_the_rest(
    tmp_path, app, runner, make_user
):
    author = make_user(Role.STAFF).email
    posts = tmp_path / "posts"
    posts.mkdir()
    bodies = {"fine": "Hello.", "complex": "[" * 20_000, "long": "word " * 25_000}
    for slug, body in bodies.items():
        text = POST_FILE.format(title=slug, slug=slug, author=author, body=body)
        (posts / f"{slug}.md").write_text(text, encoding="utf-8")
    report = import_directory(posts)
    assert report.created == ["fine"]
    assert report.skipped == [
        f"complex.md: {REFUSAL}",
        "long.md: the body has 125,001 characters; the most is 100,000",
    ]
    assert db.session.scalars(sa.select(Post.slug)).all() == ["fine"]
    result = runner.invoke(args=["content", "import", str(posts)])
    assert result.exit_code == 0, result.output
    assert "0 created, 0 updated, 1 unchanged, 2 skipped." in result.output
    assert f"Skipped complex.md: {REFUSAL}" in result.output


@pytest.mark.alone  # a page must come back within a 1.5 s render
def test_the_site_answers_while_a_pathological_render_runs(app, client, make_post):
    # Long enough that the slow render is surely still running when the page comes back.
    app.config["RENDER_TIMEOUT_SECONDS"] = 1.5
    post = make_post()
    fields = comment_fields(client, post) | {"body": "[" * 5000}
    outcome = {}

    def preview():
        response = app.test_client().post(
            f"/posts/{post.slug}/comments/preview", data=fields, headers=JSON_PREVIEW
        )
        outcome["preview"] = response.status_code, response.json

    slow = threading.Thread(target=preview)
    slow.start()
    try:
        page = client.get(f"/posts/{post.slug}")
        other_finished_first = slow.is_alive()
    finally:
        slow.join(30)
    assert page.status_code == 200
    assert other_finished_first
    assert outcome["preview"] == (400, {"error": REFUSAL})


def test_renderer_processes_end_when_the_app_process_ends(tmp_path):
    script = textwrap.dedent(
        """
        import os, signal, sys
        from blogapp import markup, renderers

        def main():
            assert markup.render_post("*hi*") == "<p><em>hi</em></p>"
            print(" ".join(map(str, renderers.pool(2).worker_pids())), flush=True)
            if sys.argv[1] == "killed":
                os.kill(os.getpid(), signal.SIGKILL)

        if __name__ == "__main__":
            main()
        """
    )
    path = tmp_path / "render_once.py"
    path.write_text(script, encoding="utf-8")
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    for ending in ("exits", "killed"):
        run = subprocess.run(
            [sys.executable, str(path), ending], capture_output=True, text=True, env=env, timeout=60
        )
        pids = [int(p) for p in run.stdout.split()]
        assert pids, run.stderr
        for pid in pids:
            assert _ends_within(pid, 10), f"renderer {pid} outlived the app ({ending})"


def _ends_within(pid: int, seconds: float) -> bool:
    for _ in range(int(seconds * 20)):
        if not Path(f"/proc/{pid}").exists() or "Z" in _state(pid):
            return True
        threading.Event().wait(0.05)
    return False


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "Z"


def test_post_render_under_the_budget_is_unchanged():
    assert render_post("# Title\n\nSome *words*.") == "<h2>Title</h2>\n<p>Some <em>words</em>.</p>"


@pytest.mark.alone  # a 0.2 s deadline
def test_waiting_for_a_busy_renderer_counts_against_the_deadline():
    one = RendererPool(1)
    assert one.render("comment", "warm", 30) == "<p>warm</p>"
    slow = threading.Thread(target=_refused, args=(one, "[" * 5000, 2.0))
    slow.start()
    for _ in range(200):  # until the slow text has the only worker
        if not one.worker_pids():
            break
        threading.Event().wait(0.01)
    try:
        with pytest.raises(RenderRefused):
            one.render("comment", "queued behind it", 0.2)
    finally:
        slow.join(30)
    assert one.render("comment", "after", 30) == "<p>after</p>"  # a new worker took over
    for pid in one.worker_pids():
        os.kill(pid, 9)


def _refused(pool: RendererPool, text: str, seconds: float) -> None:
    with pytest.raises(RenderRefused):
        pool.render("comment", text, seconds)
