"""Hostile input: comments full of script, event handlers and dangerous URLs render inert."""

import html
import re
from html.parser import HTMLParser

import feedparser

from blogapp.models import Role
from tests.comment_helpers import comments_of, submit

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](java&#x73;cript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![img](javascript:alert(1))",
    "![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '<a href="javascript:alert(1)">x</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    "<body onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">styled</div>',
    '"><script>alert(1)</script>',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>alert(1)<</script>/script>",
    '<a href="&#106;avascript:alert(1)">x</a>',
    "[x](vbscript:msgbox(1))",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    '[a](https://example.com "t\\" onmouseover=\\"alert(1)")',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    "[x]: javascript:alert(1)\n\nA [reference link][x] trick",
    '<https://example.com/" onmouseover="alert(1)>',
    "<javascript:alert(1)>",
    "```html\n<script>alert(1)</script>\n```",
    "<!--<script>alert(1)//-->",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "[![img](https://example.com/x.png)](javascript:alert(1))",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<a href=" javascript:alert(1)">spaced</a>',
    "www.example.com/<script>alert(1)</script>",
    "**bold <img src=x onerror=alert(1)>**",
    "`<script>alert(1)</script>` in code",
    "<a href='data:text/html,<script>alert(1)</script>'>d</a>",
    "[x](\tjavascript:alert(1))",
    "<img src=`javascript:alert(1)`>",
    '<a href="jav&#x09;ascript:alert(1)">tab</a>',
]

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcdoc"}
FORBIDDEN_TAGS = {"iframe", "object", "embed", "svg", "math", "style", "base", "img", "input"}
DANGEROUS = re.compile(r"^\s*(javascript|data|vbscript):", re.IGNORECASE)


class Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(markup: str) -> list[tuple[str, dict]]:
    parser = Elements()
    parser.feed(markup)
    return parser.found


def assert_inert(markup: str, where: str) -> None:
    for tag, attrs in elements(markup):
        assert not [a for a in attrs if a.startswith("on")], f"{where}: {tag} has {attrs}"
        assert "style" not in attrs, f"{where}: inline style on {tag}"
        for name in URL_ATTRIBUTES & attrs.keys():
            value = re.sub(r"[\x00-\x20]", "", html.unescape(attrs[name] or ""))
            assert not DANGEROUS.match(value), f"{where}: {tag} {name}={attrs[name]!r}"
        if tag == "script":
            assert attrs.get("src", "").startswith("/static/js/"), f"{where}: inline script"


def comment_section(page: str) -> str:
    """The drawn thread: from the first comment to the comment form."""
    return page[page.index('<ol class="thread">') : page.index('<form class="comment-form"')]


def test_thirty_plus_xss_payloads_render_inert(client, auth, make_user, make_post):
    assert len(PAYLOADS) >= 30
    post = make_post()
    make_user(Role.READER, email="rita@example.com")
    auth.login("rita@example.com")
    for payload in PAYLOADS:
        response = submit(client, post, payload)
        assert response.status_code in (303, 400), payload
    published = comments_of(post)
    assert len(published) >= 30, "most payloads are accepted as (harmless) text"

    page = client.get(f"/posts/{post.slug}").text
    assert_inert(page, "post page (reader)")
    section = comment_section(page)
    for tag, _ in elements(section):
        assert tag not in FORBIDDEN_TAGS, f"comment markup produced <{tag}>"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in section, "the words are shown, not run"
    auth.logout()
    assert_inert(client.get(f"/posts/{post.slug}").text, "post page (anonymous, cached)")
    assert_inert(client.get(f"/posts/{post.slug}").text, "post page (anonymous, from cache)")

    feed = feedparser.parse(client.get(f"/p/{post.slug}/comments.atom").data)
    assert feed.bozo == 0
    for entry in feed.entries:
        assert_inert(entry.content[0].value, "comment feed")


def test_preview_of_hostile_input_is_inert(client, make_post):
    from tests.comment_helpers import form_fields

    post = make_post()
    page = client.get(f"/posts/{post.slug}").text
    for payload in PAYLOADS:
        response = client.post(
            f"/posts/{post.slug}/comments/preview",
            data=form_fields(page) | {"body": payload},
            headers={"X-Requested-With": "parley-preview"},
        )
        assert_inert(response.json["html"], f"preview of {payload!r}")
        for tag, _ in elements(response.json["html"]):
            assert tag not in FORBIDDEN_TAGS, payload
