"""The search form: read from the query string, so it needs no CSRF token."""

from wtforms import BooleanField, Form, RadioField, SearchField, SelectField
from wtforms.fields.choices import SelectChoice

from blogapp.search.services import AUTHORS, KINDS, ORDERS


def _choices(labels: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


class SearchForm(Form):
    """A GET form: a link to a search is just its address."""

    q = SearchField("Search posts and comments")
    order = RadioField("Order", choices=_choices(ORDERS), default="relevance")
    # Employees only (the page shows them to employees; scope_for ignores them otherwise).
    kind = SelectField("Show", choices=_choices(KINDS), default="all")
    authors = SelectField("Written by", choices=_choices(AUTHORS), default="anyone")
    held = BooleanField("Include held comments")

    def choice(self, name: str) -> str:
        """The field's value, or its default (with a message on the field) if it isn't one
        of the choices."""
        field = self[name]
        labels = {choice.value: choice.label for choice in field.choices}
        if field.data in labels:
            return field.data
        if field.raw_data:
            field.errors = [
                f"“{field.raw_data[0][:40]}” isn't one of the choices; "
                f"showing {labels[field.default].lower()}."
            ]
        return field.default
