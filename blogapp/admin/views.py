"""The People pages (/admin/people): find, invite, change roles, disable and enable.

The rules live in services.py; these views parse the form, call a service and say what
happened. /admin/users is the page's old address and still answers.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from blogapp.accounts.permissions import admin_required
from blogapp.accounts.security_forms import ConfirmForm
from blogapp.accounts.services import AccountError
from blogapp.admin import handover, invites, services
from blogapp.admin.forms import DisableForm, InviteForm, PeopleSearchForm, RoleForm, choices
from blogapp.extensions import db
from blogapp.models import AuditEvent, Role, User
from blogapp.query_args import arg_page

bp = Blueprint("admin", __name__, url_prefix="/admin")

PER_PAGE = 50


def _person(user_id: int) -> User:
    user = db.get_or_404(User, user_id)
    return user


def _to_person(user: User):
    return redirect(url_for("admin.person", user_id=user.id), 303)


def _error_on(form, error: AccountError, default: str | None = None) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is None and default:
        field = getattr(form, default)
    (field.errors if field is not None else form.form_errors).append(str(error))


@bp.get("/people")
@bp.get("/users")
@admin_required
def users():
    """Everyone, newest first; search by name or email, filter by role and status."""
    form = PeopleSearchForm(request.args)
    if not form.validate():
        body = render_template("admin/people.html", form=form, page=None, filters={})
        return body, 400
    filters = {k: v for k, v in form.data.items() if v}
    page = db.paginate(
        services.people_query(form.q.data or "", form.role.data, form.status.data),
        page=arg_page(),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template(
        "admin/people.html", form=form, page=page, filters=filters, status_of=services.status_of
    )


@bp.route("/people/invite", methods=["GET", "POST"])
@admin_required
def invite():
    """Invite an employee: their account waits for the password they choose from the mail."""
    form = InviteForm()
    if form.validate_on_submit():
        try:
            user = services.invite_employee(
                form.email.data,
                form.display_name.data,
                Role(form.role.data),
                form.job_title.data,
                current_user,
            )
        except AccountError as error:
            _error_on(form, error, "email")
        else:
            flash(
                f"Invitation sent to {user.display_name} <{user.email}>; "
                f"its link works for {invites.INVITE_MAX_AGE.days} days.",
                "success",
            )
            return _to_person(user)
    status = 400 if form.errors or form.form_errors else 200
    return render_template("admin/invite.html", form=form), status


def _person_page(user: User, role_form=None, status: int = 200):
    events = db.session.scalars(
        db.select(AuditEvent)
        .where(AuditEvent.subject_id == user.id, AuditEvent.comment_id.is_(None))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(20)
    ).all()
    body = render_template(
        "admin/person.html",
        person=user,
        state=services.status_of(user),
        owed=handover.owed_count(user) if user.is_employee else 0,
        role_form=role_form or RoleForm(formdata=None, role=user.role),
        button=ConfirmForm(formdata=None),
        events=events,
    )
    return body, status


def _stale_button(user: User):
    flash("That button needs a fresh page; nothing was changed. Please try again.", "warning")
    return _person_page(user, status=400)


@bp.get("/people/<int:user_id>")
@admin_required
def person(user_id: int):
    """One person: their role, status and history, and what an admin can change."""
    return _person_page(_person(user_id))


@bp.post("/people/<int:user_id>/role")
@admin_required
def change_role(user_id: int):
    """Make an employee staff, moderator or admin."""
    user = _person(user_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            changed = services.change_role(user, Role(form.role.data), current_user)
        except AccountError as error:
            _error_on(form, error, "role")
        else:
            if changed:
                flash(f"{user.display_name} is now {user.role}.", "success")
            return _to_person(user)
    return _person_page(user, form, 400)


def _disable_page(user: User, form: DisableForm, status: int = 200):
    body = render_template(
        "admin/disable.html",
        person=user,
        form=form,
        owed=handover.owed_items_of(user) if user.is_employee else [],
    )
    return body, status


def _employee_choices(user: User) -> list:
    return choices(
        [("", "Nobody chosen")]
        + [(str(p.id), f"{p.display_name} ({p.role})") for p in services.active_employees(but=user)]
    )


@bp.route("/people/<int:user_id>/disable", methods=["GET", "POST"])
@bp.post("/users/<int:user_id>/disable")
@admin_required
def disable_user(user_id: int):
    """Disable an account: it can no longer log in, every sign-in of it ends, and its owed
    comments go to the people chosen here."""
    user = _person(user_id)
    already = user.disabled_at is not None
    form = DisableForm(formdata=request.form if request.method == "POST" else None)
    form.reassign_to.choices = _employee_choices(user)
    if request.method == "GET" or not form.validate():
        return _disable_page(user, form, 200 if request.method == "GET" else 400)
    picked = db.session.get(User, int(form.reassign_to.data)) if form.reassign_to.data else None
    try:
        moves = services.disable_account(
            user, current_user, picked, everything=form.send_to.data == "person"
        )
    except AccountError as error:
        db.session.rollback()
        if error.field is None:  # a refusal, not a mistake in the form
            flash(str(error), "warning")
            return _to_person(user)
        _error_on(form, error)
        return _disable_page(user, form, 400)
    handed = f" {handover.comments(len(moves))} handed over." if moves else ""
    if already:
        flash(f"{user.display_name} was disabled already.{handed}", "success")
    else:
        flash(f"{user.display_name} <{user.email}> is disabled and logged out.{handed}", "success")
    return _to_person(user)


@bp.post("/people/<int:user_id>/enable")
@bp.post("/users/<int:user_id>/enable")
@admin_required
def enable_user(user_id: int):
    """Let a disabled account log in again."""
    user = _person(user_id)
    if not ConfirmForm().validate_on_submit():
        return _stale_button(user)
    services.enable_account(user, current_user)
    flash(f"{user.display_name} <{user.email}> can log in again.", "success")
    return _to_person(user)


@bp.post("/people/<int:user_id>/invite")
@admin_required
def resend_invitation(user_id: int):
    """Send an invited person a new set-password link; the old one stops working."""
    user = _person(user_id)
    if not ConfirmForm().validate_on_submit():
        return _stale_button(user)
    try:
        services.resend_invitation(user, current_user)
    except AccountError as error:
        flash(str(error), "warning")
    else:
        flash(f"A new invitation is on its way to {user.email}.", "success")
    return _to_person(user)
