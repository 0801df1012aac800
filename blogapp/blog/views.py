"""Public pages. Views parse the request, ask blog.services, and render."""

from urllib.parse import urlencode

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from blogapp.blog import services
from blogapp.comments.page import post_page
from blogapp.extensions import db, limiter
from blogapp.query_args import arg_page
from blogapp.studio.uploads import find_upload, upload_response

bp = Blueprint("blog", __name__)


def _paginate(select):
    return db.paginate(
        select, page=arg_page(), per_page=current_app.config["POSTS_PER_PAGE"], error_out=False
    )


@bp.get("/")
def index():
    """The newest published posts, paginated."""
    page = _paginate(services.visible_posts())
    if page.page > 1 and not page.items:
        abort(404)
    return render_template("blog/index.html", page=page, tags=services.tags_in_use())


@limiter.request_filter
def _reading_a_post() -> bool:
    """The post page carries no rate limit (the limits guard what is posted to it), and
    the limiter's look for one cost as much as serving an anonymous reader the page."""
    return request.endpoint == "blog.post"


@bp.get("/posts/<slug>")
def post(slug: str):
    """One post with its conversation; drafts and future posts are 404."""
    page = post_page(slug)
    if page is not None:
        return page
    moved_to = services.current_slug_for(slug)
    if moved_to is None:
        abort(404)
    # The query goes along as it came: as url_for() keywords, ?slug= or ?_method= would
    # clash with its own arguments.
    query = urlencode(list(request.args.items(multi=True)))
    return redirect(url_for("blog.post", slug=moved_to) + (f"?{query}" if query else ""), 301)


@bp.get("/tags/<slug>")
def tag(slug: str):
    """Posts with one tag."""
    tag = services.tag_by_slug(slug)
    if tag is None:
        abort(404)
    page = _paginate(services.visible_posts_tagged(tag))
    return render_template("blog/tag.html", tag=tag, page=page)


@bp.get("/authors/<slug>")
def author(slug: str):
    """An employee's public profile and their posts."""
    person = services.employee_by_slug(slug)
    if person is None:
        abort(404)
    page = _paginate(services.visible_posts_by(person))
    return render_template("blog/author.html", person=person, page=page)


@bp.get("/feed.atom")
def feed():
    """Atom feed of the newest published posts."""
    posts = db.session.scalars(services.visible_posts().limit(20)).all()
    body = render_template("blog/feed.xml", posts=posts, updated=services.last_updated())
    response = make_response(body)
    response.mimetype = "application/atom+xml"
    return response


@bp.get("/sitemap.xml")
def sitemap():
    """Every public page, for search engines."""
    posts = db.session.scalars(services.visible_posts()).all()
    urls = [(url_for("blog.index", _external=True), services.last_updated())]
    urls += [
        (url_for("blog.post", slug=p.slug, _external=True), max(p.updated_at, p.published_at))
        for p in posts
    ]
    urls += [
        (url_for("blog.tag", slug=t.slug, _external=True), None) for t, _ in services.tags_in_use()
    ]
    urls += [
        (url_for("blog.author", slug=a.slug, _external=True), None)
        for a in services.authors_with_posts()
    ]
    response = make_response(render_template("blog/sitemap.xml", urls=urls))
    response.mimetype = "application/xml"
    return response


@bp.get("/uploads/<name>")
def upload(name: str):
    """An uploaded image, served with its real type and nothing for a browser to guess."""
    stored = find_upload(name)
    if stored is None:
        abort(404)
    return upload_response(stored)


@bp.get("/robots.txt")
def robots():
    """Let crawlers in, and point them at the sitemap."""
    lines = [
        "User-agent: *",
        "Disallow: /studio/",
        "Disallow: /admin/",
        "Disallow: /account/",
        f"Sitemap: {url_for('blog.sitemap', _external=True)}",
    ]
    response = make_response("\n".join(lines) + "\n")
    response.mimetype = "text/plain"
    return response
