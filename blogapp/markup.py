"""Markdown -> HTML -> bleach: the only place that turns text into HTML.

Two profiles: ``POST`` for staff posts (headings, images, tables, code) and
``COMMENT`` for customer comments (a small inline set). Raw HTML in the
source is shown as the text it is, never interpreted, so nothing a person
typed disappears; bleach then strips whatever Markdown produced outside the
profile's allowlist, and only http, https and mailto links survive.

The public functions (render_post, render_comment, render_comment_and_text,
plain_text, make_excerpt) render in a worker process under RENDER_TIMEOUT_SECONDS
(see renderers.py) and raise RenderRefused for a text that takes longer, nests
too deep or needs too much memory. ``render`` and ``render_here`` run in the
calling process, without a budget: for the workers themselves and for tests of the
output.
"""

import html
import re
import threading
from dataclasses import dataclass
from functools import partial
from typing import Any

import bleach
import markdown
from bleach.linkifier import Linker
from flask import current_app, has_app_context

from blogapp import renderers
from blogapp.renderers import RenderRefused

__all__ = [
    "CommentText",
    "RenderRefused",
    "excerpt_of",
    "make_excerpt",
    "plain_text",
    "render_comment",
    "render_comment_and_text",
    "render_comments",
    "render_post",
]

PROTOCOLS = frozenset({"http", "https", "mailto"})


@dataclass(frozen=True)
class Profile:
    name: str
    tags: frozenset[str]
    attributes: dict[str, list[str]]
    extensions: tuple[str, ...]
    # rel for links leaving the site: customers' links are never endorsed.
    rel: str


COMMENT = Profile(
    name="comment",
    tags=frozenset(
        {"p", "br", "strong", "em", "del", "code", "pre", "a", "blockquote", "ul", "ol", "li"}
    ),
    attributes={"a": ["href", "title", "rel"]},
    extensions=("fenced_code", "sane_lists", "nl2br"),
    rel="nofollow ugc noopener",
)

POST = Profile(
    name="post",
    tags=COMMENT.tags
    | frozenset(
        {
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "hr",
            "img",
            "table",
            "thead",
            "tbody",
            "tr",
            "th",
            "td",
            "figure",
            "figcaption",
            "sup",
            "sub",
            "abbr",
        }
    ),
    attributes={
        "a": ["href", "title", "rel"],
        "img": ["src", "alt", "title", "width", "height", "loading"],
        "abbr": ["title"],
        "th": ["align"],
        "td": ["align"],
        "code": ["class"],
        "h2": ["id"],
        "h3": ["id"],
        "h4": ["id"],
    },
    extensions=("fenced_code", "tables", "sane_lists", "abbr", "footnotes"),
    rel="noopener",
)

_SAFE_CLASS = re.compile(r"^language-[a-z0-9_+-]{1,30}$")


def _filter_attribute(profile: Profile, tag: str, name: str, value: str) -> bool:
    if name not in profile.attributes.get(tag, ()):
        return False
    if tag == "code" and name == "class":
        return bool(_SAFE_CLASS.match(value))
    return True


def _set_rel(rel: str, attrs: dict, new: bool = False) -> dict:
    if attrs.get((None, "href")):
        attrs[(None, "rel")] = rel
    return attrs


def _cleaner(profile: Profile) -> bleach.Cleaner:
    return bleach.Cleaner(
        tags=profile.tags,
        attributes=partial(_filter_attribute, profile),
        protocols=PROTOCOLS,
        strip=True,
        strip_comments=True,
    )


def _linker(profile: Profile) -> Linker:
    return Linker(callbacks=[lambda attrs, new, rel=profile.rel: _set_rel(rel, attrs, new)])


# bleach's Cleaner and Linker keep parser state while they work and are not
# thread-safe: shared between request threads they mixed one comment's words
# into another's. Each thread gets its own pair per profile.
_tools = threading.local()


def _cleaner_and_linker(profile: Profile) -> tuple[bleach.Cleaner, Linker]:
    made = getattr(_tools, "by_profile", None)
    if made is None:
        made = _tools.by_profile = {p.name: (_cleaner(p), _linker(p)) for p in (COMMENT, POST)}
    return made[profile.name]


