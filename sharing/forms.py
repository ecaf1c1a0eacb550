from django import forms

from accounts.models import User
from sharing.selectors import find_person


class InvitationForm(forms.Form):
    """Whom to share a todo with, by username or email address (the dashboard's Share menu)."""

    collaborator = forms.CharField(
        max_length=254,
        error_messages={
            "required": "Name someone to share the todo with: a username or an email address."
        },
    )

    def clean_collaborator(self) -> User:
        name = self.cleaned_data["collaborator"]
        person = find_person(name)
        if person is None:
            raise forms.ValidationError(f"Nobody here is called “{name}”.")
        return person
