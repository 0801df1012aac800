"""The search form: read from the query string, so it needs no CSRF token."""

from wtforms import BooleanField, Form, RadioField, SearchField, SelectField
from wtforms.fields.choices import SelectChoice

from blogapp.search.services import AUTHORS, KINDS, ORDERS, RESPONSES
from blogapp.text import CleanTextMeta


def _choices(labels: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


class SearchForm(Form):
    """A GET form: a link to a search is just its address."""

    Meta = CleanTextMeta

    q = SearchField("Search posts and comments")
    order = RadioField("Order", choices=_choices(ORDERS), default="relevance")
    # Employees only (the page shows them to employees; scope_for ignores them otherwise).
    kind = SelectField("Show", choices=_choices(KINDS), default="all")
    authors = SelectField("Written by", choices=_choices(AUTHORS), default="anyone")
    held = BooleanField("Include held comments")
    response = SelectField("Response", choices=_choices(RESPONSES), default="any")
    # Employees, filled in by with_employees().
    by = SelectField("Acknowledged by", default="")
    assignee = SelectField("Assigned to", default="")

    FILTERS = ("order", "kind", "authors", "response", "by", "assignee")

    def with_employees(self, people, me: int | None) -> "SearchForm":
        """Fill the two employee lists from ``people`` (users; the viewer first, as "Me")."""
        mine = [SelectChoice(str(me), "Me")] if me else []
        others = [SelectChoice(str(p.id), p.display_name) for p in people if p.id != me]
        for field in (self.by, self.assignee):
            field.choices = [SelectChoice("", "Anyone"), *mine, *others]
        return self

    def employee_id(self, name: str) -> int | None:
        """The employee chosen in field ``name`` (None for anyone, or not one of the choices)."""
        value = self.choice(name)
        return int(value) if value else None

    def choice(self, name: str) -> str:
        """The field's value, or its default (with a message on the field) if it isn't one
        of the choices."""
        field = self[name]
        labels = {choice.value: choice.label for choice in field.choices}
        if field.data in labels:
            return field.data
        if field.raw_data and field.raw_data[0] != "":
            field.errors = [
                f"“{field.raw_data[0][:40]}” isn't one of the choices for "
                f"“{field.label.text}”; showing {labels[field.default].lower()}."
            ]
        return field.default

    def link_args(self, employee: bool) -> dict[str, str]:
        """The query-string arguments that keep this search's choices in a link."""
        names = self.FILTERS if employee else ("order",)
        args = {n: self.choice(n) for n in names}
        args = {n: value for n, value in args.items() if value != self[n].default}
        if employee and self.held.data:
            args["held"] = "y"
        return args
