"""Forms of the People pages."""

from wtforms import EmailField, PasswordField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from blogapp.accounts.forms import ParleyForm, new_password_field
from blogapp.admin.services import SEARCH_MAX
from blogapp.models import ACCOUNT_ROLES, Role
from blogapp.names import clean_name


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


EMPLOYEE_CHOICES = choices((r.value, r.value.title()) for r in Role.employees())
ROLE_HELP = (
    "Staff write posts and answer comments; moderators also run the response queue; "
    "admins also manage people."
)


class PeopleSearchForm(ParleyForm):
    """The list's filters, read from the query string."""

    class Meta:
        csrf = False

    q = StringField("Name or email", validators=[Optional(), Length(max=SEARCH_MAX)])
    role = SelectField(
        "Role",
        choices=choices([("", "Any role")] + [(r.value, r.value.title()) for r in ACCOUNT_ROLES]),
        default="",
    )
    status = SelectField(
        "Status",
        choices=choices(
            [
                ("", "Any status"),
                ("active", "Active"),
                ("invited", "Invited"),
                ("disabled", "Disabled"),
            ]
        ),
        default="",
    )


class InviteForm(ParleyForm):
    display_name = StringField(
        "Display name",
        validators=[DataRequired(), Length(min=2, max=80)],
        filters=[clean_name],
        description="Shown publicly beside their posts and answers.",
    )
    email = EmailField(
        "Email",
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
        description="The invitation goes here; they log in with it.",
    )
    job_title = StringField(
        "Job title",
        validators=[DataRequired(), Length(max=120)],
        description="Shown with every answer: “Answered by Jane Doe, Head of Support”.",
    )
    role = SelectField("Role", choices=EMPLOYEE_CHOICES, default="staff", description=ROLE_HELP)


class RoleForm(ParleyForm):
    role = SelectField("Role", choices=EMPLOYEE_CHOICES, description=ROLE_HELP)


class DisableForm(ParleyForm):
    send_to = RadioField(
        "Their owed comments go",
        choices=choices(
            [
                ("authors", "to each post's author; those on their own posts to the person below"),
                ("person", "all to the person below"),
            ]
        ),
        default="authors",
    )
    # Choices are the employees who can take comments, set by the view.
    reassign_to = SelectField("Person", choices=choices([("", "Nobody chosen")]), default="")


class SetPasswordForm(ParleyForm):
    password = new_password_field("Choose a password")
    confirm = PasswordField(
        "Repeat the password",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
    )
