"""In headless Chromium, two employees in two browsers: Priya opens a reply box in the
queue and Jane's queue and post page show "Priya Raman is replying…" without a reload;
a saved reply goes in at the cursor with the customer's name; Jane answers first, and
Priya's send asks her to confirm, with her text kept."""

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from blogapp.contentio.demo import load_demo
from blogapp.extensions import db
from blogapp.models import Comment, Post, User
from blogapp.models.replying import SavedReply
from blogapp.responses import saved
from tests.conftest import PASSWORD
from tests.fixtures.browser import CHROMIUM, screenshot

ROOT = Path(__file__).resolve().parent.parent
SLUG = "recurring-invoices-are-here"
PRIYA, JANE = "priya.raman@tallyworks.example", "jane.doe@tallyworks.example"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"),
]


@pytest.fixture
def site(make_app):
    """The demo site on 127.0.0.1 with a guest's question owed, and Priya's saved reply."""
    app = make_app(SERVER_NAME=None)
    with app.app_context():
        load_demo(ROOT / "content")
        people = {}
        for email in (PRIYA, JANE):
            user = db.session.scalar(sa.select(User).where(User.email == email))
            user.set_password(PASSWORD, method=app.config["PASSWORD_HASH_METHOD"])
            people[email] = user
        post = db.session.scalar(sa.select(Post).where(Post.slug == SLUG))
        question = Comment(
            post=post,
            guest_name="Alex <b>Asker</b>",
            guest_email="alex@example.org",
            body_source="Can I pause a recurring invoice?",
            body_html="<p>Can I pause a recurring invoice?</p>",
        )
        db.session.add(question)
        db.session.commit()
        saved.create(people[PRIYA], "Pause", "Hi {name}, yes: choose Pause.", shared=False)
        question_id = question.id
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", question_id, app
    server.shutdown()
    thread.join(timeout=5)


def log_in(page, base: str, email: str) -> None:
    page.goto(base + "/account/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()


def test_two_employees_see_each_other_replying_live(site, page):
    base, question_id, app = site
    jane = page
    priya = page.context.browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    priya.set_default_timeout(15_000)
    log_in(jane, base, JANE)
    log_in(priya, base, PRIYA)

    jane.goto(base + "/responses")
    marker = jane.locator(f"#owed-{question_id} [data-replying-for='{question_id}']")
    assert marker.inner_text() == ""

    priya.goto(base + "/responses")
    item = priya.locator(f"#owed-{question_id}")
    assert not item.locator("text=Let the team see I'm replying").is_visible()  # no-JS only
    item.locator("summary:has-text('Reply')").click()
    box = item.locator("textarea[name=body][id^=reply-]")
    box.fill("Thanks!")
    box.evaluate("b => b.setSelectionRange(0, 0)")  # the cursor at the start
    item.locator("select[name=saved]").select_option(label="Pause")
    assert box.input_value() == "Hi Alex <b>Asker</b>, yes: choose Pause.Thanks!"

    # Jane's queue learns of it at its next poll (every 12 s), with no reload.
    marker.filter(has_text="Priya Raman is replying…").wait_for(timeout=20_000)
    assert marker.get_attribute("aria-live") == "polite"
    screenshot(jane, "replying-queue-marker")
    jane.goto(f"{base}/posts/{SLUG}")
    jane.locator(
        f"#c{question_id} > .replying-mark", has_text="Priya Raman is replying…"
    ).wait_for()
    screenshot(jane, "replying-post-marker")

    # Jane answers first from the post page; Priya's send then asks her to confirm.
    jane.locator(f"#c{question_id} a.reply-link").click()
    jane.locator(f"#c{question_id} textarea").fill("Yes — Pause is on the invoice menu.")
    jane.locator(f"#c{question_id} button:has-text('Post comment')").click()
    jane.wait_for_url(f"**/posts/{SLUG}*")
    item.locator("button:has-text('Send reply')").click()
    priya.locator("text=Jane Doe answered").wait_for()
    assert "Pause is on the invoice menu" in priya.locator(".rq-conflict").inner_text()
    assert priya.locator("textarea[name=body]").input_value().endswith("Thanks!")
    screenshot(priya, "replying-confirm")
    priya.locator("button:has-text('Send mine anyway')").click()
    priya.wait_for_url(f"{base}/responses")
    with app.app_context():
        authors = db.session.scalars(
            sa.select(User.email)
            .join(Comment, Comment.author_id == User.id)
            .where(Comment.parent_id == question_id)
            .order_by(Comment.id)
        ).all()
        assert authors == [JANE, PRIYA]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SavedReply)) == 1
