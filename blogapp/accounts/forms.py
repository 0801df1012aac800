"""Account forms. Every form carries a CSRF token; a missing one is an error on the form."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from blogapp.names import NotAnEmployeesName, clean_name
from blogapp.text import CleanTextMeta

PASSWORD_MIN = 10


def new_password_field(label: str) -> PasswordField:
    """A password being chosen: the same length rule at signup and on a change."""
    return PasswordField(
        label,
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


class ParleyForm(FlaskForm):
    """A FlaskForm whose CSRF failure reads as advice, not jargon, and whose text
    fields never keep a control character (blogapp/text.py)."""

    Meta = CleanTextMeta

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not ok and getattr(self, "csrf_token", None) is not None and self.csrf_token.errors:
            self.csrf_token.errors = [
                "This form had expired or was missing its security token. "
                "Your text is kept below — please submit it again."
            ]
        return ok


class LoginForm(ParleyForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(
        "Keep me logged in on this device",
        description=(
            "You stay logged in for up to a year, even after closing the browser. "
            "Leave it unticked on a shared or public computer; you can log out "
            "everywhere from your account page."
        ),
    )
    next = HiddenField()


class RegisterForm(ParleyForm):
    display_name = StringField(
        "Display name",
        validators=[DataRequired(), Length(min=2, max=80), NotAnEmployeesName()],
        filters=[clean_name],
        description="Shown next to your comments.",
    )
    email = EmailField(
        "Email",
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
        description="Never shown publicly.",
    )
    password = new_password_field("Password")
    confirm = PasswordField(
        "Repeat password",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
    )
    next = HiddenField()


class LogoutForm(ParleyForm):
    """Logging out is a POST with a token, so another site cannot log you out."""
