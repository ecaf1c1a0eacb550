from django import forms

from accounts.models import User
from sharing.selectors import find_person


class InvitationForm(forms.Form):
    """Whom to share a todo with, by username or email address (the dashboard's Share menu).

    `cleaned_data["collaborator"]` is the active user of that name, or None: the view
    answers both the same, so the form cannot be used to find out who has an account."""

    collaborator = forms.CharField(
        max_length=254,
        error_messages={
            "required": "Name someone to share the todo with: a username or an email address."
        },
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if "collaborator" in cleaned:
            cleaned["name"] = cleaned["collaborator"]
            cleaned["collaborator"] = find_person(cleaned["collaborator"])
        return cleaned

    def person(self) -> User | None:
        person: User | None = self.cleaned_data["collaborator"]
        return person
