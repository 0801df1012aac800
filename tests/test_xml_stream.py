"""The hardened streaming XML reader both importers can share (importing/xml_stream.py)."""

import io

import pytest
from lxml import etree

from blogapp.importing.xml_stream import local_name, read_records

WXR_LIKE = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Site</title>
  <item><title>Broken <b x=1/></title><wp:post_id>1</wp:post_id></item>
  <item><title>Tom &amp; Jerry &lt;3</title><wp:post_id>2</wp:post_id></item>
  <wp:author><wp:author_login>ana</wp:author_login></wp:author>
</channel>
</rss>
"""


def test_records_deeper_in_the_document_and_the_text_after_an_error_intact():
    stray, found = [], []
    names = frozenset({"item", "author"})
    for record in read_records(io.BytesIO(WXR_LIKE), names, stray.append, depth=3):
        children = [(local_name(c), c.tag, c.text) for c in record.element]
        found.append((record.first_line, [p.message for p in record.problems], children))
    assert found[0][:2] == (5, ["AttValue: \" or ' expected"])
    assert found[1] == (
        6,
        [],
        # A parser in recovery mode would read "Tom  Jerry 3" here; the new parser opened
        # inside rss/channel, so the wp: namespace is still known.
        [
            ("title", "title", "Tom & Jerry <3"),
            ("post_id", "{http://wordpress.org/export/1.2/}post_id", "2"),
        ],
    )
    assert found[2][:2] == (7, []) and found[2][2][0][0] == "author_login"
    assert stray == []


def test_whats_wrong_outside_a_record_goes_to_stray():
    stray = []
    data = b"<rss><channel><junk>&bogus;</junk><item><title>ok</title></item></channel></rss>"
    records = read_records(io.BytesIO(data), frozenset({"item"}), stray.append, depth=3)
    assert [r.element.findtext("title") for r in records] == ["ok"]
    assert [(p.line, p.message) for p in stray] == [(1, "Entity 'bogus' not defined")]


def test_a_record_handed_over_is_cleared_so_memory_stays_flat():
    data = b"<d>" + b"<r><t>x</t></r>" * 3 + b"</d>"
    seen: list[etree._Element] = []
    for record in read_records(io.BytesIO(data), frozenset({"r"}), print):
        seen.append(record.element)
    assert all(len(element) == 0 for element in seen)  # cleared once handed over
    assert len(seen[-1].getparent()) == 1  # and the ones before it dropped


@pytest.mark.parametrize("newline", [b"\n", b""])  # one-line exports too
def test_an_error_libxml2_reports_records_later_costs_only_its_own_record(newline):
    # A bare "&" makes libxml2 wait for a ";", here three records on: the records it
    # had been given meanwhile are fed again to the new parser.
    records = [b"<r>a & b</r>", b"<r>two</r>", b"<r>three</r>", b"<r>x &amp; y</r>"]
    data = newline.join([b"<d>", *records, b"</d>"])
    stray, found = [], []
    for record in read_records(io.BytesIO(data), frozenset({"r"}), stray.append):
        found.append((record.first_line, record.element.text, [p.line for p in record.problems]))
    lines = [2, 3, 4, 5] if newline else [1, 1, 1, 1]
    assert found == [
        (lines[0], "a ", [lines[0]]),
        (lines[1], "two", []),
        (lines[2], "three", []),
        (lines[3], "x & y", []),
    ]
    assert stray == []
