"""Forms of the webhook pages."""

from wtforms import RadioField, SelectMultipleField, URLField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from blogapp.accounts.forms import ParleyForm
from blogapp.models import WebhookEvent, WebhookFormat
from blogapp.webhooks.addresses import URL_MAX
from blogapp.webhooks.services import EVENT_LABELS


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class EndpointForm(ParleyForm):
    url = URLField(
        "Address",
        validators=[DataRequired("Type the address the events go to."), Length(max=URL_MAX)],
        description="Where Parley POSTs each event as JSON: https://… (or http://).",
    )
    events = CheckboxesField(
        "Events",
        choices=[SelectChoice(e.value, EVENT_LABELS[e]) for e in WebhookEvent.subscribable()],
        default=[e.value for e in WebhookEvent.of_the_tracker()],
    )
    format = RadioField(
        "Format",
        choices=[
            SelectChoice(WebhookFormat.JSON.value, "JSON: the event with the API's resources"),
            SelectChoice(
                WebhookFormat.CHAT.value, 'Chat message: {"text": …} for Slack or Microsoft Teams'
            ),
        ],
        default=WebhookFormat.JSON.value,
        validate_choice=True,
    )
