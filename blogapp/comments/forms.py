"""Comment forms. Anti-spam checks that belong to the submission live here:
the honeypot field and the minimum time between showing the form and sending it."""

import time

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from wtforms import EmailField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from blogapp.accounts.forms import ParleyForm
from blogapp.models.flag import FLAG_LABELS


def _clock() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="comment-form-shown")


def form_shown_token() -> str:
    """A signed note of when the form was shown."""
    return _clock().dumps(time.time())


class CommentForm(ParleyForm):
    body = TextAreaField(
        "Your comment",
        validators=[DataRequired(message="Please write something before posting.")],
        description="Markdown works: **bold**, *italic*, `code`, links and lists.",
    )
    name = StringField("Name", validators=[Optional(), Length(max=80)])
    email = EmailField(
        "Email",
        validators=[Optional(), Email(check_deliverability=False), Length(max=254)],
        description="Never shown. We tell you when someone replies.",
    )
    parent_id = HiddenField()
    # Hidden from people; bots that fill every field fill this one.
    website = StringField("Leave this field empty")
    shown = HiddenField()

    def set_shown_now(self) -> None:
        self.shown.data = form_shown_token()

    def validate_parent_id(self, field) -> None:
        if field.data and not str(field.data).isdigit():
            raise ValidationError("That reply link was damaged; please use Reply again.")

    def validate_website(self, field) -> None:
        if field.data:
            raise ValidationError(
                "This looks automated: the field “Leave this field empty” was filled in. "
                "If you are a person, clear it and send again."
            )

    def validate_shown(self, field) -> None:
        minimum = current_app.config["COMMENT_MIN_FILL_SECONDS"]
        if not minimum:
            return
        try:
            shown_at = _clock().loads(field.data or "", max_age=24 * 3600)
        except BadSignature:
            self.set_shown_now()
            raise ValidationError(
                "This form had expired. Your text is kept — please send it again."
            ) from None
        if time.time() - float(shown_at) < minimum:
            raise ValidationError(
                "That was very quick — please take a moment to check your comment, "
                "then send it again."
            )

    @property
    def parent(self) -> int | None:
        return int(self.parent_id.data) if self.parent_id.data else None


class EditForm(ParleyForm):
    body = TextAreaField(
        "Your comment",
        validators=[DataRequired(message="A comment can't be empty; use Delete to take it down.")],
    )


class DeleteForm(ParleyForm):
    """Deleting is a POST with a token."""


class FlagForm(ParleyForm):
    reason = RadioField(
        "Why should a moderator look at this?",
        choices=[SelectChoice(str(value), label) for value, label in FLAG_LABELS.items()],
        validators=[DataRequired(message="Please choose a reason.")],
    )
    note = TextAreaField("Anything else? (optional)", validators=[Optional(), Length(max=500)])


class RemoveForm(ParleyForm):
    reason = StringField(
        "Reason for removing",
        validators=[DataRequired(message="Please give a reason."), Length(max=500)],
        description="Kept for moderators; the public sees “Comment removed.”",
    )


class ModerationForm(ParleyForm):
    """Approve, spam, keep, open/close: a POST with a token and nothing else."""
