"""The Markdown pipeline renders hostile input harmless, under both profiles."""

import re
from html.parser import HTMLParser

import pytest

from blogapp.markup import COMMENT, POST, make_excerpt, plain_text, render

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[vb](vbscript:msgbox(1))",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2Zz4=)",
    '<img src=x onerror="alert(1)">',
    '<a href="https://ok.example" onclick="alert(1)">hi</a>',
    '<div onmouseover="alert(1)">hover</div>',
    "<iframe src=https://evil.example></iframe>",
    "<svg><script>alert(1)</script></svg>",
    "<style>body{display:none}</style>",
    "<form action=https://evil.example><input name=p></form>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '[a](https://ok.example "t" onclick=alert(1))',
    "<<script>script>alert(1)<</script>/script>",
    "<!-- <script>alert(1)</script> -->",
    "<a href='http://x' <script>alert(1)</script>",
    "**unclosed *nesting <b>bold",
    "```\n<script>alert(1)</script>\n```",
    "`<img src=x onerror=alert(1)>`",
]


class ElementLister(HTMLParser):
    """The real elements and attributes a browser would build from some HTML."""

    def __init__(self, html: str):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def assert_harmless(html: str, profile) -> None:
    for tag, attrs in ElementLister(html).elements:
        assert tag in profile.tags, f"<{tag}> got through: {html}"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"{name} got through: {html}"
            assert name != "style", html
            if name in ("href", "src"):
                scheme = re.match(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):", value or "")
                assert scheme is None or scheme.group(1).lower() in {"http", "https", "mailto"}, (
                    html
                )


@pytest.mark.parametrize("profile", [POST, COMMENT], ids=["post", "comment"])
@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_input_renders_harmless(profile, source):
    assert_harmless(render(source, profile), profile)


def test_the_harmlessness_check_itself_catches_danger():
    for bad in (
        "<script>x</script>",
        '<a href="javascript:x">a</a>',
        '<p onclick="x">a</p>',
        '<img src="data:image/png;base64,AA">',
    ):
        with pytest.raises(AssertionError):
            assert_harmless(bad, POST)


@pytest.mark.parametrize("profile", [POST, COMMENT], ids=["post", "comment"])
def test_raw_html_is_shown_as_text_not_lost(profile):
    html = render("Use <b>bold</b> & <script>x</script> here", profile)
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


def test_comment_links_are_not_endorsed():
    html = render("[site](https://ok.example) and https://bare.example.com", COMMENT)
    assert html.count('rel="nofollow ugc noopener"') == 2
    assert 'href="https://bare.example.com"' in html


def test_only_http_https_and_mailto_links_survive():
    html = render("[a](https://a.example) [b](mailto:x@example.com) [c](ftp://c.example)", POST)
    assert 'href="https://a.example"' in html
    assert 'href="mailto:x@example.com"' in html
    assert "ftp:" not in html


def test_post_profile_keeps_rich_markup():
    source = (
        "# Top\n\n## Section\n\n![chart](/uploads/chart.png)\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nx = 1\n```"
    )
    html = render(source, POST)
    assert "<h2>Top</h2>" in html  # the page title is the only h1
    assert "<h2>Section</h2>" in html
    assert '<img alt="chart" src="/uploads/chart.png">' in html
    assert "<table>" in html and "<td>1</td>" in html
    assert '<code class="language-python">' in html


def test_comment_profile_is_a_small_inline_set():
    html = render(
        "# Loud\n\n![pic](https://img.example/p.png)\n\n| a | b |\n|---|---|\n| 1 | 2 |", COMMENT
    )
    assert "<h" not in html and "<img" not in html and "<table" not in html
    assert "<strong>Loud</strong>" in html
    assert 'href="https://img.example/p.png"' in html  # the picture's address is kept as a link


def test_comment_keeps_everyday_formatting():
    html = render("*hi* **there** `code`\n\n> quoted\n\n- one\n- two", COMMENT)
    for tag in (
        "<em>hi</em>",
        "<strong>there</strong>",
        "<code>code</code>",
        "<blockquote>",
        "<li>one</li>",
    ):
        assert tag in html


def test_broken_markup_still_renders():
    html = render("<div><p>unclosed **bold", POST)
    assert "unclosed" in html and "&lt;div&gt;" in html


def test_plain_text_and_excerpt():
    source = (
        "## Heading\n\nSome *styled* text with a [link](https://x.example).\n\n" + "word " * 100
    )
    assert plain_text("**a** <b>b</b>") == "a <b>b</b>"
    excerpt = make_excerpt(source, limit=60)
    assert excerpt.startswith("Heading Some styled text with a link.")
    assert excerpt.endswith("…") and len(excerpt) <= 61
