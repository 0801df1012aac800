"""In headless Chromium, two employees in two browsers: Priya opens a reply box in the
queue and Jane's queue and post page show "Priya Raman is replying…" without a reload;
a saved reply goes in at the cursor with the customer's name; Jane answers first, and
Priya's send asks her to confirm, with her text kept."""

import pytest
import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.models import Comment, Post, User
from blogapp.models.replying import SavedReply
from blogapp.responses import saved
from tests.fixtures.browser import (
    demo_people,
    demo_site,
    pytestmark,
    screenshot,
    serve,
    sign_in,
)

pytestmark = [*pytestmark, pytest.mark.slow]

SLUG = "recurring-invoices-are-here"
PRIYA, JANE = "priya.raman@tallyworks.example", "jane.doe@tallyworks.example"


@pytest.fixture
def site(make_app):
    """The demo site on 127.0.0.1 with a guest's question owed, and Priya's saved reply."""
    app = demo_site(make_app)
    demo_people(app, (PRIYA, JANE))
    with app.app_context():
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
        priya = db.session.scalar(sa.select(User).where(User.email == PRIYA))
        saved.create(priya, "Pause", "Hi {name}, yes: choose Pause.", shared=False)
        question_id = question.id
    with serve(app) as base:
        yield base, question_id, app


def test_two_employees_see_each_other_replying_live(site, page):
    base, question_id, app = site
    jane = page
    priya = page.context.browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    priya.set_default_timeout(15_000)
    sign_in(jane, base, JANE)
    sign_in(priya, base, PRIYA)

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
