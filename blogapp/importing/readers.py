"""The exports the admin page can import: one entry a format.

A reader is ``read(stream, skipped, site_timezone) -> Iterator[Record]``
(records.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import tzinfo
from typing import BinaryIO

from blogapp.importing import disqus, wordpress
from blogapp.importing.records import Record, Skipped


@dataclass(frozen=True)
class ReaderChoice:
    name: str  # "WordPress"
    label: str  # what the upload form offers
    read: Callable[[BinaryIO, Callable[[Skipped], None], tzinfo], Iterator[Record]]


READERS: dict[str, ReaderChoice] = {
    "wordpress": ReaderChoice(
        "WordPress",
        "WordPress export (WXR 1.0–1.2, Tools → Export)",
        lambda stream, skipped, zone: wordpress.read(stream, skipped, site_timezone=zone),
    ),
    # Disqus writes UTC: the site's zone is not needed. Rules files: the command line's.
    "disqus": ReaderChoice(
        "Disqus",
        "Disqus comments (Admin → Community → Export), onto posts already here",
        lambda stream, skipped, zone: disqus.read(stream, skipped),
    ),
}
