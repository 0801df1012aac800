"""Another system's HTML as Parley's Markdown source, so imported text can be edited.

markdownify (over BeautifulSoup) does the conversion. WordPress keeps bodies without
paragraph tags and shows them through ``wpautop`` (a blank line starts a paragraph, a
line break is a ``<br>``), so text without block tags gets the same treatment first;
otherwise markdownify would fold its lines together. Text with no markup at all (most
comments) skips the HTML parser: its entities are decoded and Markdown's own marks
escaped, which is what markdownify would have made of it, at a fraction of the cost.
"""

from __future__ import annotations

import html
import re

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning
from markdownify import MarkdownConverter

BLOCK_TAG = re.compile(r"<(p|div|ul|ol|blockquote|pre|h[1-6]|table|figure)\b", re.IGNORECASE)
_MARKDOWN_MARKS = re.compile(r"([\\*_`\[\]#])")
_LIST_OR_QUOTE = re.compile(r"^(\s*)([-+>])(\s)", re.MULTILINE)
_NUMBERED = re.compile(r"^(\s*\d+)([.)])(\s)", re.MULTILINE)
_BLANK_LINES = re.compile(r"\n\s*\n")


_converter = MarkdownConverter(heading_style="ATX", bullets="-", escape_misc=False)


def autop(text: str) -> str:
    paragraphs = [p.strip() for p in _BLANK_LINES.split(text.replace("\r\n", "\n")) if p.strip()]
    return "".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in paragraphs)


def _plain(text: str) -> str:
    text = html.unescape(text).replace("\r\n", "\n")
    text = _MARKDOWN_MARKS.sub(r"\\\1", text)
    text = _LIST_OR_QUOTE.sub(r"\1\\\2\3", text)
    text = _NUMBERED.sub(r"\1\\\2\3", text)
    return "\n\n".join(p.strip() for p in _BLANK_LINES.split(text) if p.strip())


def markdown_source(body_html: str) -> str:
    """Markdown source that renders as ``body_html`` meant (within the profile's tags)."""
    if "<" not in body_html:
        return _plain(body_html)
    if not BLOCK_TAG.search(body_html):
        body_html = autop(body_html)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(body_html, "html.parser")
    return _converter.convert_soup(soup).strip()


def plain_text(body_html: str) -> str:
    """The words of an HTML text, without markup (for excerpts)."""
    if "<" not in body_html:
        return re.sub(r"\s+", " ", html.unescape(body_html)).strip()
    text = BeautifulSoup(body_html, "html.parser").get_text(" ")
    return re.sub(r"\s+", " ", text).strip()
