"""Helpers shared by the model modules."""

import enum
import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, datetime

import sqlalchemy as sa


def utcnow() -> datetime:
    """The current time in UTC, naive, as every timestamp column stores it."""
    return datetime.now(UTC).replace(tzinfo=None)


def slugify(text: str, max_length: int = 80) -> str:
    """A URL slug: ASCII letters, digits and single hyphens."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-zA-Z0-9]+", "-", text).strip("-").lower()
    return text[:max_length].rstrip("-")


def enum_check(column: str, members: Iterable[enum.StrEnum]) -> sa.CheckConstraint:
    """A CHECK, named ``<column>_valid``, that ``column`` holds one of ``members``' values.

    Written from the enum, never by hand: the database refuses a value the enum does not
    have. A new member needs a migration that widens the constraint; the migrated
    database is compared with these in tests/test_constraints.py.
    """
    values = tuple(member.value for member in members)
    if not values or any(not re.fullmatch(r"[\w-]+", v) for v in values):
        raise ValueError(f"{column}: enum values must be plain words, got {values!r}")
    listed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(
        f"{column} IN ({listed})",
        name=f"{column}_valid",
        info={"enum_column": column, "enum_values": values},
    )
