"""The Disqus export reader: threads and their comments, as records for the writer.

A Disqus export (Community → Export) is one ``<disqus xmlns="http://disqus.com">``
element holding ``<category>``, ``<thread dsq:id>`` and ``<post dsq:id>`` elements in no
promised order: a post names its thread and parent by ``dsq:id`` (``<thread dsq:id=…/>``,
``<parent dsq:id=…/>``). Each is yielded as it is read; the writer links them afterwards.

What real exports contain, and what is done with it:

- a thread with an empty ``<id/>`` (the page's own identifier, often never set) or an
  empty title is an ordinary thread: it is found by its ``<link>`` (Isso skipped such
  threads and lost their comments); a thread with no link, or deleted on Disqus, is
  reported and skipped, and its comments are then orphans the writer reports;
- a post whose thread is not in the file (an orphan) is yielded all the same: only the
  writer, having read the whole file, knows the thread is missing;
- ``isSpam`` → state "spam", which the writer skips and counts; ``isDeleted`` → state
  "deleted" with no text (someone removed it on Disqus: its words are not carried over),
  which the writer keeps as a "Comment removed." placeholder only when it has replies;
- a post without ``dsq:id`` falls back to its ``<id>``; an anonymous author may have no
  username, or no name (then "Anonymous"); an empty ``<email/>`` stays empty; a
  signed-in author's (``isAnonymous`` false) email is ``author_verified``, so the writer
  may find an employee by it (a guest can type anyone's address);
- names and titles come with HTML entities (``O&#39;Brien``): decoded;
- a broken element is reported with its line and skipped, and control characters XML
  forbids (pasted into a comment) are taken out (``xml_stream``).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import BinaryIO

from lxml import etree

from blogapp.importing.records import Record, Skipped, SourceComment, SourceThread
from blogapp.importing.xml_stream import (
    ParseProblem,
    RecordElement,
    TooBroken,
    local_name,
    read_records,
)

DSQ_ID = "{http://disqus.com/disqus-internals}id"
ANONYMOUS = "Anonymous"
_RECORD_NAMES = frozenset({"thread", "post"})


class NotDisqus(Exception):
    """The file is not a Disqus export."""


class Unusable(Exception):
    """A thread or post lacks something it cannot be imported without."""


def read(stream: BinaryIO, skipped: Callable[[Skipped], None]) -> Iterator[Record]:
    """Yield a SourceThread or SourceComment for each usable element of a Disqus export,
    reporting every element skipped, and why, to ``skipped``."""
    try:
        for found in read_records(stream, _RECORD_NAMES, _stray(skipped), _check_root):
            record = _record(found, skipped)
            if record is not None:
                yield record
    except NotDisqus as error:
        skipped(Skipped(1, "disqus", str(error)))
    except TooBroken as error:
        skipped(Skipped(None, "disqus", f"stopped reading: {error}"))


def _check_root(root: etree._Element) -> None:
    if local_name(root) != "disqus":
        raise NotDisqus(f"not a Disqus export (its first element is <{local_name(root)}>)")


def _stray(skipped: Callable[[Skipped], None]) -> Callable[[ParseProblem], None]:
    def report(problem: ParseProblem) -> None:
        skipped(Skipped(problem.line, "xml", f"outside any thread or post: {problem.message}"))

    return report


def _record(found: RecordElement, skipped: Callable[[Skipped], None]) -> Record | None:
    element, name = found.element, local_name(found.element)
    if found.problems:
        problem = found.problems[0]
        skipped(Skipped(problem.line, "xml", f"{_label(name, element)}: {problem.message}"))
        return None
    try:
        return _thread(element) if name == "thread" else _comment(element)
    except Unusable as error:
        skipped(Skipped(found.first_line, name, f"{_label(name, element)}: {error}"))
        return None


def _label(name: str, element: etree._Element) -> str:
    source_id = _source_id(name, _Fields(element))
    return f"{name} {source_id}" if source_id else name


def _thread(element: etree._Element) -> SourceThread:
    fields = _Fields(element)
    source_id = _source_id("thread", fields)
    if not source_id:
        raise Unusable("no dsq:id, so no post can name it")
    if fields.flag("isDeleted"):
        raise Unusable("deleted on Disqus; its comments are not imported")
    link = fields.text("link")
    if not link:
        raise Unusable("no link to find its page by")
    return SourceThread("disqus", source_id, link, html.unescape(fields.text("title")))


def _comment(element: etree._Element) -> SourceComment:
    fields = _Fields(element)
    source_id = _source_id("post", fields)
    if not source_id:
        raise Unusable("neither dsq:id nor id")
    thread_id = fields.reference("thread")
    if not thread_id:
        raise Unusable("names no thread")
    deleted, spam = fields.flag("isDeleted"), fields.flag("isSpam")
    author = _Fields(fields.children.get("author"))
    name = html.unescape(author.text("name")) or author.text("username") or ANONYMOUS
    return SourceComment(
        "disqus",
        source_id,
        thread_source_id=thread_id,
        parent_source_id=fields.reference("parent") or None,
        created_at=_utc(fields.text("createdAt")),
        body_html="" if deleted else fields.text("message"),
        author_name=name,
        author_email=author.text("email"),
        # A Disqus account's address, not one a guest typed: it may be an employee's.
        author_verified=author.text("isAnonymous").lower() == "false",
        state="spam" if spam else "deleted" if deleted else "published",
    )


def _source_id(name: str, fields: _Fields) -> str:
    # Disqus's own id; a few exports have posts without it, but with <id> (Remark42 too
    # falls back to it). For a thread <id> is the page's identifier, never its id.
    own = fields.element.get(DSQ_ID, "").strip() if fields.element is not None else ""
    return own or (fields.text("id") if name == "post" else "")


class _Fields:
    """An element's children by name (the first of each name), read as Disqus writes them."""

    def __init__(self, element: etree._Element | None):
        self.element = element
        self.children: dict[str, etree._Element] = {}
        for child in element if element is not None else ():
            self.children.setdefault(local_name(child), child)

    def text(self, name: str) -> str:
        child = self.children.get(name)
        return (child.text or "").strip() if child is not None else ""

    def reference(self, name: str) -> str:
        """The dsq:id a child like ``<thread dsq:id="…"/>`` names."""
        child = self.children.get(name)
        return child.get(DSQ_ID, "").strip() if child is not None else ""

    def flag(self, name: str) -> bool:
        value = self.text(name).lower()
        if value in ("", "false", "0"):
            return False
        if value in ("true", "1"):
            return True
        raise Unusable(f"<{name}> is {value[:20]!r}, neither true nor false")


def _utc(value: str) -> datetime:
    """Disqus writes UTC (``2013-10-10T19:20:29Z``); an offset is honoured, none is UTC."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise Unusable(f"<createdAt> is {value[:40]!r}, not a date") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment
