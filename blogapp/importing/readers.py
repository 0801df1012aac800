"""The exports the admin page can import: one entry a format.

A reader is ``read(stream, skipped, site_timezone) -> Iterator[Record]``
(records.py); adding Disqus is one line here, after its reader exists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import tzinfo
from typing import BinaryIO

from blogapp.importing import wordpress
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
    # "disqus": ReaderChoice("Disqus", "Disqus export", lambda stream, skipped, zone: ...),
}
