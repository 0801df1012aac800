"""A short cut for the commonest imported comments: plain words, or words with a little
inline HTML (``<p>``, ``<br>``, ``<em>``, ``<strong>``, ``<code>``, ``<a href>``).

For such a text, the Markdown source (html_source.markdown_source: markdownify over
BeautifulSoup) and the safe HTML (markup.render under the comment profile, in the
renderer pool) are known without running either, in a fraction of the time. The short
cut takes only what it can prove: letters, digits, spaces and ordinary punctuation, no
character Markdown or HTML gives a meaning to (``* _ ` [ ] # \\ < > &``), no line that
could open a list, quote, heading or code block, nothing linkify could take for an
address (a dot touching a letter, ``@``), whole inline elements with plain words inside,
never nested or touching, links to plain http(s) addresses. Anything else returns None
and goes the long way. Keyed on the raw text only; tests/test_import_fast_paths.py
checks both short cuts against the long way (examples and random texts), and
IMPORT_FAST_PATHS=0 turns them off.
"""

from __future__ import annotations

import re

from blogapp.importing.html_source import BLOCK_TAG, autop

# Words, spaces and the punctuation of ordinary sentences.
_ALLOWED = re.compile(r"[\w \n.,;:!?'\"()/%$+=–—’‘“”…-]*")
# A line must start with a word character and not end in a space; a numbered-list
# opener ("1." or "2)") is left to the long way.
_LINE = re.compile(r"(?!\d+[.)])\w(?:.*\S)?")
# What linkify could read as an address: a dot between a word character and a letter.
_ADDRESS = re.compile(r"\w\.[^\W\d_]|\w\.\d")
_BLANK_LINES = re.compile(r"\n\s*\n")


def plain_comment(text: str) -> tuple[str, str] | None:
    """``(markdown source, safe HTML)`` of a comment that is plain text, else None."""
    text = text.replace("\r\n", "\n")
    if "_" in text or not _ALLOWED.fullmatch(text) or _ADDRESS.search(text):
        return None
    paragraphs = [p.strip() for p in _BLANK_LINES.split(text) if p.strip()]
    if not paragraphs:
        return None
    for paragraph in paragraphs:
        if not all(_LINE.fullmatch(line) for line in paragraph.split("\n")):
            return None
    source = "\n\n".join(paragraphs)
    body_html = "\n".join(f"<p>{p.replace(chr(10), '<br>' + chr(10))}</p>" for p in paragraphs)
    return source, body_html


# The inline HTML a comment may have and still take the short cut: exactly these tags,
# no other attribute, nothing nested.
_TAG = re.compile(r'<(/?)(p|br|em|strong|code|a)(?: href="(https?://[A-Za-z0-9/:.?=#~+-]+)")?\s*/?>')
_INLINE = {"em": "*", "strong": "**", "code": "`"}
REL = "nofollow ugc noopener"


def simple_comment(body_html: str) -> tuple[str, str] | None:
    """``(markdown source, safe HTML)`` of a comment whose HTML is paragraphs of plain
    words with ``<br>``, ``<em>``, ``<strong>``, ``<code>`` and ``<a href>``, else None."""
    if "<" not in body_html:
        return plain_comment(body_html)  # as markdown_source, which reads it as plain text
    text = body_html.replace("\r\n", "\n")
    if not BLOCK_TAG.search(text):
        text = autop(text)
    sources, pages = [], []
    for paragraph in re.split(r"</p>\s*", text):
        if not paragraph.strip():
            continue
        if not paragraph.startswith("<p>"):
            return None
        done = _paragraph(paragraph[3:])
        if done is None:
            return None
        sources.append(done[0])
        pages.append(done[1])
    if not sources:
        return None
    return "\n\n".join(sources), "\n".join(f"<p>{page}</p>" for page in pages)


def _paragraph(inner: str) -> tuple[str, str] | None:
    lines_md, lines_html = [], []
    for line in re.split(r"<br\s*/?>", inner):
        done = _line(line)
        if done is None:
            return None
        lines_md.append(done[0])
        lines_html.append(done[1])
    return "  \n".join(lines_md), "<br>\n".join(lines_html)


def _line(line: str) -> tuple[str, str] | None:
    """One line of a paragraph: plain words and whole inline elements, nothing nested."""
    md, out, at, open_tag, href, last = [], [], 0, None, None, None
    for match in _TAG.finditer(line):
        words = line[at : match.start()]
        at = match.end()
        closing, tag, link = match.group(1), match.group(2), match.group(3)
        if tag in ("p", "br") or bool(link) != (tag == "a" and not closing):
            return None
        if not closing:
            if open_tag or (words == "" and last == "element") or not _words(words, md == []):
                return None
            md.append(words)
            out.append(words)
            open_tag, href = tag, link
            continue
        if tag != open_tag or not _inside(words, href):
            return None
        if tag == "a":
            md.append(f"<{href}>" if words == href else f"[{words}]({href})")
            out.append(f'<a href="{href}" rel="{REL}">{words}</a>')
        else:
            md.append(f"{_INLINE[tag]}{words}{_INLINE[tag]}")
            out.append(f"<{tag}>{words}</{tag}>")
        open_tag, last = None, "element"
    rest = line[at:]
    if open_tag or "<" in rest or not _words(rest, md == []) or rest.endswith(" "):
        return None
    md.append(rest)
    out.append(rest)
    return ("".join(md), "".join(out)) if any(md) else None


def _words(words: str, line_start: bool) -> bool:
    """Plain words between elements (at a line's start, as a line of plain_comment)."""
    if words == "":
        return True
    if "\n" in words or "  " in words or "_" in words or not _ALLOWED.fullmatch(words):
        return False
    if _ADDRESS.search(words):
        return False
    return bool(_LINE.match(words)) if line_start else True


def _inside(words: str, href: str | None) -> bool:
    """An element's own words: plain, not starting or ending with a space (or the link's
    own address, shown as it is)."""
    if href is not None and words == href:
        return True
    return words.strip() == words != "" and _words(words, False)
