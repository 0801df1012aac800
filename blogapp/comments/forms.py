"""Comment forms. Anti-spam checks that belong to the submission live here:
the honeypot field and the minimum time between showing the form and sending it.

A guest's comment form is on the post page that every anonymous reader shares (and a
CDN may keep), so it carries nothing personal: no token, no clock.
- No token: a guest has no session or account a forged post could act for. What a
  token would still prove, that the form was sent from this site, the browser says
  itself: Sec-Fetch-Site, else Origin, checked against SITE_URL. A post that a
  browser says came from another site is refused, its text kept.
- No clock in the page: the form carries a tiny lazy image (comments/_form.html)
  that the browser fetches when the form is first shown on screen, which with the
  page's CSS means when the reader first focuses it (without JavaScript, browsers
  fetch it with the page). Its answer sets the clock: a cookie for this post's comment
  addresses only, so the page itself never sees it. A form sent with no clock at all
  (images off, a bot) comes back with its text and a clock started, asking to send it
  again; the minimum fill time then runs from there.
A signed-in reader's form carries Flask-WTF's token tied to their session and its own
clock (the form's ``shown`` field), as do forms drawn for one visitor (the reply page,
a form shown again with its errors).
"""

import functools
import math
import time
from urllib.parse import urlsplit

from flask import Response, current_app, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf, validate_csrf
from itsdangerous import BadSignature, URLSafeTimedSerializer
from wtforms import EmailField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.csrf.core import CSRF
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from blogapp.accounts.forms import ParleyForm
from blogapp.models.flag import FLAG_LABELS
from blogapp.names import clean_name
from blogapp.query_args import parse_id
from blogapp.sitesettings.store import site_settings
from blogapp.urls import site_origin

# How long a shown form may wait before it is sent.
FORM_MAX_AGE = 24 * 3600
CLOCK_COOKIE = "parley_form_clock"
SENT_FROM_ELSEWHERE = (
    "This comment was sent from a page on another site, so it was not posted. "
    "Your text is kept below: if you wrote it, check it and send it from here."
)


def _clock(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="comment-form-shown")


@functools.lru_cache(maxsize=4)
def _signed_second(secret_key: str, second: int) -> str:
    return _clock(secret_key).dumps(second)


def form_shown_token() -> str:
    """A signed note of when the form was shown, to the next whole second (which
    errs on the side of the minimum fill time); signed once a second, not per view."""
    return _signed_second(current_app.config["SECRET_KEY"], math.ceil(time.time()))


def start_form_clock(response: Response, slug: str) -> Response:
    """Start the clock of the guest form on the post at ``slug``: a cookie sent only to
    that post's comment addresses (posting, preview), never with a page."""
    response.set_cookie(
        CLOCK_COOKIE,
        form_shown_token(),
        max_age=FORM_MAX_AGE,
        path=url_for("comments.create", slug=slug),
        httponly=True,
        samesite="Strict",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )
    return response


def comment_csrf_token() -> str:
    """The comment form's CSRF token: a signed-in reader's session token; a guest has none."""
    return generate_csrf() if current_user.is_authenticated else ""


class CommentFormCSRF(CSRF):
    """CSRF for the comment form: the session's token, or for a guest the browser's word."""

    def setup_form(self, form):
        self.meta = form.meta
        return super().setup_form(form)

    def generate_csrf_token(self, csrf_token_field) -> str:
        return comment_csrf_token()

    def validate_csrf_token(self, form, field) -> None:
        if current_user.is_authenticated:
            validate_csrf(field.data, self.meta.csrf_secret, self.meta.csrf_time_limit)
        elif not sent_from_this_site():
            raise ValidationError(SENT_FROM_ELSEWHERE)


def sent_from_this_site() -> bool:
    """Whether the browser says this request comes from one of this site's pages.

    Browsers send Sec-Fetch-Site (or at least Origin) with every form they post; a
    request with neither is not a browser's, and so not a cross-site forgery. The
    Origin is compared with SITE_URL's (the request's own host where it is unset).
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    site_url = site_settings().get("SITE_URL")
    if site_url:
        sent_from = urlsplit(origin)
        return (sent_from.scheme, sent_from.netloc.lower()) == site_origin(site_url)
    return urlsplit(origin).netloc == request.host


class CommentForm(ParleyForm):
    class Meta:
        csrf_class = CommentFormCSRF

    body = TextAreaField(
        "Your comment",
        validators=[DataRequired(message="Please write something before posting.")],
        description="Markdown works: **bold**, *italic*, `code`, links and lists.",
    )
    name = StringField("Name", validators=[Optional(), Length(max=80)], filters=[clean_name])
    email = EmailField(
        "Email",
        validators=[Optional(), Email(check_deliverability=False), Length(max=254)],
        description="Never shown. We tell you when someone replies.",
    )
    parent_id = HiddenField()
    # Hidden from people; bots that fill every field fill this one.
    website = StringField("Leave this field empty")
    shown = HiddenField()

    def set_shown_now(self) -> None:
        self.shown.data = form_shown_token()

    def validate_parent_id(self, field) -> None:
        if field.data and parse_id(str(field.data)) is None:
            raise ValidationError("That reply link was damaged; please use Reply again.")

    def validate_website(self, field) -> None:
        if field.data:
            raise ValidationError(
                "This looks automated: the field “Leave this field empty” was filled in. "
                "If you are a person, clear it and send again."
            )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not ok and self.csrf_token.errors and not current_user.is_authenticated:
            self.csrf_token.errors = [SENT_FROM_ELSEWHERE]  # a guest's only CSRF failure
        return ok

    def validate_shown(self, field) -> None:
        minimum = site_settings()["COMMENT_MIN_FILL_SECONDS"]
        if not minimum:
            return
        # The form's own clock, else the one its first use started (a guest's page form).
        field.data = field.data or request.cookies.get(CLOCK_COOKIE, "")
        if not field.data:
            self.set_shown_now()
            raise ValidationError(
                "Please check your comment and send it again (your text is kept): "
                "this form's clock had not started."
            )
        try:
            shown_at = _clock(current_app.config["SECRET_KEY"]).loads(
                field.data, max_age=FORM_MAX_AGE
            )
        except BadSignature:
            self.set_shown_now()
            raise ValidationError(
                "This form had expired. Your text is kept — please send it again."
            ) from None
        if time.time() - float(shown_at) < minimum:
            raise ValidationError(
                "That was very quick — please take a moment to check your comment, "
                "then send it again."
            )

    @property
    def parent(self) -> int | None:
        return parse_id(self.parent_id.data) if self.parent_id.data else None


class EditForm(ParleyForm):
    body = TextAreaField(
        "Your comment",
        validators=[DataRequired(message="A comment can't be empty; use Delete to take it down.")],
    )


class DeleteForm(ParleyForm):
    """Deleting is a POST with a token."""


class FlagForm(ParleyForm):
    reason = RadioField(
        "Why should a moderator look at this?",
        choices=[SelectChoice(str(value), label) for value, label in FLAG_LABELS.items()],
        validators=[DataRequired(message="Please choose a reason.")],
    )
    note = TextAreaField("Anything else? (optional)", validators=[Optional(), Length(max=500)])


class RemoveForm(ParleyForm):
    reason = StringField(
        "Reason for removing",
        validators=[DataRequired(message="Please give a reason."), Length(max=500)],
        description="Kept for moderators; the public sees “Comment removed.”",
    )


class ModerationForm(ParleyForm):
    """Approve, spam, keep, open/close: a POST with a token and nothing else."""
