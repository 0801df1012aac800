"""Forms of a person's own account page: name, address, notifications, leaving."""

from wtforms import BooleanField, EmailField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length

from blogapp.accounts.forms import ParleyForm
from blogapp.names import NotAnEmployeesName, clean_name


class DisplayNameForm(ParleyForm):
    display_name = StringField(
        "Display name",
        validators=[DataRequired(), Length(min=2, max=80), NotAnEmployeesName()],
        filters=[clean_name],
        description="Shown next to your comments.",
    )

    def __init__(self, *args, owner=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.name_owner = owner  # NotAnEmployeesName lets them keep their own name


class ChangeEmailForm(ParleyForm):
    new_email = EmailField(
        "New email address",
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
        description="We mail a link there; the change happens when you open it.",
    )
    password = PasswordField(
        "Your password",
        validators=[DataRequired(), Length(max=200)],
        description="So that a browser left logged in cannot take your account.",
    )


class NotificationsForm(ParleyForm):
    notify_replies = BooleanField("Someone replies to my comment")
    notify_acknowledged = BooleanField("The team acknowledges my comment")
    notify_follows = BooleanField(
        "Someone comments in a thread I follow",
        description="One mail an hour at most for each thread.",
    )
    follow_on_comment = BooleanField("Follow a thread when I comment on it")


class DeleteAccountForm(ParleyForm):
    comments = RadioField(
        "Your comments",
        choices=[
            SelectChoice("keep", "Keep them, signed “A deleted reader”"),
            SelectChoice(
                "remove", "Remove them (replies from others stay, under “Comment removed.”)"
            ),
        ],
        validators=[InputRequired(message="Choose what happens to your comments.")],
    )
    password = PasswordField(
        "Your password",
        validators=[DataRequired(), Length(max=200)],
        description="Deleting cannot be undone.",
    )


class GuestRemovalForm(ParleyForm):
    email = EmailField(
        "The email address you commented with",
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )
