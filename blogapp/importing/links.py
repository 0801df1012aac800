"""Old addresses: how a link of the old site is compared, matched and redirected.

A link is reduced to its path (``normalize``): no scheme, no host, no trailing slash,
percent-escapes decoded, and no query except the one that names a WordPress post on
the home page (``/?p=123``, ``/?page_id=7``). So ``http://Example.com/2024/05/hello/``,
``https://example.com/2024/05/hello?utm_source=x`` and ``/2024/05/hello`` are one
address, which is what Disqus threads keyed by URL need, and what a request for an old
permalink is looked up by.

A rules file (``--rules``) maps old paths to slugs where nothing else can tell: one rule
a line, ``/old/path  new-slug``; blank lines and ``#`` comments are ignored.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote, urlsplit

import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.models import LegacyPath, Post

# Queries that name a post on a WordPress site's home page.
POST_QUERIES = ("p", "page_id")
MAX_PATH = 500


class RulesError(ValueError):
    """A rules file line that is not ``/old/path slug``; the message names the line."""


def normalize(link: str) -> str:
    """The comparable path of ``link`` (see the module's docstring); "" for none."""
    parts = urlsplit(link.strip())
    path = unquote(parts.path or "/").rstrip("/") or "/"
    if not path.startswith("/"):
        path = "/" + path
    if path == "/":
        for name, value in parse_qsl(parts.query):
            if name in POST_QUERIES and value.isdigit():
                return f"/?{name}={int(value)}"
    return path[:MAX_PATH]


def parse_rules(text: str) -> dict[str, str]:
    """``{normalized old path: slug}`` from a rules file's text."""
    rules: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.split()
        if len(fields) != 2:
            raise RulesError(f"line {number}: write '/old/path new-slug', got {line!r}")
        rules[normalize(fields[0])] = fields[1].strip("/")
    return rules


def post_for_path(path: str) -> int | None:
    """The post an old address (already normalized) was recorded for."""
    return db.session.scalar(sa.select(LegacyPath.post_id).where(LegacyPath.path == path))


def match_post(link: str, rules: dict[str, str] | None = None) -> int | None:
    """The post a link of the old site is about: by the rules, by an old address an
    import recorded, by Parley's own ``/posts/<slug>``, or by its last path segment
    naming a post's slug."""
    path = normalize(link)
    if path == "/":
        return None
    slug = (rules or {}).get(path)
    if slug is None:
        post_id = post_for_path(path)
        if post_id is not None:
            return post_id
        slug = path.rsplit("/", 1)[-1]
    return db.session.scalar(sa.select(Post.id).where(Post.slug == slug))
