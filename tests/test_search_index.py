"""Searching: what is found, how it ranks and reads, and who may find it. Every test runs
on Whoosh and (with TEST_DATABASE_URL on PostgreSQL) on the PostgreSQL backend."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.models import CommentStatus, Guest, PostStatus, Role, SearchOutbox, Tag
from blogapp.models.base import utcnow
from blogapp.responses import assigning, services
from blogapp.responses.helped import rate_answer
from blogapp.responses.state import response_state
from blogapp.search import services as search_services
from blogapp.search.backend import Scope, get_backend
from blogapp.search.documents import ResponseState
from blogapp.search.hooks import hooks_of
from blogapp.search.outbox import drain
from blogapp.search.query import parse_query
from blogapp.search.services import SearchOptions, scope_for, search_site, similar_answers


def found(text: str, viewer=None, **options) -> list[str]:
    """The keys of the hits on the page, in order."""
    results = search_site(text, viewer or Guest(), SearchOptions(**options))
    return [hit.key for group in results.groups for hit in group.hits]


def indexed_keys() -> set[str]:
    return {key for key, _ in get_backend().fingerprints()}


def test_public_finds_published_posts_and_published_comments_only(
    search_backend, make_post, make_comment
):
    now = utcnow()
    live = make_post(body="The zebra migration.")
    draft = make_post(body="A zebra draft.", status=PostStatus.DRAFT, published_at=None)
    future = make_post(
        body="A zebra to come.", status=PostStatus.SCHEDULED, published_at=now + timedelta(days=1)
    )
    due = make_post(
        body="A zebra now due.", status=PostStatus.SCHEDULED, published_at=now - timedelta(hours=1)
    )
    comments = {
        status: make_comment(live, body=f"A {status.value} zebra comment.", status=status)
        for status in CommentStatus
    }
    on_draft = make_comment(draft, body="Zebra under a draft.")
    on_future = make_comment(future, body="Zebra under a scheduled post.")

    expected = {
        f"post:{live.id}",
        f"post:{due.id}",
        f"comment:{comments[CommentStatus.PUBLISHED].id}",
    }
    assert set(found("zebra")) == expected
    # Drafts, spam and removed comments never even reach the index.
    index = indexed_keys()
    assert f"post:{draft.id}" not in index
    assert f"comment:{comments[CommentStatus.SPAM].id}" not in index
    assert f"comment:{comments[CommentStatus.REMOVED].id}" not in index
    # Comments under hidden posts are indexed but not found.
    assert {f"comment:{on_draft.id}", f"comment:{on_future.id}"} <= index


def test_employees_may_include_held_comments_but_never_spam_removed_or_drafts(
    search_backend, make_user, make_post, make_comment
):
    staff = make_user(Role.STAFF)
    live = make_post(body="Kiwi notes.")
    draft = make_post(body="Kiwi draft.", status=PostStatus.DRAFT, published_at=None)
    held = make_comment(live, body="Held kiwi.", status=CommentStatus.HELD)
    spam = make_comment(live, body="Spam kiwi.", status=CommentStatus.SPAM)
    removed = make_comment(live, body="Removed kiwi.", status=CommentStatus.REMOVED)
    make_comment(draft, body="Kiwi under a draft.", status=CommentStatus.HELD)

    assert set(found("kiwi", staff)) == {f"post:{live.id}"}
    with_held = set(found("kiwi", staff, include_held=True))
    assert with_held == {f"post:{live.id}", f"comment:{held.id}"}
    assert not {f"comment:{spam.id}", f"comment:{removed.id}"} & with_held
    # The same request from a reader is ignored: held comments are for employees.
    assert set(found("kiwi", Guest(), include_held=True)) == {f"post:{live.id}"}


def test_a_scheduled_post_becomes_findable_when_its_time_comes(search_backend, make_post):
    when = utcnow() + timedelta(hours=2)
    post = make_post(body="Narwhal pricing.", status=PostStatus.SCHEDULED, published_at=when)
    node = parse_query("narwhal").node

    def search_at(moment: datetime) -> list[str]:
        scope = scope_for(Guest(), SearchOptions(), now=moment)
        return [h.key for h in get_backend().search(node, scope, "relevance", 1, 10).hits]

    assert found("narwhal") == []
    assert search_at(when - timedelta(minutes=1)) == []
    # No re-indexing in between: the index already holds it with its published_at.
    assert search_at(when + timedelta(minutes=1)) == [f"post:{post.id}"]


def test_guest_emails_are_never_searchable(search_backend, make_post, make_comment):
    post = make_post(body="Welcome.")
    comment = make_comment(
        post, body="Where is the export button?", guest=("Gail Guest", "hidden-mailbox@example.org")
    )
    assert found("hidden-mailbox") == []
    assert found('"example.org"') == []
    assert found("author:gail export") == [f"comment:{comment.id}"]


def test_stemming_and_folded_accents(search_backend, make_post, make_comment):
    post = make_post(body="Nothing here.")
    refunds = make_comment(post, body="Both invoices were refunded twice.")
    cafe = make_comment(post, body="Our café in Zürich loves crème brûlée.")

    assert found("refund invoice") == [f"comment:{refunds.id}"]
    assert found("refunding") == [f"comment:{refunds.id}"]
    assert found("cafe zurich") == [f"comment:{cafe.id}"]
    assert found("CRÈME brulee") == [f"comment:{cafe.id}"]


def test_phrases_and_boolean_operators(search_backend, make_post, make_comment):
    post = make_post(body="Nothing here.")
    late_fee = make_comment(post, body="Is there a late fee on partial payments?")
    fee_late = make_comment(post, body="The fee arrived late this month.")
    deposit = make_comment(post, body="Deposits show up as partial payments.")

    assert found('"late fee"') == [f"comment:{late_fee.id}"]
    assert set(found("late fee")) == {f"comment:{late_fee.id}", f"comment:{fee_late.id}"}
    assert set(found("deposit OR month")) == {f"comment:{deposit.id}", f"comment:{fee_late.id}"}
    assert found("partial NOT fee") == [f"comment:{deposit.id}"]
    assert found("partial -deposits") == [f"comment:{late_fee.id}"]
    assert set(found("(deposit OR month) payments")) == {f"comment:{deposit.id}"}


def test_author_tag_and_date_filters(search_backend, make_user, make_post, make_comment):
    jane = make_user(Role.STAFF, name="Jane Doe")
    tag = Tag(name="Billing", slug="billing")
    db.session.add(tag)
    billing = make_post(body="About otters.", author=jane)
    billing.tags.append(tag)
    db.session.commit()
    other = make_post(body="More about otters.")
    old = make_comment(other, body="Otters in spring.", created_at=datetime(2024, 3, 10, 12))
    new = make_comment(other, body="Otters in autumn.", created_at=datetime(2024, 10, 2, 9))
    reply = make_comment(billing, author=jane, body="Otters, answered.")

    assert set(found("otters author:jane")) == {f"post:{billing.id}", f"comment:{reply.id}"}
    assert set(found('author:"jane doe"')) == {f"post:{billing.id}", f"comment:{reply.id}"}
    assert set(found("otters tag:billing")) == {f"post:{billing.id}", f"comment:{reply.id}"}
    assert found("otters date:2024-03") == [f"comment:{old.id}"]
    assert set(found("otters date:2024-01..2024-12")) == {f"comment:{old.id}", f"comment:{new.id}"}
    assert found("otters date:>2024-06-01 date:<2025") == [f"comment:{new.id}"]


def test_relevance_or_newest_first(search_backend, make_post, make_comment):
    start = utcnow() - timedelta(days=10)
    post = make_post(
        title="Bank feeds", body="How bank feeds sync.", published_at=start - timedelta(days=1)
    )
    once = make_comment(post, body="My feed broke once.", created_at=start)
    many = make_comment(
        post, body="Feed, feed, feed: every feed stopped.", created_at=start + timedelta(days=1)
    )
    newest = make_comment(post, body="Is the feed fixed?", created_at=start + timedelta(days=2))

    by_relevance = found("feed")
    assert by_relevance[0] == f"post:{post.id}"  # the title weighs most
    assert by_relevance.index(f"comment:{many.id}") < by_relevance.index(f"comment:{once.id}")
    by_date = found("feed", order="date")
    # The post heads its group; its comments follow newest first.
    assert by_date == [
        f"post:{post.id}",
        f"comment:{newest.id}",
        f"comment:{many.id}",
        f"comment:{once.id}",
    ]


def test_results_are_paged(search_backend, app, make_post, make_comment):
    app.config["SEARCH_RESULTS_PER_PAGE"] = 4
    post = make_post(body="Nothing here.")
    for n in range(10):
        make_comment(post, body=f"Puffin number {n}.")
    pages = [search_site("puffin", Guest(), SearchOptions(page=p, order="date")) for p in (1, 2, 3)]
    assert [r.total for r in pages] == [10, 10, 10]
    assert [r.shown for r in pages] == [4, 4, 2]
    keys = [h.key for r in pages for g in r.groups for h in g.hits]
    assert len(set(keys)) == 10
    # A page past the end shows the last page rather than nothing.
    assert search_site("puffin", Guest(), SearchOptions(page=99)).page == 3


def test_snippets_highlight_matches_and_escape_everything_else(
    search_backend, make_post, make_comment
):
    post = make_post(body="Nothing here.")
    make_comment(post, body="`<script>alert(1)</script>` and <mark>fake</mark> beside a walrus.")
    results = search_site("walrus", Guest(), SearchOptions())
    snippet = str(results.groups[0].hits[0].snippet)
    assert "<mark>walrus</mark>" in snippet
    assert "<script>" not in snippet
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in snippet
    assert "&lt;mark&gt;fake&lt;/mark&gt;" in snippet
    assert snippet.count("<mark>") == 1


def test_snippets_read_like_the_comment_around_its_formatting(
    search_backend, make_post, make_comment
):
    post = make_post(body="Nothing here.")
    make_comment(post, body="Open **Reports**, then [Export](https://example.com).\n\n- one\n- two")
    snippet = str(search_site("reports", Guest(), SearchOptions()).groups[0].hits[0].snippet)
    assert "<mark>Reports</mark>, then Export. one two" in snippet


def test_did_you_mean_suggests_a_word_from_the_index(search_backend, make_post, make_comment):
    post = make_post(body="Nothing here.")
    make_comment(post, body="Reconciliation of the bank statement failed.")
    results = search_site("reconcilation statement", Guest(), SearchOptions())
    assert results.total == 0
    assert results.suggestion == "reconciliation statement"
    assert search_site("reconciliation", Guest(), SearchOptions()).suggestion is None


def test_results_are_grouped_under_their_post(search_backend, make_post, make_comment):
    first = make_post(title="Recurring invoices", body="Gecko schedules.")
    second = make_post(title="Deposits", body="Nothing here.")
    a = make_comment(first, body="Gecko one.")
    b = make_comment(second, body="Gecko two.")
    c = make_comment(first, body="Gecko three.")
    results = search_site("gecko", Guest(), SearchOptions(order="date"))
    groups = {g.post.id: {h.key for h in g.hits} for g in results.groups}
    assert groups == {
        first.id: {f"post:{first.id}", f"comment:{a.id}", f"comment:{c.id}"},
        second.id: {f"comment:{b.id}"},
    }


@pytest.fixture
def response_states(app, monkeypatch):
    """A stand-in for the response tracker (issue 5), installed on the app's search hooks."""
    states: dict[int, ResponseState] = {}
    def tracker(session, ids):
        return {i: states[i] for i in ids if i in states}

    monkeypatch.setattr(hooks_of(app), "response_states", tracker)
    return states


