"""Reading another system's XML export safely, one record element at a time.

The file is a stranger's. lxml parses it with entity expansion, DTD loading and the
network off: an entity stays a reference, which the record using it is refused for, so a
billion laughs costs nothing and ``file://`` or ``http://`` is never opened; libxml2's
limits on text size and nesting stay on (``huge_tree=False``).

Real exports are often broken, and a broken element must cost only itself. libxml2's
recovery mode is no help: after its first error it silently drops every ``&amp;`` and
``&lt;`` in the rest of the file. So the parser runs strict, and an error ends it: the
record it was inside is reported with the file's line, the bytes up to that record's
closing tag are passed over, and a new parser takes up the rest, opened inside copies of
the start tags around the records (so names keep their namespaces). The file is fed cut
at each record's edges. libxml2 may report an error pieces later (a bare ``&`` waits for
a ``;``), so what was fed since the open record began is kept, and the pieces after the
broken record are fed again to the new parser.
Characters XML forbids (control characters pasted into a comment) are taken out before
parsing.

Records are handed over once closed and then cleared, so memory stays flat whatever the
file's size. The file is taken to be UTF-8, as Disqus and WordPress write it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO
from xml.sax.saxutils import escape

from lxml import etree

PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}
BLOCK = 64 * 1024  # bytes read at once
PIECE_LIMIT = 1024 * 1024  # a record longer than this is fed in blocks
BACKLOG_LIMIT = 4 * PIECE_LIMIT  # what is kept to feed again after an error
MAX_PARSE_ERRORS = 1_000  # past this the file is too broken to go on reading
_FORBIDDEN = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True, slots=True)
class ParseProblem:
    """What was wrong at a line of the file."""

    line: int
    message: str


@dataclass(slots=True, eq=False)
class RecordElement:
    """A record's element, the line it starts on, and what was wrong inside it."""

    element: etree._Element
    first_line: int
    problems: list[ParseProblem] = field(default_factory=list)  # any one spoils it


class TooBroken(Exception):
    """The file has more parse errors than are worth reading past, or no document."""


def local_name(element: etree._Element) -> str:
    """The element's name without its namespace (exports disagree about namespaces)."""
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def read_records(
    stream: BinaryIO,
    record_names: frozenset[str],
    stray: Callable[[ParseProblem], None],
    root_seen: Callable[[etree._Element], None] = lambda root: None,
    depth: int = 2,
) -> Iterator[RecordElement]:
    """Yield each element named in ``record_names`` at ``depth`` (the document element is
    at 1; WXR's items, inside ``rss/channel``, are at 3) once it is closed.

    ``root_seen`` gets the document element as soon as it opens (it may raise to stop a
    file of the wrong kind); problems outside any record go to ``stray``.
    """
    reading = _Reading(record_names, depth, stray, root_seen)
    for piece in _pieces(stream, record_names):
        yield from reading.feed(piece)
    yield from reading.finish()


def _pieces(stream: BinaryIO, record_names: frozenset[str]) -> Iterator[bytes]:
    """The file cut before each record's start tag and after its end tag, so that a
    piece holds at most one record's edge (and never more than PIECE_LIMIT bytes)."""
    names = rb"(?:[\w.-]+:)?(?:" + b"|".join(re.escape(n.encode()) for n in record_names) + b")"
    edges = re.compile(rb"</" + names + rb"\s*>|<(?=" + names + rb"[\s/>])")
    rest = b""
    while block := stream.read(BLOCK):
        rest += block
        cut = 0
        for edge in edges.finditer(rest):
            at = edge.end() if rest[edge.start() + 1 : edge.start() + 2] == b"/" else edge.start()
            if at > cut:
                yield rest[cut:at]
                cut = at
        rest = rest[cut:]
        while len(rest) > PIECE_LIMIT:
            yield rest[:BLOCK]
            rest = rest[BLOCK:]
    if rest:
        yield rest


