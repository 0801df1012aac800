"""Studio forms. Each carries a CSRF token; the background requests send it too."""

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.fields import DateTimeLocalField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from blogapp.accounts.forms import ParleyForm
from blogapp.query_args import parse_id
from blogapp.studio.drafts import PostDraft, StudioError, check_body_length


def within_post_length(form, field) -> None:
    """POST_MAX_LENGTH, a site setting, checked before anything renders the body."""
    try:
        check_body_length(field.data or "")
    except StudioError as error:
        raise ValidationError(str(error)) from None


class PostForm(ParleyForm):
    title = StringField("Title", validators=[Length(max=200)])
    slug = StringField(
        "Address",
        validators=[Length(max=120)],
        description="The end of the post's URL. Leave empty to make one from the title.",
    )
    body = TextAreaField("Text", validators=[within_post_length])
    tags = StringField(
        "Tags",
        validators=[Length(max=500)],
        description="Separated by commas; new tags are created as you go.",
    )
    excerpt = TextAreaField(
        "Excerpt",
        validators=[Length(max=500)],
        description="Shown on the home page and in the feed. Leave empty to use the opening words.",
    )
    comments_open = BooleanField("Comments open", default=True)
    publish_at = DateTimeLocalField(
        "Publish at",
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
    )
    version = HiddenField()

    def draft(self) -> PostDraft:
        return PostDraft(
            title=self.title.data or "",
            body=(self.body.data or "").replace("\r\n", "\n"),
            slug=self.slug.data or "",
            tags=self.tags.data or "",
            excerpt=self.excerpt.data or "",
            comments_open=bool(self.comments_open.data),
        )

    def fill(self, draft: PostDraft) -> None:
        self.title.data, self.body.data, self.slug.data = draft.title, draft.body, draft.slug
        self.tags.data, self.excerpt.data = draft.tags, draft.excerpt
        self.comments_open.data = draft.comments_open

    def base_version(self) -> int | None:
        return parse_id(self.version.data)  # versions count from 1, like ids


class PreviewForm(ParleyForm):
    body = TextAreaField(validators=[within_post_length])


class UploadForm(ParleyForm):
    image = FileField("Image", validators=[FileRequired(message="Choose an image to upload.")])


class RestoreForm(ParleyForm):
    version = HiddenField()


class ProfileForm(ParleyForm):
    display_name = StringField(
        "Display name",
        validators=[DataRequired(message="Your name is shown on your posts."), Length(2, 80)],
    )
    job_title = StringField(
        "Job title",
        validators=[Length(max=120)],
        description="Shown next to your name on posts and answers.",
    )
    bio = TextAreaField("About you", validators=[Length(max=2000)])
    photo = FileField("Photo", description="PNG, JPEG, GIF or WebP.")
    remove_photo = BooleanField("Remove my photo")
