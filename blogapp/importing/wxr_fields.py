"""How a WXR element reads: its children by a kind that does not depend on the format's
version, their text, and their dates.

WordPress's elements are in a namespace that names the WXR version
(``http://wordpress.org/export/1.2/``; some sites write ``https://`` or drop the trailing
slash), so it is matched by its ``/export/1.x`` ending, never by the exact URI.
``*_date_gmt`` is UTC; the local ``*_date`` is in the site's time zone, which the export
does not carry, so the reader passes it in.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from functools import lru_cache

from lxml import etree

_WXR = re.compile(r"/export/1\.\d+/?$")
_EXCERPT = re.compile(r"/export/1\.\d+/excerpt/?$")


def is_wxr(uri: str) -> bool:
    """Whether a namespace URI is WordPress's export namespace, of any 1.x version."""
    return bool(_WXR.search(uri))


def kind_of(element: etree._Element) -> str:
    """``wp:name``, ``excerpt:encoded``, ``content:encoded``, ``dc:creator`` or the bare
    RSS name: the element's name with a prefix that does not depend on the version."""
    return _kind_of_tag(element.tag)


@lru_cache(maxsize=256)
def _kind_of_tag(tag: object) -> str:
    # A file names a few dozen tags, each read for every element: worked out once each.
    if not isinstance(tag, str):
        return ""  # a comment or processing instruction
    uri, _, name = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
    if not uri:
        return name
    if is_wxr(uri):
        return f"wp:{name}"
    if _EXCERPT.search(uri):
        return f"excerpt:{name}"
    if uri.startswith("http://purl.org/rss/1.0/modules/content"):
        return f"content:{name}"
    if uri.startswith("http://purl.org/dc/elements/1.1"):
        return f"dc:{name}"
    return f"?:{name}"


def text(element: etree._Element | None) -> str:
    """An element's text (CDATA included), "" when absent."""
    if element is None:
        return ""
    return "".join(element.itertext()) if len(element) else (element.text or "")


def fields_of(element: etree._Element) -> dict[str, etree._Element]:
    """The element's children by kind (the first of each; categories are read apart)."""
    found: dict[str, etree._Element] = {}
    for child in element:
        found.setdefault(kind_of(child), child)
    return found


def utc_time(gmt: str, local: str, site_timezone: tzinfo) -> datetime | None:
    """A naive UTC time from the GMT date, else from the local date in the site's zone."""
    for value, zone in ((gmt, UTC), (local, site_timezone)):
        value = value.strip()
        if not value or value.startswith("0000-00-00"):
            continue
        try:
            parsed = datetime.strptime(value[:19], "%Y-%m-%d %H:%M:%S")
        except ValueError:
            continue
        return parsed.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)
    return None
