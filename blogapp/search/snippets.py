"""Snippets with the searched words marked, as safe HTML.

Every piece of the text is escaped; only the <mark> tags around matching words
are markup, so nothing a comment says can become HTML here.
"""

import re
from collections.abc import Callable

from markupsafe import Markup, escape

_WORD = re.compile(r"\w+")
CONTEXT = 60


def _window(text: str, spans: list[tuple[int, int]], limit: int) -> tuple[int, int]:
    """The stretch of at most ``limit`` characters holding the most matches, cut at spaces."""
    if len(text) <= limit:
        return 0, len(text)
    best, best_count = 0, -1
    for start, _ in spans or [(0, 0)]:
        begin = max(0, start - CONTEXT)
        count = sum(1 for s, e in spans if s >= begin and e <= begin + limit)
        if count > best_count:
            best, best_count = begin, count
    if best > 0:  # start on a word
        space = text.find(" ", best)
        best = space + 1 if 0 <= space < best + CONTEXT else best
    end = min(len(text), best + limit)
    if end < len(text):
        space = text.rfind(" ", best, end)
        end = space if space > best else end
    return best, end


def mark_words(text: str, matches: Callable[[str], bool], limit: int | None = None) -> Markup:
    """``text`` escaped, words for which ``matches(word)`` is true in <mark>, cut to about
    ``limit`` characters around the most matches (with "…" where it was cut)."""
    spans = [(m.start(), m.end()) for m in _WORD.finditer(text) if matches(m.group())]
    begin, end = _window(text, spans, limit) if limit else (0, len(text))
    out = ["… "] if begin > 0 else []
    position = begin
    for start, stop in spans:
        if start < begin or stop > end:
            continue
        out += [str(escape(text[position:start])), f"<mark>{escape(text[start:stop])}</mark>"]
        position = stop
    out.append(str(escape(text[position:end])))
    if end < len(text):
        out.append(" …")
    return Markup("".join(out))