def test_response_state_filters_use_what_the_tracker_reports(
    search_backend, response_states, make_user, make_post, make_comment
):
    staff = make_user(Role.STAFF)
    post = make_post(body="Nothing here.")
    now = utcnow()
    owed = make_comment(post, body="Ibis question one.")
    late = make_comment(post, body="Ibis question two.", created_at=now - timedelta(days=2))
    answered = make_comment(post, body="Ibis question three.")
    response_states[owed.id] = ResponseState(
        owed=True, assigned_to_id=staff.id, due_at=now + timedelta(hours=3)
    )
    response_states[late.id] = ResponseState(owed=True, due_at=now - timedelta(hours=3))
    response_states[answered.id] = ResponseState(owed=False, acknowledged_by_id=staff.id)
    for comment in (owed, late, answered):  # re-index with the tracker's states
        comment.body_source += " "
    db.session.commit()

    node = parse_query("ibis").node

    def search(**filters) -> set[str]:
        scope = Scope(now=now, **filters)
        return {h.key for h in get_backend().search(node, scope, "relevance", 1, 10).hits}

    assert search(owed=True) == {f"comment:{owed.id}", f"comment:{late.id}"}
    # Whoosh filters on creation times up to the tracker's cutoff; PostgreSQL on due times.
    assert search(overdue=True, overdue_created_by=now - timedelta(days=1)) == {
        f"comment:{late.id}"
    }
    assert search(acknowledged_by_id=staff.id) == {f"comment:{answered.id}"}
    assert search(assigned_to_id=staff.id) == {f"comment:{owed.id}"}


