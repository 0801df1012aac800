"""The rules a comment's text must pass, each one a site setting."""

import re

from flask import current_app

from blogapp.markup import CommentText, RenderRefused, render_comment, render_comment_and_text
from blogapp.sitesettings.store import site_settings


class CommentRejected(Exception):
    """A comment that cannot be accepted; the message tells the person why."""

    def __init__(self, message: str, field: str = "body"):
        super().__init__(message)
        self.field = field


class CommentsClosed(CommentRejected):
    def __init__(self):
        super().__init__("Comments are closed on this post.")


_LINK = re.compile(r"<a\s", re.IGNORECASE)
# Addresses count as links even where the renderer leaves them as plain text.
_ADDRESS = re.compile(r"(?:https?://|www\.|mailto:)", re.IGNORECASE)


def check_max_length(text: str) -> None:
    """Refuse a text longer than a comment may be (a preview is held to it too)."""
    high = current_app.config["COMMENT_MAX_LENGTH"]
    if len(text) > high:
        raise CommentRejected(
            f"Comments can be at most {high:,} characters; this one has {len(text):,}. "
            "Please shorten it."
        )


def check_body(source: str) -> CommentText:
    """Safe HTML and plain text for ``source`` if it passes the length, formatting, link and
    word rules: one render, whose text the word rule and the notification mail reuse."""
    config = site_settings()
    text = source.strip()
    low = config["COMMENT_MIN_LENGTH"]
    if len(text) < low:
        raise CommentRejected(f"Please write at least {low} characters.")
    check_max_length(text)
    try:
        rendered = render_comment_and_text(text)
    except RenderRefused as error:
        raise CommentRejected(str(error)) from None
    word = blocked_word_in_text(rendered.text)
    links = max(len(_LINK.findall(rendered.html)), len(_ADDRESS.findall(text)))
    if links > config["COMMENT_MAX_LINKS"]:
        raise CommentRejected(
            f"A comment may contain at most {config['COMMENT_MAX_LINKS']} links; "
            f"this one has {links}."
        )
    if word:
        raise CommentRejected(
            f"Your comment contains “{word}”, which this site doesn't accept. Please rephrase it."
        )
    return rendered


def preview_html(source: str) -> str:
    """Safe HTML for a comment being previewed: held to the comment's length and budget."""
    check_max_length(source.strip())
    try:
        return render_comment(source)
    except RenderRefused as error:
        raise CommentRejected(str(error)) from None


def blocked_word_in_text(text: str) -> str | None:
    """The first blocked word or phrase in ``text``, already without markup."""
    words = text.lower()
    for blocked in site_settings()["COMMENT_BLOCKED_WORDS"]:
        if re.search(rf"(?<!\w){re.escape(blocked)}(?!\w)", words):
            return blocked
    return None
