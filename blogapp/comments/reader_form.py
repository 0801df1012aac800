"""The comment form under a post, for a signed-in reader: drawn once, then filled in.

Drawing the form through WTForms cost about a fifth of a signed-in post page. A fresh
form differs between signed-in readers only in their name, whether they are an
employee, and two tokens (CSRF and the form clock), so it is drawn once for each
post and kind of reader and given each reader's name and tokens as it is served.
"""

from flask import render_template
from flask_login import current_user
from markupsafe import Markup, escape

from blogapp.comments.cache import cache
from blogapp.comments.forms import CommentForm, comment_csrf_token, form_shown_token
from blogapp.comments.viewer import Viewer

# Stand-ins in the stored drawing; NUL never reaches a page from a name or a token.
_CSRF, _SHOWN, _NAME = "\x00csrf\x00", "\x00shown\x00", "\x00name\x00"


def new_comment_form(viewer: Viewer) -> CommentForm:
    """An empty comment form, its clock started, a returning guest's name filled in."""
    form = CommentForm(formdata=None)
    form.set_shown_now()
    if viewer.guest.name:
        form.name.data, form.email.data = viewer.guest.name, viewer.guest.email
    return form


def _as_signed(name: str) -> str:
    return f"<strong>{escape(name)}</strong>"


def signed_in_form(post, viewer: Viewer, typical: str | None) -> Markup | None:
    """The fresh comment form for the signed-in reader looking at ``post``; None if anonymous."""
    if not viewer.is_authenticated:
        return None
    key = (post.slug, current_user.is_employee, typical)
    drawing = cache("forms").get(key)
    if drawing is None:
        form = new_comment_form(viewer)
        html = render_template(
            "comments/_post_form.html", form=form, post=post, typical_response=typical
        )
        filled = {
            _CSRF: comment_csrf_token(),
            _SHOWN: form.shown.data,
            _NAME: _as_signed(current_user.display_name),
        }
        if any(html.count(value) != 1 for value in filled.values()):
            return Markup(html)  # cannot tell the stand-ins' places apart: serve, don't store
        for stand_in, value in filled.items():
            html = html.replace(value, stand_in)
        drawing = html
        cache("forms").put(key, drawing)
    return Markup(
        drawing.replace(_CSRF, comment_csrf_token())
        .replace(_SHOWN, form_shown_token())
        .replace(_NAME, _as_signed(current_user.display_name))
    )
