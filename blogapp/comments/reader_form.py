"""The comment form under a post, for a signed-in reader: drawn once, then filled in.

Drawing the form through WTForms cost about a fifth of a signed-in post page. A fresh
form differs between signed-in readers only in their name, whether they are an
employee, and two tokens (CSRF and the form clock), so it is drawn once for each
post and kind of reader, with slots (comments/slots.py) where each reader's name and
tokens go as it is served.
"""

from flask import render_template
from flask_login import current_user
from markupsafe import Markup

from blogapp.comments.cache import cache
from blogapp.comments.forms import CommentForm, comment_csrf_token, form_shown_token
from blogapp.comments.slots import Drawing, slot
from blogapp.comments.viewer import Viewer
from blogapp.responses.replying import opened_stamp


def new_comment_form(viewer: Viewer) -> CommentForm:
    """An empty comment form. A signed-in reader's starts its clock now; a guest's starts
    it when they first use it (comments/forms.py), and a returning guest's name is in."""
    form = CommentForm(formdata=None)
    if viewer.is_authenticated:
        form.set_shown_now()
    elif viewer.guest.name:
        form.name.data, form.email.data = viewer.guest.name, viewer.guest.email
    return form


def signed_in_form(post, viewer: Viewer, typical: str | None) -> Markup | None:
    """The fresh comment form for the signed-in reader looking at ``post``; None if anonymous."""
    if not viewer.is_authenticated:
        return None
    key = (post.slug, current_user.is_employee, typical)
    drawing = cache("forms").get(key)
    if drawing is None:
        form = CommentForm(formdata=None)
        form.csrf_token.current_token, form.shown.data = slot("csrf"), slot("shown")
        html = render_template(
            "comments/_post_form.html",
            form=form,
            post=post,
            typical_response=typical,
            posting_as=slot("name"),
            opened=slot("opened"),
        )
        drawing = Drawing.of(html)
        cache("forms").put(key, drawing)
    values = {
        "csrf": comment_csrf_token(),
        "shown": form_shown_token(),
        "name": Markup.escape(current_user.display_name),
    }
    if current_user.is_employee:
        values["opened"] = opened_stamp()
    filled = drawing.fill(values)
    return Markup(filled.decode())
