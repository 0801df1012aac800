"""Employees edit their own public profile."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from blogapp.studio.forms import ProfileForm
from blogapp.studio.profile import ProfileError, update_profile

bp = Blueprint("profile", __name__, url_prefix="/profile")


@bp.route("/", methods=["GET", "POST"])
def edit():
    """Change your display name, job title, bio and photo."""
    form = ProfileForm(obj=current_user if request.method == "GET" else None)
    if request.method == "POST" and form.validate():
        try:
            update_profile(
                current_user,
                form.display_name.data or "",
                form.job_title.data or "",
                form.bio.data or "",
                photo=form.photo.data,
                remove_photo=form.remove_photo.data,
            )
        except ProfileError as error:
            getattr(form, error.field).errors.append(str(error))
        else:
            flash("Your profile is updated.", "success")
            return redirect(url_for("studio.profile.edit"))
    status = 400 if form.errors else 200
    return render_template("studio/profile.html", form=form), status
