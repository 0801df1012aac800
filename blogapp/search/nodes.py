"""The parsed search as a small tree of nodes, which both backends compile."""

import re
from dataclasses import dataclass, field
from datetime import datetime

DATE_HELP = (
    "date: takes a year, a month or a day (2024, 2024-03, 2024-03-15) "
    "or a range (2024-01..2024-03, >2024-06-01, <2023)."
)


@dataclass(frozen=True)
class Word:
    text: str


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]


@dataclass(frozen=True)
class Author:
    words: tuple[str, ...]


@dataclass(frozen=True)
class Tag:
    slug: str


@dataclass(frozen=True)
class DateRange:
    """Created at or after ``start`` and before ``end``; either may be open."""

    start: datetime | None
    end: datetime | None
    source: str


@dataclass(frozen=True)
class And:
    items: tuple


@dataclass(frozen=True)
class Or:
    items: tuple


@dataclass(frozen=True)
class Not:
    item: object


Node = Word | Phrase | Author | Tag | DateRange | And | Or | Not


@dataclass
class ParsedQuery:
    """The tree to search for (None: nothing to search), and what was repaired on the way."""

    node: Node | None
    notices: list[str] = field(default_factory=list)

    @property
    def words(self) -> list[str]:
        """The free-text words, for spelling suggestions."""
        return words_of(self.node) if self.node is not None else []


def parse_date(value: str) -> tuple[datetime, datetime] | None:
    """The span of a year, month or day written as YYYY, YYYY-MM or YYYY-MM-DD."""
    match = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", value)
    if not match:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        if day is not None:
            start = datetime(year, month, day)
            return start, datetime.fromordinal(start.toordinal() + 1)
        if month is not None:
            start = datetime(year, month, 1)
            return start, datetime(year + month // 12, month % 12 + 1, 1)
        return datetime(year, 1, 1), datetime(year + 1, 1, 1)
    except ValueError:
        return None


def parse_date_filter(value: str) -> DateRange | None:
    """date:2024, date:2024-01..2024-03, date:>2024-06-01, date:<=2023 and so on."""
    if ".." in value:
        low, _, high = value.partition("..")
        start = parse_date(low) if low else None
        end = parse_date(high) if high else None
        if (low and start is None) or (high and end is None) or not (low or high):
            return None
        return DateRange(start[0] if start else None, end[1] if end else None, value)
    for op in (">=", "<=", ">", "<"):
        if value.startswith(op):
            span = parse_date(value[len(op) :])
            if span is None:
                return None
            start, end = {
                ">=": (span[0], None),
                ">": (span[1], None),
                "<=": (None, span[1]),
                "<": (None, span[0]),
            }[op]
            return DateRange(start, end, value)
    span = parse_date(value)
    return DateRange(span[0], span[1], value) if span else None


def words_of(node, positive_only: bool = False) -> list[str]:
    """The free-text words (all, or only those not under NOT: what to highlight)."""
    if isinstance(node, Word):
        return [node.text]
    if isinstance(node, Phrase):
        return list(node.words)
    if isinstance(node, And | Or):
        return [w for item in node.items for w in words_of(item, positive_only)]
    if isinstance(node, Not) and not positive_only:
        return words_of(node.item)
    return []


def render(node, replace: dict[str, str] | None = None) -> str:
    """The query as text, with words swapped per ``replace``: the "did you mean" link."""
    replace = replace or {}

    def word(w: str) -> str:
        return replace.get(w.lower(), w)

    def inner(n, parent=None) -> str:
        if isinstance(n, Word):
            return word(n.text)
        if isinstance(n, Phrase):
            return '"' + " ".join(word(w) for w in n.words) + '"'
        if isinstance(n, Author):
            name = " ".join(n.words)
            return f'author:"{name}"' if len(n.words) > 1 else f"author:{name}"
        if isinstance(n, Tag):
            return f"tag:{n.slug}"
        if isinstance(n, DateRange):
            return f"date:{n.source}"
        if isinstance(n, Not):
            return "NOT " + inner(n.item, n)
        if isinstance(n, And):
            text = " ".join(inner(i, n) for i in n.items)
            return f"({text})" if isinstance(parent, Not) else text
        text = " OR ".join(inner(i, n) for i in n.items)
        return f"({text})" if isinstance(parent, And | Not) else text

    return inner(node)
