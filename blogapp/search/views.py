"""/search: one box for posts and comments, with the query syntax explained on the page."""

from dataclasses import replace

from flask import Blueprint, render_template, request
from flask_login import current_user

from blogapp.query_args import arg_page
from blogapp.search import services
from blogapp.search.forms import SearchForm
from blogapp.search.hooks import hooks_of

bp = Blueprint("search", __name__)


@bp.get("/search")
def search():
    """Search results for ?q=, grouped by post; the help alone when there is no query."""
    form = SearchForm(request.args)
    employee = current_user.is_employee
    if employee:
        form.with_employees(hooks_of().employees(), current_user.id)
    text = form.q.data or ""
    results = None
    if text.strip():
        options = services.SearchOptions(order=form.choice("order"), page=arg_page())
        if employee:  # the public's searches ignore the employee filters altogether
            options = replace(
                options,
                kind=form.choice("kind"),
                authors=form.choice("authors"),
                include_held=bool(form.held.data),
                response=form.choice("response"),
                acknowledged_by=form.employee_id("by"),
                assigned_to=form.employee_id("assignee"),
            )
        results = services.search_site(text, current_user, options)
    return render_template(
        "search/search.html",
        form=form,
        results=results,
        link_args=form.link_args(employee),
        states=_response_states(results) if employee and results else {},
    )


def _response_states(results: services.SearchResults) -> dict:
    """Where each comment on the page stands in the response tracker, for employees."""
    ids = [h.object_id for g in results.groups for h in g.hits if h.kind == "comment"]
    return hooks_of().result_marks(ids)
