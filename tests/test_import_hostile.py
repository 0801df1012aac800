"""Hostile and malformed exports: nothing expanded, nothing fetched, the rest imported."""

import http.server
import threading

import pytest
import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.importing import wordpress
from blogapp.importing.links import normalize, parse_rules
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
    post = db.session.scalar(sa.select(Post).where(Post.slug == "secrets"))
    assert report.total("post created") == 1
    assert "root:" not in post.title + post.body_source + post.body_html
    assert "FETCHED" not in post.title + post.body_source
    assert requests == []


def test_malformed_exports_report_the_line_and_keep_the_rest(app, admin):
    report = import_wxr("malformed.xml", admin)
    slugs = set(db.session.scalars(sa.select(Post.slug)))
    assert {"first", "third", "fourth"} <= slugs
    assert report.total("comment created") == 1
    why = report.skipped_examples
    assert why["wp:comment: no readable comment_date"] == [
        "line 20: comment 2: no readable comment_date"
    ]
    assert why["wp:comment: comment_approved 'maybe'"] == [
        "line 27: comment 3: comment_approved 'maybe'"
    ]
    xml = " | ".join(why["xml: malformed XML"])
    assert "line 49" in xml and "Invalid bytes" in xml
    assert "Premature end of data" in " | ".join(report.skipped_examples["xml: malformed XML"] +
                                                 [f"{k}" for k in report.skipped])  # fmt: skip
    assert report.skipped["item: no wp:post_id"] == 2


def test_the_namespace_is_matched_by_its_version_suffix():
    assert wordpress.is_wxr("http://wordpress.org/export/1.2/")
    assert wordpress.is_wxr("https://wordpress.org/export/1.2")
    assert wordpress.is_wxr("http://wordpress.org/export/1.0/")
    assert not wordpress.is_wxr("http://wordpress.org/export/1.2/excerpt/")
    assert not wordpress.is_wxr("http://example.com/other/")


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
