"""blogapp.query_args: one rule a kind of value, for values no link of ours carries."""

import pytest
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound

from blogapp.query_args import (
    MAX_ID,
    MAX_PAGE,
    arg_choice,
    arg_date,
    arg_id,
    arg_int,
    arg_page,
    day_range,
    parse_id,
)


def args(**values) -> MultiDict:
    return MultiDict(values)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        (" 12 ", 12),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("99999999999999999999", None),
        ("0", None),
        ("-3", None),
        ("²", None),
        ("١٢", None),
        ("1e3", None),
        ("12\x00", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_id(text, expected):
    assert parse_id(text) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, 1), ("3", 3), ("abc", 1), ("0", 1), ("-5", 1), (str(MAX_PAGE), MAX_PAGE)],
)
def test_arg_page(app, value, expected):
    given = args(page=value) if value is not None else args()
    assert arg_page("page", given) == expected


@pytest.mark.parametrize("value", [str(MAX_PAGE + 1), "99999999999999999999"])
def test_a_page_no_list_can_have_is_404(app, value):
    with pytest.raises(NotFound):
        arg_page("page", args(page=value))


def test_arg_int_clamps_and_falls_back(app):
    assert arg_int("n", 25, low=1, high=500, args=args(n="99999999999999999999")) == 500
    assert arg_int("n", 25, low=1, high=500, args=args(n="lots")) == 25
    assert arg_int("n", 25, low=1, high=500, args=args(n="9999")) == 500
    assert arg_int("n", 25, low=1, high=500, args=args(n="-4")) == 1
    assert arg_int("n", 25, low=1, high=500, args=args()) == 25


def test_arg_id_choice_and_date(app):
    assert arg_id("post", args(post="7")) == 7
    assert arg_id("post", args(post=str(2**64))) is None
    assert arg_choice("view", {"all", "mine"}, "all", args(view="mine")) == "mine"
    assert arg_choice("view", {"all", "mine"}, "all", args(view="x" * 5000)) == "all"
    assert str(arg_date("d", args(d="2026-11-29"))) == "2026-11-29"
    assert str(arg_date("d", args(d="2026-11-29T10:00:00+02:00"))) == "2026-11-29"
    assert arg_date("d", args(d="2026-02-30")) is None
    assert arg_date("d", args(d="\x00")) is None


def test_day_range_never_steps_off_the_calendar(app):
    from datetime import date, datetime

    assert day_range(date.min, date.max) == (datetime(1, 1, 1), None)
    assert day_range(None, date(2026, 11, 29)) == (None, datetime(2026, 11, 30))


def test_an_old_slug_redirect_keeps_the_query_whatever_its_names(
    client, auth, make_user, make_post
):
    from blogapp.extensions import db
    from blogapp.models import SlugRedirect

    post = make_post(slug="new-home")
    db.session.add(SlugRedirect(old_slug="old-home", post=post))
    db.session.commit()
    response = client.get("/posts/old-home?slug=x&_method=POST&cpage=2&order=newest")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(
        "/posts/new-home?slug=x&_method=POST&cpage=2&order=newest"
    )
