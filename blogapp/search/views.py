"""/search: one box for posts and comments, with the query syntax explained on the page."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from blogapp.search import services
from blogapp.search.forms import SearchForm

bp = Blueprint("search", __name__)


@bp.get("/search")
def search():
    """Search results for ?q=, grouped by post; the help alone when there is no query."""
    form = SearchForm(request.args)
    text = form.q.data or ""
    results = None
    if text.strip():
        options = services.SearchOptions(
            order=form.choice("order"),
            page=request.args.get("page", 1, type=int) or 1,
            kind=form.choice("kind"),
            authors=form.choice("authors"),
            include_held=bool(form.held.data),
        )
        results = services.search_site(text, current_user, options)
    return render_template("search/search.html", form=form, results=results)
