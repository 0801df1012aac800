"""/admin/settings: the site's settings, in sections, each with the environment's value
beside it and a way back to it. The rules live in services.py."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import HiddenField

from blogapp.accounts.forms import ParleyForm
from blogapp.accounts.permissions import admin_required
from blogapp.sitesettings import services
from blogapp.sitesettings.fields import BY_NAME, DAY_LABELS, SECTIONS, SETTINGS
from blogapp.sitesettings.store import site_settings

bp = Blueprint("sitesettings", __name__, url_prefix="/admin/settings")

CHANGED_MEANWHILE = (
    "Someone saved the settings after you opened this page, so nothing was saved. "
    "Your values are kept below; check them against what changed and save again."
)


class SettingsForm(ParleyForm):
    """The token and the settings' version the page was drawn at; the settings themselves
    are read by fields.py, one parser a setting."""

    version = HiddenField()


def _typed() -> dict:
    """What the form sent for each setting (a day list for the days, text otherwise)."""
    return {
        s.name: request.form.getlist(s.name) if s.kind == "days" else request.form.get(s.name, "")
        for s in SETTINGS
    }


def _version(form: SettingsForm) -> int | None:
    text = (form.version.data or "").strip()
    return int(text) if text.isdigit() and len(text) < 12 else None


def _page(form: SettingsForm, typed: dict | None = None, errors: dict | None = None, status=200):
    current = site_settings()
    shown = typed or {s.name: s.as_text(current[s.name]) for s in SETTINGS}
    body = render_template(
        "admin/settings.html",
        form=form,
        sections=[(title, [s for s in SETTINGS if s.section == title]) for title in SECTIONS],
        shown=shown,
        errors=errors or {},
        current=current,
        environment=lambda name: services.shown(current.config[name]),
        days=list(zip(("mon", "tue", "wed", "thu", "fri", "sat", "sun"), DAY_LABELS, strict=True)),
    )
    return body, status


@bp.get("")
@admin_required
def edit():
    """Every setting, grouped, with its value and where it comes from."""
    form = SettingsForm(formdata=None, version=str(services.current_version()))
    return _page(form)


@bp.post("")
@admin_required
def save():
    """Check everything typed; save what changed, one audit event a setting."""
    form, typed = SettingsForm(), _typed()
    version = _version(form)
    if not form.validate() or version is None:
        form.version.data = str(services.current_version())
        return _page(form, typed, status=400)
    try:
        changes = services.save_settings(services.parse_all(typed), version, current_user)
    except services.SettingsInvalid as error:
        return _page(form, typed, error.errors, 400)
    except services.SettingsChanged:
        form.version.data = str(services.current_version())
        flash(CHANGED_MEANWHILE, "warning")
        return _page(form, typed, status=409)
    if changes:
        names = ", ".join(BY_NAME[c.name].label.lower() for c in changes)
        flash(f"Saved: {names}. Every page and worker uses the new values now.", "success")
    else:
        flash("Nothing was changed.", "info")
    return redirect(url_for("sitesettings.edit"), 303)


@bp.post("/<name>/reset")
@admin_required
def reset(name: str):
    """Give one setting the environment's value again."""
    setting = BY_NAME.get(name)
    if setting is None:
        abort(404)
    form = SettingsForm()
    version = _version(form)
    if not form.validate() or version is None:
        form.version.data = str(services.current_version())
        return _page(form, _typed(), status=400)
    try:
        change = services.reset_setting(name, version, current_user)
    except services.SettingsChanged:
        form.version.data = str(services.current_version())
        flash(CHANGED_MEANWHILE, "warning")
        return _page(form, _typed(), status=409)
    if change is not None:
        flash(f"{setting.label} is back to the environment's value.", "success")
    return redirect(url_for("sitesettings.edit") + f"#{name}", 303)
