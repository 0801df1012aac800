"""HTML drawn once and filled in on every request: named slots instead of string surgery.

A drawing that is cached (the shared thread, a signed-in reader's comment form, the
page around the thread) marks what differs between requests with a slot: ``slot(name)``
where the request must put something (a token, the thread's bytes), or ``keep(name)``
around what the drawing itself put there (a comment's Report link) when a request may
put something else instead (that reader's own Edit link). ``Drawing.of`` cuts the HTML
at its marks once; ``fill`` puts each request's values in. Every slot is filled exactly
once: a slot the request leaves empty, a value for a slot the drawing lacks, a value
given twice, or a mark drawn twice (its value would go in twice) is a SlotError, never
a page with a hole or a stray token in it.

The marks are made of letters, digits and dots (they pass through HTML escaping, in an
attribute or in text) and carry a random word drawn when the process starts, so text a
visitor typed can never pass for one.
"""

import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from markupsafe import Markup

_WORD = secrets.token_hex(8)
_MARK = re.compile(rf"slot\.{_WORD}\.(open|kept|close)\.([A-Za-z0-9_-]+)\.")


class SlotError(ValueError):
    """A drawing and the values put into it disagree about its slots."""


def _mark(kind: str, name: str) -> Markup:
    return Markup(f"slot.{_WORD}.{kind}.{name}.")


def slot(name: str) -> Markup:
    """Where each request puts ``name``'s value."""
    return _mark("open", name)


def keep(name: str) -> tuple[Markup, Markup]:
    """The marks around what the drawing puts at ``name``, kept unless a request replaces it."""
    return _mark("kept", name), _mark("close", name)


@dataclass(frozen=True)
class Drawing:
    """HTML cut at its slots: ``pieces`` around ``names``; ``kept`` holds drawn contents."""

    pieces: tuple[bytes, ...]
    names: tuple[str, ...]
    kept: Mapping[str, bytes]

    @classmethod
    def of(cls, html: str) -> "Drawing":
        """Cut ``html`` at its marks (SlotError if one is drawn twice or left open)."""
        pieces, names, kept = [], [], {}
        position, parts = 0, _MARK.finditer(html)
        for found in parts:
            kind, name = found.groups()
            if kind == "close" or name in names:
                raise SlotError(f"the slot {name!r} is drawn twice or closed before it opens")
            pieces.append(html[position : found.start()].encode())
            names.append(name)
            position = found.end()
            if kind == "kept":
                end = next(parts, None)
                if end is None or end.groups() != ("close", name):
                    raise SlotError(f"the kept slot {name!r} is not closed where it should be")
                kept[name] = html[position : end.start()].encode()
                position = end.end()
        pieces.append(html[position:].encode())
        return cls(tuple(pieces), tuple(names), kept)

    def fill(self, values: Mapping[str, str | bytes] | Iterable[tuple[str, str | bytes]]) -> bytes:
        """The drawing with each slot's value put in (str is encoded as UTF-8)."""
        given: dict[str, str | bytes] = {}
        for name, value in values.items() if isinstance(values, Mapping) else values:
            if name in given:
                raise SlotError(f"the slot {name!r} is filled twice")
            given[name] = value
        out, used = [self.pieces[0]], 0
        for name, piece in zip(self.names, self.pieces[1:], strict=True):
            value = given.get(name)
            if value is not None:
                used += 1
            else:
                value = self.kept.get(name)
                if value is None:
                    raise SlotError(f"the slot {name!r} is left unfilled")
            out.append(value.encode() if isinstance(value, str) else value)
            out.append(piece)
        if used != len(given):
            unknown = sorted(given.keys() - set(self.names))[0]
            raise SlotError(f"no slot called {unknown!r} in this drawing")
        return b"".join(out)
