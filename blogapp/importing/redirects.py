"""Old addresses answer with a 301 to the post they became (``legacy_paths``).

Two ways in, neither on the post page's path: a request that would be a 404
(``/2024/05/slug/``, ``/slug/``) is looked up before the error page is drawn, and the
home page with ``?p=123`` or ``?page_id=7`` (WordPress's own short links) is looked up
before the home page runs. Post pages (``/posts/<slug>``) never pass through either, so
the stored-pages middleware (comments/stored_pages.py) is unaffected.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, redirect, request, url_for

from blogapp.extensions import db
from blogapp.importing.links import POST_QUERIES, normalize
from blogapp.models import LegacyPath, Post


def current_address(path: str) -> str | None:
    """Where the visible post recorded for an old address lives now."""
    slug = db.session.scalar(
        sa.select(Post.slug)
        .join(LegacyPath, LegacyPath.post_id == Post.id)
        .where(LegacyPath.path == path, Post.visible_clause())
    )
    return url_for("blog.post", slug=slug) if slug else None


def _old_address_or_none():
    if request.method not in ("GET", "HEAD"):
        return None
    query = request.query_string.decode("latin-1")
    path = normalize(request.path + (f"?{query}" if query else ""))
    if len(path) >= 500 or "\x00" in path:
        return None
    target = current_address(path)
    return redirect(target, 301) if target else None


def register(app: Flask) -> None:
    """Answer old addresses before the 404 page and on the home page's ``?p=``."""
    from blogapp.errors import render_error

    @app.errorhandler(404)
    def not_found(error):
        return _old_address_or_none() or render_error(404)

    def wordpress_short_link():
        if request.path == "/" and any(name in request.args for name in POST_QUERIES):
            return _old_address_or_none()
        return None

    app.before_request(wordpress_short_link)
    # It answers only "/" with ?p= or ?page_id=: never a post page.
    app.extensions["parley_stored_pages"].pass_before_stored_pages(wordpress_short_link)
