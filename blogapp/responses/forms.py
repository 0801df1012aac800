"""Forms of the response queue. Each action is a small form; CSRF is checked by each."""

from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from blogapp.accounts.forms import ParleyForm
from blogapp.models import CloseReason
from blogapp.responses import actions

REASON_CHOICES = [("", "Choose a reason…")] + [
    (r.value, r.label) for r in CloseReason.chosen_by_moderators()
]
BULK_CHOICES = [("", "Choose an action…"), *actions.BULK_CHOICES]


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class ActionForm(ParleyForm):
    """The fields any one queue action may use; the view reads those it needs."""

    next = HiddenField()
    body = TextAreaField("Your reply", validators=[Optional(), Length(max=5000)])
    note = StringField("Note", validators=[Optional(), Length(max=1000)])
    reason = SelectField("Reason", choices=_choices(REASON_CHOICES), validators=[Optional()])
    assignee = StringField("Assign to", validators=[Optional()])


class BulkForm(ParleyForm):
    next = HiddenField()
    action = SelectField(
        "With the selected",
        choices=_choices(BULK_CHOICES),
        validators=[DataRequired(message="Please choose what to do with the selected comments.")],
    )
    reason = SelectField("Reason", choices=_choices(REASON_CHOICES), validators=[Optional()])
    assignee = StringField("Assign to", validators=[Optional()])
