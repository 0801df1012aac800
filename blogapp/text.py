"""Text as people may send it: no control characters, one kind of line break.

A NUL or another control character has no meaning in a post, a comment or a name;
PostgreSQL refuses a NUL in a text column, and XML 1.0 (the Atom feed) forbids all of
C0 but tab and line breaks, so one stray byte would make the feed unreadable.
Every form field (``accounts.forms.ParleyForm``), the JSON endpoints and the content
import pass text through ``clean_text``.
"""

import re

# C0 but tab and line feed, DEL, C1, and the two noncharacters XML forbids.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")


def clean_text(value):
    """``value`` with line breaks as ``\\n`` and other control characters removed;
    anything that isn't a string is returned as it is."""
    if not isinstance(value, str):
        return value
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


class CleanTextMeta:
    """A form ``Meta`` mixin: every text field's value passes through ``clean_text``
    first (a password is left as typed: it is hashed, never shown)."""

    def bind_field(self, form, unbound_field, options):
        from wtforms import PasswordField, StringField

        field_class = unbound_field.field_class
        if issubclass(field_class, StringField) and not issubclass(field_class, PasswordField):
            options["filters"] = [clean_text, *unbound_field.kwargs.get("filters", ())]
        return super().bind_field(form, unbound_field, options)
