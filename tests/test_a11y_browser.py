"""axe-core over every public and staff page of the demo site, and every staff page on a
375 px phone: no accessibility violations, and the page never scrolls sideways.

One browser page walks the whole site (a reader's pages signed out, then the staff pages
as the admin, who sees every staff page), so a run stays well under a minute.
"""

import pytest
import sqlalchemy as sa

from blogapp.mail.tokens import unsubscribe_token
from blogapp.models import Comment, CommentStatus, Post, PostStatus, Role, User
from tests.fixtures.browser import log_in, pytestmark, screenshot  # noqa: F401 - pytestmark: browser
from tests.import_helpers import WXR

axe_sync = pytest.importorskip("axe_playwright_python.sync_playwright")

ADMIN = "maya.okafor@tallyworks.example"
DESKTOP = {"width": 1200, "height": 900}
PHONE = {"width": 375, "height": 740}


def describe(violations: list[dict]) -> str:
    """Each violation as a person fixing it wants to read it: rule, impact, where, why."""
    lines = []
    for v in violations:
        lines.append(f"  {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:8]:
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {', '.join(map(str, node['target']))}: {summary}")
        if len(v["nodes"]) > 8:
            lines.append(f"    … and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


class Walk:
    """Visits pages and collects what is wrong on each, to report every problem at once."""

    def __init__(self, page, base: str):
        self.page, self.base = page, base
        self.axe = axe_sync.Axe()
        self.problems: list[str] = []
        self.for_phone: dict[str, str] = {}

    def visit(self, name: str, path: str, status: int = 200) -> None:
        response = self.page.goto(self.base + path)
        assert response.status == status, f"{name}: {path} answered {response.status}"

    def run_axe(self, name: str, path: str) -> None:
        violations = self.axe.run(self.page).response["violations"]
        if violations:
            width = self.page.viewport_size["width"]
            self.problems.append(f"{name} ({path}) at {width} px:\n{describe(violations)}")

    def check(self, name: str, path: str, status: int = 200, phone: bool = False) -> None:
        """axe finds nothing on the page; with ``phone``, it is checked at 375 px later."""
        self.visit(name, path, status)
        self.run_axe(name, path)
        if phone:
            self.for_phone[name] = path

    def check_here(self, name: str) -> None:
        """axe finds nothing on the page a form just led to."""
        self.page.wait_for_load_state()
        self.run_axe(name, self.page.url.removeprefix(self.base))

    def check_on_phones(self) -> None:
        """Every page marked for the phone, at 375 px (the viewport stays narrow)."""
        self.page.set_viewport_size(PHONE)
        for name, path in self.for_phone.items():
            self.visit(name, path)
            self.check_here_on_phone(name)

    def check_here_on_phone(self, name: str) -> None:
        """At 375 px axe still finds nothing, and the page fits: nothing scrolls sideways
        but a table inside its own box. The screenshot is for a person to look at."""
        path = self.page.url.removeprefix(self.base)
        self.run_axe(name, path)
        widths = self.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        screenshot(self.page, f"a11y-375-{name}")
        if widths[0] > widths[1]:
            wide = self.page.evaluate(WIDEST_ELEMENTS)
            self.problems.append(
                f"{name} ({path}) scrolls sideways at 375 px: {widths[0]} px wide; {wide}"
            )


# Names the outermost elements that stick out past the viewport, for the failure message.
WIDEST_ELEMENTS = """
(() => {
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > window.innerWidth + 1 && !out.some(o => o.el.contains(el))) {
      out.push({el, text: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + (el.className && typeof el.className === 'string'
           ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
        + ' right=' + Math.round(r.right)});
    }
  }
  return out.slice(0, 6).map(o => o.text).join('; ');
})()
"""


def demo_paths(app) -> dict[str, str]:
    """Addresses of demo pages that hold ids: a thread, one comment, a reader's comment."""
    with app.app_context():
        db = app.extensions["sqlalchemy"]
        busiest = db.session.execute(
            sa.select(Post.id, Post.slug)
            .join(Comment, Comment.post_id == Post.id)
            .where(Post.status == PostStatus.PUBLISHED)
            .group_by(Post.id, Post.slug)
            .order_by(sa.func.count(Comment.id).desc())
            .limit(1)
        ).one()
        comments = sa.select(Comment.id).where(
            Comment.post_id == busiest.id, Comment.status == CommentStatus.PUBLISHED
        )
        readers_comment = db.session.execute(
            sa.select(Comment.id, Comment.author_id, User.email)
            .join(User, Comment.author_id == User.id)
            .where(Comment.post_id == busiest.id, User.role == Role.READER)
            .where(Comment.status == CommentStatus.PUBLISHED)
            .limit(1)
        ).one()
        someone_elses = db.session.scalar(
            comments.where(Comment.author_id.is_distinct_from(readers_comment.author_id)).limit(1)
        )
        with app.test_request_context():
            unsubscribe = "/mail/unsubscribe/" + unsubscribe_token(readers_comment.email)
    return {
        "post_id": str(busiest.id),
        "post": f"/posts/{busiest.slug}",
        "comment": str(readers_comment.id),
        "reader": readers_comment.email,
        "someone_elses": str(someone_elses),
        "unsubscribe": unsubscribe,
    }


def save_over_someone_else(page, base: str, editor: str) -> None:
    """Save the post from an editor whose version is one behind: the conflict page."""
    page.goto(base + editor)
    page.evaluate("document.querySelector('input[name=version]').value -= 1")
    page.fill("#body", page.input_value("#body") + "\n\nWritten alongside someone else.")
    page.click("button[name=action][value=save]")
    page.locator("h1", has_text="saved elsewhere").wait_for()


def href(page, selector: str) -> str:
    """The path a link on the current page points to."""
    return page.eval_on_selector(selector, "a => new URL(a.href).pathname + new URL(a.href).search")


def test_every_page_passes_axe_and_staff_pages_fit_a_phone(demo_app, live_server, page):
    walk = Walk(page, live_server)
    ids = demo_paths(demo_app)
    post, comment = ids["post"], ids["comment"]

    # Public pages, signed out.
    walk.check("home", "/")
    walk.check("post", post)
    tag = href(page, ".post-header .tags a")
    author = href(page, ".post-header .author-link")
    walk.check("tag", tag)
    walk.check("author", author)
    walk.check("search", "/search?q=invoice")
    walk.check("search-nothing-found", "/search?q=zzqxv")
    walk.check("search-empty", "/search")
    walk.check("login", "/account/login")
    walk.check("forgot-password", "/account/password/forgot")
    walk.check("guest-removal", "/account/guest-comments")
    walk.check("register", "/account/register")
    page.fill("#display_name", "Axe Reader")
    page.fill("#email", "axe@reader.example")
    page.fill("#password", "short")
    page.fill("#confirm", "short")
    page.click("main button[type=submit]")
    walk.check_here("register-errors")
    page.fill("#password", "a long enough password")
    page.fill("#confirm", "a long enough password")
    page.click("main button[type=submit]")
    page.wait_for_url("**/account/register/sent")
    walk.check_here("registered")
    walk.check("comment-reply", f"/comments/{comment}/reply")
    walk.check("not-found", "/posts/no-such-post", status=404)
    walk.check("unsubscribe", ids["unsubscribe"])
    page.click("main button[type=submit]")
    walk.check_here("unsubscribed")

    # A signed-in reader: the post with their name on the form, their own comment's edit
    # page, and a report on someone else's (which the moderation pages then show).
    log_in(page, live_server, ids["reader"])
    walk.check("post-as-reader", post)
    walk.check("comment-edit", f"/comments/{comment}/edit")
    walk.check("account-security", "/account/security")
    walk.check("account", "/account", phone=True)
    walk.check("account-comments", "/account/comments", phone=True)
    walk.check("account-delete", "/account/delete")
    walk.check("comment-report", f"/comments/{ids['someone_elses']}/flag")
    page.locator("input[name=reason]").first.check()
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    page.context.clear_cookies()

    # Staff pages, as the admin (every one exists for this role); each also on a phone.
    log_in(page, live_server, ADMIN)
    editor = f"/studio/posts/{ids['post_id']}/edit"
    walk.check("studio", "/studio/", phone=True)
    walk.check("editor-new", "/studio/posts/new", phone=True)
    walk.check("editor", editor, phone=True)
    # A save that changes the text gives the history page rows and a revision to compare.
    page.fill("#body", page.input_value("#body") + "\n\nOne more paragraph.")
    page.click("button[name=action][value=save]")
    page.wait_for_load_state()
    walk.check("history", f"/studio/posts/{ids['post_id']}/history", phone=True)
    walk.check("revision", href(page, "main a:has-text('Compare')"), phone=True)
    save_over_someone_else(page, live_server, editor)
    walk.check_here("conflict")
    walk.check("images", "/studio/uploads/", phone=True)
    walk.check("profile", "/studio/profile/", phone=True)
    walk.check("queue", "/responses", phone=True)
    walk.check("similar", href(page, ".rq-similar a"), phone=True)
    walk.check("metrics", "/responses/metrics", phone=True)
    walk.check("audit", "/responses/audit", phone=True)
    walk.check("saved-replies", "/responses/saved", phone=True)
    walk.check("reviews", "/responses/reviews", phone=True)
    walk.check("private-support", "/private/", phone=True)
    walk.check("api-tokens", "/account/tokens", phone=True)
    walk.check("api-docs", "/api/v1/docs")
    walk.check("moderation", "/moderation", phone=True)
    walk.check("comment-remove", f"/moderation/comments/{comment}/remove", phone=True)
    walk.check("admin-people", "/admin/people", phone=True)
    person = href(page, "tbody a:has-text('Priya Raman')")
    walk.check("admin-people-search", "/admin/people?q=a&role=staff", phone=True)
    walk.check("admin-invite", "/admin/people/invite", phone=True)
    walk.check("admin-person", person, phone=True)
    walk.check("admin-disable", person + "/disable", phone=True)
    walk.check("admin-settings", "/admin/settings", phone=True)
    walk.check("admin-webhooks-empty", "/admin/webhooks")
    walk.check("admin-webhook-add", "/admin/webhooks/new", phone=True)
    page.fill("#url", "http://127.0.0.1:9/hook")
    page.click("main button[type=submit]")
    walk.check_here("admin-webhook-secret")
    endpoint = page.url.removeprefix(live_server)
    walk.check("admin-webhook", endpoint, phone=True)
    walk.check("admin-webhook-edit", endpoint + "/edit", phone=True)
    walk.check("admin-webhooks", "/admin/webhooks", phone=True)
    walk.check("admin-import", "/admin/import", phone=True)
    page.set_input_files("#export", str(WXR / "site-1.2.xml"))
    page.click("main button[type=submit]")
    page.wait_for_selector(".import-report")
    walk.check("admin-import-dry-run", page.url.removeprefix(live_server), phone=True)
    walk.check("welcome-dead-link", "/welcome/expired", status=400)
    walk.check("account-security-staff", "/account/security", phone=True)
    # Public pages show staff more: moderator links, the response figures, search filters.
    walk.check("post-as-staff", post)
    walk.check("search-as-staff", "/search?q=invoice", phone=True)

    walk.check_on_phones()
    save_over_someone_else(page, live_server, editor)
    walk.check_here_on_phone("conflict")
    assert not walk.problems, "\n\n".join(walk.problems)
