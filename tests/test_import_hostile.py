"""Hostile and malformed exports: nothing expanded, nothing fetched, the rest imported."""

import http.server
import threading

import pytest
import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.importing import wordpress, wxr_fields
from blogapp.importing.links import normalize, parse_rules
from blogapp.importing.records import SourceAuthor, SourceComment, SourcePost
from blogapp.models import Post, Role
from tests.import_helpers import WXR, import_wxr


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


def _read(data: bytes):
    import io

    skipped = []
    return list(wordpress.read(io.BytesIO(data), skipped.append)), skipped


def test_billion_laughs_is_refused_without_expanding(app):
    records, skipped = _read((WXR / "billion-laughs.xml").read_bytes())
    assert not any("lollol" in str(r) for r in records)
    assert [s.element for s in skipped] == ["xml"]
    assert "amplification" in skipped[0].reason


@pytest.fixture
def listener():
    """A local HTTP server that notes every request it gets."""
    requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"FETCHED")

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], requests
    server.shutdown()
    server.server_close()


def test_external_entities_are_never_read_or_fetched(app, admin, listener):
    port, requests = listener
    data = (WXR / "external-entity.xml").read_text().replace("PORT", str(port)).encode()
    report = import_wxr(data, admin)
    # The item that uses the entities is refused: its text would be missing them.
    assert report.total("post created") == 0
    assert report.skipped_examples["xml: malformed XML"] == [
        "line 11: item 1: uses the entity &file;, not expanded"
    ]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 0
    assert requests == []


def test_malformed_exports_report_the_line_and_keep_the_rest(app, admin):
    report = import_wxr("malformed.xml", admin)
    (first,) = db.session.scalars(sa.select(Post))
    assert (first.slug, first.title) == ("first", "First é post")
    assert report.total("comment created") == 1
    why = report.skipped_examples
    assert why["wp:comment: no readable comment_date"] == [
        "line 20: comment 2: no readable comment_date"
    ]
    assert why["wp:comment: comment_approved 'maybe'"] == [
        "line 27: comment 3: comment_approved 'maybe'"
    ]
    assert why["item: no wp:post_id"] == ["line 34: no wp:post_id"]
    # Each broken item costs only itself: an undefined entity, an unclosed tag, bytes that
    # are not UTF-8, and the item the file stops in (what came before it is kept).
    assert why["xml: malformed XML"] == [
        "line 40: item: Entity 'eacute' not defined",
        "line 48: item: Opening and ending tag mismatch: b line 48 and content:encoded",
        "line 56: item: Invalid bytes in character encoding",
        "line 70: item 4: Premature end of data in tag post_date_gmt line 69",
    ]
    assert report.skipped["xml: malformed XML"] == 4


def test_the_namespace_is_matched_by_its_version_suffix():
    assert wxr_fields.is_wxr("http://wordpress.org/export/1.2/")
    assert wxr_fields.is_wxr("https://wordpress.org/export/1.2")
    assert wxr_fields.is_wxr("http://wordpress.org/export/1.0/")
    assert not wxr_fields.is_wxr("http://wordpress.org/export/1.2/excerpt/")
    assert not wxr_fields.is_wxr("http://example.com/other/")


@pytest.mark.parametrize(
    "link, path",
    [
        ("https://Blog.example/2024/05/hello/", "/2024/05/hello"),
        ("http://blog.example/2024/05/hello?utm_source=x#c", "/2024/05/hello"),
        ("/2024/05/hello", "/2024/05/hello"),
        ("https://blog.example/?p=123&utm=1", "/?p=123"),
        ("https://blog.example/?page_id=7", "/?page_id=7"),
        ("https://blog.example/", "/"),
        ("https://blog.example/caf%C3%A9/", "/café"),
    ],
)
def test_links_are_compared_without_scheme_host_slash_or_query(link, path):
    assert normalize(link) == path


def test_rules_map_old_paths_to_slugs():
    assert parse_rules("# old\n/old/page/  new-slug\n\n") == {"/old/page": "new-slug"}
    with pytest.raises(ValueError, match="line 1"):
        parse_rules("just-one-field")


ONE_BROKEN_ITEM = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
 <item>
  <title>Broken 1</title>
  <wp:post_id>1</wp:post_id><wp:status>publish</wp:status>
  <wp:post_name>broken & bare</wp:post_name>
 </item>
 <item>
  <title>Tom &amp; Jerry &lt;3</title>
  <dc:creator>ana</dc:creator>
  <content:encoded><![CDATA[<p>Fish & chips &amp; <b>more</b></p>]]></content:encoded>
  <wp:post_id>2</wp:post_id><wp:status>publish</wp:status><wp:post_name>tom</wp:post_name>
  <category domain="post_tag"><![CDATA[Q&A]]></category>
  <wp:comment>
   <wp:comment_id>5</wp:comment_id>
   <wp:comment_author>Ren&amp;eacute; &lt;the cat&gt;</wp:comment_author>
   <wp:comment_date_gmt>2024-01-02 00:00:00</wp:comment_date_gmt>
   <wp:comment_content>1 &lt; 2 &amp;&amp; 3 &gt; 2 &#233; &quot;ok&quot;</wp:comment_content>
   <wp:comment_approved>1</wp:comment_approved>
  </wp:comment>
 </item>
 <item>
  <title>Unclosed <b>tag</title>
  <wp:post_id>3</wp:post_id><wp:status>publish</wp:status>
 </item>
 <wp:author><wp:author_login>bo</wp:author_login>
  <wp:author_display_name>Bo &amp; Co &#x263A;</wp:author_display_name></wp:author>
 <item>
  <title><![CDATA[CDATA & <raw>]]> &amp; after</title>
  <wp:post_id>4</wp:post_id><wp:status>publish</wp:status><wp:post_name>four</wp:post_name>
 </item>
</channel>
</rss>
"""


def test_a_broken_item_is_skipped_with_its_line_and_later_text_stays_intact():
    records, skipped = _read(ONE_BROKEN_ITEM)
    assert [(s.line, s.element) for s in skipped] == [(9, "xml"), (26, "xml")]
    assert skipped[0].reason == "item 1: xmlParseEntityRef: no name"
    assert skipped[1].reason.startswith("item: Opening and ending tag mismatch")
    posts = {r.source_id: r for r in records if isinstance(r, SourcePost)}
    assert sorted(posts) == ["2", "4"]
    assert posts["2"].title == "Tom & Jerry <3"
    assert posts["2"].body_html == "<p>Fish & chips &amp; <b>more</b></p>"
    assert posts["2"].tags == ("Q&A",)
    assert posts["4"].title == "CDATA & <raw> & after"
    (comment,) = [r for r in records if isinstance(r, SourceComment)]
    assert comment.author_name == "René <the cat>"
    assert comment.body_html == '1 < 2 && 3 > 2 é "ok"'
    (author,) = [r for r in records if isinstance(r, SourceAuthor)]
    assert author.display_name == "Bo & Co \u263a"
