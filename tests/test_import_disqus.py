"""The Disqus export reader: every case real exports hold, broken files, hostile XML."""

import io
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from blogapp.importing import disqus
from blogapp.importing.records import Skipped, SourceComment, SourceThread
from blogapp.importing.xml_stream import MAX_PARSE_ERRORS

DATA = Path(__file__).parent / "data" / "disqus"
HEAD = (
    b'<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" '
    b'xmlns:dsq="http://disqus.com/disqus-internals">\n'
)


def read_bytes(data: bytes) -> tuple[list, list[Skipped]]:
    skipped: list[Skipped] = []
    return list(disqus.read(io.BytesIO(data), skipped.append)), skipped


def read_file(name: str) -> tuple[list, list[Skipped]]:
    return read_bytes((DATA / name).read_bytes())


def by_id(records) -> dict[str, SourceThread | SourceComment]:
    return {r.source_id: r for r in records}


def post(source_id: str, thread: str = "1", body: str = "<p>Hi</p>") -> bytes:
    return (
        f'<post dsq:id="{source_id}"><message><![CDATA[{body}]]></message>'
        f"<createdAt>2022-01-01T00:00:00Z</createdAt><author><name>N</name></author>"
        f'<thread dsq:id="{thread}"/></post>\n'
    ).encode()


def test_threads_are_read_whether_or_not_they_have_an_id_or_a_title():
    records, _ = read_file("export.xml")
    threads = by_id(r for r in records if isinstance(r, SourceThread))
    assert set(threads) == {"5001", "5002", "5005"}
    assert threads["5001"] == SourceThread(
        "disqus",
        "5001",
        "http://www.tallyworks.example/2021/03/launch-notes/",
        "Launch notes: what's new in March",  # the entity in the title decoded
    )
    # <id/> empty and <title/> empty: found by its link all the same.
    assert threads["5002"].link == "https://tallyworks.example/pricing?utm_source=newsletter"
    assert threads["5002"].title == ""


def test_records_come_in_file_order_so_a_thread_may_follow_its_posts():
    records, _ = read_file("export.xml")
    order = [r.source_id for r in records]
    assert order.index("9006") < order.index("5005")  # 9006 is on thread 5005
    assert order[-1] == "5005"


def test_a_thread_with_no_link_or_deleted_on_disqus_is_reported_and_skipped():
    _, skipped = read_file("export.xml")
    assert skipped == [
        Skipped(57, "thread", "thread 5003: no link to find its page by"),
        Skipped(62, "thread", "thread 5004: deleted on Disqus; its comments are not imported"),
    ]


def test_a_comment_carries_its_thread_parent_author_and_utc_time():
    records, _ = read_file("export.xml")
    comments = by_id(r for r in records if isinstance(r, SourceComment))
    question, answer = comments["9001"], comments["9002"]
    assert question.thread_source_id == "5001" and question.parent_source_id is None
    assert question.body_html == "<p>Does the <b>export</b> keep my tags &amp; dates?</p>"
    assert question.author_name == "María O'Brien"  # XML's &#237; and HTML's &#39; both
    assert question.author_email == "maria@customer.example"
    assert question.created_at == datetime(2021, 3, 2, 10, 15)
    assert question.state == "published" and question.kind == "comment"
    assert question.author_login is None
    assert answer.parent_source_id == "9001"
    assert answer.body_html == "<p>Yes: both, with their time zones.</p>"  # CDATA unpadded
    # +02:00 in the file is two hours earlier in UTC; stored naive, as every column is.
    assert comments["9004"].created_at == datetime(2021, 3, 3, 7, 30)
    assert comments["9004"].created_at.tzinfo is None


def test_deleted_spam_anonymous_and_orphan_comments():
    records, skipped = read_file("export.xml")
    comments = by_id(r for r in records if isinstance(r, SourceComment))
    deleted = comments["9003"]
    assert deleted.state == "deleted" and deleted.body_html == ""  # its words stay gone
    assert comments["9004"].parent_source_id == "9003"  # the reply still names it
    assert comments["9005"].state == "spam"
    anonymous = comments["9004"]
    assert anonymous.author_name == "Curious <guest>" and anonymous.author_email == ""
    # An orphan is yielded: only the writer, with the whole file read, knows it is one.
    assert comments["9007"].thread_source_id == "1337"
    # No dsq:id: the post's own <id>; no name: the username.
    nameless = comments["12345678890"]
    assert nameless.author_name == "nameless_one"
    assert nameless.body_html == "Plain text, no CDATA: 3 < 4"
    assert not any(s.element.startswith("post") for s in skipped)


def test_a_post_with_no_name_and_no_username_is_by_anonymous():
    data = HEAD + post("1").replace(b"<name>N</name>", b"<name/><email/>") + b"</disqus>"
    (comment,), _ = read_bytes(data)
    assert comment.author_name == "Anonymous" and comment.author_email == ""


