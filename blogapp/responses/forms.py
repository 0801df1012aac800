"""Forms of the response queue. Each action is a small form; CSRF is checked by each."""

from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from blogapp.accounts.forms import ParleyForm
from blogapp.models import CloseReason
from blogapp.models.replying import SAVED_BODY_MAX, SAVED_TITLE_MAX
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
    opened = HiddenField(validators=[Optional(), Length(max=20)])
    confirm = HiddenField(validators=[Optional(), Length(max=5)])


class BulkForm(ParleyForm):
    next = HiddenField()
    action = SelectField(
        "With the selected",
        choices=_choices(BULK_CHOICES),
        validators=[DataRequired(message="Please choose what to do with the selected comments.")],
    )
    reason = SelectField("Reason", choices=_choices(REASON_CHOICES), validators=[Optional()])
    assignee = StringField("Assign to", validators=[Optional()])


class SavedReplyForm(ParleyForm):
    """A saved reply: its name, its text (with {name} and {post}), shared or not."""

    title = StringField(
        "Name",
        validators=[
            DataRequired(message="Please give the saved reply a name."),
            Length(max=SAVED_TITLE_MAX, message=f"At most {SAVED_TITLE_MAX} characters."),
        ],
    )
    body = TextAreaField(
        "Text",
        validators=[
            DataRequired(message="Please write the text of the saved reply."),
            Length(
                max=SAVED_BODY_MAX,
                message=f"A saved reply has at most {SAVED_BODY_MAX} characters.",
            ),
        ],
    )
    shared = BooleanField("Share with every employee")
