"""The /search page as readers and employees see it."""

import html
import re

import pytest

from blogapp.models import CommentStatus, Role

HOSTILE_QUERIES = [
    '"unbalanced quote',
    'two "unbalanced "quotes',
    "AND",
    "OR OR NOT",
    "refund AND",
    "NOT",
    "-",
    "x" * 10_000,
    "invoice " * 2_000,
    "w" * 400,
    "colour:blue",
    "title:refund body:x status:draft kind:post owed:true",
    "author:",
    "date:9999-99-99",
    "date:..",
    "refund\x00\x01\x02\x1b[31m\x7f",
    "\u202eevil\u200b\ufeff",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "*",
    "in*voice?",
    "((((((((((refund",
    "refund))))",
    "café 💸 naïve",
    "%00%27",
    "\\",
    "tag:",
    'author:"unterminated',
]


@pytest.fixture
def thread(make_user, make_post, make_comment):
    """A post by an employee, a customer's question, and the employee's answer."""
    jane = make_user(Role.STAFF, name="Jane Doe", job_title="Head of Support")
    reader = make_user(Role.READER, name="Rita Reader")
    post = make_post(
        author=jane, title="Recurring invoices are here", body="Set up recurring invoices once."
    )
    question = make_comment(
        post, author=reader, body="Can recurring invoices run weekly instead of monthly?"
    )
    answer = make_comment(
        post, author=jane, parent=question, body="Weekly recurring invoices arrive next month."
    )
    return jane, reader, post, question, answer


def test_every_page_has_a_search_box_in_the_header(client):
    page = client.get("/").text
    assert re.search(
        r'<form class="header-search" role="search" method="get" action="/search"', page
    )
    assert 'name="q"' in page


def test_the_page_without_a_query_explains_the_syntax(client):
    page = client.get("/search").text
    assert "How to search" in page
    for example in ('"late fee"', "refund OR credit", "NOT", "author:jane", "tag:billing",
                    "date:2024-01..2024-03"):  # fmt: skip
        assert example.replace('"', "&#34;") in page or example in page
    assert "result" not in page.split("How to search")[0].lower()


def test_results_are_grouped_by_post_with_staff_marks_and_permalinks(
    search_backend, client, thread
):
    jane, reader, post, question, answer = thread
    page = client.get("/search", query_string={"q": "weekly"}).text
    assert "2 results for <strong>weekly</strong>" in page
    groups = re.findall(r'<section class="result-group".*?</section>', page, re.S)
    assert len(groups) == 1
    group = groups[0]
    assert f'<a href="/posts/{post.slug}">Recurring invoices are here</a>' in group
    assert f'href="/c/{question.id}"' in group and f'href="/c/{answer.id}"' in group
    results = re.findall(r'<li class="result result-comment">.*?</li>', group, re.S)
    by_author = {re.search(r'result-author">([^<]+)<', r).group(1): r for r in results}
    assert "staff-mark" in by_author["Jane Doe"]
    assert "staff-mark" not in by_author["Rita Reader"]
    assert "<mark>weekly</mark>" in by_author["Rita Reader"].lower()


def test_a_result_link_leads_to_the_comment_in_its_thread(search_backend, client, thread):
    question = thread[3]
    page = client.get("/search", query_string={"q": "instead"}).text
    link = re.search(r'href="(/c/\d+)"', page).group(1)
    response = client.get(link)
    assert response.status_code in (301, 302, 303)
    assert response.headers["Location"].endswith(f"#c{question.id}")


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_queries_get_results_or_advice_never_an_error(
    search_backend, client, thread, query
):
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    page = response.text
    assert "<script>alert" not in page
    assert "Something went wrong" not in page
    # Either it searched (and says how many results), or it says what to change.
    assert 'class="result-count"' in page or 'class="search-notice"' in page


def test_long_queries_say_they_were_shortened(client, thread):
    page = client.get("/search", query_string={"q": "weekly " + "x" * 10_000}).text
    assert "only its first 500 characters were used" in page


def test_did_you_mean_links_to_the_corrected_search(search_backend, client, thread):
    page = client.get("/search", query_string={"q": "reccuring invoices", "order": "date"}).text
    assert "Nothing matches" in page
    link = re.search(r'Did you mean <a href="([^"]+)">([^<]+)</a>', page)
    assert link.group(2) == "recurring invoices"
    assert "order=date" in link.group(1)
    followed = client.get(link.group(1).replace("&amp;", "&")).text
    assert "results for <strong>recurring invoices</strong>" in followed


def test_no_results_suggest_what_to_try(search_backend, client, thread):
    page = client.get("/search", query_string={"q": "xylophone"}).text
    assert "Nothing matches <strong>xylophone</strong>" in page
    assert "Try fewer words" in page