def test_employee_filters_follow_the_response_tracker(
    search_backend, make_user, make_post, make_comment
):
    """The real tracker's states reach the index: owed, overdue, acknowledged (by whom),
    assigned (to whom), and each acknowledgement or assignment re-indexes its comment."""
    author = make_user(Role.STAFF, name="Ada Author")
    helper = make_user(Role.STAFF, name="Hal Helper")
    moderator = make_user(Role.MODERATOR, name="Mo Moderator")
    reader = make_user(Role.READER)
    post = make_post(author=author, body="Nothing here.")
    fresh = make_comment(post, author=reader, body="Walrus question, fresh.")
    late = make_comment(
        post, body="Walrus question, late.", created_at=utcnow() - timedelta(days=10)
    )
    answered = make_comment(post, author=reader, body="Walrus question, answered.")
    reply = make_comment(post, author=helper, parent=answered, body="Walrus answer.")
    handed = make_comment(post, author=reader, body="Walrus question, handed on.")
    assigning.assign(handed, helper, moderator)

    def keys(viewer=author, **options) -> set[str]:
        return set(found("walrus", viewer, **options))

    def comments(*items) -> set[str]:
        return {f"comment:{c.id}" for c in items}

    assert keys(response="owed") == comments(fresh, late, handed)
    assert keys(response="overdue") == comments(late)
    assert keys(response="acknowledged") == comments(answered)
    assert keys(acknowledged_by=helper.id) == comments(answered)
    assert keys(assigned_to=helper.id) == comments(handed)
    assert keys(assigned_to=author.id) == comments(fresh, late)  # the post's author by default
    assert keys(response="owed", assigned_to=author.id, kind="comments") == comments(fresh, late)

    services.acknowledge(fresh, author, note="Noted")
    assert keys(response="owed") == comments(late, handed)
    assert keys(acknowledged_by=author.id) == comments(fresh)
    assert keys(response="acknowledged") == comments(fresh, answered)
    # The public's search ignores the employee filters and finds every published comment.
    assert keys(Guest(), response="owed") == comments(fresh, late, answered, reply, handed)