class _Reading:
    """One pass over a file: the parser, the record open in it, where it is."""

    def __init__(self, record_names, record_depth, stray, root_seen):
        self.record_names, self.record_depth = record_names, record_depth
        self.stray, self.root_seen = stray, root_seen
        self.parser = etree.XMLPullParser(events=("start", "end"), **PARSER_OPTIONS)
        # The start tags around the records (rebuilt), to open a new parser inside them.
        self.around: list[bytes] = []
        self.depth = 0
        self.record: RecordElement | None = None
        self.line = 1  # the file's line where the next piece starts
        self.offset = 0  # the file's line of the parser's line 1, less one
        self.skip_to: re.Pattern | None = None  # the closing tag that ends a broken record
        self.errors = 0
        # The pieces fed since the open record began (first line, last line with text,
        # bytes): libxml2 waits for the end of what it reads (a bare "&" for a ";"), so an
        # error can surface pieces after its own; what followed it is fed again.
        self.backlog: list[tuple[int, int, bytes]] = []
        self.backlog_size = 0

    def feed(self, piece: bytes) -> Iterator[RecordElement]:
        first, self.line = self.line, self.line + piece.count(b"\n")
        yield from self.take(first, piece)

    def take(self, first: int, piece: bytes) -> Iterator[RecordElement]:
        if self.skip_to is not None:
            if self.skip_to.search(piece):
                self.skip_to = None
                self.restart(first + piece.count(b"\n"))
            return
        self.backlog.append((first, first + piece.rstrip().count(b"\n"), piece))
        self.backlog_size += len(piece)
        while self.backlog_size > BACKLOG_LIMIT and len(self.backlog) > 1:
            self.backlog_size -= len(self.backlog.pop(0)[2])
        failure = self.fed(piece)
        yield from self.take_events()
        if failure is not None:
            yield from self.broken(failure)

    def finish(self) -> Iterator[RecordElement]:
        if self.skip_to is not None:
            return
        failure = self.fed(None)
        yield from self.take_events()
        if failure is not None:
            yield from self.broken(failure)

    def fed(self, piece: bytes | None) -> tuple[int, str] | None:
        """Feed the parser (None: the end of the file); the first error, if any, as
        (parser's line, message). libxml2 logs some fatal errors without raising them."""
        try:
            if piece is None:
                self.parser.close()
            else:
                self.parser.feed(_FORBIDDEN.sub(b"", piece))
        except etree.XMLSyntaxError as error:
            return self.in_file(error.lineno), self.plain(error.msg)
        for entry in self.parser.feed_error_log:
            if entry.level >= etree.ErrorLevels.ERROR:
                return self.in_file(entry.line), self.plain(entry.message)
        return None

    def plain(self, message: str) -> str:
        """libxml2's message on one line, its lines counted in the file's lines (lxml adds
        the parser's own line and column, which count from a restart)."""
        first = re.sub(r", line \d+, column \d+$", "", (message or "").strip()).split("\n")[0]
        return re.sub(r"\bline (\d+)", lambda m: f"line {self.in_file(int(m[1]))}", first)

    def take_events(self) -> Iterator[RecordElement]:
        """Hand over the records the parser has closed (after an error too: its events
        all come before the error), and note the one open and the elements around them."""
        for event, element in self.parser.read_events():
            if event == "start":
                self.depth += 1
                if self.depth == 1:
                    self.root_seen(element)
                if self.depth < self.record_depth and len(self.around) < self.depth:
                    self.around.append(_start_tag(element))
                elif self.depth == self.record_depth and self.is_record(element):
                    self.record = RecordElement(element, self.in_file(element.sourceline))
                    self.forget_before(self.record.first_line)
                continue
            self.depth -= 1
            if self.record is not None and element is self.record.element:
                record, self.record = self.record, None
                record.problems.extend(_entity_references(element, self.offset))
                yield record
                element.clear(keep_tail=False)
                parent = element.getparent()
                while element.getprevious() is not None:
                    del parent[0]

    def forget_before(self, line: int) -> None:
        """The parser has read past the pieces that end before ``line``."""
        done = 0
        while done < len(self.backlog) - 1 and self.backlog[done][1] < line:
            self.backlog_size -= len(self.backlog[done][2])
            done += 1
        del self.backlog[:done]

    def is_record(self, element: etree._Element) -> bool:
        return local_name(element) in self.record_names

    def in_file(self, line: int | None) -> int:
        """The file's line for the current parser's ``line`` (libxml2 gives 0 for some
        errors: then the line reached)."""
        return line + self.offset if line else self.line

    def broken(self, failure: tuple[int, str]) -> Iterator[RecordElement]:
        """Report where the file broke, pass over the rest of the record it broke, and
        feed what the parser had been given after that to a new parser."""
        self.errors += 1
        if self.errors > MAX_PARSE_ERRORS:
            raise TooBroken(f"more than {MAX_PARSE_ERRORS} XML errors by line {self.line}")
        if not self.around:
            raise TooBroken(f"no XML document in the file ({failure[1]})")
        problem = ParseProblem(*failure)
        at, record = self.where(problem)
        if record is None:
            self.stray(problem)
        else:
            # libxml2 places an error inside an entity's text at that text's line.
            line = min(max(problem.line, record.first_line), self.line)
            record.problems.append(ParseProblem(line, problem.message))
            yield record
            ends = _record_end(local_name(record.element))
            pieces = range(max(at, 0), len(self.backlog))
            at = next((i for i in pieces if ends.search(self.backlog[i][2])), None)
            if at is None:  # its end is still to come
                self.skip_to = ends
                return
        rest = self.backlog[at + 1 :]
        self.restart(rest[0][0] if rest else self.line)
        for first, _, piece in rest:
            yield from self.take(first, piece)

    def where(self, problem: ParseProblem) -> tuple[int, RecordElement | None]:
        """The backlog's piece that holds the error, and the record it broke (None: the
        error is between records)."""
        pieces, line = self.backlog, problem.line
        if self.record is not None:  # the first piece that reaches the error's line
            at = next((i for i, p in enumerate(pieces) if p[1] >= line), len(pieces) - 1)
            return at, self.record
        # No record open: the last piece the line can be in (pieces may share a line).
        at = max((i for i, p in enumerate(pieces) if p[0] <= line), default=len(pieces) - 1)
        started = _record_start(self.record_names).match(pieces[at][2]) if pieces else None
        if started is None:
            return at, None
        # The record's start tag was the broken part.
        return at, RecordElement(etree.Element(started.group(1).decode()), pieces[at][0])

    def restart(self, first_line: int) -> None:
        """A new parser for the file from ``first_line`` on, inside the document element."""
        self.parser = etree.XMLPullParser(events=("start", "end"), **PARSER_OPTIONS)
        # The declaration first: libxml2 reads nothing before its first four bytes.
        self.parser.feed(b'<?xml version="1.0" encoding="UTF-8"?>' + b"".join(self.around))
        for _ in self.parser.read_events():
            pass
        self.depth, self.record, self.offset = len(self.around), None, first_line - 1
        self.backlog, self.backlog_size = [], 0


def _start_tag(element: etree._Element) -> bytes:
    """The element's start tag, declaring every namespace in scope (attributes dropped)."""
    prefix = f"{element.prefix}:" if element.prefix else ""
    spaces = "".join(
        f' xmlns{":" + p if p else ""}="{escape(uri, {chr(34): "&quot;"})}"'
        for p, uri in (element.nsmap or {}).items()
    )
    return f"<{prefix}{local_name(element)}{spaces}>".encode()


def _record_start(names: frozenset[str]) -> re.Pattern:
    alternatives = b"|".join(re.escape(n.encode()) for n in sorted(names))
    return re.compile(rb"<(?:[\w.-]+:)?(" + alternatives + rb")[\s/>]")


def _record_end(name: str) -> re.Pattern:
    return re.compile(rb"</(?:[\w.-]+:)?" + re.escape(name.encode()) + rb"\s*>")


def _entity_references(element: etree._Element, offset: int) -> list[ParseProblem]:
    """Entities are never expanded: a record that uses one has lost that text."""
    return [
        ParseProblem((ref.sourceline or 0) + offset, f"uses the entity {ref.text}, not expanded")
        for ref in element.iter(etree.Entity)
    ]
