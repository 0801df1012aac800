"""The bytes side of ``xml_stream``: the file cut at its records' edges, and the pieces a
parser has been given but may not have read yet.

libxml2 reads ahead only as far as it can finish what it is reading: a bare ``&`` waits
for a ``;``, which may come records later. So an error can surface pieces after the one
that holds it, and the records fed in between must be fed again to the new parser. The
backlog keeps the pieces fed since the record the parser has open began, each marked
with the record it belongs to (or follows), counted as the parser counts them, so that
this works whatever the lines (one-line exports too).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import BinaryIO, NamedTuple

BLOCK = 64 * 1024  # bytes read at once
PIECE_LIMIT = 1024 * 1024  # a record longer than this is fed in blocks
BACKLOG_LIMIT = 4 * PIECE_LIMIT  # what is kept to feed again after an error
_SELF_CLOSED = re.compile(rb"<[^>]*/>")


def pieces(stream: BinaryIO, record_names: frozenset[str]) -> Iterator[bytes]:
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


@lru_cache(maxsize=16)
def record_start(names: frozenset[str]) -> re.Pattern:
    alternatives = b"|".join(re.escape(n.encode()) for n in sorted(names))
    return re.compile(rb"<(?:[\w.-]+:)?(" + alternatives + rb")[\s/>]")


@lru_cache(maxsize=16)
def record_end(name: str) -> re.Pattern:
    return re.compile(rb"</(?:[\w.-]+:)?" + re.escape(name.encode()) + rb"\s*>")


class Piece(NamedTuple):
    first_line: int
    data: bytes
    record: int  # the record it is part of, or follows (0: before the first)
    ends: bool  # it holds that record's end tag


class Backlog:
    """The pieces fed to one parser that it may not have read yet."""

    def __init__(self, record_names: frozenset[str]):
        self.starts = record_start(record_names)
        self.pieces: list[Piece] = []
        self.size = 0
        self.records = 0  # records whose start tag was fed
        self.open: str | None = None  # the name of the fed record whose end is to come

    def add(self, first_line: int, data: bytes) -> None:
        started = self.starts.match(data) if self.open is None else None
        if started:  # a record's own start tag, not one nested in a record
            self.records += 1
            self.open = None if _SELF_CLOSED.match(data) else started.group(1).decode()
        ends = bool(started) and self.open is None
        if self.open is not None and record_end(self.open).search(data):
            ends, self.open = True, None
        self.pieces.append(Piece(first_line, data, self.records, ends))
        self.size += len(data)
        while self.size > BACKLOG_LIMIT and len(self.pieces) > 1:
            self.size -= len(self.pieces.pop(0).data)

    def forget_before(self, record: int) -> None:
        """The parser has begun the ``record``th record: what came before it is read."""
        done = 0
        while done < len(self.pieces) - 1 and self.pieces[done].record < record:
            self.size -= len(self.pieces[done].data)
            done += 1
        del self.pieces[:done]

    def start(self, record: int) -> tuple[Piece, str] | None:
        """The piece that opens the ``record``th record, and the record's name."""
        for piece in self.pieces:
            if piece.record == record and (started := self.starts.match(piece.data)):
                return piece, started.group(1).decode()
        return None

    def after(self, record: int) -> list[Piece] | None:
        """The pieces after the ``record``th record's end tag (None: not fed yet)."""
        for at, piece in enumerate(self.pieces):
            if piece.record == record and piece.ends:
                return self.pieces[at + 1 :]
        return None

    def from_record(self, record: int) -> list[Piece]:
        return [piece for piece in self.pieces if piece.record >= record]
