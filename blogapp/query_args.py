"""Reading the query string: every view asks here, so no odd value reaches a query.

A query string is typed by anyone, so each reader has one rule for a value it can't use:

- ``arg_page``: not a whole number, or below 1 → page 1 (what a hand-edited link
  most likely meant); beyond ``MAX_PAGE`` → 404, like any page past the end.
- ``arg_int`` (sizes such as ``per_page`` or ``weeks``): not a number → the default;
  out of range → the nearest bound.
- ``arg_id`` (a filter on a row: ``post``, ``author``, ``actor``…): not an id any row
  can have (``MAX_ID``) → no filter, as if the name were absent. ``parse_id`` is the one
  reader of an id a stranger sends (a query string, a form's hidden field); the route
  converter for ``<int:…>`` (``blogapp.DatabaseId``) and the API keep the same bound.
- ``arg_date``: not an ISO date → no filter; ``day_range`` turns dates into bounds
  without stepping off the calendar (``until=9999-12-31`` has no end).
- ``arg_choice``: not one of the choices → the default.

Only ASCII digits count as digits: ``int()`` also reads "١٢" and ``str.isdigit()``
also passes "²", neither of which a link of ours ever holds.
"""

import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from flask import abort, request

# The largest id a row can have on every database: the id columns are ``integer``, 32-bit
# on PostgreSQL, whose driver casts each parameter to its column's type, so a larger id
# bound in a query is a DataError there (and past 2**63-1 an OverflowError on SQLite).
MAX_ID = 2**31 - 1
# No list here is this long; the bound also keeps page x page size inside 64 bits.
MAX_PAGE = 1_000_000

# Longer than any bound here, short of int()'s own limit on digits (4300, a ValueError).
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,100}")


def parse_int(text: str | None) -> int | None:
    """``text`` as a whole number: ASCII digits (at most 100), an optional minus."""
    if text is None or not _WHOLE_NUMBER.fullmatch(text.strip()):
        return None
    return int(text)


def parse_id(text: str | None) -> int | None:
    """``text`` as an id a row could have (1 … ``MAX_ID``), else None."""
    value = parse_int(text)
    return value if value is not None and 1 <= value <= MAX_ID else None


def _args(args: Mapping | None) -> Mapping:
    return request.args if args is None else args


def arg_int(name: str, default: int, *, low: int, high: int, args: Mapping | None = None) -> int:
    """A bounded number: ``default`` when absent or not a number, else clamped."""
    value = parse_int(_args(args).get(name))
    if value is None:
        return default
    return min(max(value, low), high)


def arg_page(name: str = "page", args: Mapping | None = None) -> int:
    """A page number from 1; past ``MAX_PAGE`` no page can exist, so 404."""
    value = parse_int(_args(args).get(name))
    if value is None or value < 1:
        return 1
    if value > MAX_PAGE:
        abort(404)
    return value


def arg_id(name: str, args: Mapping | None = None) -> int | None:
    """An id to filter by, or None (absent, or no row could have it)."""
    return parse_id(_args(args).get(name))


def arg_date(name: str, args: Mapping | None = None) -> date | None:
    """An ISO date (``2026-11-29``; a date and time counts as its day), or None."""
    text = (_args(args).get(name) or "").strip()
    try:  # a plain date reads as its midnight
        return datetime.fromisoformat(text).date()
    except ValueError:
        return None


def day_range(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """Naive UTC bounds for "from the start of ``since`` to the end of ``until``"."""
    start = datetime.combine(since, time.min) if since else None
    end = None
    if until is not None and until < date.max:  # the calendar's last day has no end bound
        end = datetime.combine(until + timedelta(days=1), time.min)
    return start, end


def arg_choice(name: str, choices, default: str, args: Mapping | None = None) -> str:
    """One of ``choices`` (any container of strings), else ``default``."""
    value = _args(args).get(name, default)
    return value if value in choices else default

