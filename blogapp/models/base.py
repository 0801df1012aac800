"""Helpers shared by the model modules."""

import re
import unicodedata
from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time in UTC, naive, as every timestamp column stores it."""
    return datetime.now(UTC).replace(tzinfo=None)


def slugify(text: str, max_length: int = 80) -> str:
    """A URL slug: ASCII letters, digits and single hyphens."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-zA-Z0-9]+", "-", text).strip("-").lower()
    return text[:max_length].rstrip("-")
