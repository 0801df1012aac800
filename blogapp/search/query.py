"""What a person typed into the search box, as a small tree both backends compile.

The syntax: words (all must match), "a phrase", OR, NOT or a leading minus,
brackets, and the filters author:, tag: and date:. Parsing never fails: a
missing quote, a lone operator, an unknown filter or a very long query is
repaired, and each repair is explained in a notice shown above the results.
"""

import re
import unicodedata

from blogapp.models.base import slugify
from blogapp.search.nodes import (
    DATE_HELP,
    And,
    Author,
    Not,
    Or,
    ParsedQuery,
    Phrase,
    Tag,
    Word,
    parse_date_filter,
)
from blogapp.search.words import STOPWORDS, fold, pieces

MAX_QUERY_CHARS = 500
MAX_TERMS = 24
MAX_DEPTH = 6

FILTERS = ("author", "tag", "date")
FILTER_ALIASES = {"by": "author", "tags": "tag", "in": "tag", "on": "date"}


def clean_text(raw: str) -> tuple[str, list[str]]:
    """Control characters out, length capped."""
    notices = []
    text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in raw or "")
    text = text.strip()
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notices.append(
            f"Your search was very long, so only its first {MAX_QUERY_CHARS} characters were used."
        )
    return text, notices


_FIELD = re.compile(r"(\w+):(?=\S)")
_OPERATORS = {"AND", "OR", "NOT"}


class _Scanner:
    """Turns the text into tokens: "(", ")", "AND", "OR", "NOT", "-", or a leaf node."""

    def __init__(self, text: str):
        self.text = text
        self.tokens: list = []
        self.notices: list[str] = []
        self.leaves = 0

    def scan(self) -> list:
        text, i, n = self.text, 0, len(self.text)
        while i < n:
            ch = text[i]
            if ch.isspace():
                i += 1
            elif ch in "()":
                self.tokens.append(ch)
                i += 1
            elif ch == '"':
                end = text.find('"', i + 1)
                if end < 0:
                    self.notices.append("A closing quote was missing, so we added one.")
                    end = n
                self._leaf(Phrase(pieces(text[i + 1 : end])))
                i = end + 1
            elif ch == "-" and i + 1 < n and not text[i + 1].isspace() and text[i + 1] != "-":
                self.tokens.append("-")
                i += 1
            elif match := _FIELD.match(text, i):
                i = self._filter(match)
            else:
                end = i
                while end < n and not text[end].isspace() and text[end] not in '()"':
                    end += 1
                chunk = text[i:end]
                if chunk in _OPERATORS:
                    self.tokens.append(chunk)
                else:
                    self._words(chunk)
                i = end
        return self._balance(self.tokens)

    def _leaf(self, node) -> None:
        if isinstance(node, Phrase) and not node.words:
            return
        if isinstance(node, Phrase) and len(node.words) == 1:
            node = Word(node.words[0])
        if self.leaves >= MAX_TERMS:
            if self.leaves == MAX_TERMS:
                self.notices.append(
                    f"Only the first {MAX_TERMS} words and filters of your search were used."
                )
            self.leaves += 1
            return
        self.leaves += 1
        self.tokens.append(node)

    def _words(self, chunk: str) -> None:
        found = pieces(chunk)
        if found:
            self._leaf(Phrase(found) if len(found) > 1 else Word(found[0]))

    def _filter(self, match: re.Match) -> int:
        text, start = self.text, match.end()
        if text[start] == '"':
            close = text.find('"', start + 1)
            if close < 0:
                self.notices.append("A closing quote was missing, so we added one.")
                close = len(text)
            value, end = text[start + 1 : close], close + 1
        else:
            end = start
            while end < len(text) and not text[end].isspace() and text[end] not in "()":
                end += 1
            value = text[start:end]
        name = match.group(1).lower()
        name = FILTER_ALIASES.get(name, name)
        if name == "author" and pieces(value):
            self._leaf(Author(tuple(w.lower() for w in pieces(value))))
        elif name == "tag" and slugify(value):
            self._leaf(Tag(slugify(value)))
        elif name == "date":
            span = parse_date_filter(value.strip())
            if span is None:
                self.notices.append(f"“{value}” isn't a date we understand. {DATE_HELP}")
            else:
                self._leaf(span)
        elif name in FILTERS:
            self.notices.append(f"“{name}:” needs something after it, like {name}:billing.")
        else:
            self.notices.append(
                f"There is no “{match.group(1)}:” filter, so we searched for those words. "
                "Filters are author:, tag: and date:."
            )
            self._words(f"{match.group(1)} {value}")
        return end

    def _balance(self, tokens: list) -> list:
        """Drop stray ")" and close unclosed "("; give up on brackets nested too deep."""
        out, depth, deepest, stray = [], 0, 0, False
        for token in tokens:
            if token == ")" and depth == 0:
                stray = True
                continue
            depth += {"(": 1, ")": -1}.get(token, 0) if isinstance(token, str) else 0
            deepest = max(deepest, depth)
            out.append(token)
        if stray or depth:
            self.notices.append("A bracket wasn't paired, so we ignored it.")
        out += [")"] * depth
        if deepest > MAX_DEPTH:
            self.notices.append("Brackets were nested too deeply, so we ignored them.")
            out = [t for t in out if t not in ("(", ")")]
        return out


