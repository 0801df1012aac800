"""Comment forms. Anti-spam checks that belong to the submission live here:
the honeypot field and the minimum time between showing the form and sending it.

The comment form is the one form a guest sees on the post page, which anonymous
readers get from the page cache; so that serving it sets no cookie, its two tokens
need no session. The form clock is a signed second, the same for everyone who is
shown the form in that second. The CSRF token of a signed-in reader is Flask-WTF's
own, tied to their session; a guest's is signed for their IP address and expires
with the form clock, so a page elsewhere cannot post in a visitor's name without
first reading our page from the visitor's address. Everyone behind one address
(an office, a carrier's NAT) can read such a token, so a guest's form must also
come from this site by the browser's own word (Sec-Fetch-Site, else Origin). A
signed-in reader must send the session token: a guest's token never posts as an
account.
"""

import functools
import math
import time
from urllib.parse import urlsplit

from flask import current_app, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf, validate_csrf
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer
from wtforms import EmailField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.csrf.core import CSRF
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from blogapp.accounts.forms import ParleyForm
from blogapp.models.flag import FLAG_LABELS
from blogapp.names import clean_name
from blogapp.query_args import parse_id

# How long a shown form may wait before it is sent (its clock and a guest's token).
FORM_MAX_AGE = 24 * 3600


def _clock(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="comment-form-shown")


@functools.lru_cache(maxsize=4)
def _signed_second(secret_key: str, second: int) -> str:
    return _clock(secret_key).dumps(second)


def form_shown_token() -> str:
    """A signed note of when the form was shown, to the next whole second (which
    errs on the side of the minimum fill time); signed once a second, not per view."""
    return _signed_second(current_app.config["SECRET_KEY"], math.ceil(time.time()))


def _guest_signer(remote_addr: str | None) -> TimestampSigner:
    return TimestampSigner(
        current_app.config["SECRET_KEY"], salt=f"guest-comment-form|{remote_addr}"
    )


def guest_csrf_token(remote_addr: str | None) -> str:
    """A guest's CSRF token for the comment form, for the address they ask from."""
    return _guest_signer(remote_addr).sign("guest").decode()


def comment_csrf_token() -> str:
    """The comment form's CSRF token for whoever is asking (see the module's note)."""
    if current_user.is_authenticated:
        return generate_csrf()
    return guest_csrf_token(request.remote_addr)


class CommentFormCSRF(CSRF):
    """CSRF for the comment form: the session's token, or a guest's session-free one."""

    def setup_form(self, form):
        self.meta = form.meta
        return super().setup_form(form)

    def generate_csrf_token(self, csrf_token_field) -> str:
        return comment_csrf_token()

    def validate_csrf_token(self, form, field) -> None:
        if not current_user.is_authenticated:
            try:
                _guest_signer(request.remote_addr).unsign(field.data or "", max_age=FORM_MAX_AGE)
            except BadSignature:
                pass  # a form drawn while signed in, sent after signing out: the session's
            else:
                if not sent_from_this_site():
                    raise ValidationError("The form was sent from another site.")
                return
        validate_csrf(field.data, self.meta.csrf_secret, self.meta.csrf_time_limit)


def sent_from_this_site() -> bool:
    """Whether the browser says this request comes from one of this site's pages.

    Browsers send Sec-Fetch-Site (or at least Origin) with every form they post; a
    request with neither is not a browser's, and so not a cross-site forgery.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is not None:
        return urlsplit(origin).netloc == request.host
    return True


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

    def validate_shown(self, field) -> None:
        minimum = current_app.config["COMMENT_MIN_FILL_SECONDS"]
        if not minimum:
            return
        try:
            clock = _clock(current_app.config["SECRET_KEY"])
            shown_at = clock.loads(field.data or "", max_age=FORM_MAX_AGE)
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
