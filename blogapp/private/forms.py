"""Forms of private support; CSRF checked by each."""

from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from blogapp.accounts.forms import ParleyForm

# A stranger's text is bounded here first; the comment length rule applies after.
BODY_LIMIT = 20_000


class MessageForm(ParleyForm):
    body = TextAreaField("Your message (private)", validators=[Length(max=BODY_LIMIT)])


class TakeForm(ParleyForm):
    body = TextAreaField(
        "First private message (optional)",
        validators=[Optional(), Length(max=BODY_LIMIT)],
        description="Mailed to the customer with the notice that you continue privately.",
    )


class ResolveForm(ParleyForm):
    """"Mark resolved": a button, so the form carries only its CSRF token."""
