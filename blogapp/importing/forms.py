"""The admin import page's forms."""

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, RadioField
from wtforms.fields import DateField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional

from blogapp.accounts.forms import ParleyForm
from blogapp.importing.readers import READERS


class UploadForm(ParleyForm):
    """An export to check: nothing is written until its dry run's "Import"."""

    source = RadioField(
        "Kind of export",
        choices=[SelectChoice(key, choice.label) for key, choice in READERS.items()],
        default="wordpress",
        validators=[DataRequired(message="Choose the kind of export.")],
    )
    export = FileField(
        "Export file", validators=[FileRequired(message="Choose the export file to upload.")]
    )
    cutoff = DateField(
        "Close unanswered comments older than",
        validators=[Optional()],
        description=(
            "Customer comments nobody answered before this date are closed as “no response "
            "needed — imported”; newer ones enter the response queue. Empty: today."
        ),
    )
    with_pingbacks = BooleanField("Import pingbacks and trackbacks too")
    rules = FileField(
        "Rules file (Disqus, optional)",
        description=(
            "For threads whose old address finds no post here: a text file of lines "
            "“/old/path new-slug”, # for comments."
        ),
    )


class JobForm(ParleyForm):
    """The "Import" and "Discard" buttons under a dry run (a CSRF token and nothing else)."""