def test_a_post_given_to_another_author_gives_them_its_owed_comments(
    search_backend, make_user, make_post, make_comment
):
    ada = make_user(Role.STAFF, name="Ada Author")
    bob = make_user(Role.STAFF, name="Bob Builder")
    post = make_post(author=ada, body="Nothing here.")
    question = make_comment(post, body="Okapi question.")
    assert found("okapi", ada, assigned_to=ada.id) == [f"comment:{question.id}"]
    post.author = bob
    db.session.commit()
    assert found("okapi", ada, assigned_to=ada.id) == []
    assert found("okapi", ada, assigned_to=bob.id) == [f"comment:{question.id}"]


def test_an_acknowledgement_queues_its_comment_for_the_index(
    app, search_backend, make_user, make_post, make_comment
):
    staff = make_user(Role.STAFF)
    comment = make_comment(make_post(author=staff), body="Narwhal question.")
    app.config["SEARCH_DRAIN_AFTER_COMMIT"] = False
    db.session.execute(sa.delete(SearchOutbox))
    db.session.commit()
    services.acknowledge(comment, staff)
    queued = db.session.execute(sa.select(SearchOutbox.kind, SearchOutbox.object_id)).all()
    assert ("comment", comment.id) in {(str(k), i) for k, i in queued}
    drain()  # the worker (or the next request) applies it like any other change
    assert found("narwhal", staff, response="acknowledged") == [f"comment:{comment.id}"]


