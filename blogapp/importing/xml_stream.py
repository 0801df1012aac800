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
broken record are fed again to the new parser (``xml_pieces``).
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

from blogapp.importing.xml_pieces import Backlog, pieces, record_end

PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}
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
    for piece in pieces(stream, record_names):
        yield from reading.feed(piece)
    yield from reading.finish()


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
        self.backlog = Backlog(record_names)  # what was fed since the open record began
        self.seen = 0  # records the parser has begun

    def feed(self, piece: bytes) -> Iterator[RecordElement]:
        first, self.line = self.line, self.line + piece.count(b"\n")
        yield from self.take(first, piece)

    def take(self, first: int, piece: bytes) -> Iterator[RecordElement]:
        if self.skip_to is not None:
            if self.skip_to.search(piece):
                self.skip_to = None
                self.restart(first + piece.count(b"\n"))
            return
        self.backlog.add(first, piece)
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
        deep = self.record_depth  # a record's elements: counted, nothing more (most events)
        for event, element in self.parser.read_events():
            if event == "start":
                self.depth += 1
                if self.depth > deep:
                    continue
                if self.depth == 1:
                    self.root_seen(element)
                if self.depth < deep and len(self.around) < self.depth:
                    self.around.append(_start_tag(element))
                elif self.depth == deep and self.is_record(element):
                    self.record = RecordElement(element, self.in_file(element.sourceline))
                    self.seen += 1
                    self.backlog.forget_before(self.seen)
                continue
            self.depth -= 1
            if self.depth < deep and self.record is not None and element is self.record.element:
                record, self.record = self.record, None
                record.problems.extend(_entity_references(element, self.offset))
                yield record
                element.clear(keep_tail=False)
                parent = element.getparent()
                while element.getprevious() is not None:
                    del parent[0]

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
        record, number = self.record, self.seen
        if record is None:  # between records, or in the next one's start tag
            number += 1
            start = self.backlog.start(number)
            if start is not None and start[0].first_line <= problem.line:
                record = RecordElement(etree.Element(start[1]), start[0].first_line)
        if record is None:
            self.stray(problem)
            rest = self.backlog.from_record(number)
        else:
            # libxml2 places an error inside an entity's text at that text's line.
            line = min(max(problem.line, record.first_line), self.line)
            record.problems.append(ParseProblem(line, problem.message))
            yield record
            rest = self.backlog.after(number)
            if rest is None:  # the rest of it is still to come
                self.skip_to = record_end(local_name(record.element))
                return
        self.restart(rest[0].first_line if rest else self.line)
        for piece in rest:
            yield from self.take(piece.first_line, piece.data)

    def restart(self, first_line: int) -> None:
        """A new parser for the file from ``first_line`` on, inside the document element."""
        self.parser = etree.XMLPullParser(events=("start", "end"), **PARSER_OPTIONS)
        # The declaration first: libxml2 reads nothing before its first four bytes.
        self.parser.feed(b'<?xml version="1.0" encoding="UTF-8"?>' + b"".join(self.around))
        for _ in self.parser.read_events():
            pass  # the declaration and the wrapper's start: nothing to hand over
        self.depth, self.record, self.offset = len(self.around), None, first_line - 1
        self.backlog, self.seen = Backlog(self.record_names), 0


def _start_tag(element: etree._Element) -> bytes:
    """The element's start tag, declaring every namespace in scope (attributes dropped)."""
    prefix = f"{element.prefix}:" if element.prefix else ""
    spaces = "".join(
        f' xmlns{":" + p if p else ""}="{escape(uri, {chr(34): "&quot;"})}"'
        for p, uri in (element.nsmap or {}).items()
    )
    return f"<{prefix}{local_name(element)}{spaces}>".encode()


def _entity_references(element: etree._Element, offset: int) -> list[ParseProblem]:
    """Entities are never expanded: a record that uses one has lost that text."""
    return [
        ParseProblem((ref.sourceline or 0) + offset, f"uses the entity {ref.text}, not expanded")
        for ref in element.iter(etree.Entity)
    ]
