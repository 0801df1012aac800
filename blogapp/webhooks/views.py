"""The webhook pages (/admin/webhooks), for admins: the endpoints, one endpoint with its
delivery log, adding and changing one, and its buttons.

A new secret (an endpoint's first, or a rotated one) is shown once: the session says
which endpoint's to show only until the page after the redirect has shown it.
"""

from collections.abc import Callable
from functools import wraps

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from blogapp.accounts.permissions import admin_required
from blogapp.accounts.security_forms import ConfirmForm
from blogapp.extensions import db
from blogapp.models import WebhookEndpoint
from blogapp.query_args import arg_page
from blogapp.webhooks import services
from blogapp.webhooks.forms import EndpointForm

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")

LOG_PER_PAGE = 50
_NEW_SECRET = "webhook_new_secret"


def _endpoint(endpoint_id: int) -> WebhookEndpoint:
    endpoint = db.get_or_404(WebhookEndpoint, endpoint_id)
    return endpoint


def _to(endpoint: WebhookEndpoint):
    return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint.id), 303)


def _show_secret_once(endpoint: WebhookEndpoint) -> None:
    # Only which endpoint: the secret itself never travels in the session cookie.
    session[_NEW_SECRET] = endpoint.id


def _error_on(form, error: services.WebhookError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    (field.errors if field is not None else form.form_errors).append(str(error))


@bp.get("")
@admin_required
def endpoints():
    """Every endpoint, with its events, state and last delivery."""
    return render_template(
        "webhooks/endpoints.html",
        endpoints=services.endpoints(),
        last=services.last_deliveries(),
        default_url=current_app.config.get("RESPONSE_WEBHOOK_URL"),
        labels=services.EVENT_LABELS,
    )


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def add():
    """Add an endpoint; its secret is shown on the next page, once."""
    form = EndpointForm()
    if form.validate_on_submit():
        try:
            endpoint = services.add_endpoint(
                form.url.data, form.events.data, current_user, form.format.data
            )
        except services.WebhookError as error:
            _error_on(form, error)
        else:
            _show_secret_once(endpoint)
            flash("Endpoint added. Copy its secret now: it is not shown again.", "success")
            return _to(endpoint)
    status = 400 if form.errors or form.form_errors else 200
    return render_template("webhooks/form.html", form=form, endpoint=None), status


def _endpoint_page(endpoint: WebhookEndpoint | None, status: int = 200):
    endpoint_id = endpoint.id if endpoint is not None else None
    log = db.paginate(
        services.delivery_log(endpoint_id), page=arg_page(), per_page=LOG_PER_PAGE, error_out=False
    )
    shown = session.pop(_NEW_SECRET, None)
    secret = endpoint.secret if endpoint is not None and shown == endpoint.id else None
    body = render_template(
        "webhooks/endpoint.html",
        endpoint=endpoint,
        default_url=current_app.config.get("RESPONSE_WEBHOOK_URL"),
        log=log,
        secret=secret,
        button=ConfirmForm(formdata=None),
        labels=services.EVENT_LABELS,
        log_days=current_app.config["WEBHOOK_LOG_DAYS"],
    )
    return body, status


@bp.get("/<int:endpoint_id>")
@admin_required
def endpoint(endpoint_id: int):
    """One endpoint: its settings, its buttons, its delivery log."""
    return _endpoint_page(_endpoint(endpoint_id))


@bp.get("/default")
@admin_required
def default():
    """RESPONSE_WEBHOOK_URL's delivery log (the environment sets it; nothing to change)."""
    return _endpoint_page(None)


@bp.route("/<int:endpoint_id>/edit", methods=["GET", "POST"])
@admin_required
def edit(endpoint_id: int):
    """Change an endpoint's address or events."""
    endpoint = _endpoint(endpoint_id)
    form = EndpointForm(obj=None if request.method == "POST" else endpoint)
    if not request.method == "POST":
        form.events.data = endpoint.events.split()
    if form.validate_on_submit():
        try:
            services.change_endpoint(
                endpoint, form.url.data, form.events.data, current_user, form.format.data
            )
        except services.WebhookError as error:
            db.session.rollback()
            _error_on(form, error)
        else:
            flash("Endpoint saved.", "success")
            return _to(endpoint)
    status = 400 if form.errors or form.form_errors else 200
    return render_template("webhooks/form.html", form=form, endpoint=endpoint), status


def _button_pressed() -> bool:
    if ConfirmForm().validate_on_submit():
        return True
    flash("That button needs a fresh page; nothing was changed. Please try again.", "warning")
    return False


def _button(path: str) -> Callable[[Callable[[WebhookEndpoint], None]], Callable]:
    """A button on an endpoint's page, posting to ``/<endpoint_id>/<path>`` (its endpoint is
    the decorated function's name): for admins, it does ``press(endpoint)`` only when its
    form is fresh, then shows the endpoint's page again. ``press`` flashes what happened."""

    def register(press: Callable[[WebhookEndpoint], None]) -> Callable:
        @bp.post(f"/<int:endpoint_id>/{path}")
        @admin_required
        @wraps(press)
        def view(endpoint_id: int):
            endpoint = _endpoint(endpoint_id)
            if _button_pressed():
                press(endpoint)
            return _to(endpoint)

        return view

    return register


@_button("rotate")
def rotate(endpoint: WebhookEndpoint) -> None:
    """A new secret; the old one stops working at once."""
    services.rotate_secret(endpoint, current_user)
    _show_secret_once(endpoint)
    flash("New secret made; the old one no longer signs anything. Copy it now.", "success")


@_button("pause")
def pause(endpoint: WebhookEndpoint) -> None:
    """Stop sending to the endpoint until resumed."""
    services.pause(endpoint, current_user)
    flash("Paused: no events go to this endpoint until you resume it.", "success")


@_button("resume")
def resume(endpoint: WebhookEndpoint) -> None:
    """Send to the endpoint again, the deliveries that waited first."""
    services.resume(endpoint, current_user)
    flash("Resumed: events go to this endpoint again.", "success")


@_button("test")
def send_test(endpoint: WebhookEndpoint) -> None:
    """Send a test event now and say how the endpoint answered."""
    row = services.send_test(endpoint, current_user)
    if row.status == "delivered":
        flash(f"Test event delivered: the endpoint answered {row.response_status}.", "success")
    else:
        flash(f"The test event was not delivered: {row.last_error}.", "warning")


@bp.post("/<int:endpoint_id>/delete")
@admin_required
def delete(endpoint_id: int):
    """Remove the endpoint and its delivery log."""
    endpoint = _endpoint(endpoint_id)
    if not _button_pressed():
        return _to(endpoint)
    url = endpoint.url
    services.remove(endpoint, current_user)
    flash(f"Endpoint {url} removed; it gets no more events.", "success")
    return redirect(url_for("webhooks.endpoints"), 303)
