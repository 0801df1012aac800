"""`flask export wordpress FILE`: a WXR 1.2 file WordPress's own importer would accept."""

import re
import xml.etree.ElementTree as ET

import pytest

from blogapp.importing import wxr_export
from tests.export_helpers import AWKWARD_TITLE, populate

NS = {
    "wp": "http://wordpress.org/export/1.2/",
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "dc": "http://purl.org/dc/elements/1.1/",
}
# What wordpress-importer's parsers read (parsers/class-wxr-parser-simplexml.php and
# class-wxr-parser-xml.php), under the channel, each author, tag, item and comment.
AUTHOR_FIELDS = ["author_id", "author_login", "author_email", "author_display_name",
                 "author_first_name", "author_last_name"]  # fmt: skip
TAG_FIELDS = ["term_id", "tag_slug", "tag_name"]
ITEM_FIELDS = ["title", "link", "guid", "dc:creator", "content:encoded", "excerpt:encoded",
               "wp:post_id", "wp:post_date", "wp:post_date_gmt", "wp:comment_status",
               "wp:ping_status", "wp:post_name", "wp:status", "wp:post_parent",
               "wp:menu_order", "wp:post_type", "wp:post_password", "wp:is_sticky"]  # fmt: skip
COMMENT_FIELDS = ["comment_id", "comment_author", "comment_author_email", "comment_author_IP",
                  "comment_author_url", "comment_date", "comment_date_gmt", "comment_content",
                  "comment_approved", "comment_type", "comment_parent",
                  "comment_user_id"]  # fmt: skip


@pytest.fixture
def site(make_user, make_post, make_comment):
    return populate(make_user, make_post, make_comment)


