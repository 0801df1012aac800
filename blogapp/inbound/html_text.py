"""An HTML-only reply as Markdown source, without the history mail clients quote in it.

Run in a renderer worker under the render deadline (markup.py's "mail_html" kind), since
the HTML is a stranger's. What is taken out before markdownify converts the rest:

- Gmail: ``<div class="gmail_quote">`` (and its ``blockquote``), ``gmail_signature``;
- Apple Mail and Thunderbird: ``<blockquote type="cite">``, ``moz-cite-prefix``,
  ``moz-signature``; Yahoo: ``yahoo_quoted``;
- Outlook: everything from its divider on — ``<div id="divRplyFwdMsg">`` (Outlook on the
  web and for Mac, with the ``<hr>`` before it), ``<div id="appendonsend">``, and the
  desktop client's ``<div style="border:none;border-top:solid #E1E1E1 1.0pt…">`` that
  holds the From/Sent block;
- what is never text: ``head``, ``style``, ``script``, images (inline ``cid:`` pictures).

The Markdown then goes through quotes.new_text, which drops "On … wrote:" lines and
signatures the HTML did not mark.
"""

import re
import warnings

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, Tag
from markdownify import MarkdownConverter

from blogapp.inbound.quotes import new_text

_QUOTE_CLASSES = {"gmail_quote", "gmail_signature", "yahoo_quoted", "moz-cite-prefix"}
_QUOTE_CLASSES |= {"moz-signature", "gmail_extra"}
_DIVIDER_IDS = {"divRplyFwdMsg", "appendonsend", "divtagdefaultwrapper_quote"}
_BORDER_TOP = re.compile(r"border-top\s*:\s*solid", re.IGNORECASE)

_converter = MarkdownConverter(heading_style="ATX", bullets="-", escape_misc=False)


def _cut_from(tag: Tag) -> None:
    """Remove ``tag`` and everything after it in the document."""
    node = tag
    while node is not None and node.name not in ("body", "[document]"):
        for sibling in list(node.next_siblings):
            sibling.extract()
        node = node.parent
    previous = tag.find_previous_sibling()
    if previous is not None and previous.name == "hr":
        previous.extract()
    tag.extract()


def _outlook_divider(soup: BeautifulSoup) -> Tag | None:
    for tag in soup.find_all(id=True):
        if tag.get("id") in _DIVIDER_IDS:
            return tag
    for tag in soup.find_all("div", style=_BORDER_TOP):
        # The desktop client's header block: its border-top div holds "From:" in bold.
        if re.search(r"\b(From|De|Von|Van)\s*:", tag.get_text(" ")):
            return tag
    return None


def html_to_markdown(body_html: str) -> str:
    """The new text of an HTML reply as Markdown source ("" when none is left)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(body_html, "html.parser")
    for tag in soup.find_all(["head", "style", "script", "title", "img", "meta"]):
        tag.decompose()
    divider = _outlook_divider(soup)
    if divider is not None:
        _cut_from(divider)
    for tag in soup.find_all(True):
        if tag.decomposed:
            continue
        classes = set(tag.get("class") or ())
        if classes & _QUOTE_CLASSES or (tag.name == "blockquote" and tag.get("type") == "cite"):
            tag.decompose()
    markdown = _converter.convert_soup(soup)
    # Non-breaking spaces (Outlook writes &nbsp; for empty paragraphs) are plain spaces.
    markdown = markdown.replace("\xa0", " ")
    return new_text(markdown)
