"""Reading what people type into the search box: the syntax, and repairs to what is broken."""

from datetime import datetime

import pytest

from blogapp.search.nodes import And, Author, DateRange, Not, Or, Phrase, Tag, Word, render
from blogapp.search.query import MAX_QUERY_CHARS, MAX_TERMS, parse_query
from blogapp.search.words import edit_distance


def test_words_phrases_and_operators_build_a_tree():
    parsed = parse_query('(refund OR credit) "late fee" NOT draft -spam')
    assert parsed.notices == []
    assert parsed.node == And(
        (
            Or((Word("refund"), Word("credit"))),
            Phrase(("late", "fee")),
            Not(Word("draft")),
            Not(Word("spam")),
        )
    )


def test_and_binds_tighter_than_or():
    assert parse_query("a1 b2 OR c3").node == Or((And((Word("a1"), Word("b2"))), Word("c3")))
    assert parse_query("a1 AND b2").node == And((Word("a1"), Word("b2")))


def test_filters():
    parsed = parse_query('author:"Jane Doe" tag:Billing by:tom date:2024-03')
    assert parsed.node == And(
        (
            Author(("jane", "doe")),
            Tag("billing"),
            Author(("tom",)),
            DateRange(datetime(2024, 3, 1), datetime(2024, 4, 1), "2024-03"),
        )
    )


@pytest.mark.parametrize(
    ("value", "start", "end"),
    [
        ("2024", datetime(2024, 1, 1), datetime(2025, 1, 1)),
        ("2024-12", datetime(2024, 12, 1), datetime(2025, 1, 1)),
        ("2024-02-29", datetime(2024, 2, 29), datetime(2024, 3, 1)),
        ("2024-01..2024-03", datetime(2024, 1, 1), datetime(2024, 4, 1)),
        ("2024-06..", datetime(2024, 6, 1), None),
        ("..2023", None, datetime(2024, 1, 1)),
        (">2024-06-01", datetime(2024, 6, 2), None),
        (">=2024-06-01", datetime(2024, 6, 1), None),
        ("<2023", None, datetime(2023, 1, 1)),
        ("<=2023", None, datetime(2024, 1, 1)),
    ],
)
def test_date_ranges(value, start, end):
    assert parse_query(f"date:{value}").node == DateRange(start, end, value)


@pytest.mark.parametrize(
    ("typed", "searched", "notice"),
    [
        ('"late fee', '"late fee"', "closing quote was missing"),
        ("refund AND", "refund", "“AND” needs words on both sides"),
        ("OR refund", "refund", "“OR” needs words on both sides"),
        ("refund NOT", "refund", "“NOT” needs a word after it"),
        ("refund)", "refund", "bracket wasn't paired"),
        ("(refund credit", "refund credit", "bracket wasn't paired"),
        ("colour:blue invoice", '"colour blue" invoice', "There is no “colour:” filter"),
        ("date:2024-13 invoice", "invoice", "isn't a date we understand"),
        ("date:yesterday invoice", "invoice", "isn't a date we understand"),
    ],
)
def test_broken_queries_are_repaired_and_explained(typed, searched, notice):
    parsed = parse_query(typed)
    assert render(parsed.node) == searched
    assert any(notice in n for n in parsed.notices), parsed.notices


@pytest.mark.parametrize(
    ("typed", "notice"),
    [
        ("AND", "needs words on both sides"),
        ("OR OR OR", "needs words on both sides"),
        ("NOT", "needs a word after it"),
        ("NOT refund", "not only what to leave out"),
        ("-refund -credit", "not only what to leave out"),
        ("the and of", "only very common words"),
        ('""', "Type a word"),
        ("!!! ??? ...", "Type a word"),
        ("\x00\x01\x02", ""),
    ],
)
def test_queries_with_nothing_to_search_for_say_why(typed, notice):
    parsed = parse_query(typed)
    assert parsed.node is None
    if notice:
        assert any(notice in n for n in parsed.notices), parsed.notices
    else:
        assert parsed.notices == []


def test_control_characters_separate_words():
    # "in" is a stop word; ESC, DEL and NUL are spaces.
    assert render(parse_query("in\x00voice\x1b[31m bank\x7ffeed").node) == "voice 31m bank feed"


def test_long_queries_are_cut_with_a_notice():
    parsed = parse_query("invoice " * 5000)
    assert any(str(MAX_QUERY_CHARS) in n for n in parsed.notices)
    assert len(parsed.words) == MAX_TERMS
    assert any(f"first {MAX_TERMS} words" in n for n in parsed.notices)


def test_brackets_nested_too_deeply_are_ignored():
    parsed = parse_query("((((((((refund))))))))")
    assert parsed.node == Word("refund")
    assert any("nested too deeply" in n for n in parsed.notices)


def test_word_pieces_match_how_text_is_indexed():
    assert parse_query("e-mail").node == Phrase(("e", "mail"))
    assert parse_query("v3.5").node == Phrase(("v3", "5"))


def test_render_swaps_corrected_words_for_did_you_mean():
    node = parse_query('refnd "late fe" author:jane NOT (spam OR junk)').node
    assert render(node, {"refnd": "refund", "fe": "fee"}) == (
        'refund "late fee" author:jane NOT (spam OR junk)'
    )


def test_edit_distance_counts_swaps_once():
    assert edit_distance("recieve", "receive") == 1
    assert edit_distance("invoce", "invoice") == 1
    assert edit_distance("refund", "refund") == 0
    assert edit_distance("cat", "dog") == 3
