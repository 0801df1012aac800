"""The admin import page's uploads: an export copied under the instance folder, and a
Disqus rules file read, each refused with a reason the form can show beside its field.

Checked before any job row exists, so a refused file leaves nothing behind: an export
that does not start like XML or is over IMPORT_MAX_BYTES (copied 1 MB at a time, never
held in memory), a rules file that is too big, not UTF-8 or not rules.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import BinaryIO

from flask import current_app

from blogapp.importing import links

CHUNK = 1024 * 1024
RULES_MAX_BYTES = 1024 * 1024


class ImportRefused(ValueError):
    """A request the import page says no to, naming the form field to blame: an upload
    here, or an import or discard that jobs.py refuses."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def upload_folder() -> Path:
    return Path(current_app.instance_path) / "imports"


def max_bytes() -> int:
    return current_app.config["IMPORT_MAX_BYTES"]


def size_label(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def store_upload(stream: BinaryIO) -> Path:
    """Copy an uploaded export under the instance folder, refusing what is too big or
    plainly not XML; the caller's job row names the file."""
    limit = max_bytes()
    head = stream.read(CHUNK)
    if not looks_like_xml(head):
        raise ImportRefused("That file is not XML: choose the .xml file the export gave you.",
                            "export")  # fmt: skip
    folder = upload_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{secrets.token_hex(16)}.xml"
    size = 0
    with path.open("wb") as out:
        chunk = head
        while chunk:
            size += len(chunk)
            if size > limit:
                out.close()
                path.unlink(missing_ok=True)
                raise ImportRefused(too_big_message(), "export")
            out.write(chunk)
            chunk = stream.read(CHUNK)
    return path


def too_big_message() -> str:
    return (f"That file is larger than the {size_label(max_bytes())} an import may be "
            "(the IMPORT_MAX_BYTES setting).")  # fmt: skip


def looks_like_xml(head: bytes) -> bool:
    """Whether a file starts as XML does (after a byte-order mark and blank lines)."""
    return head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<")


def read_rules(data: bytes) -> str | None:
    """A rules file's text once it reads as rules, or ImportRefused saying which line
    does not; None for no file."""
    if not data:
        return None
    if len(data) > RULES_MAX_BYTES:
        raise ImportRefused(
            f"The rules file is over {size_label(RULES_MAX_BYTES)}: is it the right file?", "rules"
        )
    try:
        text = data.decode("utf-8-sig")
        links.parse_rules(text)
    except UnicodeDecodeError:
        raise ImportRefused("The rules file is not UTF-8 text.", "rules") from None
    except links.RulesError as error:
        raise ImportRefused(f"The rules file: {error}.", "rules") from None
    return text