@pytest.fixture
def exported(app, site, runner, tmp_path):
    """The export of ``site`` (the site's time zone five hours behind UTC in January)."""
    app.config["SITE_TIMEZONE"] = "America/New_York"
    path = tmp_path / "site.xml"
    result = runner.invoke(args=["export", "wordpress", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Wrote {path} (")
    return path.read_text(encoding="utf-8")


def items(text: str) -> dict[str, ET.Element]:
    channel = ET.fromstring(text).find("channel")
    return {item.findtext("wp:post_name", namespaces=NS): item for item in channel.iter("item")}


def comments(item: ET.Element) -> dict[str, dict[str, str]]:
    """An item's comments by their content, each as {field: text}."""
    found = {}
    for comment in item.findall("wp:comment", NS):
        fields = {child.tag.split("}")[1]: child.text or "" for child in comment}
        found[fields["comment_content"]] = fields
    return found


def test_the_export_parses_strictly_with_the_wxr_1_2_namespaces(exported):
    root = ET.fromstring(exported)  # expat: any error in the XML raises
    assert root.tag == "rss" and root.get("version") == "2.0"
    for prefix, uri in NS.items():
        assert f'xmlns:{prefix}="{uri}"' in exported
    channel = root.find("channel")
    assert channel.findtext("wp:wxr_version", namespaces=NS) == "1.2"
    assert channel.findtext("wp:base_site_url", namespaces=NS) == "http://parley.test"
    assert channel.findtext("wp:base_blog_url", namespaces=NS) == "http://parley.test"
    assert "<!DOCTYPE" not in exported  # WordPress's SimpleXML parser refuses a doctype


def test_every_element_wordpress_reads_is_there(exported, site):
    channel = ET.fromstring(exported).find("channel")
    (author,) = channel.findall("wp:author", NS)  # the reader wrote a comment, no post
    assert [child.tag.split("}")[1] for child in author] == AUTHOR_FIELDS
    assert author.findtext("wp:author_id", namespaces=NS) == str(site.staff.id)
    assert author.findtext("wp:author_login", namespaces=NS) == site.staff.slug
    assert author.findtext("wp:author_email", namespaces=NS) == "ana@example.com"
    assert author.findtext("wp:author_display_name", namespaces=NS) == "Ana Staff"
    tags = channel.findall("wp:tag", NS)
    assert [[child.tag.split("}")[1] for child in tag] for tag in tags] == [TAG_FIELDS] * 2
    for item in channel.findall("item"):
        for field in ITEM_FIELDS:
            assert item.find(field, NS) is not None, field
        assert item.findtext("dc:creator", namespaces=NS) == site.staff.slug
        assert item.findtext("wp:post_type", namespaces=NS) == "post"
        for comment in item.findall("wp:comment", NS):
            assert sorted(child.tag.split("}")[1] for child in comment) == sorted(COMMENT_FIELDS)


def test_the_lines_wordpress_s_fallback_parser_reads_line_by_line(exported):
    """class-wxr-parser-regex.php reads the file a line at a time: an author whole on one
    line, ``<item>`` alone, tags as ``<category domain="…" nicename="…">`` in that order."""
    lines = exported.splitlines()
    authors = [line for line in lines if "<wp:author>" in line]
    assert len(authors) == 1 and re.search(r"<wp:author>(.*?)</wp:author>", authors[0])
    assert lines.count("\t<item>") == 3 and lines.count("\t</item>") == 3
    assert re.search(r"<wp:wxr_version>(\d+\.\d+)</wp:wxr_version>", exported)
    terms = re.findall(r'<category domain="([^"]+?)" nicename="([^"]+?)">(.+?)</category>',
                       exported)  # fmt: skip
    assert terms == [
        ("post_tag", "q-a", "<![CDATA[Q&A]]>"),
        ("post_tag", "release-notes", "<![CDATA[Release notes]]>"),
    ]


def test_posts_keep_their_status_and_their_dates_in_gmt_and_local_time(exported, site):
    found = items(exported)
    assert set(found) == {"awkward", "draft", "later"}

    def field(slug: str, name: str) -> str:
        return found[slug].findtext(f"wp:{name}", namespaces=NS)

    assert [field(s, "status") for s in ("awkward", "draft", "later")] == [
        "publish",
        "draft",
        "future",
    ]
    assert field("awkward", "post_id") == str(site.published.id)
    assert field("awkward", "post_date_gmt") == "2024-01-15 14:30:00"
    assert field("awkward", "post_date") == "2024-01-15 09:30:00"  # New York, winter
    assert field("later", "post_date_gmt") == "2099-06-01 09:00:00"
    assert field("later", "post_date") == "2099-06-01 05:00:00"  # summer time
    assert field("draft", "post_date_gmt") == "0000-00-00 00:00:00"  # never published
    assert field("awkward", "comment_status") == "open"
    assert found["awkward"].findtext("link") == "http://parley.test/posts/awkward"
    assert "<em>emphasis</em> &amp; an ampersand" in found["awkward"].findtext(
        "content:encoded", namespaces=NS
    )


def test_comments_keep_their_status_parent_author_and_gmt_date(exported, site):
    thread = comments(items(exported)["awkward"])
    assert len(thread) == 6
    question = thread["<p>Does it <em>work</em>?</p>"]
    answer = thread["<p>It does.</p>"]
    thanks = thread["<p>Thanks!</p>"]
    assert question["comment_id"] == str(site.question.id)
    assert question["comment_parent"] == "0"
    assert answer["comment_parent"] == question["comment_id"]
    assert thanks["comment_parent"] == answer["comment_id"]
    assert (question["comment_author"], question["comment_author_email"]) == (
        "Gail Guest",
        "gail@example.com",
    )
    # Staff answers point at their author, so they count as answers on the way back in;
    # a reader's account is not a WordPress user.
    assert answer["comment_user_id"] == str(site.staff.id)
    assert answer["comment_author_email"] == "ana@example.com"
    assert thanks["comment_user_id"] == question["comment_user_id"] == "0"
    assert thanks["comment_author"] == 'Rita "Reader"'
    assert question["comment_date_gmt"] == "2024-01-16 08:00:00"
    assert question["comment_date"] == "2024-01-16 03:00:00"
    approved = {content: fields["comment_approved"] for content, fields in thread.items()}
    assert approved == {
        "<p>Does it <em>work</em>?</p>": "1",
        "<p>It does.</p>": "1",
        "<p>Thanks!</p>": "1",
        "<p>First time here.</p>": "0",
        "<p>Cheap pills</p>": "spam",
        "<p>Rude</p>": "trash",
    }
    assert all(fields["comment_type"] == "comment" for fields in thread.values())
    assert all(fields["comment_author_IP"] == "" for fields in thread.values())


def test_special_characters_survive_and_forbidden_ones_are_left_out(exported):
    item = items(exported)["awkward"]
    assert item.findtext("title") == AWKWARD_TITLE.replace("\x07", "")
    assert "]]]]><![CDATA[>" in exported  # "]]>" split as WordPress splits it
    tags = [(c.get("domain"), c.get("nicename"), c.text) for c in item.findall("category")]
    assert tags == [("post_tag", "q-a", "Q&A"), ("post_tag", "release-notes", "Release notes")]


def test_posts_are_read_a_page_at_a_time(app, site, monkeypatch):
    monkeypatch.setattr(wxr_export, "PAGE", 1)
    text = "".join(wxr_export.wxr_lines())
    found = items(text)
    assert set(found) == {"awkward", "draft", "later"}
    assert len(comments(found["awkward"])) == 6
    assert comments(found["draft"]) == comments(found["later"]) == {}


def test_the_download_is_streamed(app, site):
    with app.test_request_context("/admin/import"):
        response = wxr_export.wxr_response()
        assert response.is_streamed
        assert response.headers["Content-Disposition"].startswith('attachment; filename="parley-')
        body = b"".join(response.response)
    assert set(items(body.decode())) == {"awkward", "draft", "later"}


def test_the_command_says_when_it_cannot_write(runner, tmp_path):
    result = runner.invoke(args=["export", "wordpress", str(tmp_path / "missing" / "x.xml")])
    assert result.exit_code == 1
    assert "cannot write" in result.output