_H1 = re.compile(r"<(/?)h1(\s|>)")
_HEADING = re.compile(r"<(/?)h[1-6][^>]*>")
_IMG = re.compile(r"<img\b([^>]*)>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')


def _image_as_link(match: re.Match) -> str:
    attrs = dict(_ATTR.findall(match.group(1)))
    return f'<a href="{attrs.get("src", "")}">{attrs.get("alt") or "image"}</a>'


def _markdown_converter(extensions: tuple[str, ...]) -> markdown.Markdown:
    md = markdown.Markdown(extensions=list(extensions), output_format="html")
    # Raw HTML is escaped by Markdown itself instead of passed through.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


def _markdown(source: str, extensions: tuple[str, ...]) -> str:
    return _markdown_converter(extensions).convert(source or "")


def render(source: str, profile: Profile, md: markdown.Markdown | None = None) -> str:
    """Safe HTML for ``source`` under ``profile`` (``md``: a converter to reuse, reset)."""
    if md is None:
        raw = _markdown(source, profile.extensions)
    else:
        raw = md.reset().convert(source or "")
    if profile is POST:
        # The page title is the only <h1>; a "# Heading" in a body becomes <h2>.
        raw = _H1.sub(r"<\1h2\2", raw)
    else:
        # A heading in a comment keeps its words as a bold line.
        raw = _HEADING.sub(lambda m: "</strong></p>" if m.group(1) else "<p><strong>", raw)
        # Comments show no images; the picture's address stays as a link.
        raw = _IMG.sub(_image_as_link, raw)
    cleaner, linker = _cleaner_and_linker(profile)
    return linker.linkify(cleaner.clean(raw))


def _plain_text_here(source: str) -> str:
    rendered = _markdown(source, ("fenced_code", "tables"))
    text = bleach.clean(rendered, tags=set(), strip=True)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


@dataclass(frozen=True)
class CommentText:
    """A comment's safe HTML and its words without markup, from one trip to a renderer."""

    html: str
    text: str


_KINDS = {
    "post": lambda source: render(source, POST),
    "comment": lambda source: render(source, COMMENT),
    "plain": _plain_text_here,
    # What posting a comment needs (the page's HTML, the words the blocked-word rule and
    # the notification's excerpt read), in one round trip instead of three.
    "comment+text": lambda source: CommentText(render(source, COMMENT), _plain_text_here(source)),
    # Many comments in one trip (an import): one Markdown converter, reset between texts.
    "comments": lambda sources: _render_all(sources, COMMENT),
    # A stranger's HTML mail as Markdown source (blogapp/inbound/html_text.py).
    "mail_html": lambda source: _mail_html(source),
}


def _mail_html(source: str) -> str:
    from blogapp.inbound.html_text import html_to_markdown

    return html_to_markdown(source)


def mail_html_to_markdown(body_html: str) -> str:
    """An HTML mail's new text as Markdown source, in a worker under the render deadline;
    RenderRefused when over budget."""
    return _budgeted("mail_html", body_html)


def _render_all(sources: list[str], profile: Profile) -> list[str]:
    md = _markdown_converter(profile.extensions)
    return [render(source, profile, md) for source in sources]


def render_here(kind: str, source: str):
    """``source`` rendered as ``kind`` (post, comment, plain or comment+text) in this
    process, unbounded."""
    return _KINDS[kind](source)


# Outside an app (scripts, the bench) the defaults hold.
DEFAULT_TIMEOUT_SECONDS = 2.0
DEFAULT_WORKERS = 2


def _budgeted(kind: str, source: str) -> Any:
    timeout, workers = DEFAULT_TIMEOUT_SECONDS, DEFAULT_WORKERS
    if has_app_context():
        timeout = current_app.config.get("RENDER_TIMEOUT_SECONDS", timeout)
        workers = current_app.config.get("RENDER_WORKERS", workers)
    return renderers.render(kind, source or "", timeout, workers)


def render_post(source: str) -> str:
    """Safe HTML for a staff post body; RenderRefused when over budget."""
    return _budgeted("post", source)


def render_comment(source: str) -> str:
    """Safe HTML for a comment body; RenderRefused when over budget."""
    return _budgeted("comment", source)


def render_comment_and_text(source: str) -> CommentText:
    """A comment's safe HTML and plain text in one bounded render; RenderRefused when over
    budget. The text is exactly ``plain_text(source)``."""
    return _budgeted("comment+text", source)


def render_comments(sources: list[str]) -> list[str]:
    """Safe HTML for many comment bodies in one bounded trip (an import's batch); the
    budget is RENDER_TIMEOUT_SECONDS plus 20 ms a text. RenderRefused refuses the batch:
    render its texts one by one with render_comment to find the one to blame."""
    timeout, workers = DEFAULT_TIMEOUT_SECONDS, DEFAULT_WORKERS
    if has_app_context():
        timeout = current_app.config.get("RENDER_TIMEOUT_SECONDS", timeout)
        workers = current_app.config.get("RENDER_WORKERS", workers)
    return renderers.render("comments", list(sources), timeout + 0.02 * len(sources), workers)


def plain_text(source: str) -> str:
    """The words of a Markdown text, without markup: for excerpts, feeds and search."""
    return _budgeted("plain", source)


def make_excerpt(source: str, limit: int = 240) -> str:
    """The first ``limit`` characters of the text, cut at a word boundary."""
    return excerpt_of(plain_text(source), limit)


def excerpt_of(text: str, limit: int = 240) -> str:
    """The first ``limit`` characters of an already plain ``text``, cut at a word boundary."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:.-–—")
    return cut + "…"
