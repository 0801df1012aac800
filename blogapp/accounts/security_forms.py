"""Forms of the account security page and of account actions (kept apart from forms.py,
whose signup rules change on their own)."""

from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from blogapp.accounts.forms import PASSWORD_MIN, ParleyForm


class ChangePasswordForm(ParleyForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=200)]
    )
    new_password = PasswordField(
        "New password",
        validators=[
            DataRequired(),
            Length(
                min=PASSWORD_MIN,
                max=200,
                message=f"The password needs at least {PASSWORD_MIN} characters (200 at most).",
            ),
        ],
        description=f"At least {PASSWORD_MIN} characters.",
    )
    confirm = PasswordField(
        "Repeat new password",
        validators=[DataRequired(), EqualTo("new_password", message="The two passwords differ.")],
    )


class ConfirmForm(ParleyForm):
    """A button that changes something: a POST with a token, nothing else."""
