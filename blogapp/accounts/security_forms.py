"""Forms of the account security page and of account actions (kept apart from forms.py,
whose signup rules change on their own)."""

from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from blogapp.accounts.forms import ParleyForm, new_password_field


class ChangePasswordForm(ParleyForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=200)]
    )
    new_password = new_password_field("New password")
    confirm = PasswordField(
        "Repeat new password",
        validators=[DataRequired(), EqualTo("new_password", message="The two passwords differ.")],
    )


class ConfirmForm(ParleyForm):
    """A button that changes something: a POST with a token, nothing else."""


class ForgotPasswordForm(ParleyForm):
    email = EmailField(
        "Email",
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
        description="The address you log in with.",
    )


class ResetPasswordForm(ParleyForm):
    new_password = new_password_field("New password")
    confirm = PasswordField(
        "Repeat new password",
        validators=[DataRequired(), EqualTo("new_password", message="The two passwords differ.")],
    )