def _is_op(token) -> bool:
    return isinstance(token, str)


class _Parser:
    """OR binds loosest, then AND (also implied between terms), then NOT."""

    def __init__(self, tokens: list, notices: list[str]):
        self.tokens, self.pos, self.notices = tokens, 0, notices

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self):
        token = self.peek()
        self.pos += 1
        return token

    def lone(self, op: str) -> None:
        note = f"“{op}” needs words on both sides, so it was ignored."
        if note not in self.notices:
            self.notices.append(note)

    def or_expr(self):
        items = [self.and_expr()]
        while self.peek() == "OR":
            self.take()
            if self.peek() in (None, ")", "OR") or not any(i is not None for i in items):
                self.lone("OR")
            items.append(self.and_expr())
        return _combine(Or, items)

    def and_expr(self):
        items = []
        while (token := self.peek()) not in (None, ")", "OR"):
            if token == "AND":
                self.take()
                if not items or self.peek() in (None, ")", "OR", "AND"):
                    self.lone("AND")
                continue
            items.append(self.unary())
        return _combine(And, items)

    def unary(self):
        token = self.peek()
        if token in ("NOT", "-"):
            self.take()
            if self.peek() in (None, ")", "OR", "AND"):
                self.notices.append("“NOT” needs a word after it, so it was ignored.")
                return None
            item = self.unary()
            return Not(item) if item is not None else None
        return self.atom()

    def atom(self):
        token = self.take()
        if token == "(":
            node = self.or_expr()
            if self.peek() == ")":
                self.take()
            return node
        if _is_op(token):
            return None
        if isinstance(token, Word) and fold(token.text).lower() in STOPWORDS:
            return None
        return token


def _combine(kind, items: list):
    items = [i for i in items if i is not None]
    if not items:
        return None
    return items[0] if len(items) == 1 else kind(tuple(items))


def is_positive(node) -> bool:
    """Whether the node asks for something, rather than only for what to leave out."""
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(is_positive(i) for i in node.items)
    if isinstance(node, Or):
        return all(is_positive(i) for i in node.items)
    return True


def parse_query(raw: str) -> ParsedQuery:
    """The tree for ``raw``, repaired where needed; never raises."""
    text, notices = clean_text(raw)
    scanner = _Scanner(text)
    tokens = scanner.scan()
    notices += scanner.notices
    parser = _Parser(tokens, notices)
    node = parser.or_expr()
    while parser.peek() is not None:  # a stray ")" that _balance could not pair
        parser.take()
        node = _combine(And, [node, parser.or_expr()])
    if node is None:
        if tokens and any(not _is_op(t) for t in tokens):
            notices.append(
                "Your search had only very common words (like “the” or “and”). "
                "Add a more specific word."
            )
        elif text and not notices:
            notices.append("Type a word to search for.")
        return ParsedQuery(None, notices)
    if not is_positive(node):
        notices.append(
            "Tell us what to look for, not only what to leave out: "
            "add a word that isn't after NOT or a minus."
        )
        return ParsedQuery(None, notices)
    return ParsedQuery(node, notices)