def test_a_malformed_export_loses_only_its_broken_elements():
    records, skipped = read_file("malformed.xml")
    assert [r.source_id for r in records] == ["1", "101", "103", "105", "110", "112", "113"]
    found = by_id(records)
    assert found["1"].title == "Hello & welcome"
    # After the first error every "&amp;" still reads as "&" (libxml2's recovery mode,
    # not used, would drop them from the rest of the file).
    assert found["103"].author_name == "Three & Co"
    assert found["103"].body_html == "<p>Fine after an unquoted attribute &amp; more.</p>"
    assert found["105"].body_html == "<p>A control character pasted in.</p>"
    assert [(s.line, s.element, s.reason.split(":")[0]) for s in skipped] == [
        (19, "xml", "post 102"),  # malformed XML
        (28, "xml", "post 104"),
        (39, "post", "post 106"),  # well-formed, but not a usable post
        (45, "post", "post 107"),
        (52, "post", "post 108"),
        (58, "xml", "post 109"),
        (63, "xml", "post"),  # its start tag was the broken part; the posts beside it read
        (71, "xml", "post 114"),
    ]
    reasons = [s.reason for s in skipped]
    assert reasons[0] == "post 102: AttValue: \" or ' expected"
    assert reasons[1] == "post 104: Entity 'nbsp' not defined"
    assert reasons[2] == "post 106: <createdAt> is '2022-13-45T99:00:00Z', not a date"
    assert reasons[3] == "post 107: <isSpam> is '123', neither true nor false"
    assert reasons[4] == "post 108: names no thread"
    assert "mismatch" in reasons[5] and "line 58" in reasons[5]  # the file's line
    assert reasons[7] == "post 114: CData section not finished"


def test_a_billion_laughs_expands_nothing():
    records, skipped = read_file("billion_laughs.xml")
    sober = SourceThread("disqus", "3", "https://tallyworks.example/posts/sober", "Still read")
    assert records == [sober]
    assert [(s.line, s.element) for s in skipped] == [(17, "xml"), (21, "xml"), (26, "xml")]
    assert [s.reason for s in skipped] == [
        "thread 1: Maximum entity amplification factor exceeded, see "
        "xmlCtxtSetMaxAmplification.",
        "thread: Entity 'lol9' not defined",  # a new parser, past the DTD, knows no lol9
        "post 2: Entity 'lol9' not defined",
    ]


@pytest.fixture
def counting_server():
    """A web server on 127.0.0.1 that counts the requests it gets."""
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            body = b"<!ENTITY leaked 'fetched'>" if self.path.endswith(".dtd") else b"fetched"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    server.server_close()


def test_external_entities_are_neither_read_nor_fetched(tmp_path, counting_server):
    url, requests = counting_server
    secret = tmp_path / "secret.txt"
    secret.write_text("the-secret-word")
    template = (DATA / "external_entity.xml").read_text()
    data = template.replace("SERVER", url).replace("SECRET_FILE", str(secret)).encode()
    records, skipped = read_bytes(data)
    assert records == [
        SourceThread("disqus", "3", "https://tallyworks.example/posts/plain", "Nothing fetched")
    ]
    assert skipped == [
        Skipped(14, "xml", "thread 1: uses the entity &secret;, not expanded"),
        Skipped(17, "xml", "post 2: uses the entity &remote;, not expanded"),
    ]
    assert requests == []
    assert "the-secret-word" not in repr(records) + repr(skipped)


def test_a_file_that_is_not_a_disqus_export_is_said_to_be_so():
    rss = b'<?xml version="1.0"?><rss version="2.0"><channel><item/></channel></rss>'
    assert read_bytes(rss) == (
        [],
        [Skipped(1, "disqus", "not a Disqus export (its first element is <rss>)")],
    )
    records, (skip,) = read_bytes(b"")
    assert records == [] and skip.reason.startswith("stopped reading: no XML document")
    records, (skip,) = read_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert records == [] and skip.reason.startswith("stopped reading: no XML document")


def test_a_file_with_more_errors_than_worth_reading_is_given_up_on():
    broken = post("x").replace(b'"x"', b"x")
    data = HEAD + post("first") + broken * (MAX_PARSE_ERRORS + 1) + post("never") + b"</disqus>"
    records, skipped = read_bytes(data)
    assert [r.source_id for r in records] == ["first"]
    assert len(skipped) == MAX_PARSE_ERRORS + 1
    last_line = 3 + MAX_PARSE_ERRORS + 1  # two lines of head, the first post, the broken
    reason = f"stopped reading: more than 1000 XML errors by line {last_line}"
    assert skipped[-1] == Skipped(None, "disqus", reason)


class CountingStream(io.BytesIO):
    """A file that remembers how far it has been read."""

    furthest = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.furthest = max(self.furthest, self.tell())
        return chunk


def test_records_are_yielded_as_the_file_is_read_not_after():
    data = HEAD + b"".join(post(str(n)) for n in range(5_000)) + b"</disqus>"
    stream = CountingStream(data)
    records = disqus.read(stream, lambda skipped: None)
    assert next(records).source_id == "0"
    assert stream.furthest < len(data) / 4
    assert sum(1 for _ in records) == 4_999