def test_pages_keep_the_query_and_the_order(search_backend, app, client, make_post, make_comment):
    app.config["SEARCH_RESULTS_PER_PAGE"] = 3
    post = make_post(body="Nothing here.")
    for n in range(7):
        make_comment(post, body=f"Marmot sighting {n}.")
    page = client.get("/search", query_string={"q": "marmot", "order": "date"}).text
    assert "page 1 of 3" in page
    next_link = re.search(r'<a rel="next" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert "q=marmot" in next_link and "order=date" in next_link and "page=2" in next_link
    second = client.get(next_link).text
    assert "page 2 of 3" in second
    shown = re.findall(r"Marmot</mark> sighting (\d)", second)
    assert shown == ["3", "2", "1"]  # newest first: 6 5 4 | 3 2 1 | 0


def test_comment_text_cannot_inject_markup(search_backend, client, make_post, make_comment):
    post = make_post(body="Nothing here.")
    make_comment(post, body='<img src=x onerror="alert(1)"> **bold** zebra')
    page = client.get("/search", query_string={"q": "zebra"}).text
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page
    assert "<mark>zebra</mark>" in page


def test_the_query_is_shown_back_safely(client, thread):
    page = client.get("/search", query_string={"q": '"><b>bold</b>'}).text
    assert "<b>bold</b>" not in page
    assert "&#34;&gt;&lt;b&gt;bold&lt;/b&gt;" in page


def test_employees_see_extra_filters_and_may_include_held_comments(
    search_backend, client, auth, thread, make_user, make_comment
):
    post = thread[2]
    held = make_comment(post, body="Held question about weekly plans.", status=CommentStatus.HELD)
    query = {"q": "weekly", "held": "y", "kind": "comments", "authors": "customers"}

    page = client.get("/search", query_string=query).text
    assert "Employee filters" not in page
    assert f"/c/{held.id}" not in page
    assert "3 results" not in page and "1 result " not in page

    staff = make_user(Role.MODERATOR, email="mod@example.com")
    auth.login(staff.email)
    page = client.get("/search", query_string=query).text
    assert "Employee filters" in page
    assert f"/c/{held.id}" in page
    assert "Held for review" in page
    assert "2 results for" in page  # the customer's question and the held one; not Jane's answer


def test_an_unknown_choice_is_explained_on_the_form(client, thread):
    page = html.unescape(
        client.get("/search", query_string={"q": "weekly", "order": "loudest"}).text
    )
    assert "“loudest” isn't one of the choices for “Order”; showing best match." in page
    assert "results for <strong>weekly</strong>" in page


def test_a_repaired_query_says_what_was_searched_for(client, thread):
    page = html.unescape(client.get("/search", query_string={"q": '"recurring invoices AND'}).text)
    assert "A closing quote was missing, so we added one." in page
    assert 'Searched for <code>"recurring invoices AND"</code>' in page


def test_whoosh_estimates_counts_of_very_common_searches(
    app, client, monkeypatch, make_post, make_comment
):
    from blogapp.search import whoosh_backend

    monkeypatch.setattr(whoosh_backend, "EXACT_COUNT_LIMIT", 5)
    app.config["SEARCH_RESULTS_PER_PAGE"] = 3
    post = make_post(body="Nothing here.")
    for n in range(12):
        make_comment(post, body=f"Gannet colony report {n}.")
    one_word = client.get("/search", query_string={"q": "gannet"}).text
    assert "About 12 results for <strong>gannet</strong> · page 1" in one_word
    both = client.get("/search", query_string={"q": "gannet colony"}).text
    assert "More than 3 results for <strong>gannet colony</strong> · page 1" in both
    assert 'rel="next"' in both and "of 4" not in both
    last = client.get("/search", query_string={"q": "gannet colony", "page": 4}).text
    # On the last page the collector sees every match, so the count is exact again.
    assert re.search(r"12 results for <strong>gannet colony</strong>\s+· page 4 of 4", last)
    assert 'rel="next"' not in last
    assert last.count('class="result result-comment"') == 3


def test_employees_filter_by_response_state_on_the_page(
    search_backend, client, auth, make_comment, thread
):
    jane, reader, post, question, answer = thread
    waiting = make_comment(post, author=reader, body="Weekly invoices for my second shop too?")
    auth.login(jane.email)
    page = html.unescape(
        client.get("/search", query_string={"q": "weekly", "response": "owed"}).text
    )
    assert "Employee filters" in page
    assert '<option selected value="owed">Waiting for an answer</option>' in page
    assert f'<option value="{jane.id}">Me</option>' in page and ">Jane Doe</option>" not in page
    assert f"/c/{waiting.id}" in page and f"/c/{question.id}" not in page

    answered = html.unescape(
        client.get(
            "/search", query_string={"q": "weekly", "response": "acknowledged", "by": jane.id}
        ).text
    )
    assert f"/c/{question.id}" in answered and f"/c/{waiting.id}" not in answered
    assert "Answered by Jane Doe" in answered  # each comment's state, for employees
    assert "Waiting for an answer · Jane Doe" in page


def test_filter_choices_survive_into_the_next_page_and_wrong_ones_are_explained(
    search_backend, app, client, auth, make_comment, thread
):
    jane, reader, post, question, answer = thread
    app.config["SEARCH_RESULTS_PER_PAGE"] = 2
    for n in range(4):
        make_comment(post, author=reader, body=f"Weekly question number {n}.")
    auth.login(jane.email)
    page = client.get(
        "/search", query_string={"q": "weekly", "response": "owed", "assignee": jane.id}
    ).text
    next_link = re.search(r'<a rel="next" href="([^"]+)"', page).group(1)
    assert "response=owed" in next_link and f"assignee={jane.id}" in next_link

    wrong = html.unescape(
        client.get("/search", query_string={"q": "weekly", "assignee": "99999"}).text
    )
    assert "“99999” isn't one of the choices for “Assigned to”; showing anyone." in wrong
    assert "results for <strong>weekly</strong>" in wrong


def test_readers_get_no_employee_filters_and_their_searches_ignore_them(
    search_backend, client, auth, thread
):
    jane, reader, post, question, answer = thread
    auth.login(reader.email)
    page = client.get(
        "/search", query_string={"q": "weekly", "response": "owed", "by": "x", "held": "y"}
    ).text
    assert "Employee filters" not in page and "isn't one of the choices" not in page
    assert "Answered by" not in page and "response-mark" not in page
    assert f"/c/{question.id}" in page and f"/c/{answer.id}" in page
