"""An id no row can have is a 404 (or a refusal), never a 500: every route with an
``<int:…>`` part, walked from the app's own url_map, with ids past 32 and 64 bits.

On PostgreSQL the id columns are ``integer`` (32-bit) and SQLAlchemy's psycopg driver
casts each parameter to its column's type, so 2**31 in a query is a DataError there;
on SQLite anything past 2**63-1 is an OverflowError. Run it on both.
"""

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter

from blogapp.models import Role
from blogapp.query_args import MAX_ID, parse_id
from tests.conftest import csrf_from

TOO_BIG = [2**31, 2**63 - 1, 10**30]


def _int_rules(app) -> list:
    return [
        rule
        for rule in app.url_map.iter_rules()
        if any(isinstance(c, IntegerConverter) for c in rule._converters.values())
    ]


def _url(rule, number: int) -> str:
    """``rule`` with every ``<int:…>`` part ``number`` and every other part a word."""
    values = {}
    for name, conv in rule._converters.items():
        if isinstance(conv, IntegerConverter):
            values[name] = number
        elif isinstance(conv, AnyConverter):
            values[name] = sorted(conv.items)[0]
        else:
            values[name] = "x"
    return rule.build(values, append_unknown=False)[1]


@pytest.mark.parametrize("number", TOO_BIG, ids=["2**31", "2**63-1", "10**30"])
def test_no_route_fails_on_an_id_too_big_for_a_row(app, client, auth, make_user, number):
    """Signed in as an admin (so no view stops at a login page before the id is used),
    each such route by GET, and by POST (with the session's CSRF token) where it takes
    only POST, answers 404, 405 or 400 — never a 5xx."""
    admin = make_user(Role.ADMIN, name="Ada Admin")
    auth.login(admin.email)
    token = csrf_from(client.get("/studio/").text)
    rules = _int_rules(app)
    answers = {}
    for rule in rules:
        url = _url(rule, number)
        if "GET" in rule.methods:
            answers[f"GET {url}"] = client.get(url).status_code
        else:
            method = "POST" if "POST" in rule.methods else sorted(rule.methods - {"OPTIONS"})[0]
            sent = client.open(url, method=method, data={"csrf_token": token})
            answers[f"{method} {url}"] = sent.status_code
    failed = {request: status for request, status in answers.items() if status >= 500}
    assert not failed, failed
    assert {status for status in answers.values()} <= {400, 404, 405}, answers
    assert len(rules) >= 40  # the walk found the app's routes, the API's among them


def test_the_route_converter_and_the_query_string_share_one_bound(app):
    """A path id and a query-string id are refused past the same number: the largest an
    ``integer`` column holds on PostgreSQL."""
    assert MAX_ID == 2**31 - 1
    assert parse_id(str(MAX_ID)) == MAX_ID and parse_id(str(MAX_ID + 1)) is None
    adapter = app.url_map.bind("localhost")
    rule = next(r for r in _int_rules(app) if r.endpoint == "admin.person")
    assert adapter.match(_url(rule, MAX_ID))[1] == {"user_id": MAX_ID}
    with pytest.raises(Exception) as refused:
        adapter.match(_url(rule, MAX_ID + 1))
    assert getattr(refused.value, "code", None) == 404
