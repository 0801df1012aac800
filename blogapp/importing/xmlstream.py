"""Reading another system's XML export safely: streamed, hardened, and forgiving.

One parser for both readers (WordPress, Disqus): lxml's ``iterparse`` with

- ``resolve_entities=False``, ``load_dtd=False``: a DOCTYPE's entities are never
  expanded, internal ("billion laughs") or external (``SYSTEM "file:///etc/passwd"``);
  a reference to one is left out of the text. The five XML entities and character
  references still work, and CDATA comes through as it is.
- ``no_network=True``: nothing is ever fetched, whatever the file names.
- ``huge_tree=False``: libxml2's own limits on a text node's size and nesting depth.
- ``recover=True``: libxml2 repairs what it can (a mismatched tag, an undefined entity,
  bytes that are not UTF-8, a file cut short) and goes on; each repair is reported
  with its line, as a ``Skipped`` whose element is ``xml``. What cannot be repaired
  ends the file there, reported the same way; everything read before it is kept.

lxml over defusedxml because defusedxml refuses a whole file that declares any entity
(WordPress exports never do, but a refusal would lose everything), has no recovery for
the malformed exports real sites produce, and is slower; lxml's parser does the same
hardening by its options. Each element the caller asked for is handed over once complete
and then cleared with the siblings before it, so memory holds one item, not the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import BinaryIO

from lxml import etree

from blogapp.importing.records import Skipped

Report = Callable[[Skipped], None]


def local_name(tag: object) -> str:
    """``{uri}name`` → ``name`` (comments and processing instructions → "")."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def namespace(tag: object) -> str:
    if not isinstance(tag, str) or not tag.startswith("{"):
        return ""
    return tag[1:].split("}", 1)[0]


def elements(
    stream: BinaryIO, wanted: Callable[[etree._Element], bool], skipped: Report
) -> Iterator[etree._Element]:
    """Each complete element for which ``wanted`` is true, in file order; cleared after use."""
    parser = etree.iterparse(
        stream,
        events=("end",),
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        recover=True,
        remove_comments=True,
        remove_pis=True,
    )
    reported = 0
    try:
        for _, element in parser:
            if wanted(element):
                yield element
                _forget(element)
            reported = _report_errors(parser, reported, skipped)
    except etree.XMLSyntaxError as error:
        skipped(Skipped(line=error.lineno, element="xml", reason=f"unreadable from here: {error}"))
    _report_errors(parser, reported, skipped)


def _forget(element: etree._Element) -> None:
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _report_errors(parser, already: int, skipped: Report) -> int:
    log = parser.error_log
    if len(log) == already:
        return already
    for entry in list(log)[already:]:
        if entry.level >= etree.ErrorLevels.ERROR:
            skipped(Skipped(line=entry.line, element="xml", reason=entry.message))
    return len(log)


def text(element: etree._Element | None) -> str:
    """An element's text (CDATA included), "" when absent; entity references left out."""
    if element is None:
        return ""
    return "".join(element.itertext()) if len(element) else (element.text or "")
