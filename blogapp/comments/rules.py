"""The rules a comment's text must pass, each one a site setting."""

import re

from flask import current_app

from blogapp.markup import plain_text, render_comment


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


def check_body(source: str) -> str:
    """Safe HTML for ``source`` if it passes the length, link and word rules."""
    config = current_app.config
    text = source.strip()
    low, high = config["COMMENT_MIN_LENGTH"], config["COMMENT_MAX_LENGTH"]
    if len(text) < low:
        raise CommentRejected(f"Please write at least {low} characters.")
    if len(text) > high:
        raise CommentRejected(
            f"Comments can be at most {high:,} characters; this one has {len(text):,}. "
            "Please shorten it."
        )
    html = render_comment(text)
    links = max(len(_LINK.findall(html)), len(_ADDRESS.findall(text)))
    if links > config["COMMENT_MAX_LINKS"]:
        raise CommentRejected(
            f"A comment may contain at most {config['COMMENT_MAX_LINKS']} links; "
            f"this one has {links}."
        )
    word = blocked_word_in(text)
    if word:
        raise CommentRejected(
            f"Your comment contains “{word}”, which this site doesn't accept. Please rephrase it."
        )
    return html


def blocked_word_in(source: str) -> str | None:
    """The first blocked word or phrase found in the text, if any."""
    words = plain_text(source).lower()
    for blocked in current_app.config["COMMENT_BLOCKED_WORDS"]:
        if re.search(rf"(?<!\w){re.escape(blocked)}(?!\w)", words):
            return blocked
    return None
