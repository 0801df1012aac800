"""A short cut for the commonest imported comment: plain words, no markup at all.

For such a text, the Markdown source (html_source.markdown_source) and the safe HTML
(markup.render under the comment profile) are known without running either: the
paragraphs and line breaks become ``<p>`` and ``<br>``, and nothing else changes. The
short cut takes only what it can prove: letters, digits, spaces and ordinary
punctuation, no character Markdown or HTML gives a meaning to (``* _ ` [ ] # \\ < > &``),
no line that could open a list, quote, heading or code block, nothing linkify could
take for an address (a dot touching a letter, ``@``). Anything else returns None and
goes the long way. It is keyed on the raw text only; tests/test_import_fast_paths.py
checks it against the long way, and IMPORT_FAST_PATHS=0 turns it off.
"""

from __future__ import annotations

import re

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
