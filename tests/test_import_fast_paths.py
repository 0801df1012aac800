"""The import's short cuts for plain and simple-HTML comments (importing/fast_paths.py)
give exactly what the long way gives (markdownify's source, the comment profile's HTML),
and take nothing they cannot prove simple."""

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blogapp.extensions import db
from blogapp.importing.fast_paths import plain_comment, simple_comment
from blogapp.importing.html_source import markdown_source
from blogapp.markup import render_here
from blogapp.models import Comment, Role
from tests.import_helpers import import_wxr


def the_long_way(text: str) -> tuple[str, str]:
    source = markdown_source(text)
    return source, render_here("comment", source)


@pytest.mark.parametrize(
    "text",
    [
        "Thanks, that helps!",
        "Does the old plan stay?\nI pay yearly.\n\n\nAnd my team (5 people) too — 20% off?",
        "  Ça marche, merci “beaucoup”… it's 3/4 done: $5 + 10 = 15\r\nOK  ",
    ],
)
def test_plain_words_take_the_short_cut_to_the_same_result(text):
    assert plain_comment(text) is not None
    assert plain_comment(text) == the_long_way(text)


@pytest.mark.parametrize(
    "text",
    [
        "a <b>bold</b> claim",  # HTML
        "Tom &amp; Jerry",  # an entity
        "see example.com",  # linkify would make it a link
        "mail bob@example.com",
        "*starred*",
        "snake_case",
        "1. first\n2. second",  # a list
        "- a dash item",
        "Title\n===",  # a heading underneath
        "a line \nwith a trailing space",  # Markdown's hard break
        "first\n    indented",
        "tab\there",
        "",
        " \n\n ",
    ],
)
def test_anything_markdown_or_linkify_could_read_goes_the_long_way(text):
    assert plain_comment(text) is None


TOKENS = st.sampled_from(
    list("abcXYZé019 \n.,;:!?'\"()/%$+=–—’“…-_*[]#<>&@\\\t\u00a0")
    + ["\n\n", "  ", "www", "ex.com", "http://x", "1.", "1)", "---", "===", "> ", "word"] * 3
)
# Texts of words and the punctuation the short cut allows, so that most are taken by it.
WORD = st.sampled_from(["word", "Ünï", "42", "It's", "1", "naïve"])
SEPARATOR = st.sampled_from([" ", ", ", ". ", "? ", "! ", " (", ") ", " / ", "% ", " $", " + ",
                             " = ", " – ", "—", "… ", ": ", "-", "'", '"', "  "])  # fmt: skip
LINE = st.lists(st.tuples(WORD, SEPARATOR), min_size=1, max_size=8).map(
    lambda parts: "".join(word + separator for word, separator in parts).rstrip()
)
BREAK = st.sampled_from(["\n", "\n\n", "\r\n", "\n \n"])
PLAIN = st.lists(st.tuples(LINE, BREAK), min_size=1, max_size=4).map(
    lambda lines: "".join(line + end for line, end in lines)
)


@pytest.mark.slow  # hypothesis: 1,500 random texts through the real renderer
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.lists(TOKENS, max_size=40).map("".join), PLAIN))
def test_the_short_cut_agrees_with_the_long_way_on_random_text(text):
    quick = plain_comment(text)
    if quick is not None:
        assert quick == the_long_way(text)


@pytest.mark.parametrize(
    "body",
    [
        'Word one.\nline two. See <a href="https://example.com/help">the help page</a>.',
        "<p>A <strong>bold</strong> and <code>c d</code> line</p>\n<p>x<br>y<br />z</p>",
        '<em>Second paragraph.</em> Go <a href="https://e.example/a">https://e.example/a</a>',
        "Plain words only.\n\nTwo paragraphs.",
    ],
)
def test_simple_html_takes_the_short_cut_to_the_same_result(body):
    assert simple_comment(body) is not None
    assert simple_comment(body) == the_long_way(body)


@pytest.mark.parametrize(
    "body",
    [
        '<em>nested <a href="https://e.example/">link</a></em>',
        "<em>a</em><strong>b</strong>",  # touching: Markdown could read ***
        "<em> spaced </em>",
        '<a href="https://e.example/" title="t">titled</a>',
        '<a href="javascript:alert(1)">x</a>',
        "<b>not ours</b>",
        "<p class='x'>attributes</p>",
        "<ul><li>a list</li></ul>",
        "<em>unclosed",
        "<br>",
        "<p>trailing space </p>",
        "text &amp; entity <em>x</em>",
    ],
)
def test_other_html_goes_the_long_way(body):
    assert simple_comment(body) is None


WORD = st.sampled_from(["word", "Ünï", "42", "It's", "naïve", "ok"])
GLUE = st.sampled_from([" ", ", ", ". ", "? ", "! ", " (", ") ", " / ", " – ", "—", ": ", "-", ""])
ELEMENT = st.builds(
    lambda tag, words: f"<{tag}>{words}</{tag}>",
    st.sampled_from(["em", "strong", "code"]),
    st.sampled_from(["word", "two words", "x.", "a b c", "ok!", " spaced", ""]),
)
ADDRESS = st.sampled_from(["https://example.com/help", "http://x.example/a?b=c", "https://e.example/"])
LINK = st.builds(
    lambda href, words: f'<a href="{href}">{words}</a>',
    ADDRESS,
    st.one_of(ADDRESS, st.sampled_from(["the help", "x", "it's here", "ex.com", " sp "])),
)
SEGMENT = st.one_of(st.tuples(WORD, GLUE).map("".join), ELEMENT, LINK, st.sampled_from(
    ["*", "_", "&amp;", "<em>", "</a>", "<b>", "1. ", "- ", "  "]))  # fmt: skip
HTML_LINE = st.lists(SEGMENT, min_size=1, max_size=6).map("".join)
HTML_PARAGRAPH = st.builds(
    lambda lines, br: br.join(lines),
    st.lists(HTML_LINE, min_size=1, max_size=3),
    st.sampled_from(["\n", "<br>", "<br />"]),
)
HTML = st.builds(
    lambda paragraphs, wrap: "".join(f"<p>{p}</p>\n" for p in paragraphs)
    if wrap
    else "\n\n".join(paragraphs),
    st.lists(HTML_PARAGRAPH, min_size=1, max_size=3),
    st.booleans(),
)


@pytest.mark.slow  # hypothesis: 1,500 random comments through markdownify and the renderer
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(HTML)
def test_the_html_short_cut_agrees_with_the_long_way_on_random_comments(body):
    quick = simple_comment(body)
    if quick is not None:
        assert quick == the_long_way(body)


def test_imported_comments_hold_the_html_their_source_renders_to(app, make_user):
    import_wxr("site-1.2.xml", make_user(Role.ADMIN))
    rows = db.session.execute(sa.select(Comment.body_source, Comment.body_html)).all()
    assert any(plain_comment(source) for source, _ in rows)  # the short cut was taken
    assert any(plain_comment(source) is None for source, _ in rows)  # and the long way
    for source, body_html in rows:
        assert body_html == render_here("comment", source)
