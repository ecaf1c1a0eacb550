"""Forms of the attachments and reminders panel on a todo's page."""

from django import forms
from django.conf import settings

from todo_project.forms import BootstrapFormMixin


class AttachmentForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label="File",
        error_messages={
            "required": "Choose a file to attach.",
            "empty": "The file is empty.",
            "invalid": "That upload did not arrive as a file; please try again.",
        },
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Lets the browser warn before uploading; the server checks again whatever it says.
        self.fields["file"].widget.attrs["data-max-bytes"] = str(settings.ATTACHMENT_MAX_BYTES)


class ReminderForm(BootstrapFormMixin, forms.Form):
    remind_on = forms.DateField(
        label="Remind on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Choose the day of the reminder.",
            "invalid": "Enter the day as YYYY-MM-DD.",
        },
    )
