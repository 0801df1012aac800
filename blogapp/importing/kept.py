"""The kept comments of one import as a few ints each, so that memory stays flat.

The threading pass (threading_pass.py) runs after the last record, over every comment of
the file: a reply may come before its parent. What it needs of a comment is a handful
of numbers, held here in columns (``array``, 8 bytes a value) by the comment's position
in the file, never one object a comment: a 200 MB export must not be held twice.

Source ids are read as ints (``SourceKeys``): WordPress's are always decimal and
Disqus's normally are; any other text gets a made-up negative key, remembered in a dict
(only such ids cost more than a few bytes). Email addresses are kept as their hash (in
this process): they are only ever compared with the parent's, to tell a customer's
follow-up from another customer's reply.
"""

from __future__ import annotations

from array import array
from datetime import datetime, timedelta

NONE = -1  # no source key / no position
_EPOCH = datetime(1970, 1, 1)
_ONE_MICROSECOND = timedelta(microseconds=1)
_MAX_DECIMAL = 10**18

# status codes
PUBLISHED, HELD, REMOVED = 0, 1, 2
REFUSED = 3  # the renderer refused its body: not kept after all
# flags
OLD, CUSTOMER, ANSWERED = 1, 2, 4


class SourceKeys:
    """Source ids (text) → ints: a canonical decimal id is its own value; others are
    numbered -2, -3, … as they come."""

    def __init__(self) -> None:
        self._other: dict[str, int] = {}
        self._texts: list[str] = []

    def key(self, source_id: str | None) -> int:
        if source_id is None:
            return NONE
        if source_id.isascii() and source_id.isdigit() and len(source_id) <= 18:
            if source_id == "0" or source_id[0] != "0":
                return int(source_id)
        key = self._other.get(source_id)
        if key is None:
            key = self._other[source_id] = -2 - len(self._texts)
            self._texts.append(source_id)
        return key

    def text(self, key: int) -> str:
        """The source id a key was made from."""
        return str(key) if key >= 0 else self._texts[-2 - key]


def microseconds(at: datetime) -> int:
    return (at - _EPOCH) // _ONE_MICROSECOND


def from_microseconds(value: int) -> datetime:
    return _EPOCH + value * _ONE_MICROSECOND


def email_hash(email: str) -> int:
    """0 for no address; otherwise a non-zero hash, equal for equal addresses."""
    return (hash(email) or 1) if email else 0


class KeptComments:
    """Columns by position: this file's kept comments in the order they were added, then
    (appended by the threading pass) earlier imports' comments that new replies hang
    under, flagged OLD."""

    def __init__(self) -> None:
        self.position: dict[int, int] = {}  # source key → position
        self.key = array("q")
        self.parent_key = array("q")
        self.post_id = array("q")
        self.created = array("q")  # microseconds since 1970 (naive UTC)
        self.author_id = array("q")  # 0: a guest
        self.email = array("q")  # email_hash
        self.local_id = array("q")  # 0 until written (and in a dry run)
        self.root_id = array("q")  # 0: none
        self.status = bytearray()
        self.flags = bytearray()

    def __len__(self) -> int:
        return len(self.key)

    def add(self, key: int, parent_key: int, post_id: int, created_at: datetime,
            author_id: int | None, email: str, status: int, flags: int = 0) -> int:  # fmt: skip
        """Append a comment; returns its position."""
        at = len(self.key)
        if key != NONE:
            self.position[key] = at
        self.key.append(key)
        self.parent_key.append(parent_key)
        self.post_id.append(post_id)
        self.created.append(microseconds(created_at))
        self.author_id.append(author_id or 0)
        self.email.append(email_hash(email))
        self.local_id.append(0)
        self.root_id.append(0)
        self.status.append(status)
        self.flags.append(flags)
        return at

    def has(self, at: int, flag: int) -> bool:
        return bool(self.flags[at] & flag)

    def set(self, at: int, flag: int) -> None:
        self.flags[at] |= flag

    def same_person(self, a: int, b: int) -> bool:
        if self.author_id[a] or self.author_id[b]:
            return self.author_id[a] == self.author_id[b]
        return self.email[a] != 0 and self.email[a] == self.email[b]
