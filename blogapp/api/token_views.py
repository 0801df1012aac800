"""Personal access tokens on the person's account: /account/tokens (make, list, revoke)."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from wtforms import SelectMultipleField, StringField, widgets
from wtforms.validators import DataRequired, Length

from blogapp.accounts.forms import ParleyForm
from blogapp.api import tokens
from blogapp.models import Scope

bp = Blueprint("api_tokens", __name__, url_prefix="/account/tokens")

SCOPE_HELP = {
    Scope.READ: "read: everything the API shows you (the queue and metrics, for employees)",
    Scope.COMMENT: "comment: post, edit and delete your own comments",
    Scope.RESPOND: "respond: reply to, acknowledge, assign, claim and close owed comments",
    Scope.MODERATE: "moderate: approve or reject held comments",
    Scope.PUBLISH: "publish: write, schedule and publish posts",
}


class TokenForm(ParleyForm):
    name = StringField(
        "Name",
        validators=[
            DataRequired(message="Give the token a name, so you know later what uses it."),
            Length(max=tokens.NAME_MAX),
        ],
        description="What will use it: “Help desk sync”, say.",
    )
    scopes = SelectMultipleField(
        "What it may do",
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
    )

    def __init__(self, *args, role=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.scopes.choices = [(s.value, SCOPE_HELP[s]) for s in Scope.allowed_to(role)]


def _page(form: TokenForm, secret: str | None = None, status: int = 200):
    body = render_template(
        "accounts/tokens.html",
        form=form,
        tokens=tokens.active_tokens(current_user),
        secret=secret,
    )
    return body, status, {"Cache-Control": "no-store"}


@bp.get("")
@login_required
def index():
    """Your API tokens: what each may do and when it was last used."""
    form = TokenForm(formdata=None, role=current_user.role_enum, data={"scopes": ["read"]})
    return _page(form)


@bp.post("")
@login_required
def create():
    """Make a token and show its secret, once."""
    form = TokenForm(role=current_user.role_enum)
    if form.validate_on_submit():
        try:
            token, secret = tokens.create_token(current_user, form.name.data, form.scopes.data)
        except tokens.TokenError as error:
            getattr(form, error.field).errors.append(str(error))
        else:
            flash(f"Token “{token.name}” is made. Copy it now: it is not shown again.", "success")
            return _page(TokenForm(formdata=None, role=current_user.role_enum), secret=secret)
    return _page(form, status=400)


@bp.post("/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    """Revoke a token: whatever uses it is refused from the next request on."""
    form = ParleyForm()
    if not form.validate_on_submit():
        flash(form.csrf_token.errors[0], "error")
        return redirect(url_for("api_tokens.index"), 303)
    if not tokens.revoke_token(current_user, token_id):
        abort(404)
    flash("The token is revoked.", "success")
    return redirect(url_for("api_tokens.index"), 303)