def test_similar_answers_are_staff_replies_to_comments_like_this_one(
    search_backend, make_user, make_post, make_comment
):
    staff = make_user(Role.STAFF)
    reader = make_user(Role.READER)
    post = make_post(body="Nothing here.")
    earlier = make_comment(post, author=reader, body="How do I export my invoices to a CSV file?")
    answer = make_comment(post, author=staff, parent=earlier, body="Use Reports, then Export.")
    unanswered = make_comment(post, body="Can invoices be exported as CSV spreadsheets?")
    other = make_comment(post, author=reader, body="Is two-factor login available?")
    make_comment(post, author=staff, parent=other, body="Yes, under Security.")
    held = make_comment(post, body="Export invoices CSV please?", status=CommentStatus.HELD)
    make_comment(post, author=staff, parent=held, body="Held answer.")
    asking = make_comment(post, body="Is there a CSV export for invoices?")

    matches = similar_answers(asking, limit=3)
    assert [(m.question.id, m.answer.id) for m in matches] == [(earlier.id, answer.id)]
    assert unanswered.id not in {m.question.id for m in matches}

    # Elsewhere, a comment must share two telling words; under the same post, one will do.
    elsewhere = make_post(body="Nothing here either.")
    alike = make_comment(elsewhere, author=reader, body="Exporting invoices as CSV takes ages.")
    make_comment(elsewhere, author=staff, parent=alike, body="Fixed in today's release.")
    one_word = make_comment(elsewhere, author=reader, body="Where do I find old invoices?")
    make_comment(elsewhere, author=staff, parent=one_word, body="Under Billing.")
    nearby = make_comment(post, author=reader, body="My invoices look odd on a phone.")
    make_comment(post, author=staff, parent=nearby, body="A fix is on its way.")
    matches = {m.question.id for m in similar_answers(asking, limit=5)}
    assert matches == {earlier.id, alike.id, nearby.id}
    lonely = make_comment(post, body="Zeppelins over the harbour.")
    assert similar_answers(lonely, limit=3) == []


def test_employee_filters_hold_over_many_results(
    search_backend, make_user, make_post, make_comment
):
    staff = make_user(Role.STAFF)
    reader = make_user(Role.READER)
    post = make_post(author=staff, body="Nothing here.")
    for n in range(25):
        make_comment(post, author=reader, body=f"Puffin question {n}, puffin puffin.")
        make_comment(post, author=staff, body=f"Puffin answer {n}.")
    customers = search_site("puffin", staff, SearchOptions(authors="customers"))
    employees = search_site("puffin", staff, SearchOptions(authors="staff", order="date"))
    assert (customers.total, customers.shown, employees.total, employees.shown) == (25, 20, 25, 20)
    assert all(not h.author_staff for g in customers.groups for h in g.hits)
    assert all(h.author_staff for g in employees.groups for h in g.hits)
    second = search_site("puffin", staff, SearchOptions(authors="customers", page=2))
    assert second.shown == 5


def test_segment_files_read_in_place_behave_like_files():
    import pickle

    from whoosh.filedb.structfile import BufferFile

    import blogapp.search.whoosh_patches  # noqa: F401

    data = b"first line\nsecond\n" + pickle.dumps({"key": "comment:1"}, 2) + b"tail"
    f = BufferFile(memoryview(data))
    assert f.read(5) == b"first" and f.tell() == 5
    assert f.file.readline() == b" line\n"
    assert f.file.readline() == b"second\n"
    assert f.read_pickle() == {"key": "comment:1"}
    assert f.read() == b"tail"
    f.seek(-4, 2)
    assert f.read(10) == b"tail"
    assert f.get(6, 4) == b"line"
    f.close()


def test_overdue_runs_a_reopened_comments_clock_from_the_reopening(
    search_backend, make_user, make_post, make_comment, monkeypatch
):
    """A comment whose author said the answer did not help is owed again from that
    moment, as the queue says: search's "overdue" waits for its new due time too,
    however old the comment is."""
    author = make_user(Role.STAFF, name="Ada Author")
    reader = make_user(Role.READER)
    post = make_post(author=author, body="Nothing here.")
    old = make_comment(
        post, author=reader, body="Narwhal question, old.", created_at=utcnow() - timedelta(days=10)
    )
    late = make_comment(
        post, body="Narwhal question, late.", created_at=utcnow() - timedelta(days=10)
    )
    make_comment(post, author=author, parent=old, body="Narwhal answer.")
    answer = services.standing_acknowledgement(old)
    rate_answer(answer, False, "Still broken", reader)
    db.session.commit()
    drain()

    def keys(**options) -> set[str]:
        return set(found("narwhal", author, **options))

    assert keys(response="owed") == {f"comment:{old.id}", f"comment:{late.id}"}
    assert keys(response="overdue") == {f"comment:{late.id}"}
    assert response_state([old.id])[old.id].overdue is False  # the queue agrees

    # Two days after the reopening its new due time has passed: overdue, here and there.
    later = utcnow() + timedelta(days=2)
    monkeypatch.setattr(search_services, "utcnow", lambda: later)
    assert keys(response="overdue") == {f"comment:{old.id}", f"comment:{late.id}"}
    assert response_state([old.id], now=later)[old.id].overdue is True
